"""`TailSamplingLogRecordProcessor`: log records follow their trace's tail-sampling decision.

    logger_provider.add_log_record_processor(
        TailSamplingLogRecordProcessor(BatchLogRecordProcessor(log_exporter), span_sampler)
    )

A record whose trace is undecided waits with the trace's spans (it counts toward
`max_spans_per_trace`); a record of a decided trace follows the decision at once; a record with no trace
id, or of a trace the span sampler never saw start (an unsampled one, for instance), passes through.
Content events and the exception log events of a dropped trace are therefore dropped too, and with
`ratio_content=False` a ratio-kept trace's records lose their message content.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk._logs import LogRecordProcessor

from agent_otel.telemetry.safety import report
from agent_otel.telemetry.sampling.export import strip_log_content
from agent_otel.telemetry.sampling.policy import Decision
from agent_otel.telemetry.sampling.processor import TailSamplingSpanProcessor
from agent_otel.telemetry.sampling.table import PASS, TRIGGER_FLUSH, TRIGGER_SHUTDOWN

_WHERE = "agent_otel.telemetry.sampling.logs"


class TailSamplingLogRecordProcessor(LogRecordProcessor):
    """Holds log records back until `span_sampler` decides their trace (see the module docstring)."""

    def __init__(
        self, exporting_processor: LogRecordProcessor, span_sampler: TailSamplingSpanProcessor
    ) -> None:
        self.exporting_processor = exporting_processor
        self.span_sampler = span_sampler

    def on_emit(self, log_record: Any) -> None:
        try:
            trace_id = getattr(log_record, "log_record", log_record).trace_id
            route = self.span_sampler.table.log((self, log_record), trace_id) if trace_id else PASS
        except Exception as exc:
            report(_WHERE, exc)
            route = PASS
        if route is None:
            return
        if route is PASS:
            self.exporting_processor.on_emit(log_record)
        elif type(route) is Decision:
            self.emit_kept(log_record, route)
        else:
            self.span_sampler._flush(route)  # type: ignore[arg-type]

    def emit_kept(self, log_record: Any, decision: Decision) -> None:
        """Hand over a record of a kept trace (without its content when the decision says so)."""
        if decision.strip_content:
            strip_log_content(log_record)
        self.exporting_processor.on_emit(log_record)

    def enabled(self, **kwargs: Any) -> bool:
        enabled = getattr(self.exporting_processor, "enabled", None)
        return True if enabled is None else bool(enabled(**kwargs))

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        self.span_sampler.decide_pending(TRIGGER_FLUSH)
        return bool(self.exporting_processor.force_flush(timeout_millis))

    def shutdown(self) -> None:
        self.span_sampler.decide_pending(TRIGGER_SHUTDOWN)
        self.exporting_processor.shutdown()
