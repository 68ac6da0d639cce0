"""`JsonLinesSpanExporter`: finished spans as OTLP JSON lines in a local file.

Each `export()` call appends one line: an `ExportTraceServiceRequest` in the OTLP/JSON encoding
(https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), which is also what the
OpenTelemetry Collector's file exporter writes:

    {"resourceSpans":[{"resource":{"attributes":[...]},"scopeSpans":[{"scope":{"name":...},"spans":[...]}]}]}

Trace and span ids are lowercase hex (not base64), 64-bit integers (timestamps, `intValue`) are decimal
strings, enums (`kind`, `status.code`) are their numbers, attribute values are `AnyValue` objects and
fields holding their default value are left out, as the Collector does.

The file is opened in append mode on the first export (several processes may share one file: each
line is written with a single `write` call), the path comes from the constructor or from
AGENT_OTEL_JSONL_PATH (default `agent-otel-traces.jsonl`). Thread-safe; every export is flushed.
Failures are logged and reported as `SpanExportResult.FAILURE`, never raised.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import threading
from collections.abc import Mapping, Sequence
from typing import IO, Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind

from agent_otel.config import DEFAULT_JSONL_PATH, jsonl_path

_logger = logging.getLogger(__name__)

DEFAULT_PATH = DEFAULT_JSONL_PATH

# OTLP's Span.SpanKind numbers (SPAN_KIND_UNSPECIFIED is 0): the API's enum is shifted by one.
_KIND = {
    SpanKind.INTERNAL: 1,
    SpanKind.SERVER: 2,
    SpanKind.CLIENT: 3,
    SpanKind.PRODUCER: 4,
    SpanKind.CONSUMER: 5,
}
# OTLP SpanFlags: bits 0-7 are the W3C trace flags; bit 8 says bit 9 ("parent is remote") is known.
_FLAG_HAS_IS_REMOTE = 0x100
_FLAG_IS_REMOTE = 0x200


def _any_value(value: Any) -> dict[str, Any]:
    """A Python attribute value as an OTLP/JSON AnyValue object."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        if math.isfinite(value):
            return {"doubleValue": value}
        # proto3 JSON spells non-finite doubles as strings; JSON itself has no NaN or Infinity.
        return {"doubleValue": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": [_key_value(str(k), v) for k, v in value.items()]}}
    if isinstance(value, Sequence):
        return {"arrayValue": {"values": [_any_value(v) for v in value]}}
    if value is None:
        return {}
    return {"stringValue": str(value)}


def _key_value(key: str, value: Any) -> dict[str, Any]:
    return {"key": key, "value": _any_value(value)}


def _attributes(attributes: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [_key_value(k, v) for k, v in attributes.items()] if attributes else []


def _with_attributes(out: dict[str, Any], attributes: Mapping[str, Any] | None, dropped: int) -> None:
    encoded = _attributes(attributes)
    if encoded:
        out["attributes"] = encoded
    if dropped:
        out["droppedAttributesCount"] = dropped


def _trace_state(trace_state: Any) -> str:
    return ",".join(f"{k}={v}" for k, v in trace_state.items()) if trace_state else ""


def _flags(trace_flags: int, parent_remote: bool | None) -> int:
    flags = int(trace_flags) & 0xFF
    if parent_remote is not None:
        flags |= _FLAG_HAS_IS_REMOTE | (_FLAG_IS_REMOTE if parent_remote else 0)
    return flags


def encode_span(span: ReadableSpan) -> dict[str, Any]:
    """One SDK span as an OTLP/JSON `Span` object."""
    ctx = span.get_span_context()
    out: dict[str, Any] = {"traceId": f"{ctx.trace_id:032x}", "spanId": f"{ctx.span_id:016x}"}
    state = _trace_state(ctx.trace_state)
    if state:
        out["traceState"] = state
    parent = span.parent
    if parent is not None:
        out["parentSpanId"] = f"{parent.span_id:016x}"
    out["flags"] = _flags(ctx.trace_flags, parent.is_remote if parent is not None else False)
    out["name"] = span.name
    out["kind"] = _KIND.get(span.kind, 0)
    out["startTimeUnixNano"] = str(span.start_time or 0)
    out["endTimeUnixNano"] = str(span.end_time or 0)
    _with_attributes(out, span.attributes, span.dropped_attributes)
    if span.events:
        events = []
        for event in span.events:
            encoded: dict[str, Any] = {"timeUnixNano": str(event.timestamp or 0), "name": event.name}
            _with_attributes(encoded, event.attributes, event.dropped_attributes)
            events.append(encoded)
        out["events"] = events
    if span.dropped_events:
        out["droppedEventsCount"] = span.dropped_events
    if span.links:
        links = []
        for link in span.links:
            lc = link.context
            encoded = {"traceId": f"{lc.trace_id:032x}", "spanId": f"{lc.span_id:016x}"}
            state = _trace_state(lc.trace_state)
            if state:
                encoded["traceState"] = state
            _with_attributes(encoded, link.attributes, link.dropped_attributes)
            encoded["flags"] = _flags(lc.trace_flags, lc.is_remote)
            links.append(encoded)
        out["links"] = links
    if span.dropped_links:
        out["droppedLinksCount"] = span.dropped_links
    status: dict[str, Any] = {}
    if span.status is not None:
        if span.status.description:
            status["message"] = span.status.description
        if span.status.status_code.value:
            status["code"] = span.status.status_code.value
    out["status"] = status
    return out


def _encode_resource(resource: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _with_attributes(out, getattr(resource, "attributes", None), 0)
    return out


def _encode_scope(scope: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if scope is None:
        return out
    if scope.name:
        out["name"] = scope.name
    if scope.version:
        out["version"] = scope.version
    _with_attributes(out, getattr(scope, "attributes", None), 0)
    return out


def encode_spans(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """SDK spans as one OTLP/JSON `ExportTraceServiceRequest`, grouped by resource then by scope."""
    grouped: dict[Any, dict[Any, list[dict[str, Any]]]] = {}
    for span in spans:
        by_scope = grouped.setdefault(span.resource, {})
        by_scope.setdefault(span.instrumentation_scope, []).append(encode_span(span))
    resource_spans = []
    for resource, by_scope in grouped.items():
        scope_spans = []
        for scope, encoded in by_scope.items():
            entry: dict[str, Any] = {"scope": _encode_scope(scope), "spans": encoded}
            if scope is not None and scope.schema_url:
                entry["schemaUrl"] = scope.schema_url
            scope_spans.append(entry)
        rs: dict[str, Any] = {"resource": _encode_resource(resource), "scopeSpans": scope_spans}
        if getattr(resource, "schema_url", ""):
            rs["schemaUrl"] = resource.schema_url
        resource_spans.append(rs)
    return {"resourceSpans": resource_spans}


class JsonLinesSpanExporter(SpanExporter):
    """Appends each batch of finished spans to `path` as one OTLP/JSON line.

    `path`: the file to write; default AGENT_OTEL_JSONL_PATH, else `agent-otel-traces.jsonl` in the
    working directory. Its directory is created if missing. `stream`: write to an open text stream
    instead (not closed by `shutdown`).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, stream: IO[str] | None = None) -> None:
        if path is None and stream is None:
            path = jsonl_path()
        # Resolved now: a later chdir() in the application does not move the file.
        self.path: str | None = os.path.abspath(os.fspath(path)) if path is not None else None
        self._stream = stream
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._shutdown = False

    def _write(self, line: str) -> None:
        if self._stream is not None:
            self._stream.write(line)
            self._stream.flush()
            return
        if self._fd is None:
            assert self.path is not None
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        # One write() per line on an O_APPEND descriptor: lines from several processes don't interleave.
        # errors="replace": a lone surrogate in an attribute must not cost the whole batch.
        data = memoryview(line.encode("utf-8", errors="replace"))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            _logger.warning("agent-otel: JsonLinesSpanExporter.export called after shutdown; spans dropped")
            return SpanExportResult.FAILURE
        if not spans:
            return SpanExportResult.SUCCESS
        try:
            line = json.dumps(encode_spans(spans), ensure_ascii=False, separators=(",", ":")) + "\n"
        except Exception:
            _logger.exception("agent-otel: could not encode %d spans as OTLP JSON", len(spans))
            return SpanExportResult.FAILURE
        try:
            with self._lock:
                self._write(line)
        except Exception:
            _logger.exception("agent-otel: could not write spans to %s", self.path or "the stream")
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        # Every export is already written through; a caller's stream may still buffer.
        with self._lock:
            try:
                if self._stream is not None:
                    self._stream.flush()
            except Exception:
                _logger.exception("agent-otel: could not flush the stream")
                return False
        return True

    def shutdown(self) -> None:
        with self._lock:
            self._shutdown = True
            fd, self._fd = self._fd, None
            try:
                if fd is not None:
                    os.close(fd)
                elif self._stream is not None:
                    self._stream.flush()
            except Exception:
                _logger.exception("agent-otel: could not close %s", self.path or "the stream")
