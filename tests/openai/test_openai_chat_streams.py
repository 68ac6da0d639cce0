"""Streamed Chat Completions: every way a stream can end ends its span exactly once, with the agreed status.

Statuses (README): exhausted → OK; closed / `with` exit / broken out of → OK with
`agent_otel.stream.end="closed"`; garbage-collected unfinished → ERROR `_OTHER` with
`agent_otel.stream.end="abandoned"`; mid-stream failure → ERROR with the exception's type.
"""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import openai
import pytest
from openai_support import USER, chat_stream_helper, http_lib, only_span, points
from opentelemetry.trace import StatusCode

from agent_otel.telemetry.messages import fq_exception_type
from agent_otel.testing import Reply, chat_chunks

STREAM = {"model": "gpt-4o-mini", "messages": USER, "stream": True}
WITH_USAGE = {**STREAM, "stream_options": {"include_usage": True}}


def test_exhausted_stream_is_ok_with_usage_finish_reason_and_ttfc(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(
        Reply.sse(
            chat_chunks(
                "one two three", id="chatcmpl-s", include_usage=True, cached_tokens=2, reasoning_tokens=1
            )
        )
    )
    stream = client.chat.completions.create(**WITH_USAGE)
    assert isinstance(stream, openai.Stream)
    assert otel.spans() == []  # still open while the caller reads
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three"
    span = only_span(otel)
    a = span.attributes
    assert span.status.status_code == StatusCode.UNSET
    assert a["gen_ai.request.stream"] is True
    assert a["gen_ai.response.id"] == "chatcmpl-s"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.input_tokens"] == 12 and a["gen_ai.usage.output_tokens"] == 5
    assert a["gen_ai.usage.cache_read.input_tokens"] == 2
    assert a["gen_ai.usage.reasoning.output_tokens"] == 1
    assert a["gen_ai.response.time_to_first_chunk"] >= 0
    assert a["agent_otel.stream.chunk_count"] == len(chunks) == 6
    assert "agent_otel.stream.end" not in a
    assert a["openai.response.system_fingerprint"] == "fp_fake"
    ttfc = points(otel, "gen_ai.client.operation.time_to_first_chunk")
    assert sum(p.count for p in ttfc) == 1


def test_chunks_reach_the_caller_unchanged(client: Any, server: Any, instrument: Any) -> None:
    body = chat_chunks("a b c", id="chatcmpl-u", include_usage=True)
    server.enqueue(Reply.sse(body), Reply.sse(body))
    inst = instrument()
    traced = [c.model_dump() for c in client.chat.completions.create(**WITH_USAGE)]
    inst.uninstrument()
    plain = [c.model_dump() for c in client.chat.completions.create(**WITH_USAGE)]
    assert traced == plain
    assert len(traced) == len(body)


def test_stream_without_usage_option_has_no_usage(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    list(client.chat.completions.create(**STREAM))
    a = only_span(otel).attributes
    assert "gen_ai.usage.input_tokens" not in a
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert "stream_options" not in server.requests[0].json  # we never add include_usage ourselves


def test_next_loop_until_stop_iteration(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    stream = client.chat.completions.create(**STREAM)
    count = 0
    with pytest.raises(StopIteration):
        while True:
            next(stream)
            count += 1
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.chunk_count"] == count


def test_close_midway_is_ok_closed(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    stream = client.chat.completions.create(**STREAM)
    next(stream)
    stream.close()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"
    assert span.attributes["agent_otel.stream.chunk_count"] == 1
    assert span.attributes["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"  # from what arrived


def test_with_block_and_break(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    with client.chat.completions.create(**STREAM) as stream:
        for _chunk in stream:
            break
        assert otel.spans() == []  # inside `with`, the block decides (see test_issue8_stream_endings.py)
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


def test_break_without_with_ends_at_once(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    stream = client.chat.completions.create(**STREAM)
    for _chunk in stream:
        break
    assert only_span(otel).attributes["agent_otel.stream.end"] == "closed"
    del stream


def test_dropped_stream_is_abandoned_error(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    stream = client.chat.completions.create(**STREAM)
    next(stream)
    del stream
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "_OTHER"
    assert span.attributes["agent_otel.stream.end"] == "abandoned"


def test_mid_stream_error_event(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b c d e"), fail_after=3))
    received = []
    with pytest.raises(openai.APIError) as info:
        for chunk in client.chat.completions.create(**STREAM):
            received.append(chunk)
    assert type(info.value) is openai.APIError
    assert len(received) == 3
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.APIError"
    assert span.attributes["agent_otel.stream.chunk_count"] == 3
    assert "gen_ai.response.id" in span.attributes


def test_dropped_connection_mid_stream(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b c d e"), fail_after=2, failure="disconnect"))
    # openai >= 2 raises APIConnectionError; older versions let the transport's error through.
    with pytest.raises((openai.APIConnectionError, http_lib().TransportError)) as info:
        list(client.chat.completions.create(**STREAM))
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == fq_exception_type(info.value)
    assert span.attributes["agent_otel.stream.chunk_count"] == 2


def test_per_chunk_metrics_only_when_asked(client: Any, server: Any, otel: Any, instrument: Any) -> None:
    instrument(stream_chunk_metrics="per_chunk")
    chunks = list(client.chat.completions.create(**STREAM))
    per_chunk = points(otel, "gen_ai.client.operation.time_per_output_chunk")
    assert sum(p.count for p in per_chunk) == len(chunks) - 1


def test_summary_metrics_record_no_per_chunk_values(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    list(client.chat.completions.create(**STREAM))
    assert sum(p.count for p in points(otel, "gen_ai.client.operation.time_per_output_chunk")) == 0
    assert sum(p.count for p in points(otel, "gen_ai.client.operation.time_to_first_chunk")) == 1


def test_caller_code_between_chunks_is_not_inside_the_chat_span(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    from opentelemetry import trace

    tracer = otel.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("app"):
        stream = client.chat.completions.create(**STREAM)
        current = trace.get_current_span()
        for _chunk in stream:
            assert trace.get_current_span() is current
    chat = otel.span("chat gpt-4o-mini")
    app = otel.span("app")
    assert chat.parent.span_id == app.context.span_id


def test_stream_helper_is_one_span(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("x y", include_usage=True, id="chatcmpl-h")))
    with chat_stream_helper(client)(
        model="gpt-4o-mini", messages=USER, stream_options={"include_usage": True}
    ) as s:
        for _event in s:
            pass
        final = s.get_final_completion()
    assert final.choices[0].message.content == "x y"
    span = only_span(otel)
    assert span.attributes["gen_ai.response.id"] == "chatcmpl-h"
    assert span.attributes["gen_ai.usage.output_tokens"] == 5
    assert span.status.status_code == StatusCode.UNSET


def test_stream_helper_left_early_is_closed_not_abandoned(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    with chat_stream_helper(client)(model="gpt-4o-mini", messages=USER) as s:
        pass
    del s
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


def test_tool_call_stream_finish_reason(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks(None, tool_calls=[{"name": "f", "arguments": {"q": "x"}}])))
    chunks = list(client.chat.completions.create(**STREAM))
    args = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments
        for c in chunks
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert json.loads(args) == {"q": "x"}
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)


# ------------------------------------------------------------------------------------------ async


async def test_async_stream_exhausted(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b", include_usage=True)))
    stream = await aclient.chat.completions.create(**WITH_USAGE)
    assert isinstance(stream, openai.AsyncStream)
    chunks = [c async for c in stream]
    a = only_span(otel).attributes
    assert a["agent_otel.stream.chunk_count"] == len(chunks)
    assert a["gen_ai.usage.output_tokens"] == 5
    assert "agent_otel.stream.end" not in a


async def test_async_stream_break_is_closed(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    stream = await aclient.chat.completions.create(**STREAM)
    async for _chunk in stream:
        break
    for _ in range(5):
        await asyncio.sleep(0)
    assert only_span(otel).attributes["agent_otel.stream.end"] == "closed"
    await stream.close()


async def test_async_with_and_close(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    async with await aclient.chat.completions.create(**STREAM) as stream:
        await stream.__anext__()
    span = only_span(otel)
    assert span.attributes["agent_otel.stream.end"] == "closed"
    assert span.status.status_code == StatusCode.UNSET


async def test_async_cancelled_read_is_error(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b c d e f"), delay=0.5))
    stream = await aclient.chat.completions.create(**STREAM)

    async def consume() -> None:
        async for _chunk in stream:
            pass

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert "CancelledError" in span.attributes["error.type"]
    await stream.close()


async def test_async_mid_stream_error(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b c"), fail_after=1))
    stream = await aclient.chat.completions.create(**STREAM)
    with pytest.raises(openai.APIError):
        async for _chunk in stream:
            pass
    assert only_span(otel).attributes["error.type"] == "openai.APIError"


async def test_async_stream_helper(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    async with chat_stream_helper(aclient)(model="gpt-4o-mini", messages=USER) as s:
        async for _event in s:
            pass
    span = only_span(otel)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)
