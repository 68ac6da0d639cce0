"""The trace processor: the SDK's traces and spans become the core's workflow, agent, tool and guardrail
operations.

| SDK | ours |
|---|---|
| trace | `invoke_workflow {trace name}` (conversation id: the trace's `group_id`) |
| agent span | `invoke_agent {agent}` |
| function span (function tools, agents as tools, MCP tools) | `execute_tool {tool}` |
| handoff span | `execute_tool {handoff tool}` with `agent_otel.handoff.target` (also on the source agent) |
| guardrail span | `apply_guardrail {guardrail}` |
| generation / response spans | nothing: the model call is the openai instrumentor's span |
| task, turn, custom, mcp_tools, speech ... spans | nothing (their children nest under our nearest span) |

Context: the SDK calls `on_*_start` and `on_*_end` synchronously, in the task and thread that starts and
finishes its span, ends in LIFO order within one context. A started operation's context is attached at
start and detached at end (only when it is still the current one: a foreign or out-of-order token is left
alone, never logged as a failed detach), so whatever runs inside (the openai client's call, a nested run,
a user's span) nests under it and the core's agent scope gives model calls the agent name and rolls their
tokens and cost up.

Outcomes: the SDK finishes agent spans and traces while the run's exception propagates, so
`sys.exc_info()` there is what the caller sees (model error, guardrail tripwire, cancellation); tool spans
fall back on the span's `error`. A tripped guardrail's span is held open (its clock stopped) until the run
ends: ERROR with the tripwire exception when the run fails because of it, else OK. Handoffs never ERROR.
When a trace ends, whatever of it is still open (a tool still being cancelled in its own task) is ended.
"""

from __future__ import annotations

import sys
from typing import Any

from agents.tracing import Span, Trace, TracingProcessor
from opentelemetry.context import Context, attach, detach, get_current
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation.openai_agents import _sdk
from agent_otel.telemetry import operations
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.facts import AgentFacts, ProviderError, ToolFacts, WorkflowFacts
from agent_otel.telemetry.operations import Operation
from agent_otel.telemetry.safety import report

_WHERE = "agent_otel.instrumentation.openai_agents"
DEFAULT_LIMIT = 10_000

AGENT = "agent"
FUNCTION = "function"
HANDOFF = "handoff"
GUARDRAIL = "guardrail"
WORKFLOW = "workflow"


class Entry:
    """One SDK trace or span we made an operation of, from its start callback to its end callback."""

    __slots__ = ("arguments", "kind", "named", "op", "source", "token", "trace")

    def __init__(self, kind: str, op: Operation, trace: TraceState | None) -> None:
        self.kind = kind
        self.op = op
        self.trace = trace
        self.token: object = None
        self.arguments: Any = None  # function tools, content capture only: from the tool context
        self.named = False  # handoffs: the tool name is known
        self.source: Entry | None = None  # handoffs: the agent handing off


class TraceState:
    __slots__ = ("entry", "open", "pending")

    def __init__(self) -> None:
        self.entry: Entry | None = None
        self.open: dict[str, Entry] = {}  # span id -> entry, in start order
        self.pending: list[Operation] = []  # tripped guardrails, decided when the run ends


def _outcome(span: Span[Any] | None) -> BaseException | ProviderError | None:
    exc = sys.exc_info()[1]
    if exc is not None and not isinstance(exc, GeneratorExit):
        return exc
    error = getattr(span, "error", None) if span is not None else None
    if error:
        return ProviderError("_OTHER")
    return None


