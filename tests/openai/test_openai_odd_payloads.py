"""One odd chunk or field costs only itself (issue 8, "under bad input"): the stream's usage and the
rest of the response are still recorded."""

from __future__ import annotations

from typing import Any

import pytest
from openai_support import USER, only_span

from agent_otel.testing import Reply, chat_chunks, response_events, response_object

STREAM = {"model": "gpt-4o-mini", "messages": USER, "stream": True, "stream_options": {"include_usage": True}}


def _usage(span: Any) -> tuple[Any, Any]:
    return span.attributes.get("gen_ai.usage.input_tokens"), span.attributes.get("gen_ai.usage.output_tokens")


@pytest.mark.parametrize("odd", [{}, {"choices": None}], ids=["empty-object", "null-choices"])
def test_chat_stream_chunk_without_choices_costs_only_that_chunk(
    client: Any, server: Any, otel: Any, instrumented: Any, odd: dict[str, Any]
) -> None:
    chunks = chat_chunks("a b c", include_usage=True)
    chunks.insert(1, odd)
    server.enqueue(Reply.sse(chunks))
    list(client.chat.completions.create(**STREAM))
    span = only_span(otel)
    assert _usage(span) == (12, 5)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)


async def test_async_chat_stream_chunk_without_choices_costs_only_that_chunk(
    aclient: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    chunks = chat_chunks("a b c", include_usage=True)
    chunks.insert(1, {})
    server.enqueue(Reply.sse(chunks))
    async for _chunk in await aclient.chat.completions.create(**STREAM):
        pass
    assert _usage(only_span(otel)) == (12, 5)


@pytest.mark.parametrize("odd", [5, "text", [1, 2]], ids=["number", "string", "list"])
def test_responses_stream_odd_event_costs_only_that_event(
    client: Any, server: Any, otel: Any, instrumented: Any, odd: Any
) -> None:
    events: list[Any] = list(response_events("hello there", id="resp_odd"))
    events.insert(1, odd)
    server.enqueue(Reply.sse(events))
    list(client.responses.create(model="gpt-4o-mini", input="hi", stream=True))
    span = only_span(otel)
    assert span.attributes["gen_ai.response.id"] == "resp_odd"
    assert _usage(span) == (12, 5)


def test_chat_stream_list_finish_reason_costs_only_the_finish_reason(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    chunks = chat_chunks("a b", include_usage=True)
    for chunk in chunks:
        for choice in chunk["choices"]:
            if choice.get("finish_reason"):
                choice["finish_reason"] = ["stop"]
    server.enqueue(Reply.sse(chunks))
    list(client.chat.completions.create(**STREAM))
    span = only_span(otel)
    assert _usage(span) == (12, 5)
    assert span.attributes["gen_ai.response.id"].startswith("chatcmpl-")


def test_responses_body_with_non_list_output_keeps_usage_and_the_rest(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    body = response_object("hi", id="resp_five", service_tier="flex")
    body["output"] = 5
    server.enqueue(Reply.json(body))
    client.responses.create(model="gpt-4o-mini", input="hi")
    a = only_span(otel).attributes
    assert _usage(only_span(otel)) == (12, 5)
    assert a["gen_ai.response.id"] == "resp_five"
    assert a["openai.response.service_tier"] == "flex"
