"""What every kind of LangChain run shares in the callback handler: its state, and run bookkeeping.

`RunLifecycle` is the base of the per-kind callback classes (`_chains`, `_models`, `_tools`,
`_retrievers`) that `_handler.OtelCallbackHandler` combines. It parents new runs, tracks them in the
`RunStore`, ends what a finished root leaves open, and ends runs that failed, telling LangGraph's control
flow (handoffs, interrupts: recorded, never ERROR) from real failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry.context import Context, attach, get_current, set_value
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation.langchain._langgraph import (
    handoff_target,
    interrupt_values,
    is_bubble_up,
    is_interrupt,
)
from agent_otel.instrumentation.langchain._runs import RUN_KEY, Handle, Run, RunStore
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.messages import gen_ai_json_dumps
from agent_otel.telemetry.safety import guard
from agent_otel.telemetry.streams import END_ABANDONED, END_CLOSED

# Where faults in the optional parts of a callback (attributes, content) are reported.
WHERE = "agent_otel.instrumentation.langchain.handler"
NO_METADATA: Mapping[str, Any] = {}


class RunLifecycle(BaseCallbackHandler):
    """State and run bookkeeping shared by the callbacks of every kind of run."""

    def __init__(
        self,
        telemetry: Telemetry,
        store: RunStore,
        *,
        scope_name: str,
        node_spans: bool = False,
        per_chunk_metrics: bool = False,
    ) -> None:
        super().__init__()
        self.tel = telemetry
        self.scope_name = scope_name
        self.node_spans = node_spans
        self.per_chunk_metrics = per_chunk_metrics
        self.store = store
        # The store's parts, bound once (the callbacks read them on every event).
        self.runs = store.runs
        self.graphs = store.graphs
        self.expect = store.expect
        # Set by the instrumentor when the LangGraph Pregel.stream hook is in place.
        self.graphs_hooked = False

    # ------------------------------------------------------------------------------ starting runs

    def _base(self, parent: Run | None) -> Context:
        """The context a new run's span is parented in."""
        current = get_current()
        if parent is None or current.get(RUN_KEY) is parent.run_id:
            return current
        return parent.ctx

    def _track(self, run: Run) -> None:
        for evicted in self.runs.add(run):
            self._abandon(evicted)
        if self.expect:
            slot = self.expect.get(run.run_id)
            if slot is not None and slot.token is None:
                slot.token = attach(run.ctx)

    def _suppressed(self, parent: Run | None, metadata: Mapping[str, Any]) -> bool:
        """No spans or metrics at or below this run: beneath a suppressed run, under `otel_trace: False`
        metadata, or inside OpenTelemetry's `suppress_instrumentation()`."""
        return (
            (parent is not None and parent.suppress)
            or metadata.get("otel_trace") is False
            or not is_instrumentation_enabled()
        )

    def _quiet(self, run_id: UUID, kind: str, parent: Run | None, base: Context, **kw: Any) -> None:
        """Track a suppressed run (its children inherit the suppression). Inside
        `suppress_instrumentation()` its context is the current one, which carries the suppress key on to
        the code the run executes (client calls beneath, e.g. the OpenAI instrumentor, then emit nothing)."""
        if not is_instrumentation_enabled():
            base = get_current()
        self._passthrough(run_id, kind, parent, base, suppress=True, **kw)

    def _passthrough(self, run_id: UUID, kind: str, parent: Run | None, base: Context, **kw: Any) -> Run:
        run = Run(run_id, kind, parent, None, set_value(RUN_KEY, run_id, base), **kw)
        self._track(run)
        return run

    def _spanned(self, run_id: UUID, kind: str, parent: Run | None, call: Handle) -> Run:
        """Track a run that has a span: its body executes in the span's context."""
        run = Run(run_id, kind, parent, call, set_value(RUN_KEY, run_id, call.context))
        self._track(run)
        return run

    @staticmethod
    def _node_attribute(call: Handle, metadata: Mapping[str, Any]) -> None:
        """The LangGraph node the run executes in, when there is one."""
        node = metadata.get("langgraph_node")
        if isinstance(node, str):
            call.set_attribute(sc.AGENT_OTEL_LANGGRAPH_NODE, node)

    # ------------------------------------------------------------------------------ ending runs

    def _abandon(self, run: Run) -> None:
        call = run.call
        if call is not None and not call.ended:
            call.end_stream(END_ABANDONED)  # the one stream-end policy: ERROR _OTHER, "abandoned"

    def _finish_tree(self, run: Run, error: BaseException | None = None) -> None:
        """A root finished: end and drop whatever is still open beneath it (innermost first). A cancelled
        root's cancellation interrupted them too (LangChain reports it neither for model calls it cancels
        under asyncio.gather nor for retrievers): they fail with it."""
        cancelled = error if isinstance(error, asyncio.CancelledError) else None
        for left in self.runs.pop_descendants(run):
            call = left.call
            if cancelled is not None and call is not None and not call.ended:
                call.fail(cancelled)
            else:
                self._abandon(left)

    def _pop(self, run_id: UUID, error: BaseException | None = None) -> Run | None:
        run = self.runs.pop(run_id)
        if run is not None and run.parent is None and run.open:
            self._finish_tree(run, error)
        return run

    def _end_with_error(self, run: Run, error: BaseException) -> None:
        call = run.call
        assert call is not None
        with guard(WHERE):
            self._record_error(run, call, error)
            return
        call.fail(error)  # recording the error failed: the span still ends, with it

    def _record_error(self, run: Run, call: Handle, error: BaseException) -> None:
        if isinstance(error, GeneratorExit):
            # The caller stopped consuming a stream: not a failure of the operation.
            call.end_stream(END_CLOSED)
        elif is_bubble_up(error):
            # LangGraph control flow (handoff, interrupt): record it, never ERROR.
            if is_interrupt(error):
                self._mark_interrupted(call, interrupt_values(error))
                self._interrupt_ancestors(run, error)
            else:
                target = handoff_target(error)
                if target is not None:
                    call.set_attribute(sc.AGENT_OTEL_HANDOFF_TARGET, target)
            call.end()
        else:
            call.fail(error)

    def _interrupt_ancestors(self, run: Run, error: BaseException) -> None:
        """An interrupt pauses every enclosing agent and workflow (the top graph returns normally)."""
        values: list[Any] | None = None
        ancestor = run.parent
        while ancestor is not None:
            call = ancestor.call
            if call is not None and not call.ended:
                if values is None:
                    values = interrupt_values(error)
                self._mark_interrupted(call, values)
            ancestor = ancestor.parent

    def _mark_interrupted(self, call: Handle, values: list[Any]) -> None:
        call.set_attribute(sc.AGENT_OTEL_INTERRUPTED, True)
        if values and call.content is not None:
            try:
                value = gen_ai_json_dumps(values[0] if len(values) == 1 else values)
            except (TypeError, ValueError):
                value = str(values)
            call.set_attribute(sc.AGENT_OTEL_INTERRUPT_VALUE, value)

    # ------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """End every span still open and forget all state (uninstrument)."""
        for run in reversed(self.runs.clear()):
            self._abandon(run)
        self.graphs.clear()
        self.expect.clear()
