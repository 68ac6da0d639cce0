"""Tail sampling for agent traces: keep every failing, slow, expensive or forced trace, sample the rest.

- `TailSamplingSpanProcessor(exporting_processor, policy)`: in front of the exporting span processor.
- `TailSamplingLogRecordProcessor(exporting_processor, span_sampler)`: log records follow the decision.
- `TailSamplingPolicy`: the ratio (and per-workflow ratios), the thresholds and the memory bounds.
- `force_keep()`: keep the current trace whatever the policy says.
- `install(...)`: what `AGENT_OTEL_SAMPLING=tail` does at `instrument()` (see `install.py`).

Needs the OpenTelemetry SDK (the `otel` extra). README: "Tail sampling".
"""

from __future__ import annotations

from opentelemetry import trace

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.sampling.install import install
from agent_otel.telemetry.sampling.logs import TailSamplingLogRecordProcessor
from agent_otel.telemetry.sampling.policy import (
    REASON_ERROR,
    REASON_EXPENSIVE,
    REASON_FORCED,
    REASON_RATIO,
    REASON_SLOW,
    TailSamplingPolicy,
    ratio_keeps,
)
from agent_otel.telemetry.sampling.processor import TailSamplingSpanProcessor

__all__ = [
    "REASON_ERROR",
    "REASON_EXPENSIVE",
    "REASON_FORCED",
    "REASON_RATIO",
    "REASON_SLOW",
    "TailSamplingLogRecordProcessor",
    "TailSamplingPolicy",
    "TailSamplingSpanProcessor",
    "force_keep",
    "install",
    "ratio_keeps",
]


def force_keep(span: trace.Span | None = None) -> None:
    """Keep the trace of `span` (default: the current span) whatever the policy says: sets
    `agent_otel.sampling.force` on it, read when it ends."""
    (span or trace.get_current_span()).set_attribute(sc.AGENT_OTEL_SAMPLING_FORCE, True)
