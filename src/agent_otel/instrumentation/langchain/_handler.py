"""The LangChain callback handler: LangChain runs -> facade calls (spans, metrics, roll-ups).

Injected into every callback manager through langchain-core's public `register_configure_hook`. It
turns chat-model, LLM, tool and retriever runs into inference, tool and retrieval operations, and chain
runs into agent / workflow / node spans or nothing (see `_classify`); one module per kind of run
(`_chains`, `_models`, `_tools`, `_retrievers`), on the bookkeeping they share (`_lifecycle`). Spans are
parented explicitly: a run's parent context is its parent run's, unless the current context descends
from the parent run's own (then it is used, so a user span opened inside a node or tool stays the parent
of what runs in it). Inside OpenTelemetry's `suppress_instrumentation()` (or below `otel_trace: False`
metadata) runs are tracked but emit nothing: no span, no metric.
The handler never attaches context (see `_context`), never raises (every callback runs under
`telemetry.safety.guarded`, which logs and swallows our own faults) and runs inline (`run_inline=True`:
in async runs its methods are called in the caller's task, which both keeps the ambient context visible
and avoids an executor hop per callback).
"""

from __future__ import annotations

from agent_otel.instrumentation.langchain._chains import ChainCallbacks
from agent_otel.instrumentation.langchain._models import ModelCallbacks
from agent_otel.instrumentation.langchain._retrievers import RetrieverCallbacks
from agent_otel.instrumentation.langchain._tools import ToolCallbacks


class OtelCallbackHandler(ChainCallbacks, ModelCallbacks, ToolCallbacks, RetrieverCallbacks):
    """Turns LangChain/LangGraph callback events into GenAI spans through the agent-otel facade."""

    raise_error = False
    run_inline = True
    # Events we have no use for: LangChain skips the dispatch entirely. (Not `ignore_agent`: LangChain
    # gates the tool events on it.)
    ignore_retry = True
    ignore_custom_event = True


__all__ = ["OtelCallbackHandler"]
