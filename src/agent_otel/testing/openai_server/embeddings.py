"""Embeddings bodies: deterministic vectors, as floats or base64 like the SDK's default wire format."""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from typing import Any


def _vector(seed: int, dimensions: int) -> list[float]:
    return [round(((seed * 31 + i * 7) % 97) / 97.0, 6) for i in range(dimensions)]


def embedding_response(
    inputs: int | Sequence[Any] = 1,
    *,
    model: str = "text-embedding-3-small",
    dimensions: int = 8,
    encoding_format: str = "float",
    prompt_tokens: int | None = None,
) -> dict[str, Any]:
    """A `list` of embeddings, one per input (`inputs` is a count or the inputs themselves)."""
    count = inputs if isinstance(inputs, int) else len(inputs)
    data = []
    for i in range(count):
        vec = _vector(i, dimensions)
        emb: Any = vec
        if encoding_format == "base64":
            emb = base64.b64encode(struct.pack(f"<{dimensions}f", *vec)).decode()
        data.append({"object": "embedding", "index": i, "embedding": emb})
    tokens = prompt_tokens if prompt_tokens is not None else 4 * max(count, 1)
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
