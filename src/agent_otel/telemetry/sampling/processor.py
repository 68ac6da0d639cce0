"""`TailSamplingSpanProcessor`: keep every failing, slow, expensive or forced trace, sample the rest.

    provider.add_span_processor(
        TailSamplingSpanProcessor(BatchSpanProcessor(exporter), TailSamplingPolicy(ratio=0.1, slow_s=30))
    )

It sits in front of the exporting processor: `on_start` is forwarded at once, finished spans are buffered
per trace until the trace is decided (`table.py` says when), then the kept ones are handed to the
exporting processor as `KeptSpan`s carrying `agent_otel.sampling.reason` (and `.ratio`). Dropped traces
never reach it. Metrics are not affected: the core records them when an operation ends, before sampling.

Threads and asyncio: one lock around the table; the exporting processor is called outside it. Time: a
daemon thread (started with the first span) decides traces whose decision wait, slow threshold or age
limit has passed, and every span start and end does the same when it is due. `force_flush` and
`shutdown` decide every pending trace (a process that exits normally loses nothing that was to be kept:
the SDK shuts its provider down at exit). A fault in the sampler is reported and the span passes through.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry import context as context_api
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.sampling.export import kept_span
from agent_otel.telemetry.sampling.policy import Decision, TailSamplingPolicy
from agent_otel.telemetry.sampling.table import (
    EVICTION_TRIGGERS,
    PASS,
    TRIGGER_FLUSH,
    TRIGGER_SHUTDOWN,
    TraceTable,
    Verdict,
)

_logger = logging.getLogger("agent_otel")
_WHERE = "agent_otel.telemetry.sampling.processor"


class TailSamplingSpanProcessor(SpanProcessor):
    """Tail sampling in front of `exporting_processor` (see the module docstring and the README).

    `meter_provider`: where the sampler's own counters go (default: the global one). `clock`: the time in
    Unix nanoseconds (default `time.time_ns`, the SDK's span clock; tests pass their own)."""

    def __init__(
        self,
        exporting_processor: SpanProcessor,
        policy: TailSamplingPolicy | None = None,
        *,
        meter_provider: metrics.MeterProvider | None = None,
        clock: Callable[[], int] | None = None,
        sweep_interval_s: float = 0.5,
    ) -> None:
        self.exporting_processor = exporting_processor
        self.policy = policy or TailSamplingPolicy()
        self.table = TraceTable(self.policy, clock or time.time_ns)
        self._interval_ns = max(1, int(sweep_interval_s * 1e9))
        self._interval_s = sweep_interval_s
        self._next_sweep_ns = 0
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._stop = threading.Event()
        self._closed = False
        self._warned: set[str] = set()
        self._register_metrics(meter_provider)

    # ------------------------------------------------------------------ SpanProcessor

    def on_start(self, span: Span, parent_context: context_api.Context | None = None) -> None:
        if not self._closed:
            try:
                ctx = span.context
                if ctx.trace_flags.sampled:
                    verdicts = self.table.start(span, ctx.trace_id)
                    if verdicts:
                        self._flush(verdicts)
                    if self._thread is None:
                        self._start_thread()
                    if (span.start_time or 0) >= self._next_sweep_ns:
                        self.sweep()
            except Exception as exc:
                report(_WHERE, exc)
        self.exporting_processor.on_start(span, parent_context=parent_context)

    def _on_ending(self, span: Span) -> None:
        self.exporting_processor._on_ending(span)

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.context
        if self._closed or ctx is None or not ctx.trace_flags.sampled:
            self.exporting_processor.on_end(span)
            return
        try:
            route = self.table.end(span, ctx.trace_id)
        except Exception as exc:
            report(_WHERE, exc)
            route = PASS
        if route is None:
            pass
        elif route is PASS:
            self.exporting_processor.on_end(span)
        elif type(route) is Decision:
            self._export(span, route)
        else:
            self._flush(route)  # type: ignore[arg-type]
        if (span.end_time or 0) >= self._next_sweep_ns:
            try:
                self.sweep()
            except Exception as exc:
                report(_WHERE, exc)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Decide every pending trace now, hand the kept ones over, then flush the exporting processor."""
        self.decide_pending(TRIGGER_FLUSH)
        return self.exporting_processor.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Decide every pending trace, hand the kept ones over, then shut the exporting processor down."""
        if not self._closed:
            self._stop.set()
            self.decide_pending(TRIGGER_SHUTDOWN)
            self._closed = True
        self.exporting_processor.shutdown()

    # ------------------------------------------------------------------ the rest

    def decide_pending(self, trigger: str = TRIGGER_FLUSH) -> None:
        """Decide every trace still buffered (policies, then ratio) and hand the kept ones over."""
        try:
            self._flush(self.table.drain(trigger))
        except Exception as exc:
            report(_WHERE, exc)

    def stats(self) -> dict[str, Any]:
        """Buffered traces and items, decisions by (keep, reason, trigger), late spans by verdict."""
        table = self.table
        with table.lock:
            return {
                "pending_traces": len(table.pending),
                "buffered_items": table.buffered,
                "decisions": dict(table.counts),
                "late_spans": dict(table.late),
                "cached_decisions": len(table.decided),
            }

    def _export(self, span: ReadableSpan, decision: Decision) -> None:
        try:
            kept: ReadableSpan = kept_span(span, decision.attributes, decision.strip_content)
        except Exception as exc:
            report(_WHERE, exc)
            kept = span
        self.exporting_processor.on_end(kept)

    def _flush(self, verdicts: Iterable[Verdict]) -> None:
        for verdict in verdicts:
            decision = verdict.decision
            if verdict.trigger in EVICTION_TRIGGERS:
                self._warn_eviction(verdict.trigger)
            if not decision.keep:
                continue
            for span in verdict.spans:
                self._export(span, decision)
            for sink, record in verdict.logs:
                try:
                    sink.emit_kept(record, decision)
                except Exception as exc:
                    report(_WHERE, exc)

    def _warn_eviction(self, trigger: str) -> None:
        first = trigger not in self._warned
        self._warned.add(trigger)
        (_logger.warning if first else _logger.debug)(
            "agent-otel: tail sampling decided a trace before it finished (%s reached; counted in %s); "
            "see the README, 'Tail sampling', to raise the bound",
            trigger,
            sc.METRIC_SAMPLING_TRACES,
        )

    def sweep(self) -> None:
        """Decide the traces whose decision wait, slow threshold or age limit has passed (the timer does
        this every `sweep_interval_s`, and span starts and ends when it is due)."""
        self._next_sweep_ns = self.table.clock() + self._interval_ns
        verdicts = self.table.sweep()
        if verdicts:
            self._flush(verdicts)

    def _start_thread(self) -> None:
        with self._thread_lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._run, name="agent-otel-tail-sampling", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.sweep()
            except Exception as exc:
                report(_WHERE, exc)

    def _register_metrics(self, meter_provider: metrics.MeterProvider | None) -> None:
        from agent_otel.version import __version__

        meter = metrics.get_meter(__name__, __version__, meter_provider)
        meter.create_observable_counter(
            sc.METRIC_SAMPLING_TRACES,
            [self._observe_traces],
            unit="{trace}",
            description="Traces the tail sampler decided, by decision, reason and trigger.",
        )
        meter.create_observable_counter(
            sc.METRIC_SAMPLING_LATE_SPANS,
            [self._observe_late],
            unit="{span}",
            description="Spans that ended after their trace was decided, by decision.",
        )
        meter.create_observable_gauge(
            sc.METRIC_SAMPLING_BUFFERED,
            [self._observe_buffered],
            unit="{item}",
            description="Spans and log records the tail sampler holds, waiting for their trace's decision.",
        )

    def _observe_traces(self, options: CallbackOptions) -> Iterable[Observation]:
        with self.table.lock:
            counts = list(self.table.counts.items())
        for (keep, reason, trigger), value in counts:
            yield Observation(
                value,
                {
                    sc.AGENT_OTEL_SAMPLING_DECISION: "keep" if keep else "drop",
                    sc.AGENT_OTEL_SAMPLING_REASON: reason,
                    sc.AGENT_OTEL_SAMPLING_TRIGGER: trigger,
                },
            )

    def _observe_late(self, options: CallbackOptions) -> Iterable[Observation]:
        with self.table.lock:
            late = list(self.table.late.items())
        for keep, value in late:
            yield Observation(value, {sc.AGENT_OTEL_SAMPLING_DECISION: "keep" if keep else "drop"})

    def _observe_buffered(self, options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(self.table.buffered)
