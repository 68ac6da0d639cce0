"""Which LangChain chain runs become agent, workflow or node spans, and under what name.

Decided once, at the run's start, from what LangChain hands the callback (run name, metadata, tags) plus,
for LangGraph graphs, the compiled graph itself (announced by the `Pregel.stream` hook in `_langgraph`):

1. Metadata set on this runnable (not inherited from a parent run) wins:
   `agent_name` / `otel_agent_span: True` -> agent; `workflow_name` / `otel_workflow_span: True` ->
   workflow. `otel_trace: False` is handled by the handler (no spans at or below that runnable).
2. A LangGraph graph built by langchain `create_agent` (its config metadata has `lc_agent_name`) or by
   langgraph `create_react_agent` -> agent, named after the agent.
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
from typing import Any

from agent_otel.instrumentation.langchain._runs import AGENT, CHAIN, NODE, WORKFLOW

# Metadata keys users set to steer classification (documented in the README).
MARK_KEYS = ("agent_name", "otel_agent_span", "workflow_name", "otel_workflow_span", "otel_trace")
_AGENT_NAME, _AGENT_FLAG, _WORKFLOW_NAME, _WORKFLOW_FLAG, TRACE_FLAG = range(5)

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
_CREATE_AGENT = "langchain_create_agent"
_CREATE_AGENT_MODULE = "langchain.agents.factory"
_REACT_AGENT_MODULE = "langgraph.prebuilt.chat_agent_executor"


def meaningful(name: str | None) -> str | None:
    """`name` when it says something about the application, else None."""
    if not name or name in GENERIC_NAMES:
        return None
    return name


def read_marks(metadata: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The classification keys present in a run's metadata (in MARK_KEYS order), or None when none is."""
    get = metadata.get
    values = (get("agent_name"), get("otel_agent_span"), get("workflow_name"), get("otel_workflow_span"))
    trace_flag = get("otel_trace")
    if trace_flag is None and values == _NONE4:
        return None
    return (*values, trace_flag)


def is_node(tags: list[str] | None) -> bool:
    if tags:
        for tag in tags:
            if tag.startswith(_NODE_TAG):
                return True
    return False


def graph_agent(graph: Any) -> tuple[bool, str | None]:
    """(is an agent, its declared name) for a compiled LangGraph graph."""
    config = getattr(graph, "config", None) or {}
    metadata = config.get("metadata") or {}
    if metadata.get("ls_integration") == _CREATE_AGENT or metadata.get("lc_agent_name"):
        name = metadata.get("lc_agent_name")
        return True, name if isinstance(name, str) and name else None
    # A graph marked with with_config(metadata={"agent_name": ...}): langgraph < 1.1 does not pass that
    # metadata on to callbacks when the graph runs as a node, but the graph itself still carries it.
    declared = metadata.get("agent_name")
    if isinstance(declared, str) and declared:
        return True, declared
    if metadata.get("otel_agent_span") is True:
        return True, None
    nodes = getattr(graph, "nodes", None)
    if not isinstance(nodes, Mapping):
        return False, None
    func = getattr(getattr(nodes.get("agent"), "bound", None), "func", None)
    if getattr(func, "__module__", None) == _REACT_AGENT_MODULE:
        return True, None
    # langchain < 1.1 `create_agent` sets no metadata: its graph has a "model" node built in
    # langchain.agents.factory, and the name given to create_agent(name=...) is the graph's name.
    func = getattr(getattr(nodes.get("model"), "bound", None), "func", None)
    if getattr(func, "__module__", None) == _CREATE_AGENT_MODULE:
        name = getattr(graph, "name", None)
        return True, name if isinstance(name, str) and name else None
    return False, None


def _local(marks: tuple[Any, ...], parent_marks: tuple[Any, ...] | None, index: int) -> Any:
    """The mark's value when it was set on this run (differs from the parent's), else None."""
    value = marks[index]
    if value is None or (parent_marks is not None and parent_marks[index] == value):
        return None
    return value


def classify_chain(
    name: str | None,
    metadata: Mapping[str, Any],
    tags: list[str] | None,
    marks: tuple[Any, ...] | None,
    parent_marks: tuple[Any, ...] | None,
    is_root: bool,
    graph: Any | None,
    graphs_hooked: bool,
    node_spans: bool,
) -> tuple[str, str | None]:
    """(kind, name for the span) of a chain run; kind CHAIN means no span."""
    if marks is not None:
        agent_name = _local(marks, parent_marks, _AGENT_NAME)
        if agent_name or _local(marks, parent_marks, _AGENT_FLAG) is True:
            return AGENT, agent_name if isinstance(agent_name, str) else meaningful(name)
        workflow_name = _local(marks, parent_marks, _WORKFLOW_NAME)
        if workflow_name or _local(marks, parent_marks, _WORKFLOW_FLAG) is True:
            return WORKFLOW, workflow_name if isinstance(workflow_name, str) else meaningful(name)
    if graph is not None:
        agent, agent_name = graph_agent(graph)
        if agent:
            return AGENT, agent_name or meaningful(name)
        explicit = meaningful(name)
        if is_root or explicit:
            return WORKFLOW, explicit
        return CHAIN, None
    if not graphs_hooked:
        # Without the Pregel hook (langgraph missing or changed): fall back on what the metadata says.
        lc_agent = metadata.get("lc_agent_name")
        if lc_agent is not None and lc_agent == name and not is_node(tags):
            return AGENT, meaningful(name)
        if is_root and metadata.get("ls_integration") == "langgraph":
            return WORKFLOW, meaningful(name)
    if node_spans and name and is_node(tags):
        return NODE, name
    return CHAIN, None
