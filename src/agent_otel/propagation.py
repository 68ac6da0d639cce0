"""Trace context across agents: into a message on the sending side, out of it on the receiving side.

A multi-agent operation is one trace even when its agents talk over a queue, a socket, HTTP or a
subprocess pipe, as long as the message carries the trace context. This module puts the current
context (W3C `traceparent`/`tracestate` and `baggage`, through the configured OpenTelemetry
propagators, `OTEL_PROPAGATORS`) into a message and continues from it on the other side:

    # sender
    message = {"task": "summarise", "url": url}
    inject_context(message, key="trace_context")      # or inject_context(headers), inject_context(meta)
    queue.put(message)

    # receiver: the sender's span is the parent of everything in the block
    with continue_trace(message):
        with agent_otel.manual.agent("summariser"):
            ...

    # receiver, fire-and-forget work: a new trace whose root span links to the sender's span
    with linked_span(message, "summarise", reason="fire_and_forget"):
        ...

The receiving side is lenient about where the context is: a flat mapping of headers (any key case;
`bytes` values as Kafka and gRPC give them), a mapping under `key`, or, without `key`, the first of
`trace_context`, `otel`, `metadata`, `headers` and `_meta` (MCP) that holds one, as a mapping entry
or an attribute. A carrier that is missing, malformed or of the wrong type never raises: the work
starts a new trace, and the problem is logged (DEBUG when there simply is no context, a WARNING the
first time a given kind of malformed carrier is seen).

The extracted context replaces the receiver's current span and agent scope (the sender's trace is
the parent, not whatever the receiver was doing) and keeps everything else, baggage included.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context, attach, detach, get_current, set_value
from opentelemetry.propagate import get_global_textmap
from opentelemetry.trace import INVALID_SPAN, Link, Span, SpanKind, TracerProvider
from opentelemetry.util.types import Attributes

from agent_otel.telemetry.agents import SCOPE_KEY
from agent_otel.telemetry.semconv import AGENT_OTEL_LINK_REASON
from agent_otel.version import __version__

__all__ = [
    "DEFAULT_KEY",
    "NESTED_KEYS",
    "continue_trace",
    "extract_context",
    "extract_link",
    "inject_context",
    "linked_span",
]

_logger = logging.getLogger("agent_otel.propagation")

DEFAULT_KEY = "trace_context"
"""The key `inject_context(message, key=DEFAULT_KEY)` suggests for a context nested in a payload."""
NESTED_KEYS = (DEFAULT_KEY, "otel", "metadata", "headers", "_meta")
"""Where `extract_context` looks, in order, when the carrier itself holds no context and no key is given."""

_OWN_KEYS = frozenset({DEFAULT_KEY, "otel"})
_MAX_VALUE_LENGTH = 8192  # the W3C baggage limit; traceparent and tracestate are far shorter
_DEFAULT_FIELDS = frozenset({"traceparent", "tracestate", "baggage"})

_MAX_WARNED = 256
_warned: set[str] = set()
_warned_lock = threading.Lock()


class _Malformed(Exception):
    """A carrier we cannot read: a reason to log, never to raise."""


def _log_once(message: str, reason: str) -> None:
    """WARNING the first time a reason is seen (for the first 256 reasons), DEBUG after that."""
    with _warned_lock:
        first = reason not in _warned and len(_warned) < _MAX_WARNED
        if first:
            _warned.add(reason)
    _logger.log(logging.WARNING if first else logging.DEBUG, message, reason)


def _log_malformed(reason: str) -> None:
    _log_once("agent-otel: cannot continue the trace from this carrier (%s); starting a new trace", reason)


def _fields() -> frozenset[str]:
    try:
        return frozenset(f.lower() for f in get_global_textmap().fields) or _DEFAULT_FIELDS
    except Exception:
        return _DEFAULT_FIELDS


# ---------------------------------------------------------------------------------------- injecting


def inject_context(
    carrier: MutableMapping[str, Any] | None = None,
    *,
    key: str | None = None,
    context: Context | None = None,
) -> MutableMapping[str, Any]:
    """Write the current (or the given) trace context into `carrier` and return the carrier.

    - `inject_context()` returns a new dict, e.g. `{"traceparent": "00-…-01"}`.
    - `inject_context(headers)` adds the fields to a headers mapping (or a message's metadata).
    - `inject_context(message, key="trace_context")` puts them in `message["trace_context"]`
      (created if missing, merged if it is already a mapping).

    Never raises: a carrier that cannot take the fields is left as it is, and logged.
    """
    if carrier is None:
        carrier = {}
    try:
        target: Any = carrier
        if key is not None:
            target = carrier.get(key)
            if target is None:
                target = carrier[key] = {}
            elif not isinstance(target, MutableMapping):
                raise TypeError(f"carrier[{key!r}] is a {type(target).__name__}, not a mutable mapping")
        fields: dict[str, str] = {}
        get_global_textmap().inject(fields, context=context)
        for name, value in fields.items():
            target[name] = value
    except Exception as exc:
        _log_once(
            "agent-otel: cannot inject the trace context into this carrier (%s)",
            f"{type(exc).__name__}: {exc}",
        )
    return carrier


# ---------------------------------------------------------------------------------------- extracting


def _member(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _as_mapping(obj: Any) -> Mapping[str, Any] | None:
    """A mapping view of a carrier: a mapping, or a sequence of (key, value) pairs (Kafka headers)."""
    if isinstance(obj, Mapping):
        return obj
    if isinstance(obj, Sequence) and not isinstance(obj, (str, bytes, bytearray)):
        pairs: dict[str, Any] = {}
        for item in obj:
            if not (isinstance(item, Sequence) and not isinstance(item, (str, bytes)) and len(item) == 2):
                return None
            name, value = item
            if isinstance(name, (bytes, bytearray)):
                name = bytes(name).decode("latin-1")
            if isinstance(name, str):
                pairs.setdefault(name, value)
        return pairs
    return None


def _text(name: str, value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("latin-1")
    elif isinstance(value, Sequence) and value and all(isinstance(v, (str, bytes)) for v in value):
        # Repeated headers: W3C allows joining tracestate and baggage with commas.
        text = ",".join(v if isinstance(v, str) else v.decode("latin-1") for v in value)
    else:
        raise _Malformed(f"{name} is a {type(value).__name__}, not a string")
    if len(text) > _MAX_VALUE_LENGTH:
        raise _Malformed(f"{name} is longer than {_MAX_VALUE_LENGTH} characters")
    return text


def _picked(mapping: Mapping[str, Any], wanted: frozenset[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in mapping.items():
        if isinstance(name, str) and name.lower() in wanted and value is not None:
            found.setdefault(name.lower(), value)
    return found


def _context_fields(carrier: Any, key: str | None) -> dict[str, str]:
    """The propagation fields of `carrier` as clean lowercase strings; {} when it carries none."""
    if carrier is None:
        return {}
    wanted = _fields()
    if key is not None:
        carrier = _member(carrier, key)
        if carrier is None:
            return {}
        mapping = _as_mapping(carrier)
        if mapping is None:
            raise _Malformed(f"carrier[{key!r}] is a {type(carrier).__name__}, not a mapping")
        raw = _picked(mapping, wanted)
    else:
        mapping = _as_mapping(carrier)
        raw = _picked(mapping, wanted) if mapping is not None else {}
        if not raw:
            for nested_key in NESTED_KEYS:
                value = _member(carrier, nested_key)
                if value is None:
                    continue
                nested = _as_mapping(value)
                if nested is None:
                    if nested_key in _OWN_KEYS:  # ours, so it should have been a mapping
                        raise _Malformed(f"{nested_key!r} is a {type(value).__name__}, not a mapping")
                    continue
                raw = _picked(nested, wanted)
                if raw:
                    break
        if not raw and mapping is None and not any(hasattr(carrier, k) for k in NESTED_KEYS):
            raise _Malformed(f"a {type(carrier).__name__} is not a carrier")
    return {name: _text(name, value) for name, value in raw.items()}


def _without_local_parent(context: Context) -> Context:
    return set_value(SCOPE_KEY, None, trace.set_span_in_context(INVALID_SPAN, context))


def extract_context(carrier: Any, *, key: str | None = None, context: Context | None = None) -> Context:
    """The context to continue the sender's trace in: its span as the parent, its baggage.

    Built on `context` (default: the current one) with the sender's span replacing the current span
    and agent scope. When the carrier has no usable trace context, the returned context has no
    parent span at all, so work started in it begins a new trace. Never raises.
    """
    base = get_current() if context is None else context
    try:
        fields = _context_fields(carrier, key)
        if not fields:
            _logger.debug("agent-otel: no trace context in the carrier; starting a new trace")
            return _without_local_parent(base)
        extracted = get_global_textmap().extract(fields, context=_without_local_parent(base))
        if not trace.get_current_span(extracted).get_span_context().is_valid and any(
            f in fields for f in ("traceparent", "tracestate")
        ):
            _log_malformed("the traceparent is not valid")
        return extracted
    except _Malformed as exc:
        _log_malformed(str(exc))
    except Exception as exc:
        _log_malformed(f"{type(exc).__name__}: {exc}")
    return _without_local_parent(base)


def extract_link(carrier: Any, *, reason: str | None = None, key: str | None = None) -> Link | None:
    """A span link to the sender's span (with `agent_otel.link.reason`), or None without one."""
    span_context = trace.get_current_span(extract_context(carrier, key=key)).get_span_context()
    if not span_context.is_valid:
        return None
    return Link(span_context, {AGENT_OTEL_LINK_REASON: reason} if reason else None)


@contextmanager
def continue_trace(carrier: Any, *, key: str | None = None) -> Iterator[Context]:
    """Run the block in the sender's trace: spans started inside are children of the sender's span.

    Yields the context (to pass as an explicit parent, e.g. into threads). A carrier without a
    usable context makes the block start a new trace. Works in sync and async code.
    """
    context = extract_context(carrier, key=key)
    token = attach(context)
    try:
        yield context
    finally:
        detach(token)


@contextmanager
def linked_span(
    carrier: Any,
    name: str,
    *,
    reason: str = "fire_and_forget",
    key: str | None = None,
    kind: SpanKind = SpanKind.CONSUMER,
    attributes: Attributes = None,
    tracer_provider: TracerProvider | None = None,
) -> Iterator[Span]:
    """Start `name` as the root of a new trace, linked to the sender's span, current for the block.

    For work the sender does not wait for (fire-and-forget tasks, batch jobs, retries much later):
    it gets its own trace instead of stretching the sender's, and the link (with
    `agent_otel.link.reason` = `reason`, also set on the span) leads back to it. The sender's baggage
    is kept. Without a usable context the span is a plain new root without a link. An exception
    raised in the block is recorded on the span (status ERROR) and propagates unchanged.
    """
    context = extract_context(carrier, key=key)
    remote = trace.get_current_span(context).get_span_context()
    links = [Link(remote, {AGENT_OTEL_LINK_REASON: reason})] if remote.is_valid else None
    span_attributes: dict[str, Any] = dict(attributes or {})
    if remote.is_valid:
        span_attributes[AGENT_OTEL_LINK_REASON] = reason
    tracer = trace.get_tracer("agent_otel.propagation", __version__, tracer_provider=tracer_provider)
    # Current for the block: the sender's context (its baggage) without a parent span, so the span
    # starts a new trace and everything inside sees the baggage.
    token = attach(_without_local_parent(context))
    try:
        with tracer.start_as_current_span(name, kind=kind, attributes=span_attributes, links=links) as span:
            yield span
    finally:
        detach(token)
