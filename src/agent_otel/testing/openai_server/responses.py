"""Responses API bodies: the `response` object and the SSE event sequence of a streamed response."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from agent_otel.testing.openai_server.common import (
    _CREATED,
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    DEFAULT_OUTPUT_TOKENS,
    _arguments,
    _next_id,
    _pieces,
)


def _response_usage(
    input_tokens: int, output_tokens: int, cached_tokens: int | None, reasoning_tokens: int | None
) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached_tokens or 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens or 0},
        "total_tokens": input_tokens + output_tokens,
    }


def response_object(
    text: str | None = "Hello!",
    *,
    model: str = "gpt-4o-mini" + DEFAULT_MODEL_SUFFIX,
    id: str | None = None,
    status: str = "completed",
    tool_calls: Sequence[dict[str, Any]] | None = None,
    usage: dict[str, Any] | None = None,
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    cached_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    service_tier: str | None = "default",
    incomplete_reason: str | None = None,
    instructions: str | None = None,
    reasoning_summary: str | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Responses API `response` object (status completed, incomplete or failed)."""
    rid = id or _next_id("resp_fake")
    output: list[dict[str, Any]] = []
    if reasoning_summary is not None:
        output.append(
            {
                "id": f"rs_{rid}",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": reasoning_summary}],
            }
        )
    if text is not None:
        output.append(
            {
                "id": f"msg_{rid}",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        )
    for i, tc in enumerate(tool_calls or []):
        output.append(
            {
                "id": f"fc_{rid}_{i}",
                "type": "function_call",
                "call_id": tc.get("id") or f"call_{i + 1}",
                "name": tc["name"],
                "arguments": _arguments(tc.get("arguments")),
                "status": "completed",
            }
        )
    body: dict[str, Any] = {
        "id": rid,
        "object": "response",
        "created_at": _CREATED,
        "status": status,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "temperature": 1.0,
        "top_p": 1.0,
        "instructions": instructions,
        "metadata": {},
        "error": error,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "usage": usage
        if usage is not None
        else _response_usage(input_tokens, output_tokens, cached_tokens, reasoning_tokens),
    }
    if service_tier is not None:
        body["service_tier"] = service_tier
    return body


def response_events(
    text: str | None = "Hello!",
    *,
    pieces: Sequence[str] | None = None,
    **response_kwargs: Any,
) -> list[tuple[str, dict[str, Any]]]:
    """The SSE event sequence of a streamed response: `(event_type, data)` pairs for `Reply.sse`.

    Accepts `response_object`'s keyword arguments; the terminal event follows the status
    (`response.completed`, `response.incomplete` or `response.failed`).
    """
    final = response_object(text, **response_kwargs)
    seq = itertools.count(0)
    start = {**final, "status": "in_progress", "output": [], "usage": None}
    events: list[tuple[str, dict[str, Any]]] = []

    def add(kind: str, **data: Any) -> None:
        events.append((kind, {"type": kind, "sequence_number": next(seq), **data}))

    add("response.created", response=start)
    add("response.in_progress", response=start)
    for index, item in enumerate(final["output"]):
        if item["type"] == "message":
            msg_id = item["id"]
            add(
                "response.output_item.added",
                output_index=index,
                item={**item, "content": [], "status": "in_progress"},
            )
            part = {"type": "output_text", "text": "", "annotations": []}
            add("response.content_part.added", item_id=msg_id, output_index=index, content_index=0, part=part)
            full = item["content"][0]["text"]
            for piece in _pieces(full, pieces):
                add(
                    "response.output_text.delta",
                    item_id=msg_id,
                    output_index=index,
                    content_index=0,
                    delta=piece,
                    logprobs=[],
                )
            add(
                "response.output_text.done",
                item_id=msg_id,
                output_index=index,
                content_index=0,
                text=full,
                logprobs=[],
            )
            add(
                "response.content_part.done",
                item_id=msg_id,
                output_index=index,
                content_index=0,
                part={**part, "text": full},
            )
            add("response.output_item.done", output_index=index, item=item)
        elif item["type"] == "function_call":
            add(
                "response.output_item.added",
                output_index=index,
                item={**item, "arguments": "", "status": "in_progress"},
            )
            add(
                "response.function_call_arguments.delta",
                item_id=item["id"],
                output_index=index,
                delta=item["arguments"],
            )
            add(
                "response.function_call_arguments.done",
                item_id=item["id"],
                output_index=index,
                arguments=item["arguments"],
                name=item["name"],
            )
            add("response.output_item.done", output_index=index, item=item)
        else:
            add("response.output_item.added", output_index=index, item=item)
            add("response.output_item.done", output_index=index, item=item)
    terminal = {
        "completed": "response.completed",
        "incomplete": "response.incomplete",
        "failed": "response.failed",
    }
    add(terminal.get(final["status"], "response.completed"), response=final)
    return events


def _events_for(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The event sequence that ends in exactly `obj` (same id, output and usage)."""
    text = None
    calls = []
    for item in obj.get("output") or []:
        if item.get("type") == "message":
            text = item["content"][0]["text"]
        elif item.get("type") == "function_call":
            calls.append({"id": item["call_id"], "name": item["name"], "arguments": item["arguments"]})
    usage = obj.get("usage") or {}
    return response_events(
        text,
        model=obj["model"],
        id=obj["id"],
        status=obj.get("status", "completed"),
        tool_calls=calls or None,
        usage=usage or None,
        service_tier=obj.get("service_tier"),
        instructions=obj.get("instructions"),
    )
