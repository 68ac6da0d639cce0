"""The Responses API: create (plain and streamed), parse, the `.stream()` helper, retrieve (fetch_response),
and the beta Responses resource where this openai has it."""

from __future__ import annotations

import gc
from typing import Any

import openai
import pydantic
import pytest
from openai_support import http_lib, only_span
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.testing import Reply, response_events, response_object


def _reply() -> Reply:
    return Reply.json(
        response_object(
            "hi",
            id="resp_1",
            model="gpt-4.1-2025-04-14",
            input_tokens=30,
            output_tokens=8,
            cached_tokens=10,
            reasoning_tokens=2,
            service_tier="flex",
        )
    )


def _assert_response_span(span: Any) -> None:
    a = span.attributes
    assert span.name == "chat gpt-4.1"
    assert span.kind == SpanKind.CLIENT
    assert a["gen_ai.operation.name"] == "chat"
    assert a["openai.api.type"] == "responses"
    assert a["gen_ai.response.id"] == "resp_1"
    assert a["gen_ai.response.model"] == "gpt-4.1-2025-04-14"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.input_tokens"] == 30
    assert a["gen_ai.usage.output_tokens"] == 8
    assert a["gen_ai.usage.cache_read.input_tokens"] == 10
    assert a["gen_ai.usage.reasoning.output_tokens"] == 2
    assert a["openai.response.service_tier"] == "flex"
    assert a["gen_ai.request.max_tokens"] == 100
    assert a["gen_ai.request.temperature"] == 0.5
    assert a["gen_ai.request.reasoning.level"] == "medium"
    assert a["gen_ai.request.previous_response.id"] == "resp_0"
    assert a["gen_ai.output.type"] == "json"


PARAMS = {
    "model": "gpt-4.1",
    "input": "hello",
    "max_output_tokens": 100,
    "temperature": 0.5,
    "reasoning": {"effort": "medium"},
    "previous_response_id": "resp_0",
    "text": {"format": {"type": "json_object"}},
}


