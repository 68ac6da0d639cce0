"""`with_raw_response` and `with_streaming_response`: one span, response attributes wherever the body is
read, and the caller gets back exactly what it would without us."""

from __future__ import annotations

import gc
from typing import Any

import openai
import pytest
from openai_support import USER, only_span
from opentelemetry.trace import StatusCode

from agent_otel.testing import Reply, chat_chunks, chat_completion, response_events

CHAT = {"model": "gpt-4o-mini", "messages": USER}


def test_raw_response_keeps_its_type_and_the_span_has_the_body(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(chat_completion("raw", id="chatcmpl-raw")))
    raw = client.chat.completions.with_raw_response.create(**CHAT)
    assert type(raw).__name__ == "LegacyAPIResponse"
    assert raw.headers["x-request-id"].startswith("req_")
    assert len(otel.spans()) == 1  # ended without waiting for the caller's parse()
    parsed = raw.parse()
    assert parsed is raw.parse()  # the SDK's cache, which we share
    assert parsed.choices[0].message.content == "raw"
    a = only_span(otel).attributes
    assert a["gen_ai.response.id"] == "chatcmpl-raw"
    assert a["gen_ai.usage.input_tokens"] == 12


def test_raw_response_matches_the_uninstrumented_one(client: Any, server: Any, instrument: Any) -> None:
    body = chat_completion("same", id="chatcmpl-same")
    server.enqueue(Reply.json(body), Reply.json(body))
    inst = instrument()
    traced = client.chat.completions.with_raw_response.create(**CHAT)
    inst.uninstrument()
    plain = client.chat.completions.with_raw_response.create(**CHAT)
    assert type(traced) is type(plain)
    assert traced.parse().model_dump() == plain.parse().model_dump()
    assert traced.status_code == plain.status_code == 200


async def test_async_raw_response(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    raw = await aclient.chat.completions.with_raw_response.create(**CHAT)
    assert raw.parse().choices[0].message.content == "Echo: hello there"
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_raw_response_stream_parse_gives_the_proxied_stream(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b", include_usage=True, id="chatcmpl-rs")))
    raw = client.chat.completions.with_raw_response.create(
        **CHAT, stream=True, stream_options={"include_usage": True}
    )
    assert otel.spans() == []
    stream = raw.parse()
    assert isinstance(stream, openai.Stream)
    assert raw.parse() is stream
    chunks = list(stream)
    assert len(chunks) == 5
    a = only_span(otel).attributes
    assert a["gen_ai.response.id"] == "chatcmpl-rs"
    assert a["gen_ai.usage.output_tokens"] == 5


def test_raw_response_stream_never_read_nor_closed_is_abandoned(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    raw = client.chat.completions.with_raw_response.create(**CHAT, stream=True)
    http = raw.http_response
    del raw
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["agent_otel.stream.end"] == "abandoned"
    http.close()


def test_raw_response_stream_closed_unread_is_closed_not_abandoned(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    raw = client.chat.completions.with_raw_response.create(**CHAT, stream=True)
    raw.http_response.close()
    del raw
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.end"] == "closed"


def test_streaming_response_non_stream_parse(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(chat_completion("streamed", id="chatcmpl-sr")))
    with client.chat.completions.with_streaming_response.create(**CHAT) as response:
        assert type(response).__name__ == "APIResponse"
        assert otel.spans() == []  # body not read yet: nothing to report
        assert response.parse().choices[0].message.content == "streamed"
        assert otel.spans() == []  # the block decides: the span ends when it exits
    span = only_span(otel)
    assert span.attributes["gen_ai.response.id"] == "chatcmpl-sr"
    assert span.status.status_code == StatusCode.UNSET


def test_streaming_response_read_by_the_caller_ends_on_close(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    with client.chat.completions.with_streaming_response.create(**CHAT) as response:
        body = response.json()
        assert body["object"] == "chat.completion"
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert "gen_ai.response.id" not in span.attributes  # we never read the body ourselves


def test_streaming_response_with_stream(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("x y z", id="chatcmpl-ss")))
    with client.chat.completions.with_streaming_response.create(**CHAT, stream=True) as response:
        stream = response.parse()
        assert isinstance(stream, openai.Stream)
        pieces = [c.choices[0].delta.content for c in stream if c.choices]
    assert "".join(p or "" for p in pieces) == "x y z"
    a = only_span(otel).attributes
    assert a["gen_ai.response.id"] == "chatcmpl-ss"
    assert "agent_otel.stream.end" not in a


def test_streaming_response_left_mid_stream_is_closed(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    with client.chat.completions.with_streaming_response.create(**CHAT, stream=True) as response:
        stream = response.parse()
        next(iter(stream))
    a = only_span(otel).attributes
    assert a["agent_otel.stream.end"] == "closed"


async def test_async_streaming_response_stream(
    aclient: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.sse(response_events("p q", id="resp_ss")))
    async with aclient.responses.with_streaming_response.create(
        model="gpt-4.1", input="x", stream=True
    ) as resp:
        stream = await resp.parse()
        assert isinstance(stream, openai.AsyncStream)
        events = [e async for e in stream]
    assert events[-1].type == "response.completed"
    a = only_span(otel).attributes
    assert a["gen_ai.response.id"] == "resp_ss"
    assert a["gen_ai.usage.output_tokens"] == 5


async def test_async_streaming_response_json(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    async with aclient.chat.completions.with_streaming_response.create(**CHAT) as resp:
        parsed = await resp.parse()
    assert parsed.choices[0].message.content == "Echo: hello there"
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_streaming_response_http_error(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(429, "slow down", type="rate_limit"))
    with pytest.raises(openai.RateLimitError), client.chat.completions.with_streaming_response.create(**CHAT):
        pass
    assert only_span(otel).attributes["error.type"] == "openai.RateLimitError"


def test_raw_response_on_other_apis(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.embeddings.with_raw_response.create(model="text-embedding-3-small", input="a").parse()
    client.responses.with_raw_response.create(model="gpt-4.1", input="a").parse()
    client.responses.with_raw_response.retrieve("resp_r").parse()
    names = [s.name for s in otel.spans()]
    assert names == ["embeddings text-embedding-3-small", "chat gpt-4.1", "fetch_response"]
    assert all("gen_ai.response.model" in s.attributes for s in otel.spans())


async def test_async_raw_response_stream(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("m n", include_usage=True, id="chatcmpl-ars")))
    raw = await aclient.chat.completions.with_raw_response.create(
        **CHAT, stream=True, stream_options={"include_usage": True}
    )
    stream = raw.parse()  # LegacyAPIResponse.parse is synchronous even for the async client
    assert isinstance(stream, openai.AsyncStream)
    chunks = [c async for c in stream]
    assert len(chunks) == 5
    a = only_span(otel).attributes
    assert a["gen_ai.response.id"] == "chatcmpl-ars"
    assert a["gen_ai.usage.input_tokens"] == 12
