"""`embeddings.create` and legacy `completions.create`, sync and async."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai_support import only_span, points
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.testing import Reply, completion_chunks, completion_response, embedding_response


def test_embeddings_span(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"], dimensions=16)
    assert len(result.data) == 2 and len(result.data[0].embedding) == 16
    span = only_span(otel)
    a = span.attributes
    assert span.name == "embeddings text-embedding-3-small"
    assert span.kind == SpanKind.CLIENT
    assert a["gen_ai.operation.name"] == "embeddings"
    assert a["gen_ai.embeddings.dimension.count"] == 16
    assert a["gen_ai.usage.input_tokens"] == 8
    assert a["gen_ai.response.model"] == "text-embedding-3-small"
    assert (
        "gen_ai.request.encoding_formats" not in a
    )  # the caller chose none (the SDK's base64 is not theirs)
    tokens = points(otel, "gen_ai.client.token.usage")
    assert [(p.attributes["gen_ai.token.type"], p.sum) for p in tokens] == [("input", 8)]


def test_embeddings_encoding_format_as_requested(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    client.embeddings.create(model="text-embedding-3-small", input="a", encoding_format="float")
    assert only_span(otel).attributes["gen_ai.request.encoding_formats"] == ("float",)


async def test_async_embeddings(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(
        Reply.json(embedding_response(3, model="text-embedding-3-large", dimensions=4, prompt_tokens=9))
    )
    await aclient.embeddings.create(
        model="text-embedding-3-large", input=["a", "b", "c"], encoding_format="float"
    )
    a = only_span(otel).attributes
    assert a["gen_ai.usage.input_tokens"] == 9
    assert a["gen_ai.embeddings.dimension.count"] == 4


def test_embeddings_error(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(401, "bad key", type="invalid_api_key"))
    with pytest.raises(openai.AuthenticationError):
        client.embeddings.create(model="text-embedding-3-small", input="a")
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.AuthenticationError"


def test_legacy_completion(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(completion_response("done", id="cmpl-1", finish_reason="length", n=2)))
    result = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="say", max_tokens=5, temperature=0, stop=["\n"], n=2
    )
    assert result.choices[0].text == "done"
    span = only_span(otel)
    a = span.attributes
    assert span.name == "text_completion gpt-3.5-turbo-instruct"
    assert a["gen_ai.operation.name"] == "text_completion"
    assert a["gen_ai.request.max_tokens"] == 5
    assert a["gen_ai.request.temperature"] == 0
    assert a["gen_ai.request.stop_sequences"] == ("\n",)
    assert a["gen_ai.request.choice.count"] == 2
    assert a["gen_ai.response.id"] == "cmpl-1"
    assert a["gen_ai.response.finish_reasons"] == ("length", "length")
    assert a["gen_ai.usage.input_tokens"] == 12
    assert "openai.api.type" not in a  # only chat_completions and responses are API types


def test_legacy_completion_stream(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(completion_chunks("x y z", id="cmpl-s", include_usage=True)))
    stream = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="p", stream=True, stream_options={"include_usage": True}
    )
    assert isinstance(stream, openai.Stream)
    text = "".join(c.choices[0].text for c in stream if c.choices)
    assert text == "x y z"
    a = only_span(otel).attributes
    assert a["gen_ai.request.stream"] is True
    assert a["gen_ai.response.id"] == "cmpl-s"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.output_tokens"] == 5


async def test_async_legacy_completion(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    await aclient.completions.create(model="gpt-3.5-turbo-instruct", prompt="p")
    assert only_span(otel).name == "text_completion gpt-3.5-turbo-instruct"