def test_responses_create(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(_reply())
    assert client.responses.create(**PARAMS).output_text == "hi"
    _assert_response_span(only_span(otel))


async def test_async_responses_create(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(_reply())
    result = await aclient.responses.create(**PARAMS)
    assert result.id == "resp_1"
    _assert_response_span(only_span(otel))


def test_streamed_response(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(response_events("a b c", id="resp_s", input_tokens=7, output_tokens=3)))
    events = list(client.responses.create(model="gpt-4.1", input="x", stream=True))
    assert events[-1].type == "response.completed"
    a = only_span(otel).attributes
    assert a["gen_ai.request.stream"] is True
    assert a["gen_ai.response.id"] == "resp_s"
    assert a["gen_ai.usage.input_tokens"] == 7 and a["gen_ai.usage.output_tokens"] == 3
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["agent_otel.stream.chunk_count"] == len(events)
    assert "gen_ai.response.time_to_first_chunk" in a


def test_stream_cut_before_completion_keeps_what_arrived(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.sse(response_events("a b c", id="resp_cut"), fail_after=4, failure="disconnect"))
    with pytest.raises((openai.APIConnectionError, http_lib().TransportError)):
        list(client.responses.create(model="gpt-4.1", input="x", stream=True))
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["gen_ai.response.id"] == "resp_cut"
    assert span.attributes["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"


def test_error_event_marks_the_stream_failed(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    events: list[Any] = response_events("a b", id="resp_e")[:3]
    # A bare data line: openai 1.x misreads an `event: error` line; newer ones read the JSON `type` anyway.
    events.append({"type": "error", "code": "rate_limit_exceeded", "message": "slow", "param": None})
    server.enqueue(Reply.sse(events, done=False))
    received = list(client.responses.create(model="gpt-4.1", input="x", stream=True))
    assert received[-1].type == "error"
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "rate_limit_exceeded"


def test_failed_and_incomplete_responses(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(
        Reply.sse(response_events(None, status="failed", error={"code": "server_error", "message": "x"})),
        Reply.json(response_object("partial", status="incomplete", incomplete_reason="max_output_tokens")),
    )
    list(client.responses.create(model="gpt-4.1", input="x", stream=True))
    client.responses.create(model="gpt-4.1", input="x")
    failed, incomplete = otel.spans()
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.attributes["error.type"] == "server_error"
    assert failed.attributes["gen_ai.response.finish_reasons"] == ("error",)
    assert incomplete.status.status_code == StatusCode.UNSET
    assert incomplete.attributes["gen_ai.response.finish_reasons"] == ("length",)


def test_function_call_output_is_a_tool_call_finish(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(response_object(None, tool_calls=[{"name": "lookup", "arguments": {"q": 1}}])))
    client.responses.create(model="gpt-4.1", input="x", tools=[{"type": "function", "name": "lookup"}])
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)


def test_stream_helper_is_one_span(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    with client.responses.stream(model="gpt-4.1", input="hello") as stream:
        for _event in stream:
            pass
        final = stream.get_final_response()
    assert final.output_text == "Echo: hello"
    span = only_span(otel)
    assert span.attributes["gen_ai.response.id"] == final.id
    assert span.attributes["gen_ai.usage.output_tokens"] == 5


async def test_async_stream_helper(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    async with aclient.responses.stream(model="gpt-4.1", input="hello") as stream:
        async for _event in stream:
            pass
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_stream_helper_left_early_is_closed(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    with client.responses.stream(model="gpt-4.1", input="hello") as stream:
        pass
    del stream
    gc.collect()
    span = only_span(otel)
    assert span.attributes["agent_otel.stream.end"] == "closed"
    assert span.status.status_code == StatusCode.UNSET


class Answer(pydantic.BaseModel):
    city: str


def test_responses_parse(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(response_object('{"city": "Oslo"}', id="resp_p")))
    parsed = client.responses.parse(model="gpt-4.1", input="x", text_format=Answer)
    assert parsed.output_parsed == Answer(city="Oslo")
    span = only_span(otel)
    assert span.attributes["gen_ai.output.type"] == "json"
    assert span.attributes["gen_ai.response.id"] == "resp_p"


async def test_async_responses_parse(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(response_object('{"city": "Lima"}')))
    parsed = await aclient.responses.parse(model="gpt-4.1", input="x", text_format=Answer)
    assert parsed.output_parsed == Answer(city="Lima")
    assert only_span(otel).attributes["gen_ai.output.type"] == "json"


def test_retrieve_is_a_fetch_response_span_without_usage(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(
        Reply.json(
            response_object("stored", id="resp_9", status="incomplete", incomplete_reason="content_filter")
        )
    )
    fetched = client.responses.retrieve("resp_9")
    assert fetched.id == "resp_9"
    span = only_span(otel)
    a = span.attributes
    assert span.name == "fetch_response"
    assert span.kind == SpanKind.CLIENT
    assert a["gen_ai.operation.name"] == "fetch_response"
    assert a["gen_ai.response.id"] == "resp_9"
    assert a["gen_ai.response.status"] == "incomplete"
    assert a["gen_ai.response.finish_reasons"] == ("content_filter",)
    assert "gen_ai.usage.input_tokens" not in a
    assert a["openai.api.type"] == "responses"
    assert server.requests[0].path.endswith("/responses/resp_9")


def test_retrieve_of_a_failed_response_is_not_a_failed_fetch(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(response_object(None, id="resp_f", status="failed")))
    client.responses.retrieve("resp_f")
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["gen_ai.response.status"] == "failed"


def test_streamed_retrieve(client: Any, server: Any, otel: Any, instrumented: Any, features: Any) -> None:
    if not features.retrieve_stream:  # openai 1.66: retrieve() has no stream parameter
        with pytest.raises(TypeError):
            client.responses.retrieve("resp_x", stream=True)
        assert only_span(otel).status.status_code == StatusCode.ERROR
        return
    created = client.responses.create(model="gpt-4.1", input="again")
    otel.span_exporter.clear()
    events = list(client.responses.retrieve(created.id, stream=True))
    assert events[-1].type == "response.completed"
    span = only_span(otel)
    assert span.name == "fetch_response"
    assert span.attributes["gen_ai.request.stream"] is True
    assert span.attributes["gen_ai.response.status"] == "completed"


async def test_async_retrieve(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    await aclient.responses.retrieve("resp_a")
    assert only_span(otel).attributes["gen_ai.response.id"] == "resp_a"


def test_missing_retrieve_is_an_error_fetch(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(404, "no such response", code="not_found"))
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_missing")
    assert only_span(otel).attributes["error.type"] == "openai.NotFoundError"


def test_beta_responses_by_presence(
    client: Any, server: Any, otel: Any, instrumented: Any, features: Any
) -> None:
    patched = [p for p in instrumented.patched if "beta.responses" in p]
    if not features.beta_responses:
        assert not hasattr(client.beta, "responses")
        assert patched == []
        return
    assert "openai.resources.beta.responses.responses:Responses.create" in patched
    result = client.beta.responses.create(model="gpt-4.1", input="beta")
    span = only_span(otel)
    assert span.attributes["openai.api.type"] == "responses"
    assert span.attributes["gen_ai.response.id"] == result.id
    assert server.requests[0].path.endswith("/responses")
