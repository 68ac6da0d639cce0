"""Chat Completions bodies (`chat.completion` and its chunks) and legacy `text_completion` bodies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent_otel.testing.openai_server.common import (
    _CREATED,
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    DEFAULT_OUTPUT_TOKENS,
    _arguments,
    _chat_usage,
    _next_id,
    _pieces,
)


def _chat_tool_calls(tool_calls: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, tc in enumerate(tool_calls):
        if "function" in tc:  # already in the wire format
            out.append(tc)
            continue
        out.append(
            {
                "id": tc.get("id") or f"call_{i + 1}",
                "type": "function",
                "function": {"name": tc["name"], "arguments": _arguments(tc.get("arguments"))},
            }
        )
    return out


def chat_completion(
    content: str | None = "Hello!",
    *,
    model: str = "gpt-4o-mini" + DEFAULT_MODEL_SUFFIX,
    id: str | None = None,
    tool_calls: Sequence[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    prompt_tokens: int = DEFAULT_INPUT_TOKENS,
    completion_tokens: int = DEFAULT_OUTPUT_TOKENS,
    cached_tokens: int | None = None,
    cache_write_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    service_tier: str | None = "default",
    system_fingerprint: str | None = "fp_fake",
    n: int = 1,
    refusal: str | None = None,
) -> dict[str, Any]:
    """A `chat.completion` body. `finish_reason` defaults to "tool_calls" with tool calls, else "stop"."""
    calls = _chat_tool_calls(tool_calls) if tool_calls else None
    reason = finish_reason or ("tool_calls" if calls else "stop")
    choices = []
    for i in range(max(n, 1)):
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
        if calls:
            message["tool_calls"] = calls
        choices.append({"index": i, "message": message, "finish_reason": reason, "logprobs": None})
    body: dict[str, Any] = {
        "id": id or _next_id("chatcmpl-fake"),
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "choices": choices,
        "usage": usage
        if usage is not None
        else _chat_usage(
            prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens
        ),
    }
    if service_tier is not None:
        body["service_tier"] = service_tier
    if system_fingerprint is not None:
        body["system_fingerprint"] = system_fingerprint
    return body


def chat_chunks(
    content: str | None = "Hello!",
    *,
    model: str = "gpt-4o-mini" + DEFAULT_MODEL_SUFFIX,
    id: str | None = None,
    pieces: Sequence[str] | None = None,
    tool_calls: Sequence[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    include_usage: bool = False,
    usage: dict[str, Any] | None = None,
    prompt_tokens: int = DEFAULT_INPUT_TOKENS,
    completion_tokens: int = DEFAULT_OUTPUT_TOKENS,
    cached_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    service_tier: str | None = "default",
    system_fingerprint: str | None = "fp_fake",
    n: int = 1,
) -> list[dict[str, Any]]:
    """`chat.completion.chunk` bodies: a role chunk, content pieces (words by default), tool-call
    fragments, a finish chunk per choice and, with `include_usage`, a usage chunk with `choices: []`."""
    cid = id or _next_id("chatcmpl-fake")
    calls = _chat_tool_calls(tool_calls) if tool_calls else None
    reason = finish_reason or ("tool_calls" if calls else "stop")

    def chunk(choices: list[dict[str, Any]], usage_value: Any = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": model,
            "choices": choices,
            "usage": usage_value,
        }
        if service_tier is not None:
            body["service_tier"] = service_tier
        if system_fingerprint is not None:
            body["system_fingerprint"] = system_fingerprint
        return body

    out: list[dict[str, Any]] = []
    for i in range(max(n, 1)):
        out.append(
            chunk([{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        )
        for piece in _pieces(content or "", pieces):
            out.append(chunk([{"index": i, "delta": {"content": piece}, "finish_reason": None}]))
        for j, call in enumerate(calls or []):
            args = call["function"]["arguments"]
            half = len(args) // 2
            first = {
                "index": j,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": args[:half]},
            }
            out.append(chunk([{"index": i, "delta": {"tool_calls": [first]}, "finish_reason": None}]))
            rest = {"index": j, "function": {"arguments": args[half:]}}
            out.append(chunk([{"index": i, "delta": {"tool_calls": [rest]}, "finish_reason": None}]))
        out.append(chunk([{"index": i, "delta": {}, "finish_reason": reason}]))
    if include_usage:
        out.append(
            chunk(
                [],
                usage
                if usage is not None
                else _chat_usage(prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens),
            )
        )
    return out


def completion_response(
    text: str = "Hello!",
    *,
    model: str = "gpt-3.5-turbo-instruct",
    id: str | None = None,
    finish_reason: str = "stop",
    prompt_tokens: int = DEFAULT_INPUT_TOKENS,
    completion_tokens: int = DEFAULT_OUTPUT_TOKENS,
    n: int = 1,
) -> dict[str, Any]:
    """A legacy `text_completion` body."""
    return {
        "id": id or _next_id("cmpl-fake"),
        "object": "text_completion",
        "created": _CREATED,
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {"index": i, "text": text, "finish_reason": finish_reason, "logprobs": None}
            for i in range(max(n, 1))
        ],
        "usage": _chat_usage(prompt_tokens, completion_tokens, None, None),
    }


def completion_chunks(
    text: str = "Hello!",
    *,
    model: str = "gpt-3.5-turbo-instruct",
    id: str | None = None,
    finish_reason: str = "stop",
    include_usage: bool = False,
    prompt_tokens: int = DEFAULT_INPUT_TOKENS,
    completion_tokens: int = DEFAULT_OUTPUT_TOKENS,
) -> list[dict[str, Any]]:
    """Legacy streamed completion chunks (`text_completion` objects), plus a usage chunk if asked."""
    cid = id or _next_id("cmpl-fake")

    def chunk(choices: list[dict[str, Any]], usage: Any = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "text_completion",
            "created": _CREATED,
            "model": model,
            "choices": choices,
            "usage": usage,
        }

    out = [
        chunk([{"index": 0, "text": p, "finish_reason": None, "logprobs": None}]) for p in _pieces(text, None)
    ]
    out.append(chunk([{"index": 0, "text": "", "finish_reason": finish_reason, "logprobs": None}]))
    if include_usage:
        out.append(chunk([], _chat_usage(prompt_tokens, completion_tokens, None, None)))
    return out
