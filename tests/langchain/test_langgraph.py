"""LangGraph specifics (`_langgraph.py` and the classification it feeds): workflow naming, agents built
by `create_react_agent`, subgraphs, `interrupt()` and resume, handoffs as control flow, node spans, and
abandoned streams."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import Command, interrupt
from lc_support import ai, attrs, bad_logs, model, one, parent_of, tree
from opentelemetry.trace import StatusCode
from test_handler import team_graph


def simple_graph(name: str | None = None, node: Any = None) -> Any:
    graph = StateGraph(MessagesState)
    graph.add_node("step", node or (lambda state: {"messages": [AIMessage("done")]}))
    graph.add_edge(START, "step")
    return graph.compile(name=name) if name else graph.compile()


PAYLOAD = {"messages": [HumanMessage("go")]}


def test_workflow_naming(otel: Any, lc: Any) -> None:
    simple_graph().invoke(PAYLOAD)
    simple_graph("pipeline").invoke(PAYLOAD)
    simple_graph().invoke(PAYLOAD, {"run_name": "nightly"})
    simple_graph().with_config(metadata={"workflow_name": "tagged"}).invoke(PAYLOAD)

    spans = otel.spans()
    assert [s.name for s in spans] == [
        "invoke_workflow",
        "invoke_workflow pipeline",
        "invoke_workflow nightly",
        "invoke_workflow tagged",
    ]
    # The default graph name 'LangGraph' means nothing: no gen_ai.workflow.name at all.
    assert "gen_ai.workflow.name" not in attrs(spans[0])
    assert [attrs(s).get("gen_ai.workflow.name") for s in spans[1:]] == ["pipeline", "nightly", "tagged"]


def test_subgraphs(otel: Any, lc: Any) -> None:
    outer = StateGraph(MessagesState)
    outer.add_node("named", simple_graph("retrieval_subgraph"))
    outer.add_node("unnamed", simple_graph())
    outer.add_edge(START, "named")
    outer.add_edge("named", "unnamed")
    outer.compile(name="main").invoke(PAYLOAD)
    # A named subgraph is a nested workflow (once, though it shows up as a node run and a graph run);
    # an unnamed one is plumbing.
    assert tree(otel.spans()) == [(0, "invoke_workflow main"), (1, "invoke_workflow retrieval_subgraph")]
    nested = one(otel.spans(), "invoke_workflow retrieval_subgraph")
    assert attrs(nested)["agent_otel.langgraph.node"] == "named"


def test_create_react_agent_alone_and_as_a_node(otel: Any, lc: Any) -> None:
    from langgraph.prebuilt import create_react_agent

    @tool
    def lookup(key: str) -> str:
        """Look up."""
        return "v"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solo = create_react_agent(
            model(ai(calls=[("lookup", {"key": "k"}, "c1")]), ai("v it is")), tools=[lookup], name="reacty"
        )
        member = create_react_agent(model(ai("hi")), tools=[lookup], name="member")
    solo.invoke(PAYLOAD)
    team = StateGraph(MessagesState)
    team.add_node("member", member)
    team.add_edge(START, "member")
    team.compile(name="crew").invoke(PAYLOAD)

    assert tree(otel.spans()) == [
        (0, "invoke_agent reacty"),
        (1, "chat fake-model"),
        (1, "execute_tool lookup"),
        (1, "chat fake-model"),
        (0, "invoke_workflow crew"),
        (1, "invoke_agent member"),
        (2, "chat fake-model"),
    ]
    assert attrs(one(otel.spans(), "execute_tool lookup"))["gen_ai.agent.name"] == "reacty"


def deep_agent_like(name: str | None = None) -> Any:
    """What deepagents' `create_deep_agent(name=...)` returns (deepagents is not installed): a langchain
    `create_agent` graph, given the same name, re-tagged through `with_config` metadata."""
    from langchain.agents import create_agent

    metadata = {"ls_integration": "deepagents", "versions": {"deepagents": "0.5"}, "lc_agent_name": name}
    return create_agent(model(ai("x")), name=name).with_config(recursion_limit=9_999, metadata=metadata)


def test_generic_graph_name_is_never_an_agent_name(otel: Any, lc: Any) -> None:
    from langchain.agents import create_agent

    assert create_agent(model(ai("x"))).name == "LangGraph"  # the default name this is about
    deep_agent_like().invoke(PAYLOAD)
    create_agent(model(ai("x"))).invoke(PAYLOAD)
    team = StateGraph(MessagesState)
    team.add_node("member", deep_agent_like())
    team.add_edge(START, "member")
    team.compile(name="crew").invoke(PAYLOAD)
    deep_agent_like("researcher").invoke(PAYLOAD)

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent"),
        (1, "chat fake-model"),
        (0, "invoke_agent"),
        (1, "chat fake-model"),
        (0, "invoke_workflow crew"),
        (1, "invoke_agent"),
        (2, "chat fake-model"),
        (0, "invoke_agent researcher"),
        (1, "chat fake-model"),
    ]
    for span in spans[:-2]:
        assert "gen_ai.agent.name" not in attrs(span), span.name
    assert attrs(spans[-1])["gen_ai.agent.name"] == "researcher"


def test_agents_marked_by_metadata(otel: Any, lc: Any) -> None:
    from langchain_core.runnables import RunnableLambda

    llm = model(ai("plan"), ai("x"))
    planner = (RunnableLambda(lambda x: x) | llm).with_config(
        metadata={"agent_name": "planner", "agent_description": "Plans the work."}
    )
    planner.invoke("hi")
    flagged = RunnableLambda(lambda x: llm.invoke(x), name="critic").with_config(
        metadata={"otel_agent_span": True}
    )
    flagged.invoke("hi")

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent planner"),
        (1, "chat fake-model"),
        (0, "invoke_agent critic"),
        (1, "chat fake-model"),
    ]
    planner_span = attrs(one(spans, "invoke_agent planner"))
    assert planner_span["gen_ai.agent.description"] == "Plans the work."
    assert planner_span["gen_ai.usage.input_tokens"] == 10
    assert attrs(spans[0])["gen_ai.agent.name"] == "planner"  # the chat span, under the planner


def test_otel_trace_false_silences_a_subtree(otel: Any, lc: Any) -> None:
    graph = simple_graph("quiet", node=lambda s: {"messages": [model(ai("x")).invoke(s["messages"])]})
    graph.with_config(metadata={"otel_trace": False}).invoke(PAYLOAD)
    assert otel.spans() == []
    assert len(lc.handler.runs) == 0


def hitl_graph() -> Any:
    def ask(state: Any) -> Any:
        answer = interrupt({"question": "ship it?"})
        return {"messages": [AIMessage(f"user said {answer}")]}

    graph = StateGraph(MessagesState)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    return graph.compile(name="hitl", checkpointer=InMemorySaver())


def test_interrupt_and_resume(otel: Any, lc: Any, caplog: Any) -> None:
    app = hitl_graph()
    config = {"configurable": {"thread_id": "thread-7"}}
    first = app.invoke(PAYLOAD, config)
    assert "__interrupt__" in first
    second = app.invoke(Command(resume="yes"), config)
    assert second["messages"][-1].content == "user said yes"

    paused, resumed = otel.spans()
    assert paused.name == resumed.name == "invoke_workflow hitl"
    assert paused.context.trace_id != resumed.context.trace_id
    assert paused.status.status_code is StatusCode.UNSET  # an interrupt is not an error
    assert attrs(paused)["agent_otel.langgraph.interrupted"] is True
    assert "agent_otel.langgraph.interrupt.value" not in attrs(paused)  # content: opt-in only
    assert "agent_otel.langgraph.interrupted" not in attrs(resumed)
    # The resumed run continues the same conversation.
    assert attrs(paused)["gen_ai.conversation.id"] == attrs(resumed)["gen_ai.conversation.id"] == "thread-7"
    assert len(lc.handler.runs) == 0
    assert bad_logs(caplog) == []


def test_interrupt_value_with_content_and_inside_an_agent_node(
    otel: Any, content: None, instrument: Any
) -> None:
    instrument(langgraph_node_spans=True)
    inner = hitl_graph()
    inner.checkpointer = None  # the parent's checkpointer serves the subgraph
    outer = StateGraph(MessagesState)
    outer.add_node("reviewer", inner.with_config(metadata={"agent_name": "reviewer"}))
    outer.add_edge(START, "reviewer")
    app = outer.compile(name="release", checkpointer=InMemorySaver())
    app.invoke(PAYLOAD, {"configurable": {"thread_id": "t"}})

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow release"),
        (1, "invoke_agent reviewer"),
        (2, "langgraph.node ask"),
    ]
    for span in spans:
        assert span.status.status_code is StatusCode.UNSET, span.name
        assert attrs(span)["agent_otel.langgraph.interrupted"] is True, span.name
    value = attrs(one(spans, "invoke_agent reviewer"))["agent_otel.langgraph.interrupt.value"]
    assert json.loads(value) == {"question": "ship it?"}


def test_node_spans_option(otel: Any, instrument: Any) -> None:
    instrument(langgraph_node_spans=True)
    team_graph().invoke({"messages": [HumanMessage("research otel")]})

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow team"),
        (1, "invoke_agent supervisor"),  # the agent's node gets no second span
        (2, "langgraph.node model"),
        (3, "chat supervisor-llm"),
        (2, "langgraph.node tools"),
        (3, "execute_tool transfer_to_researcher"),
        (1, "invoke_agent researcher"),
        (2, "langgraph.node model"),
        (3, "chat researcher-llm"),
        (2, "langgraph.node tools"),
        (3, "execute_tool search"),
        (2, "langgraph.node model"),
        (3, "chat researcher-llm"),
        (1, "invoke_agent supervisor"),
        (2, "langgraph.node model"),
        (3, "chat supervisor-llm"),
    ]
    for span in spans:
        if span.name.startswith("langgraph.node"):
            node = attrs(span)
            assert node["agent_otel.langgraph.node"] == span.name.split()[-1]
            assert node["gen_ai.agent.name"] == attrs(parent_of(spans, span))["gen_ai.agent.name"]
    workflow = attrs(one(spans, "invoke_workflow team"))
    assert (workflow["gen_ai.usage.input_tokens"], workflow["gen_ai.usage.output_tokens"]) == (72, 23)


def test_node_error_fails_the_node_span(otel: Any, instrument: Any) -> None:
    instrument(langgraph_node_spans=True)

    def fail(state: Any) -> Any:
        raise KeyError("missing")

    with pytest.raises(KeyError):
        simple_graph("broken", node=fail).invoke(PAYLOAD)
    node = one(otel.spans(), "langgraph.node step")
    assert node.status.status_code is StatusCode.ERROR
    assert attrs(node)["error.type"] == "KeyError"


def two_steps() -> Any:
    graph = StateGraph(MessagesState)
    graph.add_node("first", lambda s: {"messages": [model(ai("1")).invoke(s["messages"])]})
    graph.add_node("second", lambda s: {"messages": [AIMessage("2")]})
    graph.add_edge(START, "first")
    graph.add_edge("first", "second")
    return graph.compile(name="steps")


def test_abandoned_stream(otel: Any, lc: Any, caplog: Any) -> None:
    stream = two_steps().stream(PAYLOAD, stream_mode="updates")
    assert "first" in next(stream)
    del stream  # the app stops reading: LangGraph closes the run (GeneratorExit inside)

    workflow = one(otel.spans(), "invoke_workflow steps")
    assert workflow.status.status_code is StatusCode.UNSET
    assert attrs(workflow)["agent_otel.stream.end"] == "closed"
    assert len(lc.handler.runs) == 0 and not lc.handler.graphs
    assert bad_logs(caplog) == []


def test_abandoned_async_stream(otel: Any, lc: Any) -> None:
    async def go() -> None:
        stream = two_steps().astream(PAYLOAD, stream_mode="updates")
        assert "first" in await stream.__anext__()
        await stream.aclose()

    asyncio.run(go())
    assert attrs(one(otel.spans(), "invoke_workflow steps"))["agent_otel.stream.end"] == "closed"
    assert len(lc.handler.runs) == 0 and not lc.handler.graphs
