"""How the app leaves a stream decides how its span ends (issue 8, "what real traffic showed" / "faults").

Inside a `with` block (the stream's own, a `.stream()` helper's, `with_streaming_response`'s) the span
ends once, when the block exits: ERROR with the type of the exception that left it (the app's own, or
one the helper raised into the app), else OK. Never UNSET after an app exception, never left open
until garbage collection, never ended later during another call.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pydantic
import pytest
from openai_support import USER, chat_stream_helper, http_lib, only_span
from opentelemetry.trace import StatusCode

from agent_otel.telemetry.messages import fq_exception_type
from agent_otel.testing import Reply, chat_chunks, mock_transport_handler, response_events

STREAM = {"model": "gpt-4o-mini", "messages": USER, "stream": True}


class AppError(Exception):
    """The app's own failure while it consumes a stream."""


APP_ERROR = fq_exception_type(AppError())


def _ended_with(otel: Any, error_type: str) -> Any:
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == error_type
    return span


# ------------------------------------------------------------------ the stream's own `with`


def test_app_exception_in_loop_inside_with_stream_ends_span_error_once(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError), client.chat.completions.create(**STREAM) as stream:
        for _chunk in stream:
            raise AppError("bad chunk for the app")
    span = _ended_with(otel, APP_ERROR)
    assert span.attributes["agent_otel.stream.chunk_count"] == 1


def test_app_exception_after_reading_to_the_end_inside_with_ends_span_error(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError), client.chat.completions.create(**STREAM) as stream:
        list(stream)
        assert otel.spans() == []  # the block decides
        raise AppError("after the last chunk")
    _ended_with(otel, APP_ERROR)


async def test_async_app_exception_in_loop_inside_async_with_ends_span_error_at_exit(
    aclient: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError):
        async with await aclient.chat.completions.create(**STREAM) as stream:
            async for _chunk in stream:
                raise AppError("bad chunk for the app")
    _ended_with(otel, APP_ERROR)  # at once, not when asyncio later finalizes the loop's generator
    for _ in range(3):
        await asyncio.sleep(0)
    assert len(otel.spans()) == 1


def _close_raises_client() -> openai.OpenAI:
    """A client whose streamed HTTP body raises when closed (a transport fault inside `close()`)."""
    lib = http_lib()
    body = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chat_chunks("a b c"))

    class CloseFails(lib.SyncByteStream):  # type: ignore[misc,name-defined]
        def __iter__(self) -> Any:
            yield body

        def close(self) -> None:
            raise lib.ReadError("connection reset while closing")

    def handler(request: Any) -> Any:
        return lib.Response(200, headers={"content-type": "text/event-stream"}, stream=CloseFails())

    return openai.OpenAI(
        base_url="http://fake.test/v1",
        api_key="k",
        max_retries=0,
        http_client=lib.Client(transport=lib.MockTransport(handler)),
    )


def test_close_that_raises_ends_span_error_with_that_exception(otel: Any, instrumented: Any) -> None:
    client = _close_raises_client()
    stream = client.chat.completions.create(**STREAM)
    next(stream)
    with pytest.raises(http_lib().ReadError) as info:
        stream.close()
    _ended_with(otel, fq_exception_type(info.value))


# ------------------------------------------------------------------ with_streaming_response


