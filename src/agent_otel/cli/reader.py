"""Streaming reader for OTLP JSON-lines trace files, with line-numbered diagnostics.

A trace file holds one OTLP/JSON `ExportTraceServiceRequest` per line (what `JsonLinesSpanExporter` and
the OpenTelemetry Collector's file exporter write). `read_spans()` yields one `SpanRecord` at a time, so
memory does not grow with the file. Bad input never stops the read: a truncated line, invalid JSON, a
line that is not a span batch, unknown fields or a span missing its ids is reported as
`FILE:LINE: message` on stderr (through `Diagnostics`) and the rest of the file is still read.

Accepted beyond the spec's exact form, as the protobuf JSON mapping allows: snake_case field names,
integers as JSON numbers or strings, base64 trace/span ids (what a generic protobuf-to-JSON converter
writes) and the legacy `instrumentationLibrarySpans` key.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from agent_otel.cli.model import EventRecord, SpanRecord

_HEX = re.compile(r"^[0-9a-fA-F]+$")

_REQUEST_FIELDS = frozenset({"resourceSpans"})
_RESOURCE_SPANS_FIELDS = frozenset({"resource", "scopeSpans", "schemaUrl", "instrumentationLibrarySpans"})
_SCOPE_SPANS_FIELDS = frozenset({"scope", "spans", "schemaUrl", "instrumentationLibrary"})
_SPAN_FIELDS = frozenset(
    {
        "traceId",
        "spanId",
        "traceState",
        "parentSpanId",
        "flags",
        "name",
        "kind",
        "startTimeUnixNano",
        "endTimeUnixNano",
        "attributes",
        "droppedAttributesCount",
        "events",
        "droppedEventsCount",
        "links",
        "droppedLinksCount",
        "status",
    }
)
_OTHER_SIGNALS = {"resourceMetrics": "metrics", "resourceLogs": "logs", "resourceProfiles": "profiles"}


class Diagnostics:
    """Collects problems found in a trace file and prints them as `FILE:LINE: message` on stderr.

    At most `max_messages` are printed (a file of bad lines must not flood the terminal); `summary()`
    counts every problem by kind. Unknown fields are reported once per field name and place.
    """

    def __init__(self, source: str, stream: IO[str] | None = None, max_messages: int = 20) -> None:
        self.source = source
        self.stream = stream
        self.max_messages = max_messages
        self.counts: dict[str, int] = {}
        self.messages: list[str] = []
        self.printed = 0
        self._unknown_seen: set[tuple[str, str]] = set()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def report(self, line: int | None, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        where = f"{self.source}:{line}" if line else self.source
        text = f"{where}: {message}"
        if len(self.messages) < 1000:
            self.messages.append(text)
        if self.printed < self.max_messages:
            self.printed += 1
            print(f"agent-otel: {text}", file=self.stream or sys.stderr)

    def unknown_field(self, line: int, where: str, key: str) -> None:
        if (where, key) in self._unknown_seen:
            self.counts["unknown field"] = self.counts.get("unknown field", 0) + 1
            return
        self._unknown_seen.add((where, key))
        self.report(line, "unknown field", f"unknown field {key!r} in {where}; ignored (reported once)")

    def summary(self) -> str | None:
        """One line counting every problem, or None when the file was clean."""
        if not self.counts:
            return None
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items(), key=lambda kv: -kv[1]))
        hidden = self.total - self.printed
        more = f"; {hidden} not shown above" if hidden > 0 else ""
        return f"{self.source}: {self.total} problem(s): {parts}{more}"

    def finish(self) -> None:
        text = self.summary()
        if text and (self.total > 1 or self.printed < self.total):
            print(f"agent-otel: {text}", file=self.stream or sys.stderr)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _normalise_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """snake_case protobuf field names (allowed by the protobuf JSON mapping) to lowerCamelCase."""
    if "_" not in "".join(obj):  # the usual case, checked in C
        return obj
    return {(_camel(k) if "_" in k else k): v for k, v in obj.items()}


def decode_id(value: Any, size: int) -> str | None:
    """A trace (16 bytes) or span (8 bytes) id as lowercase hex; accepts hex or base64. None if invalid."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) == size * 2 and _HEX.match(value):
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == size else None


