"""Sanity of the values every adapter hands the core: token counts and finish reasons.

The facade (`genai.py`) runs `check_usage()` and `normalize_finish_reasons()` on every operation as it
finishes, and `count()` on the arguments of the unsampled path, so OpenAI, LangChain, the manual API and
any future adapter get the same treatment in one place:

- a token count is recorded only when it is a non-negative integer that fits an int64 (the OTLP wire
  type); booleans, floats (NaN and infinities included), negatives, huge integers and anything else are
  dropped with one DEBUG line, instead of reaching a span (where the OTLP exporter would drop the whole
  attribute with an ERROR) or a histogram;
- finish reasons get one spelling on every path: the conventions' `stop`, `length`, `content_filter`,
  `tool_call` and `error` for the providers' synonyms (`tool_calls`, `tool_use`, `end_turn`,
  `max_tokens`, ...); any other value is kept as reported.
"""

from __future__ import annotations

import logging
from numbers import Integral
from typing import Any

_logger = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1

TOKEN_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_write_input_tokens",
    "thinking_tokens",
)

# Provider spellings (compared lower-case) -> the conventions' finish reasons.
FINISH_REASONS: dict[str, str] = {
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "eos": "stop",
    "length": "length",
    "max_tokens": "length",
    "max_output_tokens": "length",
    "model_length": "length",
    "model_context_window_exceeded": "length",
    "tool_call": "tool_call",
    "tool_calls": "tool_call",
    "tool_use": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
    "safety": "content_filter",
    "recitation": "content_filter",
    "blocklist": "content_filter",
    "prohibited_content": "content_filter",
    "spii": "content_filter",
    "refusal": "content_filter",
    "error": "error",
}


def count(value: Any) -> int | None:
    """`value` as a token count, or None when it is not one (see the module docstring)."""
    if type(value) is int:
        return value if 0 <= value <= INT64_MAX else None
    if isinstance(value, Integral) and not isinstance(value, bool):
        number = int(value)
        return number if 0 <= number <= INT64_MAX else None
    return None


def counts(*values: Any) -> tuple[int | None, ...]:
    """`count()` of each value, None kept as None; drops are logged once for the call."""
    out = tuple(None if v is None else count(v) for v in values)
    if any(v is not None and c is None for v, c in zip(values, out, strict=True)):
        _logger.debug("agent-otel: dropped token counts that are not counts: %r", values)
    return out


def check_usage(inv: Any) -> None:
    """Drop the token counts of an invocation that are not counts (one DEBUG line if any)."""
    dropped: list[tuple[str, Any]] | None = None
    for field in TOKEN_FIELDS:
        value = getattr(inv, field, None)
        if value is None or (type(value) is int and 0 <= value <= INT64_MAX):
            continue
        checked = count(value)
        if checked is None:
            setattr(inv, field, None)
            (dropped := dropped or []).append((field, value))
        elif checked is not value:
            setattr(inv, field, checked)
    if dropped:
        _logger.debug("agent-otel: dropped token counts that are not counts: %r", dropped)


def finish_reason(value: Any) -> Any:
    """The conventions' spelling of one finish reason (unknown values unchanged)."""
    if isinstance(value, str):
        return FINISH_REASONS.get(value.lower(), value)
    return value


def normalize_finish_reasons(inv: Any) -> None:
    """One spelling for `finish_reasons` and for the output messages' `finish_reason`."""
    reasons = getattr(inv, "finish_reasons", None)
    if reasons:
        mapped = [finish_reason(r) for r in reasons]
        if mapped != reasons:
            inv.finish_reasons = mapped
    for message in getattr(inv, "output_messages", None) or ():
        reason = getattr(message, "finish_reason", None)
        if isinstance(reason, str):
            mapped_reason = finish_reason(reason)
            if mapped_reason != reason:
                message.finish_reason = mapped_reason
