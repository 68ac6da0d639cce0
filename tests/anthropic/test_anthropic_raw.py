"""`with_raw_response` and `with_streaming_response`: the caller gets exactly what it would get without us,
and the span has the response attributes wherever the body is read."""

from __future__ import annotations

from typing import Any

from anthropic_support import CALL, has_parse, only_span
from opentelemetry.trace import StatusCode


def test_raw_response_create_reads_the_body_without_parsing_for_the_caller(
    client: Any, otel: Any, instrumented: Any
) -> None:
    raw = client.messages.with_raw_response.create(**CALL)
    span = only_span(otel)  # ended at once: the body was read
    message = raw.parse()
    assert message.content[0].text == "Echo: hello there"
    assert span.attributes["gen_ai.response.id"] == message.id
    assert span.attributes["gen_ai.usage.input_tokens"] == message.usage.input_tokens


def test_raw_response_parse_method(client: Any, otel: Any, instrumented: Any) -> None:
    # `with_raw_response.parse` exists where the client has it (beta, anthropic >= 1.0)
    resources = (client.messages.with_raw_response, client.beta.messages.with_raw_response)
    methods = [r.parse for r in resources if hasattr(r, "parse")]
    assert bool(methods) == has_parse()
    for parse in methods:
        assert parse(**CALL).parse().content[0].text == "Echo: hello there"
    assert len(otel.spans()) == len(methods)


def test_raw_response_stream_parse_returns_a_followed_stream(
    client: Any, otel: Any, instrumented: Any
) -> None:
    raw = client.messages.with_raw_response.create(**CALL, stream=True)
    events = list(raw.parse())
    assert events[-1].type == "message_stop"
    a = only_span(otel).attributes
    assert a["agent_otel.stream.chunk_count"] == len(events)
    assert a["gen_ai.usage.output_tokens"] > 0


def test_streaming_response_parsed_message(client: Any, otel: Any, instrumented: Any) -> None:
    with client.messages.with_streaming_response.create(**CALL) as response:
        message = response.parse()
    assert only_span(otel).attributes["gen_ai.response.id"] == message.id


def test_streaming_response_stream(client: Any, otel: Any, instrumented: Any) -> None:
    with client.messages.with_streaming_response.create(**CALL, stream=True) as response:
        events = list(response.parse())
    a = only_span(otel).attributes
    assert (a["agent_otel.stream.chunk_count"], a["gen_ai.response.finish_reasons"]) == (
        len(events),
        ("stop",),
    )


def test_exception_in_a_streaming_response_block_fails_the_span(
    client: Any, otel: Any, instrumented: Any
) -> None:
    try:
        with client.messages.with_streaming_response.create(**CALL):
            raise KeyError("app")
    except KeyError:
        pass
    span = only_span(otel)
    assert (span.status.status_code, span.attributes["error.type"]) == (StatusCode.ERROR, "KeyError")


async def test_async_raw_and_streaming_responses(aclient: Any, otel: Any, instrumented: Any) -> None:
    raw = await aclient.messages.with_raw_response.create(**CALL)
    parse = raw.parse()
    message = await parse if hasattr(parse, "__await__") else parse  # async parse() from anthropic 1.0
    async with aclient.messages.with_streaming_response.create(**CALL, stream=True) as response:
        stream = await response.parse()
        events = [e async for e in stream]
    spans = otel.spans()
    assert len(spans) == 2
    assert spans[0].attributes["gen_ai.response.id"] == message.id
    assert spans[1].attributes["agent_otel.stream.chunk_count"] == len(events)
