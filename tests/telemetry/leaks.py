"""One assertion for "this text was not recorded anywhere": every string of every exported span
(name, attributes, events, links, status) and log record (body, attributes, event name)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict) or hasattr(value, "items"):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def recorded_strings(otel: Any) -> list[str]:
    """Every string agent-otel handed the OpenTelemetry SDK in this test (spans and logs)."""
    out: list[str] = []
    for span in otel.spans():
        out.append(span.name)
        out.extend(_strings(dict(span.attributes or {})))
        out.append(span.status.description or "")
        for event in span.events:
            out.append(event.name)
            out.extend(_strings(dict(event.attributes or {})))
        for link in span.links:
            out.extend(_strings(dict(link.attributes or {})))
    for log in otel.logs():
        record = getattr(log, "log_record", log)
        out.append(str(getattr(record, "event_name", "") or ""))
        out.extend(_strings(getattr(record, "body", None)))
        out.extend(_strings(dict(getattr(record, "attributes", None) or {})))
    return out


def assert_not_recorded(otel: Any, needles: Iterable[str]) -> None:
    """Fail, naming where, if any needle appears in anything exported."""
    strings = recorded_strings(otel)
    assert strings, "nothing was exported"
    leaks = [(n, s) for n in needles for s in strings if n in s]
    assert not leaks, f"recorded: {leaks[:5]}"
