"""`ChatOpenAI` (langchain-openai) against the local OpenAI-compatible server with BOTH instrumentors on:
the OpenAI call merges into the LangChain chat span (one span, tokens counted once), in invoke, stream,
ainvoke, astream and inside an agent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from lc_support import attrs, bad_logs, one, tree

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.openai_server import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_OUTPUT_TOKENS,
    Reply,
    chat_completion,
)

SCOPE = "agent_otel.instrumentation.langchain"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def both(otel: Any, lc: Any) -> Iterator[Any]:
    openai = OpenAIInstrumentor()
    openai.instrument(**otel.providers)
    try:
        yield lc
    finally:
        openai.uninstrument()


def llm(server: FakeOpenAIServer) -> ChatOpenAI:
    # stream_usage: ChatOpenAI asks for stream usage by default only against api.openai.com.
    return ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="x", stream_usage=True)


def input_tokens_recorded(otel: Any) -> int:
    points = otel.metrics().get("gen_ai.client.token.usage", [])
    return sum(p.sum for p in points if p.attributes.get("gen_ai.token.type") == "input")


def check_single_chat_span(otel: Any, *, streamed: bool) -> None:
    spans = otel.spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini"], "the OpenAI call must merge into the chat span"
    span = spans[0]
    a = attrs(span)
    assert span.instrumentation_scope.name == SCOPE
    assert a["gen_ai.provider.name"] == "openai"
    assert a["server.address"] == "127.0.0.1"  # from the merged OpenAI call
    assert a["openai.api.type"] == "chat_completions"
    assert a["gen_ai.response.id"].startswith("chatcmpl-")
    assert a["gen_ai.response.model"].startswith("gpt-4o-mini")
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        DEFAULT_INPUT_TOKENS,
        DEFAULT_OUTPUT_TOKENS,
    )
    assert a.get("gen_ai.request.stream", False) is streamed
    assert input_tokens_recorded(otel) == DEFAULT_INPUT_TOKENS  # once, not twice


def test_invoke(otel: Any, both: Any, server: FakeOpenAIServer, caplog: Any) -> None:
    assert llm(server).invoke("hi").content == "Echo: hi"
    check_single_chat_span(otel, streamed=False)
    assert bad_logs(caplog) == []


def test_stream(otel: Any, both: Any, server: FakeOpenAIServer, caplog: Any) -> None:
    assert "".join(str(chunk.content) for chunk in llm(server).stream("hi")) == "Echo: hi"
    check_single_chat_span(otel, streamed=True)
    assert bad_logs(caplog) == []


def test_ainvoke_and_astream(otel: Any, both: Any, server: FakeOpenAIServer, caplog: Any) -> None:
    async def go() -> None:
        assert (await llm(server).ainvoke("hi")).content == "Echo: hi"

    asyncio.run(go())
    check_single_chat_span(otel, streamed=False)
    otel.span_exporter.clear()

    async def stream() -> str:
        return "".join([str(chunk.content) async for chunk in llm(server).astream("hi")])

    assert asyncio.run(stream()) == "Echo: hi"
    assert [s.name for s in otel.spans()] == ["chat gpt-4o-mini"]
    assert attrs(otel.spans()[0])["gen_ai.request.stream"] is True
    assert bad_logs(caplog) == []


@tool
def get_weather(city: str) -> str:
    """Look up the weather."""
    return "sunny"


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_agent_on_chat_openai(otel: Any, both: Any, server: FakeOpenAIServer, caplog: Any, mode: str) -> None:
    server.enqueue(
        Reply.json(
            chat_completion(
                tool_calls=[{"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}]
            )
        )
    )
    agent = create_agent(llm(server), tools=[get_weather], name="weather")
    payload = {"messages": [HumanMessage("weather in Paris?")]}
    if mode == "invoke":
        agent.invoke(payload)
    else:
        asyncio.run(agent.ainvoke(payload))

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather"),
        (1, "chat gpt-4o-mini"),
        (1, "execute_tool get_weather"),
        (1, "chat gpt-4o-mini"),
    ]
    assert {s.instrumentation_scope.name for s in spans} == {SCOPE}
    agent_span = attrs(one(spans, "invoke_agent weather"))
    assert (agent_span["gen_ai.usage.input_tokens"], agent_span["gen_ai.usage.output_tokens"]) == (
        2 * DEFAULT_INPUT_TOKENS,
        2 * DEFAULT_OUTPUT_TOKENS,
    )
    assert input_tokens_recorded(otel) == 2 * DEFAULT_INPUT_TOKENS
    assert attrs(one(spans, "execute_tool get_weather"))["gen_ai.tool.call.id"] == "call_1"
    assert bad_logs(caplog) == []


def test_completion_model_merges_too(otel: Any, both: Any, server: FakeOpenAIServer, caplog: Any) -> None:
    from langchain_openai import OpenAI

    llm = OpenAI(model="gpt-3.5-turbo-instruct", base_url=server.base_url, api_key="x")
    llm.invoke("hi")
    list(llm.stream("hi"))
    spans = otel.spans()
    assert [s.name for s in spans] == ["text_completion gpt-3.5-turbo-instruct"] * 2
    assert {s.instrumentation_scope.name for s in spans} == {SCOPE}
    assert all(attrs(s)["server.address"] == "127.0.0.1" for s in spans)
    assert bad_logs(caplog) == []


def _under_unsampled_parent() -> Any:
    from opentelemetry import context, trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    parent = NonRecordingSpan(SpanContext(0x1234, 0x5678, is_remote=True, trace_flags=TraceFlags(0)))
    return context.attach(trace.set_span_in_context(parent))


@pytest.mark.parametrize("streamed", [False, True])
def test_unsampled_run_records_its_metrics_once(
    otel: Any, both: Any, server: FakeOpenAIServer, streamed: bool
) -> None:
    """Regression: unsampled, the LangChain chat run and the OpenAI call beneath it each recorded the
    duration, token and cost metrics of the same request."""
    from opentelemetry import context

    token = _under_unsampled_parent()
    try:
        model = llm(server)
        if streamed:
            assert "".join(str(c.content) for c in model.stream("hi")) == "Echo: hi"
        else:
            assert model.invoke("hi").content == "Echo: hi"
    finally:
        context.detach(token)
    assert otel.spans() == []
    assert input_tokens_recorded(otel) == DEFAULT_INPUT_TOKENS  # once, not twice
    durations = otel.metrics()["gen_ai.client.operation.duration"]
    assert sum(p.count for p in durations) == 1
    costs = otel.metrics()["gen_ai.client.operation.cost"]
    assert sum(p.count for p in costs) == 1


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("openai_on", [True, False])
def test_responses_api_finish_reasons_survive_on_the_chat_span(
    otel: Any, lc: Any, server: FakeOpenAIServer, caplog: Any, streamed: bool, openai_on: bool
) -> None:
    """Regression: with `ChatOpenAI(use_responses_api=True)` the chat span had no finish reasons (the
    Responses API reports a status, and LangChain's empty list hid the OpenAI layer's)."""
    from agent_otel.testing.openai_server import response_events, response_object

    replies: list[dict[str, Any]] = [
        {"text": "Hello!"},
        {"text": None, "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": {"city": "x"}}]},
        {"text": "cut sh", "status": "incomplete", "incomplete_reason": "max_output_tokens"},
    ]
    for reply in replies:
        text = reply.pop("text")
        server.enqueue(
            Reply.sse(response_events(text, **reply))
            if streamed
            else Reply.json(response_object(text, **reply))
        )
    openai = OpenAIInstrumentor()
    if openai_on:
        openai.instrument(**otel.providers)
    try:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="x", use_responses_api=True)
        model = model.bind_tools([get_weather])
        for _ in replies:
            if streamed:
                list(model.stream("hi"))
            else:
                model.invoke("hi")
    finally:
        if openai_on:
            openai.uninstrument()

    spans = otel.spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini"] * 3
    assert {s.instrumentation_scope.name for s in spans} == {SCOPE}  # one (merged) span per call
    reasons = [attrs(s).get("gen_ai.response.finish_reasons") for s in spans]
    assert reasons == [("stop",), ("tool_call",), ("length",)]
    assert bad_logs(caplog) == []