def test_app_exception_in_with_streaming_response_block_ends_span_error(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with (
        pytest.raises(AppError),
        client.chat.completions.with_streaming_response.create(**STREAM) as response,
    ):
        for _chunk in response.parse():
            raise AppError("bad chunk for the app")
    _ended_with(otel, APP_ERROR)


def test_app_exception_after_parse_in_with_streaming_response_block_ends_span_error(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with (
        pytest.raises(AppError),
        client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=USER) as r,
    ):
        r.parse()
        raise AppError("the app rejected the answer")
    span = _ended_with(otel, APP_ERROR)
    assert span.attributes["gen_ai.usage.output_tokens"] == 5  # what was parsed is kept


async def test_async_app_exception_in_with_streaming_response_block_ends_span_error(
    aclient: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError):
        async with aclient.chat.completions.with_streaming_response.create(**STREAM) as response:
            async for _chunk in await response.parse():
                raise AppError("bad chunk for the app")
    _ended_with(otel, APP_ERROR)


# ------------------------------------------------------------------ the `.stream()` helpers


def test_app_exception_in_chat_stream_helper_block_ends_span_error(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError), chat_stream_helper(client)(model="gpt-4o-mini", messages=USER) as s:
        for _event in s:
            raise AppError("bad event for the app")
    _ended_with(otel, APP_ERROR)


async def test_async_app_exception_in_chat_stream_helper_block_ends_span_error(
    aclient: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError):
        async with chat_stream_helper(aclient)(model="gpt-4o-mini", messages=USER) as s:
            async for _event in s:
                raise AppError("bad event for the app")
    _ended_with(otel, APP_ERROR)


def test_app_exception_in_responses_stream_block_ends_span_error(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError), client.responses.stream(model="gpt-4o-mini", input="hi") as s:
        for _event in s:
            raise AppError("bad event for the app")
    _ended_with(otel, APP_ERROR)


async def test_async_app_exception_in_responses_stream_block_ends_span_error(
    aclient: Any, otel: Any, instrumented: Any
) -> None:
    with pytest.raises(AppError):
        async with aclient.responses.stream(model="gpt-4o-mini", input="hi") as s:
            async for _event in s:
                raise AppError("bad event for the app")
    _ended_with(otel, APP_ERROR)


def test_leaving_the_chat_stream_helper_early_ends_span_when_the_with_exits(
    client: Any, otel: Any, instrumented: Any
) -> None:
    with chat_stream_helper(client)(model="gpt-4o-mini", messages=USER) as s:
        for _event in s:
            break
        assert otel.spans() == []
    span = only_span(otel)  # `s` (and the stream it holds) still alive: no garbage collection involved
    assert s is not None
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


async def test_async_leaving_the_responses_stream_helper_early_ends_span_when_the_with_exits(
    aclient: Any, otel: Any, instrumented: Any
) -> None:
    async with aclient.responses.stream(model="gpt-4o-mini", input="hi") as s:
        async for _event in s:
            break
    span = only_span(otel)
    assert s is not None
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


class Answer(pydantic.BaseModel):
    city: str


def test_error_the_chat_stream_helper_raises_into_the_app_ends_span_error(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.sse(chat_chunks('{"city": "Par', finish_reason="length")))
    with (
        pytest.raises(openai.LengthFinishReasonError) as info,
        chat_stream_helper(client)(model="gpt-4o-mini", messages=USER, response_format=Answer) as s,
    ):
        for _event in s:
            pass
    span = _ended_with(otel, fq_exception_type(info.value))
    assert span.attributes["gen_ai.response.finish_reasons"] == ("length",)


def test_error_the_responses_stream_helper_raises_after_the_stream_ends_is_the_span_status(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    events = [e for e in response_events("hi") if e[0] != "response.completed"]
    server.enqueue(Reply.sse(events))
    with (
        pytest.raises(RuntimeError) as info,
        client.responses.stream(model="gpt-4o-mini", input="hi") as s,
    ):
        s.get_final_response()  # "Didn't receive a `response.completed` event."
    _ended_with(otel, fq_exception_type(info.value))


def test_helper_failing_on_a_chunk_it_cannot_parse_ends_span_error_with_that_type(
    otel: Any, instrumented: Any
) -> None:
    # Not JSON although `response_format` asks for it: the helper's partial parse raises into the app.
    handler = mock_transport_handler(replies=[Reply.sse(chat_chunks("not json"))])
    lib = http_lib()
    client = openai.OpenAI(
        base_url="http://fake.test/v1",
        api_key="k",
        max_retries=0,
        http_client=lib.Client(transport=lib.MockTransport(handler)),
    )
    with (
        pytest.raises(ValueError) as info,
        chat_stream_helper(client)(model="gpt-4o-mini", messages=USER, response_format=Answer) as s,
    ):
        s.until_done()
    _ended_with(otel, fq_exception_type(info.value))
