"""Cost on real instrumented calls: the openai client against a local fake server, LangChain's ChatOpenAI
on top of it, and a hand-written agent around them. Only the remote LLM is fake (a local HTTP server
answering with OpenAI-shaped usage); the client, the instrumentors and OpenTelemetry are real.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from agent_otel import manual
from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer, Reply, chat_completion, response_object

COST = "gen_ai.usage.cost.amount"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def instrumented(otel: Any, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    server.reset()
    openai_instrumentor = OpenAIInstrumentor()
    openai_instrumentor.instrument(**otel.providers)
    manual.configure(**otel.providers)
    yield otel
    manual.reset()
    openai_instrumentor.uninstrument()
    server.reset()


def test_openai_chat_cached_and_reasoning_tokens_priced_as_billed(
    instrumented: Any, server: FakeOpenAIServer
) -> None:
    server.enqueue(
        Reply.json(
            chat_completion(
                "ok",
                model="o4-mini-2025-04-16",
                prompt_tokens=3000,
                cached_tokens=2048,
                completion_tokens=1500,
                reasoning_tokens=1200,
            )
        )
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
    with manual.agent("analyst"):
        client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}])
    client.close()
    span = instrumented.span("chat o4-mini")
    # o4-mini: 952 * 1.10 + 2048 * 0.275 + 1500 * 4.40 (reasoning is output) = 1047.2 + 563.2 + 6600 µ$.
    assert span.attributes[COST] == pytest.approx(0.0082104, abs=1e-12)
    assert span.attributes["gen_ai.usage.cost.currency"] == "USD"
    assert span.attributes["gen_ai.usage.cost.source"] == "local"
    assert span.attributes["gen_ai.agent.name"] == "analyst"
    agent = instrumented.span("invoke_agent analyst").attributes
    assert agent["agent_otel.usage.cost.total_amount"] == pytest.approx(0.0082104, abs=1e-12)
    assert agent["gen_ai.usage.input_tokens"] == 3000


def test_openai_responses_api_cost(instrumented: Any, server: FakeOpenAIServer) -> None:
    server.enqueue(
        Reply.json(
            response_object(
                "ok", model="gpt-4.1-2025-04-14", input_tokens=1000, output_tokens=200, cached_tokens=600
            )
        )
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
    client.responses.create(model="gpt-4.1", input="hi")
    client.close()
    # gpt-4.1: 400 * 2.00 + 600 * 0.50 + 200 * 8.00 = 800 + 300 + 1600 µ$.
    assert instrumented.span("chat gpt-4.1").attributes[COST] == pytest.approx(0.0027, abs=1e-12)


def test_langchain_chat_openai_span_priced_once(instrumented: Any, server: FakeOpenAIServer) -> None:
    from langchain_openai import ChatOpenAI

    server.enqueue(
        Reply.json(
            chat_completion("ok", model="gpt-4o-mini-2024-07-18", prompt_tokens=2000, cached_tokens=1024)
        )
    )
    langchain_instrumentor = LangChainInstrumentor()
    langchain_instrumentor.instrument(**instrumented.providers)
    try:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="x", max_retries=0)
        with manual.agent("writer"):
            model.invoke("hi")
    finally:
        langchain_instrumentor.uninstrument()
    chats = [s for s in instrumented.spans() if s.name.startswith("chat ")]
    assert len(chats) == 1  # LangChain's span and the client's call merged: one span, one cost
    (chat,) = chats
    completion_tokens = chat.attributes["gen_ai.usage.output_tokens"]
    # gpt-4o-mini: 976 * 0.15 + 1024 * 0.075 + completion * 0.60.
    expected = (976 * 0.15 + 1024 * 0.075 + completion_tokens * 0.6) / 1e6
    assert chat.attributes[COST] == pytest.approx(expected, abs=1e-12)
    assert chat.attributes["gen_ai.agent.name"] == "writer"
    total = instrumented.span("invoke_agent writer").attributes["agent_otel.usage.cost.total_amount"]
    assert total == pytest.approx(expected, abs=1e-12)
