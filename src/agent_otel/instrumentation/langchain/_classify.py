"""Which LangChain chain runs become agent, workflow or node spans, and under what name.

Decided once, at the run's start, from what LangChain hands the callback (run name, metadata, tags) plus,
for LangGraph graphs, the compiled graph itself (announced by the `Pregel.stream` hook in `_langgraph`):

1. Metadata set on this runnable (not inherited from a parent run) wins:
   `agent_name` / `otel_agent_span: True` -> agent; `workflow_name` / `otel_workflow_span: True` ->
   workflow. `otel_trace: False` is handled by the handler (no spans at or below that runnable).
2. A LangGraph graph built by langchain `create_agent` (its config metadata has `lc_agent_name`), by
   deepagents `create_deep_agent` or by langgraph `create_react_agent` -> agent, named after the agent. A
   generic default ('LangGraph', what `create_agent(name=None)` names its graph) is no agent name: the
   span is then `invoke_agent` with no `gen_ai.agent.name`.
3. Any other LangGraph graph -> workflow: at the top of a trace always, nested only when the graph has an
   explicit name. A generic name ('LangGraph', 'StateGraph', ...) is not a workflow name: the span is then
   `invoke_workflow` with no `gen_ai.workflow.name`, as the conventions ask.
4. A LangGraph node (tag `graph:step:N`) -> a node span, only with Settings.langgraph_node_spans.
5. Everything else (LCEL sequences, prompts, lambdas, routers...) is plumbing: no span.

An agent used as a node shows up as two nested runs with the same name (the node, then the agent's graph):
only the graph run is an agent, so it is one span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from agent_otel.instrumentation.langchain._runs import AGENT, CHAIN, NODE, WORKFLOW, Marks

# Class and default names that say nothing about what the application does.
GENERIC_NAMES = frozenset(
    {
        "LangGraph",
        "StateGraph",
        "CompiledStateGraph",
        "CompiledGraph",
        "Graph",
        "Pregel",
        "RunnableSequence",
        "RunnableSeq",
        "RunnableParallel",
        "RunnableMap",
        "RunnableLambda",
        "RunnableCallable",
        "RunnableBinding",
        "RunnableWithFallbacks",
        "RunnablePassthrough",
        "RunnableAssign",
        "RunnablePick",
        "RunnableBranch",
        "RunnableEach",
        "RunnableGenerator",
        "RunnableRetry",
        "RunnableWithMessageHistory",
        "RunnableConfigurableFields",
        "RunnableConfigurableAlternatives",
        "DynamicRunnable",
        "<lambda>",
    }
)

_NONE4 = (None, None, None, None)
_NODE_TAG = "graph:step:"
# `ls_integration` values of graphs built as agents: langchain `create_agent`, and deepagents'
# `create_deep_agent` (a create_agent graph re-tagged with with_config).
_AGENT_INTEGRATIONS = frozenset({"langchain_create_agent", "deepagents"})
_CREATE_AGENT_MODULE = "langchain.agents.factory"
_REACT_AGENT_MODULE = "langgraph.prebuilt.chat_agent_executor"


def meaningful(name: str | None) -> str | None:
    """`name` when it says something about the application, else None."""
    if not name or name in GENERIC_NAMES:
        return None
    return name


class Classification(NamedTuple):
    """What a chain run is (CHAIN: plumbing, no span) and the name for its span."""

    kind: str
    name: str | None


class GraphAgent(NamedTuple):
    """Whether a compiled LangGraph graph is an agent, and the agent name it declares."""

    is_agent: bool
    name: str | None


_PLUMBING = Classification(CHAIN, None)
_NOT_AN_AGENT = GraphAgent(False, None)


def read_marks(metadata: Mapping[str, Any]) -> Marks | None:
    """The classification keys present in a run's metadata, or None when none is."""
    get = metadata.get
    values = (get("agent_name"), get("otel_agent_span"), get("workflow_name"), get("otel_workflow_span"))
    trace_flag = get("otel_trace")
    if trace_flag is None and values == _NONE4:
        return None
    return Marks(*values, trace_flag)


