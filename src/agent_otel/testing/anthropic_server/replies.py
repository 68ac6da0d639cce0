"""Anthropic-shaped `Reply` builders: error replies, and Bedrock's AWS event-stream framing of the events.

`Reply` and `RecordedRequest` are the fake OpenAI server's (agent_otel.testing.openai_server.replies).
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Iterable
from typing import Any

from agent_otel.testing.anthropic_server.bodies import anthropic_error_body
from agent_otel.testing.openai_server.replies import Reply

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"


def anthropic_error(
    status: int,
    message: str,
    type: str | None = None,
    headers: dict[str, str] | None = None,
    retry_after_ms: float | None = None,
    should_retry: bool | None = None,
) -> Reply:
    """An error reply with Anthropic's body (`type` defaults by status: 400 invalid_request_error, 401
    authentication_error, 429 rate_limit_error, 500 api_error, 529 overloaded_error, ...).

    `retry_after_ms=1` makes the client's retry fast (the SDK reads `retry-after-ms` before its own backoff);
    `should_retry` sets `x-should-retry`, which the SDK obeys over the status code."""
    extra = dict(headers or {})
    if retry_after_ms is not None:
        extra["retry-after-ms"] = str(retry_after_ms)
    if should_retry is not None:
        extra["x-should-retry"] = "true" if should_retry else "false"
    return Reply.json(anthropic_error_body(status, message, type), status=status, headers=extra)


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack("!B", len(raw_name)) + raw_name + struct.pack("!BH", 7, len(raw_value)) + raw_value


def event_stream_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude (total and headers lengths, CRC32), string headers, payload,
    message CRC32."""
    head = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack("!II", total, len(head))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + head + payload
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


def bedrock_chunk(event: dict[str, Any]) -> bytes:
    """A Bedrock `chunk` event carrying one Messages stream event (base64 JSON in `bytes`)."""
    data = base64.b64encode(json.dumps(event).encode()).decode()
    headers = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    return event_stream_frame(headers, json.dumps({"bytes": data, "p": "abcdefgh"}).encode())


def bedrock_exception(type: str = "throttlingException", message: str = "Too many requests") -> bytes:
    """A Bedrock `exception` frame mid-stream (the SDK raises an `APIStatusError` with this type)."""
    headers = {":exception-type": type, ":content-type": "application/json", ":message-type": "exception"}
    return event_stream_frame(headers, json.dumps({"message": message}).encode())


def bedrock_event_stream(events: Iterable[Any], headers: dict[str, str] | None = None) -> Reply:
    """The reply of Bedrock's `invoke-with-response-stream`: each item a Messages event (a dict, or an
    `(event_type, dict)` pair as `anthropic_message_events` gives, `ping` events dropped as Bedrock does),
    or raw frame bytes (`bedrock_exception(...)`)."""
    frames = []
    for item in events:
        if isinstance(item, bytes):
            frames.append(item)
            continue
        data = item[1] if isinstance(item, tuple) else item
        if data.get("type") == "ping":
            continue
        frames.append(bedrock_chunk(data))
    return Reply(
        status=200,
        headers={"content-type": EVENT_STREAM_CONTENT_TYPE, **(headers or {})},
        body=b"".join(frames),
    )
