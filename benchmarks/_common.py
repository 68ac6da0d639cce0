"""What every benchmark shares: the full-SDK providers, paired timing, and the summary rows.

A benchmark adds rows to the run's summary with `summary_row(...)`; `python -m benchmarks` passes each
benchmark process the file to append them to (AGENT_OTEL_BENCH_SUMMARY) and prints them all at the end.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

SUMMARY_ENV = "AGENT_OTEL_BENCH_SUMMARY"


@dataclass(frozen=True)
class Row:
    """One budget: what we measured, what the fastest peer measured in the same run, and the rule."""

    case: str
    ours: float | None
    peer: float | None
    peer_name: str
    unit: str
    budget: str
    met: bool | None

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.peer:
            return None
        return self.ours / self.peer


def summary_row(row: Row) -> None:
    """Print the verdict and append the row to the run's summary file (when run from __main__)."""
    print(
        f"  => {row.case}: {_fmt(row.ours, row.unit)} vs {row.peer_name} {_fmt(row.peer, row.unit)}"
        f"; budget {row.budget}: {_verdict(row.met)}"
    )
    path = os.environ.get(SUMMARY_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(row)) + "\n")


def read_rows(path: str) -> list[Row]:
    try:
        with open(path, encoding="utf-8") as lines:
            return [Row(**json.loads(line)) for line in lines if line.strip()]
    except FileNotFoundError:
        return []


def table(rows: Sequence[Row]) -> str:
    head = ("case", "agent-otel", "peer", "ratio", "budget", "met/missed")
    body = [
        (
            r.case,
            _fmt(r.ours, r.unit),
            f"{_fmt(r.peer, r.unit)} ({r.peer_name})" if r.peer is not None else f"n/a ({r.peer_name})",
            f"{r.ratio:.2f}x" if r.ratio is not None else "-",
            r.budget,
            _verdict(r.met),
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(head, *body, strict=True)]
    lines = [
        " | ".join(str(x).ljust(w) for x, w in zip(cells, widths, strict=True)) for cells in (head, *body)
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f} {unit}" if abs(value) < 10 else f"{value:.1f} {unit}"


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "MISSED")


def full_sdk() -> dict[str, Any]:
    """The full OpenTelemetry SDK, exporting nowhere: TracerProvider + BatchSpanProcessor to a null
    exporter, MeterProvider with an in-memory reader, LoggerProvider + batch processor."""
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import (
        BatchLogRecordProcessor,
        LogRecordExporter,
        LogRecordExportResult,
    )
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class NullSpans(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    class NullLogs(LogRecordExporter):
        def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
            return LogRecordExportResult.SUCCESS

        def shutdown(self) -> None:
            pass

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return True

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NullSpans(), max_queue_size=100_000))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(NullLogs()))
    return {
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
        "logger_provider": logger_provider,
        "metric_reader": reader,
    }


CLOCKS: dict[str, Callable[[], int]] = {"cpu": time.process_time_ns, "wall": time.perf_counter_ns}


def paired(
    original: Callable[[], Any], instrumented: Callable[[], Any], n: int, clock_name: str = "cpu"
) -> list[list[float]]:
    """n pairs [original µs, instrumented µs], the order flipping every pair. The default clock is the
    process's CPU time (all its threads), which other processes on a busy machine do not inflate."""
    gc.collect()
    clock = CLOCKS[clock_name]
    out: list[list[float]] = []
    for i in range(n):
        if i % 2 == 0:
            t0 = clock()
            original()
            t1 = clock()
            instrumented()
            t2 = clock()
            a, b = t1 - t0, t2 - t1
        else:
            t0 = clock()
            instrumented()
            t1 = clock()
            original()
            t2 = clock()
            b, a = t1 - t0, t2 - t1
        out.append([a / 1000, b / 1000])
    return out


@dataclass(frozen=True)
class Stats:
    base: float
    inst: float
    added: float
    q1: float
    q3: float
    n: int

    @classmethod
    def of(cls, pairs: Sequence[Sequence[float]]) -> Stats:
        diffs = [b - a for a, b in pairs]
        q = statistics.quantiles(diffs, n=4) if len(diffs) > 1 else [diffs[0]] * 3
        return cls(
            base=statistics.median(a for a, _ in pairs),
            inst=statistics.median(b for _, b in pairs),
            added=statistics.median(diffs),
            q1=q[0],
            q3=q[2],
            n=len(diffs),
        )
