"""`ChatAnthropic` (langchain-anthropic) with BOTH instrumentors on: the Anthropic call merges into the
LangChain chat span (one span, tokens counted once, anthropic's own span replaced too), in invoke,
stream, ainvoke and inside a LangGraph agent, whose name and roll-ups cover the Claude calls.

Needs langchain-anthropic, which needs anthropic >= 0.120: the anthropic-oldest tox cell leaves this
module out (`--ignore`), the latest and util cells run it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from anthropic_support import MODEL
from langchain.agents import create_agent
from langchain_anthropic import ChatAnthropic
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from opentelemetry import trace

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.testing import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_OUTPUT_TOKENS,
    Reply,
    anthropic_message,
    anthropic_message_events,
)
from agent_otel.testing.trees import tree

LC_SCOPE = "agent_otel.instrumentation.langchain"


@pytest.fixture
def both(otel: Any, instrumented: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # anthropic's own spans go to the global provider: make it the test's, so a duplicate would show.
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", otel.tracer_provider)
    lc = LangChainInstrumentor()
    lc.instrument(**otel.providers)
    try:
        yield lc
    finally:
        lc.uninstrument()


def llm(server: Any) -> ChatAnthropic:
    return ChatAnthropic(model=MODEL, base_url=server.base_url, api_key="x-key-123456", max_retries=0)


def input_tokens_recorded(otel: Any) -> int:
    points = otel.metrics().get("gen_ai.client.token.usage", [])
    return sum(p.sum for p in points if p.attributes.get("gen_ai.token.type") == "input")


def check_single_chat_span(otel: Any, streamed: bool) -> None:
    spans = otel.spans()
    assert [s.name for s in spans] == [f"chat {MODEL}"], "the Anthropic call must merge into the chat span"
    span = spans[0]
    a = dict(span.attributes)
    assert span.instrumentation_scope.name == LC_SCOPE
    assert a["gen_ai.provider.name"] == "anthropic"
    assert a["server.address"] == "127.0.0.1"  # from the merged Anthropic call
    assert a["gen_ai.response.id"].startswith("msg_")
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        DEFAULT_INPUT_TOKENS,
        DEFAULT_OUTPUT_TOKENS,
    )
    assert a.get("gen_ai.request.stream", False) is streamed
    assert input_tokens_recorded(otel) == DEFAULT_INPUT_TOKENS  # once, not twice


def test_chat_anthropic_invoke_is_one_chat_span(otel: Any, both: Any, server: Any) -> None:
    assert llm(server).invoke("hi").content == "Echo: hi"
    check_single_chat_span(otel, streamed=False)


def test_chat_anthropic_stream_is_one_chat_span(otel: Any, both: Any, server: Any) -> None:
    # As the API does today: message_delta repeats the input and cache counts (langchain-anthropic 1.x
    # reads its streamed input tokens from there).
    server.enqueue(Reply.sse(anthropic_message_events("Echo: hi", model=MODEL, full_delta_usage=True)))
    assert "".join(str(c.content) for c in llm(server).stream("hi")) == "Echo: hi"
    check_single_chat_span(otel, streamed=True)


def test_chat_anthropic_ainvoke_is_one_chat_span(otel: Any, both: Any, server: Any) -> None:
    async def go() -> Any:
        return await llm(server).ainvoke("hi")

    assert asyncio.run(go()).content == "Echo: hi"
    check_single_chat_span(otel, streamed=False)


@tool
def get_weather(city: str) -> str:
    """Look up the weather."""
    return "sunny"


def test_langgraph_agent_on_claude_names_and_rolls_up(otel: Any, both: Any, server: Any) -> None:
    server.enqueue(
        Reply.json(
            anthropic_message(
                None,
                model=MODEL,
                tool_uses=[{"id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}],
            )
        )
    )
    agent = create_agent(llm(server), tools=[get_weather], name="weather")
    agent.invoke({"messages": [HumanMessage("weather in Paris?")]})
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather"),
        (1, f"chat {MODEL}"),
        (1, "execute_tool get_weather"),
        (1, f"chat {MODEL}"),
    ]
    agent_span = next(s for s in spans if s.name == "invoke_agent weather")
    assert agent_span.attributes["gen_ai.usage.input_tokens"] == 2 * DEFAULT_INPUT_TOKENS
    assert agent_span.attributes["agent_otel.usage.cost.total_amount"] > 0
    chats = [s for s in spans if s.name.startswith("chat")]
    assert all(s.attributes["gen_ai.agent.name"] == "weather" for s in chats)
    assert input_tokens_recorded(otel) == 2 * DEFAULT_INPUT_TOKENS
