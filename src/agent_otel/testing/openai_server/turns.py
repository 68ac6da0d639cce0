"""Scripted assistant turns for agent frameworks: one reply shape, rendered for whichever API asked.

An agent framework (the OpenAI Agents SDK, LangGraph, ...) decides by itself whether it calls Chat
Completions or Responses, streaming or not. A responder that scripts a conversation only wants to say
"answer this text" or "call these tools"; `turn_reply` renders that in the wire format of the request
(`chat.completion`, chat chunks with or without the usage chunk, a `response` object, or the Responses
event sequence). The readers (`request_instructions`, `tool_history`, `offered_tools`, `last_user_text`)
let a responder decide from the request alone, so it is stateless and safe under parallel calls::

    def responder(request: RecordedRequest) -> Reply | None:
        if "weather" not in (request_instructions(request) or ""):
            return None                                   # the defaults answer
        done = [t for t in tool_history(request) if t.name == "get_weather" and t.output is not None]
        if not done:
            return turn_reply(request, tool_calls=[{"id": "call_w", "name": "get_weather",
                                                    "arguments": {"city": "Paris"}}])
        return turn_reply(request, f"It is {done[0].output}")
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent_otel.testing.openai_server.chat import chat_chunks, chat_completion
from agent_otel.testing.openai_server.common import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    DEFAULT_OUTPUT_TOKENS,
)
from agent_otel.testing.openai_server.defaults import _last_user_text
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.responses import response_events, response_object

__all__ = [
    "ToolExchange",
    "last_user_text",
    "offered_tools",
    "request_instructions",
    "tool_history",
    "turn_reply",
]


@dataclass(frozen=True)
class ToolExchange:
    """A tool call found in a request's history, with its output when the history already has it."""

    call_id: str
    name: str
    arguments: str
    output: str | None


def _body(request: RecordedRequest) -> dict[str, Any]:
    return request.json if isinstance(request.json, dict) else {}


def _is_responses(request: RecordedRequest) -> bool:
    return request.path.rstrip("/").endswith("/responses")


def turn_reply(
    request: RecordedRequest,
    text: str | None = None,
    *,
    tool_calls: Sequence[dict[str, Any]] | None = None,
    model: str | None = None,
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
) -> Reply:
    """The reply for one assistant turn (text and/or tool calls), shaped for `request`.

    `tool_calls` items are `{"id": "call_1", "name": "get_weather", "arguments": {...} or "json"}`.
    Chat or Responses follows the request path; SSE when the request streams (chat: the usage chunk
    when `stream_options.include_usage` is true). `model` defaults to the request model plus
    `DEFAULT_MODEL_SUFFIX`.
    """
    body = _body(request)
    requested = body.get("model") if isinstance(body.get("model"), str) else "gpt-4o-mini"
    response_model = model or f"{requested}{DEFAULT_MODEL_SUFFIX}"
    calls = list(tool_calls) if tool_calls else None
    stream = body.get("stream") is True
    if _is_responses(request):
        kwargs: dict[str, Any] = {
            "model": response_model,
            "tool_calls": calls,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
        }
        if stream:
            return Reply.sse(response_events(text, **kwargs))
        return Reply.json(response_object(text, **kwargs))
    if stream:
        opts = body.get("stream_options")
        usage = isinstance(opts, dict) and opts.get("include_usage") is True
        return Reply.sse(
            chat_chunks(
                text,
                model=response_model,
                tool_calls=calls,
                include_usage=usage,
                prompt_tokens=input_tokens,
                completion_tokens=output_tokens,
            )
        )
    return Reply.json(
        chat_completion(
            text,
            model=response_model,
            tool_calls=calls,
            prompt_tokens=input_tokens,
            completion_tokens=output_tokens,
        )
    )


def request_instructions(request: RecordedRequest) -> str | None:
    """The system prompt: Responses `instructions`, or the leading system/developer chat message."""
    body = _body(request)
    if isinstance(body.get("instructions"), str):
        return str(body["instructions"])
    items = body.get("messages") if not _is_responses(request) else body.get("input")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        first = items[0]
        if first.get("role") in ("system", "developer"):
            return _text_of(first.get("content"))
    return None


def last_user_text(request: RecordedRequest) -> str | None:
    """The text of the last user message (chat `messages` or Responses `input`)."""
    body = _body(request)
    return _last_user_text(body.get("input") if _is_responses(request) else body.get("messages"))


def offered_tools(request: RecordedRequest) -> list[str]:
    """The names of the function tools the request offers, in order."""
    names: list[str] = []
    for tool in _body(request).get("tools") or []:
        if not isinstance(tool, dict):
            continue
        fn = tool.get("function")
        name = fn.get("name") if isinstance(fn, dict) else tool.get("name")
        if isinstance(name, str):
            names.append(name)
    return names


def tool_history(request: RecordedRequest) -> list[ToolExchange]:
    """Every tool call in the request's conversation, in order, with its output once answered."""
    body = _body(request)
    calls: dict[str, tuple[str, str]] = {}
    outputs: dict[str, str] = {}
    if _is_responses(request):
        for item in body.get("input") or []:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "function_call":
                calls[str(item.get("call_id"))] = (str(item.get("name")), str(item.get("arguments") or ""))
            elif item.get("type") == "function_call_output":
                outputs[str(item.get("call_id"))] = _text_of(item.get("output")) or ""
    else:
        for message in body.get("messages") or []:
            if not isinstance(message, dict):
                continue
            for call in message.get("tool_calls") or []:
                fn = call.get("function") or {}
                calls[str(call.get("id"))] = (str(fn.get("name")), str(fn.get("arguments") or ""))
            if message.get("role") == "tool":
                outputs[str(message.get("tool_call_id"))] = _text_of(message.get("content")) or ""
    return [ToolExchange(cid, name, args, outputs.get(cid)) for cid, (name, args) in calls.items()]


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
        return "".join(texts) if texts else json.dumps(content)
    return None
