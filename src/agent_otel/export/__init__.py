"""Exporters that need no backend: finished spans written to a local file in a standard format.

`JsonLinesSpanExporter` writes OTLP JSON lines (what the OpenTelemetry Collector's file exporter
writes and `agent-otel view` / `agent-otel query` read). It is registered as the
`opentelemetry_traces_exporter` entry point `agent_otel_jsonl`, so `OTEL_TRACES_EXPORTER=agent_otel_jsonl`
selects it under `opentelemetry-instrument`.
"""

from __future__ import annotations

from agent_otel.config import ENV_JSONL_PATH
from agent_otel.export.jsonl import JsonLinesSpanExporter, encode_spans

__all__ = ["ENV_JSONL_PATH", "JsonLinesSpanExporter", "encode_spans"]