def is_node(tags: list[str] | None) -> bool:
    if tags:
        for tag in tags:
            if tag.startswith(_NODE_TAG):
                return True
    return False


def graph_agent(graph: Any) -> GraphAgent:
    """Whether a compiled LangGraph graph is an agent, and the agent name it declares."""
    config = getattr(graph, "config", None) or {}
    metadata = config.get("metadata") or {}
    if metadata.get("ls_integration") in _AGENT_INTEGRATIONS or metadata.get("lc_agent_name"):
        name = metadata.get("lc_agent_name")
        return GraphAgent(True, meaningful(name) if isinstance(name, str) else None)
    # A graph marked with with_config(metadata={"agent_name": ...}): langgraph < 1.1 does not pass that
    # metadata on to callbacks when the graph runs as a node, but the graph itself still carries it.
    declared = metadata.get("agent_name")
    if isinstance(declared, str) and declared:
        return GraphAgent(True, declared)
    if metadata.get("otel_agent_span") is True:
        return GraphAgent(True, None)
    nodes = getattr(graph, "nodes", None)
    if not isinstance(nodes, Mapping):
        return _NOT_AN_AGENT
    func = getattr(getattr(nodes.get("agent"), "bound", None), "func", None)
    if getattr(func, "__module__", None) == _REACT_AGENT_MODULE:
        return GraphAgent(True, None)
    # langchain < 1.1 `create_agent` sets no metadata: its graph has a "model" node built in
    # langchain.agents.factory, and the name given to create_agent(name=...) is the graph's name.
    func = getattr(getattr(nodes.get("model"), "bound", None), "func", None)
    if getattr(func, "__module__", None) == _CREATE_AGENT_MODULE:
        # create_agent(name=None) names its graph 'LangGraph': a default, never an agent name.
        name = getattr(graph, "name", None)
        return GraphAgent(True, meaningful(name) if isinstance(name, str) else None)
    return _NOT_AN_AGENT


def _local(marks: Marks, parent_marks: Marks | None, field: str) -> Any:
    """The mark's value when it was set on this run (differs from the parent's), else None."""
    value = getattr(marks, field)
    if value is None or (parent_marks is not None and getattr(parent_marks, field) == value):
        return None
    return value


def classify_chain(
    name: str | None,
    metadata: Mapping[str, Any],
    tags: list[str] | None,
    marks: Marks | None,
    parent_marks: Marks | None,
    is_root: bool,
    graph: Any | None,
    graphs_hooked: bool,
    node_spans: bool,
) -> Classification:
    """What a chain run is and the name for its span; kind CHAIN means no span."""
    if marks is not None:
        agent_name = _local(marks, parent_marks, "agent_name")
        if agent_name or _local(marks, parent_marks, "agent_span") is True:
            return Classification(AGENT, agent_name if isinstance(agent_name, str) else meaningful(name))
        workflow_name = _local(marks, parent_marks, "workflow_name")
        if workflow_name or _local(marks, parent_marks, "workflow_span") is True:
            return Classification(
                WORKFLOW, workflow_name if isinstance(workflow_name, str) else meaningful(name)
            )
    if graph is not None:
        agent = graph_agent(graph)
        if agent.is_agent:
            return Classification(AGENT, agent.name or meaningful(name))
        explicit = meaningful(name)
        if is_root or explicit:
            return Classification(WORKFLOW, explicit)
        return _PLUMBING
    if not graphs_hooked:
        # Without the Pregel hook (langgraph missing or changed): fall back on what the metadata says.
        lc_agent = metadata.get("lc_agent_name")
        if lc_agent is not None and lc_agent == name and not is_node(tags):
            return Classification(AGENT, meaningful(name))
        if is_root and metadata.get("ls_integration") == "langgraph":
            return Classification(WORKFLOW, meaningful(name))
    if node_spans and name and is_node(tags):
        return Classification(NODE, name)
    return _PLUMBING