def decode_value(value: Any) -> Any:
    """An OTLP/JSON AnyValue object as a plain Python value (None for an empty AnyValue)."""
    if not isinstance(value, dict):
        return value
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        raw = value["intValue"]
        try:
            return int(raw)
        except (TypeError, ValueError):
            return raw
    if "doubleValue" in value:
        raw = value["doubleValue"]
        try:
            return float(raw)
        except (TypeError, ValueError):
            return raw
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [decode_value(v) for v in (value["arrayValue"] or {}).get("values") or []]
    if "kvlistValue" in value:
        return decode_attributes((value["kvlistValue"] or {}).get("values"))
    if "bytesValue" in value:
        return value["bytesValue"]
    if len(value) == 1:  # snake_case spelling (string_value, int_value, ...)
        ((key, raw),) = value.items()
        if "_" in key:
            return decode_value({_camel(key): raw})
    return None


def decode_attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        return out
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            out[item["key"]] = decode_value(item.get("value"))
    return out


def _nanos(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    if isinstance(value, float):
        return int(value)
    return None


def _describe_json_error(raw: bytes, exc: ValueError, last_line: bool) -> tuple[str, str]:
    """(kind, message) for a line that did not parse."""
    if isinstance(exc, UnicodeDecodeError):
        return "invalid JSON", f"not UTF-8 text ({exc.reason} at byte {exc.start}); line skipped"
    text = raw.rstrip(b"\r\n")
    pos = getattr(exc, "pos", None)
    msg = getattr(exc, "msg", str(exc))
    ends_early = pos is not None and pos >= len(text.rstrip())
    if ends_early and (last_line or text.lstrip().startswith(b"{")):
        where = "the file ends" if last_line and not raw.endswith(b"\n") else "the line ends"
        return "truncated line", f"truncated JSON: {where} in the middle of a record ({msg}); line skipped"
    col = f" at column {getattr(exc, 'colno', '?')}" if pos is not None else ""
    return "invalid JSON", f"invalid JSON: {msg}{col}; line skipped"


class _LineDecoder:
    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diag = diagnostics

    def spans(self, obj: Any, line: int) -> Iterator[SpanRecord]:
        diag = self.diag
        if not isinstance(obj, dict):
            diag.report(
                line, "not a span batch", f"expected a JSON object, got {type(obj).__name__}; line skipped"
            )
            return
        obj = _normalise_keys(obj)
        batches = obj.get("resourceSpans")
        if batches is None:
            other = next((name for key, name in _OTHER_SIGNALS.items() if key in obj), None)
            if other:
                diag.report(line, "not a span batch", f"holds OTLP {other}, not spans; line skipped")
            else:
                keys = ", ".join(repr(k) for k in list(obj)[:5]) or "nothing"
                diag.report(
                    line,
                    "not a span batch",
                    f"no 'resourceSpans' (found {keys}); not an OTLP JSON trace line; skipped",
                )
            return
        for key in obj:
            if key not in _REQUEST_FIELDS:
                diag.unknown_field(line, "the request", key)
        if not isinstance(batches, list):
            diag.report(line, "malformed", "'resourceSpans' is not a list; line skipped")
            return
        for rs in batches:
            if not isinstance(rs, dict):
                diag.report(line, "malformed", "an entry of 'resourceSpans' is not an object; skipped")
                continue
            rs = _normalise_keys(rs)
            for key in rs:
                if key not in _RESOURCE_SPANS_FIELDS:
                    diag.unknown_field(line, "resourceSpans", key)
            resource = decode_attributes((rs.get("resource") or {}).get("attributes"))
            scope_list = rs.get("scopeSpans")
            if scope_list is None:
                scope_list = rs.get("instrumentationLibrarySpans")
            for ss in scope_list or []:
                if not isinstance(ss, dict):
                    diag.report(line, "malformed", "an entry of 'scopeSpans' is not an object; skipped")
                    continue
                ss = _normalise_keys(ss)
                for key in ss:
                    if key not in _SCOPE_SPANS_FIELDS:
                        diag.unknown_field(line, "scopeSpans", key)
                scope = ss.get("scope") or ss.get("instrumentationLibrary") or {}
                scope_name = scope.get("name") if isinstance(scope, dict) else None
                scope_name = scope_name if isinstance(scope_name, str) else ""
                for raw in ss.get("spans") or []:
                    span = self.span(raw, line, resource, scope_name)
                    if span is not None:
                        yield span

    def span(self, raw: Any, line: int, resource: dict[str, Any], scope: str) -> SpanRecord | None:
        diag = self.diag
        if not isinstance(raw, dict):
            diag.report(line, "malformed span", "a span is not a JSON object; skipped")
            return None
        raw = _normalise_keys(raw)
        for key in raw:
            if key not in _SPAN_FIELDS:
                diag.unknown_field(line, "a span", key)
        name = raw.get("name")
        name = name if isinstance(name, str) else ""
        label = f"span {name!r}" if name else "a span"
        trace_id = decode_id(raw.get("traceId"), 16)
        span_id = decode_id(raw.get("spanId"), 8)
        if trace_id is None or span_id is None:
            which = "traceId" if trace_id is None else "spanId"
            diag.report(
                line,
                "malformed span",
                f"{label} has a missing or invalid {which} ({raw.get(which)!r}); skipped",
            )
            return None
        parent_raw = raw.get("parentSpanId")
        parent_id = None
        if parent_raw:
            parent_id = decode_id(parent_raw, 8)
            if parent_id is None:
                diag.report(
                    line,
                    "malformed span",
                    f"{label} has an invalid parentSpanId {parent_raw!r}; shown as a root",
                )
        start = _nanos(raw.get("startTimeUnixNano"))
        end = _nanos(raw.get("endTimeUnixNano"))
        if start is None or start <= 0:
            diag.report(line, "malformed span", f"{label} has no valid startTimeUnixNano; skipped")
            return None
        if end is None or end < start:
            diag.report(line, "malformed span", f"{label} has no valid endTimeUnixNano; duration taken as 0")
            end = start
        status = raw.get("status") if isinstance(raw.get("status"), dict) else {}
        code = status.get("code", 0)
        if isinstance(code, str):  # enum name spelling: STATUS_CODE_ERROR
            code = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}.get(code, 0)
        flags = raw.get("flags")
        parent_remote = bool(parent_id) and isinstance(flags, int) and flags & 0x300 == 0x300
        kind = raw.get("kind", 0)
        if isinstance(kind, str):
            names = ("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
            kind = next((i for i, n in enumerate(names) if kind.endswith(n)), 0)
        events = []
        for ev in raw.get("events") or []:
            if isinstance(ev, dict):
                ev = _normalise_keys(ev)
                events.append(
                    EventRecord(
                        name=str(ev.get("name", "")),
                        time_ns=_nanos(ev.get("timeUnixNano")) or start,
                        attributes=decode_attributes(ev.get("attributes")),
                    )
                )
        links = []
        for ln in raw.get("links") or []:
            if isinstance(ln, dict):
                ln = _normalise_keys(ln)
                links.append(
                    {
                        "trace_id": decode_id(ln.get("traceId"), 16),
                        "span_id": decode_id(ln.get("spanId"), 8),
                        "attributes": decode_attributes(ln.get("attributes")),
                    }
                )
        return SpanRecord(
            trace_id=trace_id,
            span_id=span_id,
            parent_id=parent_id,
            name=name or "(unnamed)",
            start_ns=start,
            end_ns=end,
            kind=kind if isinstance(kind, int) else 0,
            status_code=code if isinstance(code, int) else 0,
            status_message=str(status.get("message") or ""),
            attributes=decode_attributes(raw.get("attributes")),
            events=events,
            links=links,
            resource=resource,
            scope=scope,
            line=line,
            parent_remote=parent_remote,
        )


@contextmanager
def open_source(path: str) -> Iterator[IO[bytes]]:
    """The trace file as a binary stream ('-' is stdin); OSError propagates to the caller."""
    if path == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb") as f:
        yield f


def read_spans(source: IO[bytes], diagnostics: Diagnostics) -> Iterator[SpanRecord]:
    """Yield every span in a binary stream of OTLP JSON lines, reporting bad lines to `diagnostics`."""
    decoder = _LineDecoder(diagnostics)
    lineno = 0
    pending: bytes | None = None
    for raw in source:
        # One line of look-ahead, so the last line is known (a missing final newline means truncation).
        if pending is not None:
            lineno += 1
            yield from _decode_line(decoder, pending, lineno, last=False)
        pending = raw
    if pending is not None:
        lineno += 1
        yield from _decode_line(decoder, pending, lineno, last=True)


def _decode_line(decoder: _LineDecoder, raw: bytes, lineno: int, last: bool) -> Iterator[SpanRecord]:
    if not raw.strip():
        return
    try:
        obj = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        kind, message = _describe_json_error(raw, exc, last)
        decoder.diag.report(lineno, kind, message)
        return
    yield from decoder.spans(obj, lineno)
