"""Streams: `create(stream=True)` and the `messages.stream()` helper, sync and async. One span per call,
ended exactly once however the stream ends; streamed usage from `message_start` and `message_delta`."""

from __future__ import annotations

import gc
from typing import Any

import anthropic
import pytest
from anthropic_support import CALL, MODEL, only_span
from opentelemetry.trace import StatusCode

from agent_otel.testing import Reply, anthropic_message_events, anthropic_stream_error

CACHE = {"cache_read_input_tokens": 70, "cache_creation_input_tokens": 30, "output_tokens": 9}


@pytest.mark.parametrize("full_delta_usage", [False, True])
def test_streamed_usage_keeps_cache_tokens_from_message_start_and_delta(
    client: Any, server: Any, otel: Any, instrumented: Any, full_delta_usage: bool
) -> None:
    server.enqueue(
        Reply.sse(anthropic_message_events("a b c", model=MODEL, full_delta_usage=full_delta_usage, **CACHE))
    )
    events = list(client.messages.create(**CALL, stream=True))
    assert events[-1].type == "message_stop"
    a = only_span(otel).attributes
    assert a["gen_ai.request.stream"] is True
    assert a["gen_ai.usage.input_tokens"] == 12 + 70 + 30
    assert (a["gen_ai.usage.cache_read.input_tokens"], a["gen_ai.usage.cache_write.input_tokens"]) == (70, 30)
    assert a["gen_ai.usage.output_tokens"] == 9  # message_delta's, not message_start's placeholder 1
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.response.id"].startswith("msg_")
    assert a["agent_otel.stream.chunk_count"] == len(events)
    assert "agent_otel.stream.end" not in a


def test_time_to_first_chunk_is_recorded(client: Any, otel: Any, instrumented: Any) -> None:
    list(client.messages.create(**CALL, stream=True))
    names = set(otel.metrics())
    assert "gen_ai.client.operation.time_to_first_chunk" in names


def test_break_out_of_a_stream_ends_closed(client: Any, otel: Any, instrumented: Any) -> None:
    stream = client.messages.create(**CALL, stream=True)
    for _ in stream:
        break
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


def test_dropped_stream_ends_abandoned_once(client: Any, otel: Any, instrumented: Any) -> None:
    stream = client.messages.create(**CALL, stream=True)
    next(stream)
    del stream
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["agent_otel.stream.end"] == "abandoned"


def test_mid_stream_error_event_fails_the_span_with_the_raised_error(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    events = anthropic_message_events("one two three")
    server.enqueue(Reply.sse([*events[:4], anthropic_stream_error("overloaded_error", "Overloaded")]))
    with pytest.raises(anthropic.APIStatusError) as info:
        list(client.messages.create(**CALL, stream=True))
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == f"anthropic.{type(info.value).__name__}"


def test_stream_helper_is_one_span_ended_by_its_block(client: Any, otel: Any, instrumented: Any) -> None:
    with client.messages.stream(**CALL) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Echo: hello there"
    span = only_span(otel)
    a = span.attributes
    assert (span.name, a["gen_ai.request.stream"]) == (f"chat {MODEL}", True)
    assert a["gen_ai.response.id"] == final.id
    assert a["gen_ai.usage.output_tokens"] == final.usage.output_tokens
    assert "agent_otel.stream.end" not in a  # read to its end, then closed by the block: exhausted


def test_stream_helper_left_early_ends_closed(client: Any, otel: Any, instrumented: Any) -> None:
    with client.messages.stream(**CALL) as stream:
        for _ in stream:
            break
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


def test_exception_inside_the_stream_helper_block_ends_the_span_error_once(
    client: Any, otel: Any, instrumented: Any
) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), client.messages.stream(**CALL) as stream:
        for _ in stream:
            raise Boom
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"].endswith("Boom")


def test_stream_helper_never_entered_makes_no_span(client: Any, otel: Any, instrumented: Any) -> None:
    client.messages.stream(**CALL)
    gc.collect()
    assert otel.spans() == []


def test_stream_helper_request_error_fails_the_span(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    from agent_otel.testing import anthropic_error

    server.enqueue(anthropic_error(400, "bad"))
    with pytest.raises(anthropic.BadRequestError), client.messages.stream(**CALL):
        pass
    assert only_span(otel).attributes["error.type"] == "anthropic.BadRequestError"


async def test_async_stream_and_async_stream_helper(aclient: Any, otel: Any, instrumented: Any) -> None:
    events = [e async for e in await aclient.messages.create(**CALL, stream=True)]
    async with aclient.messages.stream(**CALL) as stream:
        final = await stream.get_final_message()
    async with aclient.beta.messages.stream(**CALL) as stream:
        await stream.get_final_message()
    spans = otel.spans()
    assert len(spans) == 3
    assert spans[0].attributes["agent_otel.stream.chunk_count"] == len(events)
    assert all(s.attributes["gen_ai.usage.output_tokens"] == final.usage.output_tokens for s in spans)
    assert all("agent_otel.stream.end" not in s.attributes for s in spans)


def test_beta_stream_helper(client: Any, otel: Any, instrumented: Any) -> None:
    with client.beta.messages.stream(**CALL) as stream:
        stream.get_final_message()
    assert only_span(otel).attributes["gen_ai.request.stream"] is True
