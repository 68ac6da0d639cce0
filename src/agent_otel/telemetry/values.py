"""Sanity of the values every adapter hands the core: token counts and finish reasons.

The core (`model_call.py`) runs `check_usage()`, `finish_reasons()` and `normalize_output_messages()` on
every model call as it ends, sampled or not, so OpenAI, LangChain, the manual API and
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

from agent_otel.telemetry.facts import Usage

_logger = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1

TOKEN_FIELDS = ("input", "output", "cache_read", "cache_write", "reasoning")

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


def _plain(value: Any) -> bool:
    return value is None or (type(value) is int and 0 <= value <= INT64_MAX)


def check_usage(usage: Usage) -> None:
    """Drop the token counts that are not counts (one DEBUG line if any)."""
    if (
        _plain(usage.input)
        and _plain(usage.output)
        and _plain(usage.cache_read)
        and _plain(usage.cache_write)
        and _plain(usage.reasoning)
    ):
        return  # the usual case: every count is None or a plain int in range
    dropped: list[tuple[str, Any]] | None = None
    for field in TOKEN_FIELDS:
        value = getattr(usage, field)
        if value is None or (type(value) is int and 0 <= value <= INT64_MAX):
            continue
        checked = count(value)
        if checked is None:
            setattr(usage, field, None)
            (dropped := dropped or []).append((field, value))
        else:
            setattr(usage, field, checked)
    if dropped:
        _logger.debug("agent-otel: dropped token counts that are not counts: %r", dropped)


def finish_reason(value: Any) -> Any:
    """The conventions' spelling of one finish reason (unknown values unchanged)."""
    if isinstance(value, str):
        return FINISH_REASONS.get(value.lower(), value)
    return value


def finish_reasons(reasons: list[Any] | None) -> list[str] | None:
    """One spelling for a list of finish reasons (non-strings dropped; None when none is left)."""
    if not reasons:
        return None
    out = [finish_reason(r) for r in reasons if isinstance(r, str)]
    return out or None


def normalize_output_messages(messages: list[Any] | None) -> None:
    """One spelling for the output messages' `finish_reason`."""
    for message in messages or ():
        reason = getattr(message, "finish_reason", None)
        if isinstance(reason, str):
            mapped = finish_reason(reason)
            if mapped != reason:
                message.finish_reason = mapped
