"""Chain classification (`_classify.py`): which runs are agents, workflows, nodes or plumbing, their
names, and metadata set here versus inherited."""

from __future__ import annotations

from typing import Any

import pytest

from agent_otel.instrumentation.langchain._classify import classify_chain, graph_agent, meaningful, read_marks
from agent_otel.instrumentation.langchain._runs import AGENT, CHAIN, NODE, WORKFLOW


class Graph:
    """A stand-in for a compiled graph: what classification reads (`config`, `nodes`)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = config
        self.nodes: dict[str, Any] = {}


def classify(
    name: str | None,
    metadata: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    parent_metadata: dict[str, Any] | None = None,
    is_root: bool = True,
    graph: Any = None,
    hooked: bool = True,
    node_spans: bool = False,
) -> tuple[str, str | None]:
    metadata = metadata or {}
    parent_marks = read_marks(parent_metadata) if parent_metadata else None
    return classify_chain(
        name, metadata, tags, read_marks(metadata), parent_marks, is_root, graph, hooked, node_spans
    )


@pytest.mark.parametrize("name", ["LangGraph", "RunnableSequence", "StateGraph", "RunnableLambda", "", None])
def test_generic_names_are_not_names(name: str | None) -> None:
    assert meaningful(name) is None


def test_graphs() -> None:
    assert classify("LangGraph", graph=Graph()) == (WORKFLOW, None)
    assert classify("team", graph=Graph()) == (WORKFLOW, "team")
    # Nested: only an explicitly named graph is a workflow of its own.
    assert classify("LangGraph", graph=Graph(), is_root=False) == (CHAIN, None)
    assert classify("retrieval", graph=Graph(), is_root=False) == (WORKFLOW, "retrieval")
    create_agent = Graph({"metadata": {"ls_integration": "langchain_create_agent", "lc_agent_name": "bot"}})
    assert classify("bot", graph=create_agent, is_root=False) == (AGENT, "bot")
    assert classify("renamed", graph=create_agent) == (AGENT, "bot")
    unnamed_agent = Graph({"metadata": {"ls_integration": "langchain_create_agent", "lc_agent_name": None}})
    assert classify("LangGraph", graph=unnamed_agent) == (AGENT, None)


def test_metadata_set_here_wins_inherited_does_not() -> None:
    assert classify("x", {"agent_name": "planner"}) == (AGENT, "planner")
    assert classify("critic", {"otel_agent_span": True}) == (AGENT, "critic")
    assert classify("RunnableSequence", {"otel_agent_span": True}) == (AGENT, None)
    assert classify("x", {"workflow_name": "etl"}) == (WORKFLOW, "etl")
    assert classify("nightly", {"otel_workflow_span": True}) == (WORKFLOW, "nightly")
    inherited = {"agent_name": "planner"}
    assert classify("step", inherited, parent_metadata=inherited, is_root=False) == (CHAIN, None)
    # A different value below is set there: a nested agent.
    assert classify("sub", {"agent_name": "sub"}, parent_metadata=inherited, is_root=False) == (AGENT, "sub")
    # Metadata beats what the graph says.
    assert classify("LangGraph", {"agent_name": "boss"}, graph=Graph()) == (AGENT, "boss")


def test_nodes_and_plumbing() -> None:
    node = {"langgraph_node": "model"}
    assert classify("model", node, tags=["graph:step:1"], is_root=False) == (CHAIN, None)
    assert classify("model", node, tags=["graph:step:1"], is_root=False, node_spans=True) == (NODE, "model")
    assert classify("RunnableSequence", {}, tags=["seq:step:1"], node_spans=True) == (CHAIN, None)
    assert classify("my_chain") == (CHAIN, None)  # LCEL at the top: no span


def test_fallback_without_the_graph_hook() -> None:
    agent = {"lc_agent_name": "bot", "ls_integration": "langchain_create_agent"}
    assert classify("bot", agent, hooked=False) == (AGENT, "bot")
    # The agent's own nodes inherit lc_agent_name but are not the agent.
    assert classify("model", agent, tags=["graph:step:1"], hooked=False, is_root=False) == (CHAIN, None)
    assert classify("LangGraph", {"ls_integration": "langgraph"}, hooked=False) == (WORKFLOW, None)
    # With the hook, metadata alone never makes an agent (the node run of an agent-as-node).
    assert classify("bot", agent, is_root=False) == (CHAIN, None)


def test_graph_marked_as_agent_through_its_own_config() -> None:
    """langgraph < 1.1 drops with_config metadata of a subgraph node before the callbacks: the mark is
    read from the graph itself."""
    from langchain_core.messages import AIMessage
    from langgraph.graph import START, MessagesState, StateGraph

    graph = StateGraph(MessagesState)
    graph.add_node("step", lambda state: {"messages": [AIMessage("ok")]})
    graph.add_edge(START, "step")
    compiled = graph.compile(name="inner")
    assert graph_agent(compiled) == (False, None)
    assert graph_agent(compiled.with_config(metadata={"agent_name": "reviewer"})) == (
        True,
        "reviewer",
    )
    assert graph_agent(compiled.with_config(metadata={"otel_agent_span": True})) == (True, None)
