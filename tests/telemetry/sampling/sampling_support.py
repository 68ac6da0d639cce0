"""A real SDK pipeline with the tail sampler in front of in-memory exporters, and a clock tests move.

(No __init__.py in this folder: modules here have names unique in the test tree.)"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

from agent_otel.telemetry.sampling import (
    TailSamplingLogRecordProcessor,
    TailSamplingPolicy,
    TailSamplingSpanProcessor,
)


class ManualClock:
    """Unix nanoseconds that move only when the test says so (starts at the real time)."""

    def __init__(self) -> None:
        self.now = time.time_ns()

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1e9)


class SeededIds(IdGenerator):
    """Deterministic random trace and span ids."""

    def __init__(self, seed: int = 13) -> None:
        self._rng = random.Random(seed)

    def generate_span_id(self) -> int:
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self._rng.getrandbits(128) or 1


class Pipeline:
    """TracerProvider -> TailSamplingSpanProcessor -> SimpleSpanProcessor(in memory), logs alike."""

    def __init__(
        self, policy: TailSamplingPolicy | None = None, seed: int | None = 13, **kwargs: Any
    ) -> None:
        self.clock = ManualClock()
        self.exporter = InMemorySpanExporter()
        self.metric_reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metric_reader])
        self.sampler = TailSamplingSpanProcessor(
            SimpleSpanProcessor(self.exporter),
            policy or TailSamplingPolicy(),
            meter_provider=self.meter_provider,
            clock=self.clock,
            sweep_interval_s=3600,  # no timer sweeps during a test: tests call sweep()
            **kwargs,
        )
        self.provider = TracerProvider(id_generator=SeededIds(seed) if seed is not None else None)
        self.provider.add_span_processor(self.sampler)
        self.tracer = self.provider.get_tracer("test")
        self.log_exporter = InMemoryLogRecordExporter()
        self.logger_provider = LoggerProvider()
        self.logger_provider.add_log_record_processor(
            TailSamplingLogRecordProcessor(SimpleLogRecordProcessor(self.log_exporter), self.sampler)
        )
        self.logger = self.logger_provider.get_logger("test")

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def kept(self) -> set[int]:
        return {s.context.trace_id for s in self.spans()}

    def spans_per_trace(self) -> Counter[int]:
        return Counter(s.context.trace_id for s in self.spans())

    def logs(self) -> list[Any]:
        return [getattr(r, "log_record", r) for r in self.log_exporter.get_finished_logs()]

    def metric_points(self, name: str) -> dict[tuple[tuple[str, Any], ...], Any]:
        data = self.metric_reader.get_metrics_data()
        out: dict[tuple[tuple[str, Any], ...], Any] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == name:
                        for point in metric.data.data_points:
                            out[tuple(sorted((point.attributes or {}).items()))] = point.value
        return out

    def close(self) -> None:
        self.provider.shutdown()
        self.logger_provider.shutdown()
        self.meter_provider.shutdown()
