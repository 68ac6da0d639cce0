"""`TraceTable`: the tail sampler's state, behind one lock, with no I/O.

Per trace id: a pending `Trace` (the spans and log records buffered until the verdict, the number of its
spans still open, its local root, running token and cost totals), then, once decided, its `Decision` in
a bounded FIFO cache so that late spans and log records follow it. Every method returns what the caller
must do, and the caller (`processor.py`) does it outside the lock:

- `None`: nothing (buffered, or dropped);
- `PASS`: forward the item unchanged (a trace the table never saw start);
- a `Decision`: forward this one item as that decision says (a late item of a decided trace);
- a list of `Verdict`: traces decided now, each with everything buffered for it (this item included).

A trace is finished when every span started in it in this process has ended (the local root included:
a span with no parent or a remote parent). Notable spans decide it at once (see `_notable`); otherwise
it is decided by trace-id ratio when it finishes (after `decision_wait_s`), or earlier when a bound is
hit: `max_traces` (the oldest), `max_spans_per_trace`, `max_trace_age_s`; `drain` decides all of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from opentelemetry.trace import StatusCode

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.sampling._sdk import attribute_dict
from agent_otel.telemetry.sampling.policy import (
    REASON_ERROR,
    REASON_EXPENSIVE,
    REASON_FORCED,
    REASON_SLOW,
    Decision,
    Decisions,
    TailSamplingPolicy,
)

PASS: Final = object()

TRIGGER_POLICY: Final = "policy"  # an error, slow, expensive or forced span decided it at once
TRIGGER_FINISHED: Final = "finished"
TRIGGER_MAX_TRACES: Final = "max_traces"
TRIGGER_MAX_SPANS: Final = "max_spans_per_trace"
TRIGGER_MAX_AGE: Final = "max_trace_age"
TRIGGER_FLUSH: Final = "flush"
TRIGGER_SHUTDOWN: Final = "shutdown"
EVICTION_TRIGGERS: Final = frozenset({TRIGGER_MAX_TRACES, TRIGGER_MAX_SPANS, TRIGGER_MAX_AGE})

# Spans carrying roll-ups of the tokens and cost beneath them (counted as a total, never added).
_INVOCATIONS: Final = frozenset(
    {sc.OP_INVOKE_AGENT, sc.OP_INVOKE_WORKFLOW, "handle_conversation_turn", "create_agent"}
)
_ERROR = StatusCode.ERROR
# Module constants (a global lookup is cheaper than `sc.NAME` on the hot path).
_ERROR_TYPE: Final = sc.ERROR_TYPE
_FORCE: Final = sc.AGENT_OTEL_SAMPLING_FORCE


class Trace:
    """One undecided trace."""

    __slots__ = ("cost", "finished_ns", "items", "logs", "open", "root", "start_ns", "tokens", "trace_id")

    def __init__(self, trace_id: int, start_ns: int) -> None:
        self.trace_id = trace_id
        self.start_ns = start_ns
        self.open = 0
        self.items: list[Any] = []
        self.logs: list[Any] | None = None
        self.root: Any = None
        self.tokens = 0
        self.cost = 0.0
        self.finished_ns: int | None = None


class Verdict(NamedTuple):
    trace_id: int
    decision: Decision
    trigger: str
    spans: list[Any]
    logs: list[Any]


def _number(value: Any) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


class TraceTable:
    def __init__(self, policy: TailSamplingPolicy, clock: Callable[[], int]) -> None:
        self.policy = policy
        self.decisions = Decisions(policy)
        self.clock = clock
        self.lock = threading.Lock()
        self.pending: OrderedDict[int, Trace] = OrderedDict()
        self.decided: OrderedDict[int, Decision] = OrderedDict()
        self._finishing: deque[tuple[int, Trace]] = deque()
        self.buffered = 0
        self.counts: dict[tuple[bool, str, str], int] = {}
        self.late: dict[bool, int] = {True: 0, False: 0}
        self._slow_ns = None if policy.slow_s is None else int(policy.slow_s * 1e9)
        self._age_ns = None if policy.max_trace_age_s is None else int(policy.max_trace_age_s * 1e9)
        self._wait_ns = int(policy.decision_wait_s * 1e9)
        self._costly = policy.tokens is not None or policy.cost is not None
        self._max_items = policy.max_spans_per_trace
        self._max_traces = policy.max_traces

    # ------------------------------------------------------------------ spans

    def start(self, span: Any, trace_id: int) -> list[Verdict] | None:
        """A sampled span started. Returns the trace an overflow decided, if any."""
        evicted = None
        with self.lock:
            tr = self.pending.get(trace_id)
            if tr is None:
                if trace_id in self.decided:
                    return None
                tr = Trace(trace_id, span.start_time or self.clock())
                self.pending[trace_id] = tr
                if len(self.pending) > self._max_traces:
                    oldest = self.pending.popitem(last=False)[1]
                    evicted = [self._final(oldest, TRIGGER_MAX_TRACES)]
            elif tr.finished_ns is not None:
                tr.finished_ns = None  # background work: the trace is not finished after all
            tr.open += 1
            if tr.root is None:
                parent = span.parent
                if parent is None or parent.is_remote:
                    tr.root = span
        return evicted

    def end(self, span: Any, trace_id: int) -> object:
        """A sampled span ended: buffer it, decide its trace, or route it by the cached decision."""
        with self.lock:
            tr = self.pending.get(trace_id)
            if tr is None:
                return self._late(trace_id)
            tr.open -= 1
            items = tr.items
            items.append(span)
            self.buffered += 1
            # Notable: keep at once (error, forced, expensive, slow).
            reason = None
            if span.status.status_code is _ERROR:
                reason = REASON_ERROR
            else:
                attributes = attribute_dict(span)
                if attributes:
                    if _ERROR_TYPE in attributes:
                        reason = REASON_ERROR
                    elif attributes.get(_FORCE) is True:
                        reason = REASON_FORCED
                    elif self._costly and self._expensive(tr, attributes):
                        reason = REASON_EXPENSIVE
                if reason is None:
                    slow = self._slow_ns
                    if slow is not None and (span.end_time or 0) - tr.start_ns > slow:
                        reason = REASON_SLOW
            if reason is not None:
                return [self._decide(tr, self.decisions.early[reason], TRIGGER_POLICY)]
            if len(items) + (len(tr.logs) if tr.logs else 0) >= self._max_items:
                return [self._final(tr, TRIGGER_MAX_SPANS)]
            if tr.open <= 0:
                if not self._wait_ns:
                    return [self._final(tr, TRIGGER_FINISHED)]
                tr.finished_ns = now = self.clock()
                self._finishing.append((now + self._wait_ns, tr))
            return None

    def _expensive(self, tr: Trace, attributes: Any) -> bool:
        policy = self.policy
        tokens = _number(attributes.get(sc.USAGE_INPUT_TOKENS)) + _number(
            attributes.get(sc.USAGE_OUTPUT_TOKENS)
        )
        if attributes.get(sc.OPERATION_NAME) in _INVOCATIONS:  # a roll-up: a total, not an addend
            cost = _number(attributes.get(sc.AGENT_OTEL_COST_TOTAL))
        else:
            tr.tokens += int(tokens)
            tokens = tr.tokens
            tr.cost += _number(attributes.get(sc.USAGE_COST_AMOUNT))
            cost = tr.cost
        return (policy.tokens is not None and tokens > policy.tokens) or (
            policy.cost is not None and cost > policy.cost
        )

    def _late(self, trace_id: int) -> object:
        decision = self.decided.get(trace_id)
        if decision is None:
            return PASS
        self.late[decision.keep] += 1
        return decision if decision.keep else None

    # ------------------------------------------------------------------ log records

    def log(self, record: Any, trace_id: int) -> object:
        """A log record of `trace_id`: buffered with its trace, or routed like a late span."""
        with self.lock:
            tr = self.pending.get(trace_id)
            if tr is None:
                decision = self.decided.get(trace_id)
                if decision is None:
                    return PASS
                return decision if decision.keep else None
            if tr.logs is None:
                tr.logs = []
            tr.logs.append(record)
            self.buffered += 1
            if len(tr.items) + len(tr.logs) >= self._max_items:
                return [self._final(tr, TRIGGER_MAX_SPANS)]
            return None

    # ------------------------------------------------------------------ time and bounds

    def sweep(self) -> list[Verdict]:
        """Decide the traces whose decision wait, slow threshold or age limit has passed."""
        out: list[Verdict] = []
        with self.lock:
            now = self.clock()
            finishing = self._finishing
            while finishing and finishing[0][0] <= now:
                deadline, tr = finishing.popleft()
                current = tr.finished_ns is not None and tr.finished_ns + self._wait_ns == deadline
                if current and self.pending.get(tr.trace_id) is tr:
                    out.append(self._final(tr, TRIGGER_FINISHED))
            limits = [x for x in (self._slow_ns, self._age_ns) if x is not None]
            if limits:
                limit = min(limits)
                while self.pending:
                    tr = next(iter(self.pending.values()))
                    if now - tr.start_ns <= limit:
                        break
                    out.append(self._final(tr, TRIGGER_MAX_AGE))
        return out

    def drain(self, trigger: str) -> list[Verdict]:
        """Decide every pending trace now (force_flush, shutdown)."""
        with self.lock:
            self._finishing.clear()
            return [self._final(tr, trigger) for tr in list(self.pending.values())]

    # ------------------------------------------------------------------ deciding (lock held)

    def _final(self, tr: Trace, trigger: str) -> Verdict:
        """Decide a trace no span has made notable: slow by the clock, else by its workflow's ratio."""
        slow = self._slow_ns
        if slow is not None and self.clock() - tr.start_ns > slow:
            return self._decide(tr, self.decisions.early[REASON_SLOW], TRIGGER_POLICY)
        ratio = self.decisions.ratio_for(tr.root)
        return self._decide(tr, self.decisions.by_ratio(tr.trace_id, ratio), trigger)

    def _decide(self, tr: Trace, decision: Decision, trigger: str) -> Verdict:
        self.pending.pop(tr.trace_id, None)
        tr.finished_ns = None
        decided = self.decided
        decided[tr.trace_id] = decision
        if len(decided) > self.policy.decision_cache_size:
            decided.popitem(last=False)
        logs = tr.logs or []
        self.buffered -= len(tr.items) + len(logs)
        key = (decision.keep, decision.reason, trigger)
        self.counts[key] = self.counts.get(key, 0) + 1
        return Verdict(tr.trace_id, decision, trigger, tr.items, logs)
