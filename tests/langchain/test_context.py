"""Execution-boundary context (`_context.py`): the same tree in every execution mode — sync `invoke`,
`stream`, async `ainvoke` / `astream` / `astream_events`, `batch`, parallel tool calls in LangGraph's
thread pool, an agent invoked from inside a tool, user spans opened inside tools and nodes — with the
app's own span as the parent, no span left current afterwards and no "Failed to detach context"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from lc_support import ai, attrs, bad_logs, by_name, model, one, parent_of, tree
from opentelemetry import trace
from test_handler import TEAM_TREE, check_team, team_graph


def run_sync(app: Any, payload: Any) -> Any:
    return app.invoke(payload)


def run_stream(app: Any, payload: Any) -> Any:
    return list(app.stream(payload, stream_mode="values"))[-1]


def run_stream_updates(app: Any, payload: Any) -> Any:
    return list(app.stream(payload, stream_mode=["updates", "messages"]))


def run_async(app: Any, payload: Any) -> Any:
    return asyncio.run(app.ainvoke(payload))


def run_astream(app: Any, payload: Any) -> Any:
    async def consume() -> Any:
        return [chunk async for chunk in app.astream(payload)]

    return asyncio.run(consume())


def run_astream_events(app: Any, payload: Any) -> Any:
    async def consume() -> Any:
        return [event async for event in app.astream_events(payload, version="v2")]

    return asyncio.run(consume())


MODES: dict[str, Callable[[Any, Any], Any]] = {
    "invoke": run_sync,
    "stream": run_stream,
    "stream-messages": run_stream_updates,
    "ainvoke": run_async,
    "astream": run_astream,
    "astream_events": run_astream_events,
}


@pytest.mark.parametrize("mode", list(MODES))
def test_supervisor_tree_in_every_mode(otel: Any, lc: Any, caplog: Any, mode: str) -> None:
    app_tracer = otel.tracer_provider.get_tracer("app")
    with app_tracer.start_as_current_span("http.request") as request:
        MODES[mode](team_graph(), {"messages": [HumanMessage("research otel")]})
        assert trace.get_current_span() is request, "a LangChain span was left current"
    assert trace.get_current_span() is trace.INVALID_SPAN

    spans = otel.spans()
    request_span = one(spans, "http.request")
    ours = [s for s in spans if s is not request_span]
    check_team(ours)
    assert tree(spans) == [(0, "http.request")] + [(depth + 1, name) for depth, name in TEAM_TREE]
    assert parent_of(spans, one(spans, "invoke_workflow team")) is request_span
    assert len(lc.handler.runs) == 0 and not lc.handler.graphs and not lc.handler.expect
    assert bad_logs(caplog) == []


def test_batch_gives_one_trace_per_input(otel: Any, lc: Any, caplog: Any) -> None:
    def answer(state: Any) -> Any:
        reply = model(ai("ok")).invoke(state["messages"])
        return {"messages": [reply]}

    graph = StateGraph(MessagesState)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    app = graph.compile(name="qa")
    with otel.tracer_provider.get_tracer("app").start_as_current_span("job"):
        results = app.batch([{"messages": [HumanMessage("a")]}, {"messages": [HumanMessage("b")]}])

    assert len(results) == 2
    spans = otel.spans()
    assert tree(spans) == [
        (0, "job"),
        (1, "invoke_workflow qa"),
        (2, "chat fake-model"),
        (1, "invoke_workflow qa"),
        (2, "chat fake-model"),
    ]
    for workflow in by_name(spans, "invoke_workflow qa"):
        chats = [s for s in spans if parent_of(spans, s) is workflow]
        assert len(chats) == 1 and attrs(workflow)["gen_ai.usage.input_tokens"] == 10
    assert bad_logs(caplog) == []


def parallel_agent(tracer: trace.Tracer) -> Any:
    @tool
    def lookup(key: str) -> str:
        """Look a key up (an HTTP call of some other instrumentation, say)."""
        with tracer.start_as_current_span(f"GET /{key}"):
            return f"value of {key}"

    llm = model(
        ai(calls=[("lookup", {"key": "a"}, "c1"), ("lookup", {"key": "b"}, "c2")]),
        ai("both found", input_tokens=20, output_tokens=3),
    )
    return create_agent(llm, tools=[lookup], name="fetcher")


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_parallel_tool_calls_and_spans_inside_tools(otel: Any, lc: Any, caplog: Any, mode: str) -> None:
    agent = parallel_agent(otel.tracer_provider.get_tracer("http"))
    MODES[mode](agent, {"messages": [HumanMessage("fetch a and b")]})

    spans = otel.spans()
    agent_span = one(spans, "invoke_agent fetcher")
    tools = by_name(spans, "execute_tool lookup")
    assert len(tools) == 2
    assert {attrs(t)["gen_ai.tool.call.id"] for t in tools} == {"c1", "c2"}
    for tool_span in tools:
        assert parent_of(spans, tool_span) is agent_span
    for key in ("a", "b"):
        http = one(spans, f"GET /{key}")
        assert parent_of(spans, http) in tools
    assert {parent_of(spans, one(spans, f"GET /{k}")).context.span_id for k in "ab"} == {
        t.context.span_id for t in tools
    }
    assert bad_logs(caplog) == []


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_agent_invoked_from_inside_a_tool(otel: Any, lc: Any, caplog: Any, mode: str) -> None:
    helper = create_agent(model(ai("42", input_tokens=7, output_tokens=2), name="helper-llm"), name="helper")

    @tool
    def ask_helper(question: str) -> str:
        """Ask the helper agent."""
        return helper.invoke({"messages": [HumanMessage(question)]})["messages"][-1].content

    @tool
    async def aask_helper(question: str) -> str:
        """Ask the helper agent."""
        result = await helper.ainvoke({"messages": [HumanMessage(question)]})
        return result["messages"][-1].content

    chosen = ask_helper if mode == "invoke" else aask_helper
    boss = create_agent(
        model(ai(calls=[(chosen.name, {"question": "answer?"}, "c1")]), ai("it is 42"), name="boss-llm"),
        tools=[chosen],
        name="boss",
    )
    MODES[mode](boss, {"messages": [HumanMessage("what is the answer?")]})

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent boss"),
        (1, "chat boss-llm"),
        (1, f"execute_tool {chosen.name}"),
        (2, "invoke_agent helper"),
        (3, "chat helper-llm"),
        (1, "chat boss-llm"),
    ]
    assert attrs(one(spans, "chat helper-llm"))["gen_ai.agent.name"] == "helper"
    assert attrs(one(spans, f"execute_tool {chosen.name}"))["gen_ai.agent.name"] == "boss"
    helper_span = attrs(one(spans, "invoke_agent helper"))
    boss_span = attrs(one(spans, "invoke_agent boss"))
    assert (helper_span["gen_ai.usage.input_tokens"], helper_span["gen_ai.usage.output_tokens"]) == (7, 2)
    # Everything beneath the boss, its helper's model calls included.
    assert (boss_span["gen_ai.usage.input_tokens"], boss_span["gen_ai.usage.output_tokens"]) == (27, 12)
    assert bad_logs(caplog) == []


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke"])
def test_user_spans_inside_nodes_parent_what_runs_in_them(otel: Any, lc: Any, caplog: Any, mode: str) -> None:
    tracer = otel.tracer_provider.get_tracer("app")
    llm = model(ai("draft"), ai("final"))

    def write(state: Any) -> Any:
        with tracer.start_as_current_span("prepare"):
            draft = llm.invoke(state["messages"])
        return {"messages": [draft]}

    async def awrite(state: Any) -> Any:
        with tracer.start_as_current_span("prepare"):
            draft = await llm.ainvoke(state["messages"])
        return {"messages": [draft]}

    def polish(state: Any) -> Any:
        chain = RunnableLambda(lambda messages: messages) | llm
        return {"messages": [chain.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("write", awrite if mode == "ainvoke" else write)
    graph.add_node("polish", polish)
    graph.add_edge(START, "write")
    graph.add_edge("write", "polish")
    MODES[mode](graph.compile(name="writer"), {"messages": [HumanMessage("topic")]})

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow writer"),
        (1, "prepare"),
        (2, "chat fake-model"),
        (1, "chat fake-model"),
    ]
    assert attrs(one(spans, "invoke_workflow writer"))["gen_ai.usage.input_tokens"] == 20
    assert bad_logs(caplog) == []


def test_bare_model_and_lcel_chain(otel: Any, lc: Any) -> None:
    llm = model(ai("a"), ai("b"))
    with otel.tracer_provider.get_tracer("app").start_as_current_span("handler"):
        llm.invoke("hi")
        (RunnableLambda(lambda x: x) | llm).invoke("hi")
    # A bare LCEL chain is plumbing: no workflow span, the chat span sits under the app's span.
    assert tree(otel.spans()) == [(0, "handler"), (1, "chat fake-model"), (1, "chat fake-model")]


class Streamer(GenericFakeChatModel):
    """A streaming model whose provider call is traced by "another instrumentation" (a plain span)."""

    tracer: Any = None

    def _stream(self, *args: Any, **kwargs: Any) -> Any:
        for chunk in super()._stream(*args, **kwargs):
            with self.tracer.start_as_current_span("provider.chunk"):
                pass
            yield chunk

    async def _astream(self, *args: Any, **kwargs: Any) -> Any:
        for chunk in super()._stream(*args, **kwargs):
            with self.tracer.start_as_current_span("provider.chunk"):
                pass
            yield chunk


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_chat_model_stream_is_current_only_while_producing(
    otel: Any, lc: Any, caplog: Any, mode: str
) -> None:
    tracer = otel.tracer_provider.get_tracer("app")
    llm = Streamer(messages=iter([AIMessage("one two three")]), tracer=tracer)
    seen: list[Any] = []
    with tracer.start_as_current_span("consumer") as consumer:
        if mode == "stream":
            for _ in llm.stream("hi"):
                seen.append(trace.get_current_span())
        else:

            async def consume() -> None:
                async for _ in llm.astream("hi"):
                    seen.append(trace.get_current_span())

            asyncio.run(consume())
    spans = otel.spans()
    chat = one(spans, "chat Streamer")
    # Between chunks the caller's own span is current, never the chat span.
    assert seen and all(span is consumer for span in seen)
    chunks = by_name(spans, "provider.chunk")
    assert len(chunks) == 5 and all(parent_of(spans, s) is chat for s in chunks)
    assert parent_of(spans, chat) is one(spans, "consumer")
    assert attrs(chat)["gen_ai.request.stream"] is True
    assert attrs(chat)["gen_ai.response.time_to_first_chunk"] >= 0
    assert len(lc.handler.runs) == 0 and not lc.handler.expect
    assert bad_logs(caplog) == []
