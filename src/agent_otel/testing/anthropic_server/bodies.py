"""Messages API bodies: a `message` object, its streamed event sequence, errors and token counts."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from agent_otel.testing.openai_server.common import DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, _pieces

DEFAULT_ANTHROPIC_MODEL = "claude-fake-1"

DEFAULT_SIGNATURE = "sig_fake"

# The `error.type` the API sends with each status code (https://docs.claude.com/en/api/errors).
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):024d}"


def _input_json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        parsed = json.loads(value) if value else {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(value) if isinstance(value, dict) else {}


def anthropic_usage(
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    *,
    cache_read_input_tokens: int = 0,
    cache_creation_input_tokens: int = 0,
    web_search_requests: int | None = None,
    thinking_tokens: int | None = None,
    service_tier: str | None = "standard",
) -> dict[str, Any]:
    """A `usage` object. `input_tokens` excludes the cache reads and writes, as the API reports it."""
    usage: dict[str, Any] = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache_creation_input_tokens,
        "cache_read_input_tokens": cache_read_input_tokens,
        "output_tokens": output_tokens,
    }
    if cache_creation_input_tokens:
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": cache_creation_input_tokens,
            "ephemeral_1h_input_tokens": 0,
        }
    if web_search_requests is not None:
        usage["server_tool_use"] = {"web_search_requests": web_search_requests, "web_fetch_requests": 0}
    if thinking_tokens is not None:
        usage["output_tokens_details"] = {"thinking_tokens": thinking_tokens}
    if service_tier is not None:
        usage["service_tier"] = service_tier
    return usage


def anthropic_message(
    text: str | None = "Hello!",
    *,
    model: str = DEFAULT_ANTHROPIC_MODEL,
    id: str | None = None,
    thinking: str | None = None,
    signature: str = DEFAULT_SIGNATURE,
    redacted_thinking: str | None = None,
    tool_uses: Sequence[dict[str, Any]] | None = None,
    web_search: dict[str, Any] | None = None,
    content: list[dict[str, Any]] | None = None,
    stop_reason: str | None = None,
    stop_sequence: str | None = None,
    usage: dict[str, Any] | None = None,
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    cache_read_input_tokens: int = 0,
    cache_creation_input_tokens: int = 0,
    thinking_tokens: int | None = None,
    service_tier: str | None = "standard",
) -> dict[str, Any]:
    """A `message` body. Blocks, in this order: thinking, redacted thinking, web search (a
    `server_tool_use` block and its `web_search_tool_result`), text, tool uses; `content` replaces them.

    `tool_uses` items are `{"id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}` (`input` a
    dict or a JSON string). `web_search` is `{"query": "...", "results": [{"title": ..., "url": ...}]}`
    (optional `id`). `stop_reason` defaults to "tool_use" with tool uses, else "end_turn".
    """
    blocks: list[dict[str, Any]] = []
    if content is not None:
        blocks = [dict(b) for b in content]
    else:
        if thinking is not None:
            blocks.append({"type": "thinking", "thinking": thinking, "signature": signature})
        if redacted_thinking is not None:
            blocks.append({"type": "redacted_thinking", "data": redacted_thinking})
        if web_search is not None:
            blocks.extend(_web_search_blocks(web_search))
        if text is not None:
            blocks.append({"type": "text", "text": text})
        for i, tool in enumerate(tool_uses or []):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": tool.get("id") or f"toolu_fake_{i + 1}",
                    "name": tool["name"],
                    "input": _input_json(tool.get("input")),
                }
            )
    has_tool = any(b.get("type") == "tool_use" for b in blocks)
    searches = sum(1 for b in blocks if b.get("type") == "server_tool_use")
    return {
        "id": id or _next_id("msg_fake"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": stop_reason or ("tool_use" if has_tool else "end_turn"),
        "stop_sequence": stop_sequence,
        "usage": usage
        if usage is not None
        else anthropic_usage(
            input_tokens,
            output_tokens,
            cache_read_input_tokens=cache_read_input_tokens,
            cache_creation_input_tokens=cache_creation_input_tokens,
            web_search_requests=searches or None,
            thinking_tokens=thinking_tokens,
            service_tier=service_tier,
        ),
    }


def _web_search_blocks(search: dict[str, Any]) -> list[dict[str, Any]]:
    tool_id = search.get("id") or _next_id("srvtoolu_fake")
    results = [
        {
            "type": "web_search_result",
            "title": r.get("title", ""),
            "url": r.get("url", ""),
            "encrypted_content": r.get("encrypted_content", "enc_fake"),
            "page_age": r.get("page_age"),
        }
        for r in search.get("results") or []
    ]
    return [
        {
            "type": "server_tool_use",
            "id": tool_id,
            "name": "web_search",
            "input": {"query": search.get("query", "")},
        },
        {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results},
    ]


def anthropic_message_events(
    text: str | None = "Hello!",
    *,
    message: dict[str, Any] | None = None,
    pieces: Sequence[str] | None = None,
    ping: bool = True,
    full_delta_usage: bool = False,
    **message_kwargs: Any,
) -> list[tuple[str, dict[str, Any]]]:
    """The SSE events (`(event_type, data)` pairs) that stream `message` (default: `anthropic_message(text,
    **message_kwargs)`), as the API sends them: `message_start` (empty content, `stop_reason` null, the
    input and cache token counts and `output_tokens: 1`), a `ping`, per block `content_block_start`,
    deltas (`text_delta` by words or `pieces`, `thinking_delta` + `signature_delta`, `input_json_delta`
    starting with "" then the JSON in two halves) and `content_block_stop`, then `message_delta`
    (`stop_reason`, `usage.output_tokens`; with `full_delta_usage`, the cumulative input, cache and server
    tool counts too, as newer API versions send them) and `message_stop`."""
    msg = message if message is not None else anthropic_message(text, **message_kwargs)
    usage = dict(msg.get("usage") or {})
    start_usage = {k: v for k, v in usage.items() if k not in ("output_tokens", "output_tokens_details")}
    start_usage["output_tokens"] = 1
    start = {**msg, "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start})
    ]
    if ping:
        events.append(("ping", {"type": "ping"}))
    for index, block in enumerate(msg.get("content") or []):
        events.extend(_block_events(index, block, pieces))
    delta_usage: dict[str, Any] = {"output_tokens": usage.get("output_tokens", 0)}
    if full_delta_usage:
        delta_usage = {k: v for k, v in usage.items() if k not in ("service_tier", "cache_creation")}
    delta = {"stop_reason": msg.get("stop_reason"), "stop_sequence": msg.get("stop_sequence")}
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": delta_usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _block_events(
    index: int, block: dict[str, Any], pieces: Sequence[str] | None
) -> list[tuple[str, dict[str, Any]]]:
    kind = block.get("type")
    deltas: list[dict[str, Any]] = []
    if kind == "text":
        head = {**block, "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in _pieces(block.get("text") or "", pieces)]
    elif kind == "thinking":
        head = {"type": "thinking", "thinking": ""}
        words = _pieces(block.get("thinking") or "", None)
        deltas = [{"type": "thinking_delta", "thinking": p} for p in words]
        deltas.append({"type": "signature_delta", "signature": block.get("signature", DEFAULT_SIGNATURE)})
    elif kind in ("tool_use", "server_tool_use"):
        head = {**block, "input": {}}
        args = json.dumps(block.get("input") or {})
        half = len(args) // 2
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in ("", args[:half], args[half:])]
    else:  # redacted_thinking, web_search_tool_result, ...: whole in the start event
        head = block
    out: list[tuple[str, dict[str, Any]]] = [
        ("content_block_start", {"type": "content_block_start", "index": index, "content_block": head})
    ]
    for delta in deltas:
        out.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
    out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return out


def anthropic_error_body(status: int, message: str, type: str | None = None) -> dict[str, Any]:
    """Anthropic's error envelope: `{"type": "error", "error": {"type": ..., "message": ...}}`."""
    kind = type or ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def anthropic_stream_error(
    type: str = "overloaded_error", message: str = "Overloaded"
) -> tuple[str, dict[str, Any]]:
    """An `error` SSE event, as the API sends mid-stream (the SDK raises an `APIStatusError`)."""
    return ("error", {"type": "error", "error": {"type": type, "message": message}})


def anthropic_count_tokens(input_tokens: int = DEFAULT_INPUT_TOKENS) -> dict[str, Any]:
    """A `messages.count_tokens` body."""
    return {"input_tokens": input_tokens}
