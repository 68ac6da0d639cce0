"""Inline blobs never leave as bytes: content becomes JSON-shaped values with every blob replaced by a stub.

`shape(value)` turns content (util-genai dataclasses, mappings, lists) into plain JSON values, as
`dataclasses.asdict` would, except that:

- a `blob` part (`BlobPart`: bytes, or base64 text) becomes
  `{"type": "blob_stub", "modality": ..., "mime_type": ..., "size": <bytes>, "sha256": <hex>}`;
- any other bytes, a `data:<mime>;base64,...` URL, or a long run of base64 text (1 KiB or more, no
  spaces: an image or a file pasted into a generic part) becomes the string
  `[blob <mime> <size> bytes sha256:<hex>]`.

The completion hook is given the (redacted) content with its bytes: stubs are for attributes and events.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import re
from collections.abc import Mapping
from typing import Any

BLOB_STUB = "blob_stub"
_LONG_BASE64 = 1024
_BASE64 = re.compile(r"[A-Za-z0-9+/_\-\r\n]+={0,2}")
_DATA_URL = re.compile(r"data:([\w.+\-]+/[\w.+\-]+)?((?:;[\w.+\-]+=[^;,]*)*);base64,", re.I)
_MAX_DEPTH = 32


def _bytes_of(data: bytes | str) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return base64.b64decode(data.strip(), validate=False)
    except (binascii.Error, ValueError):
        return data.encode("utf-8", "replace")


def _describe(data: bytes | str) -> tuple[int, str]:
    raw = _bytes_of(data)
    return len(raw), hashlib.sha256(raw).hexdigest()


def stub_part(part: Mapping[str, Any]) -> dict[str, Any]:
    """The stub of a `blob` part (its bytes or base64 text replaced by their size and hash)."""
    size, digest = _describe(part.get("content") or b"")
    return {
        "type": BLOB_STUB,
        "modality": part.get("modality"),
        "mime_type": part.get("mime_type"),
        "size": size,
        "sha256": digest,
    }


def _stub_text(mime: str | None, data: bytes | str) -> str:
    size, digest = _describe(data)
    return f"[blob {mime or 'application/octet-stream'} {size} bytes sha256:{digest}]"


def stub_string(text: str) -> str:
    """`text`, or its stub when it is a base64 data URL or a long base64 run."""
    if text.startswith(("data:", "DATA:")):
        match = _DATA_URL.match(text)
        if match is not None:
            return _stub_text(match.group(1), text[match.end() :])
        return text
    if len(text) >= _LONG_BASE64 and _BASE64.fullmatch(text):
        return _stub_text(None, text)
    return text


def shape(value: Any, _depth: int = 0) -> Any:
    """JSON-shaped `value` with blobs stubbed (see the module docstring); the input is never changed."""
    if isinstance(value, str):
        return stub_string(value) if len(value) > 5 else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return _stub_text(None, bytes(value))
    if _depth > _MAX_DEPTH:
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        if value.get("type") == "blob" and isinstance(value.get("content"), (bytes, bytearray, str)):
            return stub_part(value)
        return {str(k) if not isinstance(k, str) else k: shape(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shape(v, _depth + 1) for v in value]
    return value  # left to the JSON encoder (its fallback, or str() by the caller)
