"""Tracing set-up shared by the example's two processes: each writes its spans to its own file.

Every finished span becomes one JSON line (ids in hex, as in W3C traceparent), so the files of the
two processes can be merged and checked: one trace, the worker's spans under the orchestrator's.
A real deployment would export both processes to the same backend (OTLP) instead.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult


class JsonLinesFile(SpanExporter):
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = [json.dumps(_record(span)) + "\n" for span in spans]
        with self._lock, self._path.open("a", encoding="utf-8") as out:
            out.writelines(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def _record(span: ReadableSpan) -> dict[str, object]:
    parent = span.parent
    return {
        "service": span.resource.attributes.get("service.name"),
        "pid": os.getpid(),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(span.context.trace_id, "032x"),
        "span_id": format(span.context.span_id, "016x"),
        "parent_span_id": format(parent.span_id, "016x") if parent is not None else None,
        "parent_is_remote": bool(parent is not None and parent.is_remote),
        "start": span.start_time,
        "end": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [
            {
                "trace_id": format(link.context.trace_id, "032x"),
                "span_id": format(link.context.span_id, "016x"),
                "attributes": dict(link.attributes or {}),
            }
            for link in span.links
        ],
    }


def setup(service_name: str, path: Path) -> TracerProvider:
    """Install a global tracer provider writing to `path` (the manual API uses the global one)."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesFile(path)))
    trace.set_tracer_provider(provider)
    return provider
