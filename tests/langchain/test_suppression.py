"""`opentelemetry.instrumentation.utils.suppress_instrumentation()`: nothing at all is emitted inside it (no
span, no metric) by a LangChain/LangGraph run, in every execution mode, nor by the OpenAI calls beneath
`ChatOpenAI`; outside it, the same run is traced as usual."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from lc_support import ai, bad_logs, model, tree
from opentelemetry.instrumentation.utils import suppress_instrumentation

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.openai_server import Reply, chat_completion

PAYLOAD = {"messages": [HumanMessage("weather in Paris and Rome?")]}


@tool
def get_weather(city: str) -> str:
    """Look up the weather in a city."""
    return f"sunny in {city}"


def two_tool_agent() -> Any:
    """An agent whose first reply calls two tools at once (LangGraph runs them in its thread pool)."""
    return create_agent(
        model(
            ai(calls=[("get_weather", {"city": "Paris"}, "c1"), ("get_weather", {"city": "Rome"}, "c2")]),
            ai("sunny in both"),
        ),
        tools=[get_weather],
        name="weather",
    )


def run(mode: str, agent: Any) -> None:
    if mode == "invoke":
        agent.invoke(PAYLOAD)
    elif mode == "stream":
        list(agent.stream(PAYLOAD))
    elif mode == "ainvoke":
        asyncio.run(agent.ainvoke(PAYLOAD))
    elif mode == "astream":

        async def consume() -> None:
            async for _ in agent.astream(PAYLOAD):
                pass

        asyncio.run(consume())
    else:  # one at a time: the fake model's scripted replies are shared
        agent.batch([PAYLOAD, PAYLOAD], {"max_concurrency": 1})


def emitted_metric_points(otel: Any) -> int:
    return sum(len(points) for points in otel.metrics().values())


EXPECTED = [
    (0, "invoke_agent weather"),
    (1, "chat fake-model"),
    (1, "execute_tool get_weather"),
    (1, "execute_tool get_weather"),
    (1, "chat fake-model"),
]


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream", "batch"])
def test_suppress_instrumentation_emits_nothing_in_every_mode(
    otel: Any, lc: Any, caplog: Any, mode: str
) -> None:
    with suppress_instrumentation():
        run(mode, two_tool_agent())
    assert otel.spans() == []
    assert emitted_metric_points(otel) == 0
    assert len(lc.handler.runs) == 0  # nothing left behind either
    assert bad_logs(caplog) == []

    run("invoke", two_tool_agent())  # outside it: traced as usual
    spans = sorted(otel.spans(), key=lambda s: s.start_time or 0)
    assert tree(spans)[0] == EXPECTED[0] and sorted(tree(spans)) == sorted(EXPECTED)
    assert emitted_metric_points(otel) > 0


def test_suppress_instrumentation_inside_a_tool_silences_only_what_runs_there(otel: Any, lc: Any) -> None:
    inner = model(ai("inner answer"), name="inner-model")

    @tool
    def ask_quietly(question: str) -> str:
        """Ask another model, untraced."""
        with suppress_instrumentation():
            return str(inner.invoke(question).content)

    create_agent(
        model(ai(calls=[("ask_quietly", {"question": "q"}, "c1")]), ai("done")),
        tools=[ask_quietly],
        name="asker",
    ).invoke(PAYLOAD)
    assert tree(otel.spans()) == [
        (0, "invoke_agent asker"),
        (1, "chat fake-model"),
        (1, "execute_tool ask_quietly"),
        (1, "chat fake-model"),
    ]


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream"])
def test_suppress_instrumentation_silences_chat_openai_with_both_instrumentors(
    otel: Any, lc: Any, server: FakeOpenAIServer, mode: str
) -> None:
    openai = OpenAIInstrumentor()
    openai.instrument(**otel.providers)
    try:
        llm = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="x", stream_usage=True)
        call = {"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}
        server.enqueue(Reply.json(chat_completion(tool_calls=[call])))
        with suppress_instrumentation():
            run(mode, create_agent(llm, tools=[get_weather], name="weather"))
        assert len(server.requests) == 2  # the model really was called, twice
        assert otel.spans() == []
        assert emitted_metric_points(otel) == 0

        with suppress_instrumentation():
            llm.invoke("hi")  # the bare model too
        assert otel.spans() == []
        assert emitted_metric_points(otel) == 0
    finally:
        openai.uninstrument()