class AgentOtelProcessor(TracingProcessor):  # type: ignore[misc]
    """Registered with `agents.add_trace_processor`; inert once `active` is False."""

    def __init__(self, telemetry: Telemetry, tripwires: tuple[type[BaseException], ...] = ()) -> None:
        self.tel = telemetry
        self.active = True
        self.limit = DEFAULT_LIMIT
        self.tripwires = tripwires
        self.spans: dict[str, Entry] = {}
        self.traces: dict[str, TraceState] = {}
        self.agents: dict[int, Entry] = {}  # id(agent scope) -> the agent's entry (handoff sources)
        self.muted: list[Any] = []
        self._seen: object = None

    # ------------------------------------------------------------------ the official instrumentor

    def stand_others_down(self) -> None:
        """Mute the official openai-agents instrumentor's processor, whenever it was registered (ours wins:
        README). Cheap when nothing changed: the SDK replaces its processor tuple on every change."""
        multi = _sdk.multi_processor()
        current = getattr(multi, "_processors", None)
        if current is self._seen:
            return
        self._seen = current
        for processor in _sdk.registered_processors():
            if _sdk.is_official(processor) and not _sdk.is_muted(processor) and _sdk.mute(processor):
                self.muted.append(processor)

    def release_others(self) -> None:
        muted, self.muted = self.muted, []
        for processor in muted:
            _sdk.unmute(processor)

    # ------------------------------------------------------------------ traces

    def on_trace_start(self, trace: Trace) -> None:
        if not self.active or not is_instrumentation_enabled():
            return
        try:
            self.stand_others_down()
            name = getattr(trace, "name", None) or None
            facts = WorkflowFacts(name, conversation_id=getattr(trace, "group_id", None) or None)
            state = TraceState()
            entry = state.entry = Entry(WORKFLOW, self.tel.workflow(facts), state)
            entry.token = attach(entry.op.context)
            self.traces[trace.trace_id] = state
        except Exception as exc:
            report(f"{_WHERE}.on_trace_start", exc)

    def on_trace_end(self, trace: Trace) -> None:
        state = self.traces.pop(getattr(trace, "trace_id", None), None)  # type: ignore[arg-type]
        if state is None:
            return
        try:
            outcome = _outcome(None)
            for entry in reversed(list(state.open.values())):
                # Still open: a tool being cancelled in its own task. Its end callback detaches.
                self._finish(entry, outcome if isinstance(outcome, BaseException) else None)
            state.open.clear()
            self._decide_guardrails(state, outcome)
            if state.entry is not None:
                self._finish(state.entry, outcome)
                self._detach(state.entry)
        except Exception as exc:
            report(f"{_WHERE}.on_trace_end", exc)

    # ------------------------------------------------------------------ spans

    def on_span_start(self, span: Span[Any]) -> None:
        if not self.active:
            return
        try:
            data = span.span_data
            kind = data.type
            if kind not in (AGENT, FUNCTION, HANDOFF, GUARDRAIL) or not is_instrumentation_enabled():
                return
            state = self.traces.get(span.trace_id)
            if kind == AGENT:
                self.stand_others_down()
                op = self.tel.agent(AgentFacts(getattr(data, "name", None) or None))
            elif kind == FUNCTION:
                self.stand_others_down()
                op = self.tel.tool(ToolFacts(getattr(data, "name", None) or ""))
            elif kind == HANDOFF:
                op = self.tel.tool(ToolFacts(""))  # named when the SDK hands us the tool call (_hooks)
            else:
                op = self.tel.guardrail(getattr(data, "name", None) or "")
            entry = Entry(kind, op, state)
            if kind == AGENT and op.scope is not None:
                self.agents[id(op.scope)] = entry
            elif kind == HANDOFF:
                scope = op.scope
                entry.source = self.agents.get(id(scope)) if scope is not None else None
            entry.token = attach(op.context)
            self._track(span.span_id, entry)
        except Exception as exc:
            report(f"{_WHERE}.on_span_start", exc)

    def on_span_end(self, span: Span[Any]) -> None:
        entry = self.spans.pop(getattr(span, "span_id", None), None)  # type: ignore[arg-type]
        if entry is None:
            return
        try:
            state = entry.trace
            if state is not None:
                state.open.pop(span.span_id, None)
            data = span.span_data
            outcome = _outcome(span)
            op = entry.op
            if entry.kind == AGENT:
                if op.scope is not None:
                    self.agents.pop(id(op.scope), None)
                if state is not None and isinstance(outcome, self.tripwires):
                    self._decide_guardrails(state, outcome)
                self._finish(entry, outcome)
            elif entry.kind == FUNCTION:
                if op.capture_content:
                    op.arguments = entry.arguments if entry.arguments is not None else data.input
                    op.result = data.output
                self._finish(entry, outcome)
            elif entry.kind == HANDOFF:
                target = getattr(data, "to_agent", None)
                if target:
                    op.set_attribute(sc.AGENT_OTEL_HANDOFF_TARGET, target)
                    if entry.source is not None:
                        entry.source.op.set_attribute(sc.AGENT_OTEL_HANDOFF_TARGET, target)
                op.end()  # control flow, never an error
            else:
                triggered = bool(getattr(data, "triggered", False))
                op.set_attribute(operations.GUARDRAIL_TRIGGERED, triggered)
                if outcome is not None:
                    op.fail(outcome)
                elif triggered and state is not None:
                    op.stop_clock()  # ERROR only if the run fails because of it: decided when it ends
                    state.pending.append(op)
                else:
                    op.end()
            self._detach(entry)
        except Exception as exc:
            report(f"{_WHERE}.on_span_end", exc)

    # ------------------------------------------------------------------ from the SDK patches (_hooks)

    def entry_of(self, span: Span[Any] | None) -> Entry | None:
        if span is None:
            return None
        return self.spans.get(getattr(span, "span_id", None))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ helpers

    def _track(self, span_id: str, entry: Entry) -> None:
        if len(self.spans) >= self.limit:
            for old_id in list(self.spans)[: max(1, self.limit // 10)]:
                old = self.spans.pop(old_id)
                if old.trace is not None:
                    old.trace.open.pop(old_id, None)
                old.op.end_stream("abandoned")
        self.spans[span_id] = entry
        if entry.trace is not None:
            entry.trace.open[span_id] = entry

    def _decide_guardrails(self, state: TraceState, outcome: BaseException | ProviderError | None) -> None:
        pending, state.pending = state.pending, []
        for op in pending:
            if isinstance(outcome, self.tripwires):
                op.fail(outcome)
            else:
                op.end()

    @staticmethod
    def _finish(entry: Entry, outcome: BaseException | ProviderError | None) -> None:
        if outcome is None:
            entry.op.end()
        else:
            entry.op.fail(outcome)

    @staticmethod
    def _detach(entry: Entry) -> None:
        token, entry.token = entry.token, None
        if token is None:
            return
        ctx: Context = entry.op.context
        if get_current() is ctx:  # still ours on top: LIFO held in this context
            try:
                detach(token)  # type: ignore[arg-type]
            except Exception:
                pass

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """End whatever is still open (uninstrument, shutdown): nothing is left unended."""
        self.active = False
        entries = list(self.spans.values())
        self.spans.clear()
        states = list(self.traces.values())
        self.traces.clear()
        self.agents.clear()
        for entry in reversed(entries):
            entry.op.end_stream("abandoned")
        for state in states:
            self._decide_guardrails(state, None)
            if state.entry is not None:
                state.entry.op.end_stream("abandoned")

    def shutdown(self, timeout: float | None = None) -> None:
        try:
            self.close()
        except Exception as exc:
            report(f"{_WHERE}.shutdown", exc)

    def force_flush(self) -> None:
        return None
