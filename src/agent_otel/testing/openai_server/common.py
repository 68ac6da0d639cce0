"""Defaults and small helpers shared by the body builders: ids, usage blocks, text pieces."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

DEFAULT_INPUT_TOKENS = 12

DEFAULT_OUTPUT_TOKENS = 5

DEFAULT_MODEL_SUFFIX = "-2025-01-01"

_CREATED = 1_700_000_000

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def _chat_usage(
    prompt_tokens: int,
    completion_tokens: int,
    cached_tokens: int | None,
    reasoning_tokens: int | None,
    cache_write_tokens: int | None = None,
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if cached_tokens is not None or cache_write_tokens is not None:
        details: dict[str, Any] = {"cached_tokens": cached_tokens or 0}
        if cache_write_tokens is not None:
            details["cache_write_tokens"] = cache_write_tokens
        usage["prompt_tokens_details"] = details
    if reasoning_tokens is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return usage


def _arguments(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value if value is not None else {})


def _pieces(text: str, pieces: Sequence[str] | None) -> list[str]:
    if pieces is not None:
        return list(pieces)
    if not text:
        return []
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]
