"""What the instrumentor relies on in langchain-core / LangGraph / langchain that is private or merely
conventional. Each test fails loudly, naming the assumption, when a library release changes it."""

from __future__ import annotations

import contextvars
import inspect
import uuid
import warnings
from typing import Any

import langchain_core.runnables.base
import langchain_core.runnables.config
import langchain_core.runnables.fallbacks
import langchain_core.tools.base
import langgraph._internal._runnable
import pytest
from langchain_core.callbacks import BaseCallbackHandler, CallbackManager
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import BaseLLM
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import tool
from langchain_core.tracers import context as tracer_context
from langgraph.errors import GraphBubbleUp, GraphInterrupt, ParentCommand
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.pregel.main import Pregel
from langgraph.types import Command
from lc_support import ai, model

from agent_otel.instrumentation.langchain import _classify, _context, _langgraph


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, dict[str, Any]]] = []

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: Any, **kw: Any) -> None:
        self.events.append(("chain", run_id, kw))

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: Any, **kw: Any) -> None:
        self.events.append(("chat", run_id, kw))

    def on_retriever_start(self, serialized: Any, query: Any, *, run_id: Any, **kw: Any) -> None:
        self.events.append(("retriever", run_id, kw))


def test_configure_hooks_list() -> None:
    """Uninstrument removes our hook from `langchain_core.tracers.context._configure_hooks` (private;
    langchain-core has no public unregister): a list of (context var, inheritable, class, env var)."""
    hooks = tracer_context._configure_hooks
    assert isinstance(hooks, list)
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("contract", default=None)
    tracer_context.register_configure_hook(var, True)
    try:
        assert hooks[-1][0] is var and hooks[-1][1] is True and len(hooks[-1]) == 4
    finally:
        hooks.remove(hooks[-1])


@pytest.mark.parametrize(
    "module_name", [*_context.SET_CONFIG_CONTEXT_MODULES, _context.LANGGRAPH_SET_CONFIG_CONTEXT_MODULE]
)
def test_set_config_context_runs_bodies_in_a_copied_context(module_name: str) -> None:
    """Runnable, tool and node bodies run inside the `contextvars.Context` that the module-level
    `set_config_context(config)` yields, and `config["callbacks"].parent_run_id` names the run."""
    module = {
        "langchain_core.runnables.config": langchain_core.runnables.config,
        "langchain_core.runnables.base": langchain_core.runnables.base,
        "langchain_core.runnables.fallbacks": langchain_core.runnables.fallbacks,
        "langchain_core.tools.base": langchain_core.tools.base,
        "langgraph._internal._runnable": langgraph._internal._runnable,
    }[module_name]
    function = vars(module)["set_config_context"]
    assert next(iter(inspect.signature(function).parameters)) == "config"
    run_id = uuid.uuid4()
    manager = CallbackManager(handlers=[], parent_run_id=run_id)
    with function({"callbacks": manager}) as ctx:
        assert isinstance(ctx, contextvars.Context)
        assert ctx is not contextvars.copy_context()
    assert manager.parent_run_id == run_id


@pytest.mark.parametrize("name", ["_generate_with_cache", "_agenerate_with_cache"])
def test_chat_generate_with_cache_receives_the_run_manager(name: str) -> None:
    parameters = inspect.signature(vars(BaseChatModel)[name]).parameters
    assert list(parameters)[:4] == ["self", "messages", "stop", "run_manager"]


@pytest.mark.parametrize("name", ["_generate_helper", "_agenerate_helper"])
def test_llm_generate_helper_receives_the_run_managers(name: str) -> None:
    parameters = inspect.signature(vars(BaseLLM)[name]).parameters
    assert list(parameters)[:4] == ["self", "prompts", "stop", "run_managers"]


def test_documented_run_ids_are_honoured() -> None:
    """The boundary wrappers pass run ids in: `config["run_id"]` for chat-model streams and graphs,
    the `run_id` keyword for retrievers."""
    recorder = Recorder()
    chat_id, graph_id, retriever_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    list(model(ai("x")).stream("hi", {"callbacks": [recorder], "run_id": chat_id}))

    graph = StateGraph(MessagesState)
    graph.add_node("n", lambda s: {"messages": [AIMessage("x")]})
    graph.add_edge(START, "n")
    graph.compile().invoke({"messages": [HumanMessage("x")]}, {"callbacks": [recorder], "run_id": graph_id})

    class Docs(BaseRetriever):
        def _get_relevant_documents(self, query: str, **kw: Any) -> Any:
            return []

    Docs().invoke("q", {"callbacks": [recorder]}, run_id=retriever_id)
    started = {kind: run_id for kind, run_id, _ in reversed(recorder.events)}
    assert started["chat"] == chat_id
    assert started["retriever"] == retriever_id
    assert recorder.events[1][1] == graph_id and recorder.events[1][2]["name"] == "LangGraph"
    # Only the graph run itself takes the id: its nodes get their own.
    assert [run for kind, run, _ in recorder.events].count(graph_id) == 1
    for method in ("stream", "astream"):
        assert list(inspect.signature(getattr(Pregel, method)).parameters)[:3] == ["self", "input", "config"]
        assert list(inspect.signature(getattr(BaseChatModel, method)).parameters)[:3] == [
            "self",
            "input",
            "config",
        ]


def test_tool_events_are_gated_on_ignore_agent() -> None:
    """The handler must not set `ignore_agent`: langchain-core dispatches tool events under it."""
    calls: list[str] = []

    class Ignoring(BaseCallbackHandler):
        ignore_agent = True

        def on_tool_start(self, *args: Any, **kwargs: Any) -> None:
            calls.append("tool")

    @tool
    def echo(x: str) -> str:
        """Echo."""
        return x

    echo.invoke("a", {"callbacks": [Ignoring()]})
    assert calls == []


def test_agent_builders_are_recognisable() -> None:
    from langchain.agents import create_agent
    from langgraph.prebuilt import create_react_agent

    agent = create_agent(model(ai("x")), tools=[], name="named")
    metadata = (agent.config or {}).get("metadata")
    if metadata is not None:  # langchain >= 1.1 marks its agents
        assert metadata["lc_agent_name"] == "named"
        assert metadata["ls_integration"] == "langchain_create_agent"
    else:  # langchain 1.0: recognised by the module that builds its model node, named after the graph
        assert agent.nodes["model"].bound.func.__module__ == "langchain.agents.factory"
        assert agent.name == "named"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        react = create_react_agent(model(ai("x")), tools=[], name="react")
    assert react.nodes["agent"].bound.func.__module__ == "langgraph.prebuilt.chat_agent_executor"
    assert _classify.graph_agent(agent) == (True, "named")
    assert _classify.graph_agent(react) == (True, None)
    assert react.get_name() == "react"


def test_control_flow_exceptions() -> None:
    """Handoffs and interrupts reach callbacks as `GraphBubbleUp` errors; a `ParentCommand` carries the
    Command (whose `graph` LangGraph rewrites while bubbling up)."""
    assert issubclass(ParentCommand, GraphBubbleUp) and issubclass(GraphInterrupt, GraphBubbleUp)
    assert Command.PARENT == "__parent__"
    error = ParentCommand(Command(goto="researcher", graph="team:123"))
    assert _langgraph.handoff_target(error) == "researcher"
    assert _langgraph.handoff_target(Command(goto="x")) is None  # routing inside a graph: no handoff
    assert _langgraph.handoff_target(Command(goto=["a", "b"], graph=Command.PARENT)) == ["a", "b"]
