"""Shared fixtures: real OpenTelemetry SDK providers with in-memory exporters.

`otel` gives a fresh TracerProvider / MeterProvider / LoggerProvider per test, wired to in-memory
exporters, plus helpers to read what was emitted. Instrumentors under test are given these providers
explicitly (`instrument(tracer_provider=otel.tracer_provider, ...)`), so no global state is shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor

try:  # SDK >= 1.39 renamed the in-memory log exporter
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter as _InMemoryLogExporter
except ImportError:  # pragma: no cover
    from opentelemetry.sdk._logs.export import InMemoryLogExporter as _InMemoryLogExporter  # type: ignore
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent_otel.testing.trees import tree

__all__ = ["Otel", "otel", "tree"]


@dataclass
class Otel:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider
    span_exporter: InMemorySpanExporter
    metric_reader: InMemoryMetricReader
    log_exporter: Any

    @property
    def providers(self) -> dict[str, Any]:
        """Keyword arguments for `XInstrumentor().instrument(**otel.providers)`."""
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "logger_provider": self.logger_provider,
        }

    def spans(self) -> list[ReadableSpan]:
        return list(self.span_exporter.get_finished_spans())

    def span(self, name: str) -> ReadableSpan:
        found = [s for s in self.spans() if s.name == name]
        assert len(found) == 1, f"expected one span {name!r}, got {[s.name for s in self.spans()]}"
        return found[0]

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name -> list of data points (collected now)."""
        out: dict[str, list[Any]] = {}
        data = self.metric_reader.get_metrics_data()
        if data is None:
            return out
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    out.setdefault(m.name, []).extend(m.data.data_points)
        return out

    def logs(self) -> list[Any]:
        return list(self.log_exporter.get_finished_logs())


@pytest.fixture
def otel() -> Iterator[Otel]:
    span_exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    metric_reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[metric_reader])
    log_exporter = _InMemoryLogExporter()
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    yield Otel(tracer_provider, meter_provider, logger_provider, span_exporter, metric_reader, log_exporter)
    tracer_provider.shutdown()
    meter_provider.shutdown()
    logger_provider.shutdown()
