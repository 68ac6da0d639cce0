"""Next to the official `opentelemetry-instrumentation-genai-openai`: whichever wraps outermost, each call
gives exactly one chat span, and tokens are counted once."""

from __future__ import annotations

from typing import Any

import opentelemetry.instrumentation.genai.openai as official
import pytest
from openai_support import USER, points

from agent_otel.instrumentation.openai import OpenAIInstrumentor

CHAT = {"model": "gpt-4o-mini", "messages": USER}


@pytest.fixture(params=["ours_outer", "official_outer"])
def both(request: Any, otel: Any, monkeypatch: Any) -> Any:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    ours, theirs = OpenAIInstrumentor(), official.OpenAIInstrumentor()
    first, second = (theirs, ours) if request.param == "ours_outer" else (ours, theirs)
    first.instrument(**otel.providers)
    second.instrument(**otel.providers)
    yield request.param
    second.uninstrument()
    first.uninstrument()


def test_one_span_and_tokens_once(client: Any, server: Any, otel: Any, both: str) -> None:
    client.chat.completions.create(**CHAT)
    spans = otel.spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini"]
    expected_scope = "agent_otel.instrumentation.openai" if both == "ours_outer" else official.__name__
    assert spans[0].instrumentation_scope.name == expected_scope
    assert spans[0].attributes["gen_ai.usage.input_tokens"] == 12
    assert spans[0].attributes["openai.api.type"] == "chat_completions"  # ours, merged either way
    tokens = points(otel, "gen_ai.client.token.usage")
    assert sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "input") == 12
    assert sum(p.count for p in points(otel, "gen_ai.client.operation.duration")) == 1


def test_one_span_for_a_stream(client: Any, server: Any, otel: Any, both: str) -> None:
    list(client.chat.completions.create(**CHAT, stream=True, stream_options={"include_usage": True}))
    spans = otel.spans()
    assert len(spans) == 1
    assert spans[0].attributes["gen_ai.usage.output_tokens"] == 5
    tokens = points(otel, "gen_ai.client.token.usage")
    assert sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "output") == 5


async def test_one_span_async(aclient: Any, server: Any, otel: Any, both: str) -> None:
    await aclient.embeddings.create(model="text-embedding-3-small", input="x")
    assert [s.name for s in otel.spans()] == ["embeddings text-embedding-3-small"]
