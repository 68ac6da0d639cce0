"""What a kept trace's spans and log records look like on export.

Spans are immutable once ended, so a kept span is exported as a `KeptSpan`: a copy of the original
`ReadableSpan` (see `_sdk.py`) with `agent_otel.sampling.reason` (and `agent_otel.sampling.ratio` for
ratio-kept traces) added, and the original's dropped counts.

With `ratio_content=False`, traces kept only by ratio lose their message content: the attributes in
`CONTENT_ATTRIBUTES` (and `gen_ai.prompt.variable.*`) on spans, span events and log records, and the
body of the `gen_ai.client.inference.operation.details` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from opentelemetry.sdk.trace import Event, ReadableSpan

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.content import (
    DETAILS_EVENT,
    INPUT_MESSAGES,
    OUTPUT_MESSAGES,
    PROMPT_VARIABLE,
    SYSTEM_INSTRUCTIONS,
    TOOL_DEFINITIONS,
)
from agent_otel.telemetry.operations import (
    RETRIEVAL_DOCUMENTS,
    RETRIEVAL_QUERY_TEXT,
    TOOL_CALL_ARGUMENTS,
    TOOL_CALL_RESULT,
)
from agent_otel.telemetry.sampling._sdk import attribute_dict, can_copy_fast

CONTENT_ATTRIBUTES: Final = frozenset(
    {
        INPUT_MESSAGES,
        OUTPUT_MESSAGES,
        SYSTEM_INSTRUCTIONS,
        TOOL_DEFINITIONS,
        TOOL_CALL_ARGUMENTS,
        TOOL_CALL_RESULT,
        RETRIEVAL_QUERY_TEXT,
        RETRIEVAL_DOCUMENTS,
        sc.AGENT_OTEL_INTERRUPT_VALUE,
        sc.AGENT_OTEL_CONTENT_TRUNCATED,  # says content was cut: meaningless once it is stripped
    }
)


def _is_content(key: str) -> bool:
    return key in CONTENT_ATTRIBUTES or key.startswith(PROMPT_VARIABLE)


def _without_content(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if not _is_content(k)}


class KeptSpan(ReadableSpan):
    """A span of a kept trace, as exported: the original plus the sampling attributes.

    Build with `kept_span()`. The dropped counts are the original's."""

    _kept_dropped: tuple[int, int, int] = (0, 0, 0)

    @property
    def dropped_attributes(self) -> int:
        return self._kept_dropped[0]

    @property
    def dropped_events(self) -> int:
        return self._kept_dropped[1]

    @property
    def dropped_links(self) -> int:
        return self._kept_dropped[2]


def kept_span(span: ReadableSpan, extra: Mapping[str, Any], strip_content: bool = False) -> KeptSpan:
    """`span` with `extra` attributes (and without message content when `strip_content`)."""
    source = attribute_dict(span)
    attributes = _without_content(source) if strip_content else dict(source)
    attributes.update(extra)
    events: tuple[Event, ...] | None = None
    if strip_content and any(_is_content(k) for e in span.events for k in (e.attributes or ())):
        events = tuple(Event(e.name, _without_content(e.attributes or {}), e.timestamp) for e in span.events)
    dropped = (span.dropped_attributes, span.dropped_events, span.dropped_links)
    kept: KeptSpan
    if can_copy_fast(span):
        kept = KeptSpan.__new__(KeptSpan)
        kept.__dict__.update(span.__dict__)
        kept._attributes = attributes
        if events is not None:
            kept._events = events
    else:
        kept = KeptSpan(
            name=span.name,
            context=span.context,
            parent=span.parent,
            resource=span.resource,
            attributes=attributes,
            events=span.events if events is None else events,
            links=span.links,
            kind=span.kind,
            status=span.status,
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=span.instrumentation_scope,
        )
    kept._kept_dropped = dropped
    return kept


def strip_log_content(record: Any) -> None:
    """Remove message content from a log record about to be exported (it is ours until then)."""
    log_record = getattr(record, "log_record", record)
    attributes = log_record.attributes
    if attributes:
        for key in [k for k in attributes if _is_content(k)]:
            try:
                del attributes[key]
            except TypeError:  # an immutable mapping (older SDKs): replace it
                log_record.attributes = _without_content(attributes)
                break
    if getattr(log_record, "event_name", None) == DETAILS_EVENT:
        log_record.body = None
