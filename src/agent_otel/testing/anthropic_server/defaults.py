"""The default responder: deterministic replies on the first-party, Bedrock and Vertex path shapes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from agent_otel.testing.anthropic_server.bodies import (
    DEFAULT_ANTHROPIC_MODEL,
    anthropic_count_tokens,
    anthropic_message,
    anthropic_message_events,
)
from agent_otel.testing.anthropic_server.replies import anthropic_error, bedrock_event_stream
from agent_otel.testing.openai_server.defaults import _echo, _last_user_text
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply

_BEDROCK = re.compile(r"^/model/(?P<model>[^/]+)/(?P<action>invoke|invoke-with-response-stream)$")
_VERTEX = re.compile(
    r"^(?:/v1)?/projects/[^/]+/locations/[^/]+/publishers/anthropic/models/(?P<model>[^/:]+):(?P<action>\w+)$"
)


def _forced_tool(body: dict[str, Any]) -> str | None:
    """The tool `tool_choice` forces: `{"type": "tool", "name": ...}`, or the first tool for "any"."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return None
    if choice.get("type") == "tool" and isinstance(choice.get("name"), str):
        return str(choice["name"])
    if choice.get("type") == "any":
        for tool in body.get("tools") or []:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                return str(tool["name"])
    return None


def _message_reply(body: dict[str, Any], model: str, stream: bool, bedrock: bool = False) -> Reply:
    tool = _forced_tool(body)
    thinking = body.get("thinking")
    thinks = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    kwargs: dict[str, Any] = {
        "model": model,
        "tool_uses": [{"id": "toolu_fake_1", "name": tool, "input": {}}] if tool else None,
        "thinking": "Let me think." if thinks else None,
    }
    text = None if tool else _echo(_last_user_text(body.get("messages")))
    if not stream:
        return Reply.json(anthropic_message(text, **kwargs))
    events = anthropic_message_events(text, **kwargs)
    return bedrock_event_stream(events) if bedrock else Reply.sse(events)


def anthropic_default_reply(request: RecordedRequest) -> Reply:
    """The deterministic reply for a request (see the package docstring)."""
    path = request.path.rstrip("/")
    body = request.json if isinstance(request.json, dict) else {}
    stream = body.get("stream") is True
    if request.method == "POST":
        if path == "/v1/messages":
            model = body.get("model") if isinstance(body.get("model"), str) else DEFAULT_ANTHROPIC_MODEL
            return _message_reply(body, model, stream)
        if path == "/v1/messages/count_tokens":
            return Reply.json(anthropic_count_tokens())
        bedrock = _BEDROCK.match(path)
        if bedrock:
            streamed = bedrock["action"] == "invoke-with-response-stream"
            return _message_reply(body, unquote(bedrock["model"]), streamed, bedrock=True)
        vertex = _VERTEX.match(path)
        if vertex and vertex["model"] == "count-tokens" and vertex["action"] == "rawPredict":
            return Reply.json(anthropic_count_tokens())
        if vertex and vertex["action"] in ("rawPredict", "streamRawPredict"):
            return _message_reply(body, unquote(vertex["model"]), stream)
    return anthropic_error(404, f"no route for {request.method} {request.path}")
