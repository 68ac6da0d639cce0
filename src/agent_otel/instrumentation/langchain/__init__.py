"""OpenTelemetry GenAI instrumentation for langchain-core and LangGraph: `LangChainInstrumentor`.

Needs only `langchain-core` (LangGraph and the `langchain` package are optional and never imported
unless installed). What it installs:

- one callback handler in every LangChain callback manager, through langchain-core's public
  `register_configure_hook` (removed again on uninstrument);
- execution-boundary context activation (`_context`): `set_config_context` in the modules that run
  runnable, tool and LangGraph node bodies, `BaseChatModel._generate_with_cache` /
  `_agenerate_with_cache` / `stream` / `astream`, `BaseLLM._generate_helper` / `_agenerate_helper` /
  `stream` / `astream`, `BaseRetriever.invoke` / `ainvoke`;
- with LangGraph installed, `Pregel.stream` / `astream`, which announce compiled graphs to the handler.

17 patch points in all (the official instrumentor uses 36). Importing this module imports neither
langchain-core nor LangGraph; `instrument()` does.

Spans: `invoke_workflow [name]` for LangGraph graphs, `invoke_agent {name}` for agents, `chat {model}`
(or `text_completion {model}`) per model call, `execute_tool {tool}`, `retrieval`, and optionally
`langgraph.node {node}` (Settings.langgraph_node_spans / AGENT_OTEL_LANGGRAPH_NODE_SPANS).
"""

from __future__ import annotations

import importlib.util
from contextvars import ContextVar
from typing import Any

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry

__all__ = ["LangChainInstrumentor"]


class LangChainInstrumentor(AgentOtelInstrumentor):
    """Traces langchain-core and LangGraph applications with no code changes."""

    library_module = "langchain_core"
    dependencies = ("langchain-core >= 1.2.0",)
    scope_name = "agent_otel.instrumentation.langchain"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "handler"):
            self.handler: Any = None
            self._hook_var: ContextVar[Any] | None = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        from langchain_core.tracers.context import register_configure_hook

        from agent_otel.instrumentation.langchain import _context, _langgraph
        from agent_otel.instrumentation.langchain._handler import OtelCallbackHandler
        from agent_otel.instrumentation.langchain._runs import RunStore

        store = RunStore()
        handler = OtelCallbackHandler(
            telemetry,
            store,
            scope_name=self.scope_name,
            node_spans=self.settings.langgraph_node_spans,
            per_chunk_metrics=self.settings.stream_chunk_metrics == "per_chunk",
        )
        langgraph = importlib.util.find_spec("langgraph") is not None
        _context.install(patcher, store, on_llm_error=handler.on_llm_error, langgraph=langgraph)
        if langgraph:
            handler.graphs_hooked = _langgraph.install(patcher, store)
        # The default value puts the handler in every context and thread; inheritable, so child
        # managers (nodes, tools, models) get it too. langchain-core dedupes it by identity.
        hook_var: ContextVar[Any] = ContextVar("agent_otel_langchain_handler", default=handler)
        register_configure_hook(hook_var, True)
        self.handler = handler
        self._hook_var = hook_var

    def _remove(self, **kwargs: Any) -> None:
        handler, self.handler = self.handler, None
        hook_var, self._hook_var = self._hook_var, None
        if handler is not None:
            handler.store.active = False
        if hook_var is not None:
            _unregister_hook(hook_var)
        if handler is not None:
            handler.close()


def _unregister_hook(hook_var: ContextVar[Any]) -> None:
    # langchain-core has no public unregister: remove our entry from the private hook list
    # (langchain_core.tracers.context._configure_hooks; tests/langchain/test_library_contract.py guards it).
    try:
        from langchain_core.tracers import context as tracer_context

        hooks = tracer_context._configure_hooks
        hooks[:] = [hook for hook in hooks if hook[0] is not hook_var]
    except Exception:  # pragma: no cover - the handler is inactive anyway
        pass
