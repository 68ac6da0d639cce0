"""The default responder: deterministic echo replies per endpoint, and the store of Responses by id."""

from __future__ import annotations

import collections
import threading
from typing import Any

from agent_otel.testing.openai_server.chat import (
    chat_chunks,
    chat_completion,
    completion_chunks,
    completion_response,
)
from agent_otel.testing.openai_server.common import DEFAULT_MODEL_SUFFIX
from agent_otel.testing.openai_server.embeddings import embedding_response
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.responses import _events_for, response_object


def _last_user_text(messages: Any) -> str | None:
    if not isinstance(messages, list):
        return messages if isinstance(messages, str) else None
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role", "user") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [p.get("text") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
            if texts:
                return " ".join(texts)
    return None


def _echo(text: str | None) -> str:
    return f"Echo: {text}" if text else "Hello!"


def _forced_tool(body: dict[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return str(fn["name"])
        if isinstance(choice.get("name"), str):  # responses API shape
            return str(choice["name"])
    if choice == "required":
        for tool in body.get("tools") or []:
            if isinstance(tool, dict):
                fn = tool.get("function")
                name = fn.get("name") if isinstance(fn, dict) else tool.get("name")
                if isinstance(name, str):
                    return name
    return None


class _Store:
    """Responses remembered by id (GET /responses/{id})."""

    def __init__(self) -> None:
        self.responses: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()
        self.lock = threading.Lock()

    def put(self, body: dict[str, Any]) -> None:
        with self.lock:
            self.responses[body["id"]] = body
            while len(self.responses) > 1000:
                self.responses.popitem(last=False)

    def get(self, rid: str) -> dict[str, Any] | None:
        with self.lock:
            return self.responses.get(rid)


_GLOBAL_STORE = _Store()


def default_reply(request: RecordedRequest, store: _Store | None = None) -> Reply:
    """The deterministic reply for a request (see the package docstring)."""
    store = store or _GLOBAL_STORE
    path = request.path.rstrip("/")
    body = request.json if isinstance(request.json, dict) else {}
    model = body.get("model") if isinstance(body.get("model"), str) else "gpt-4o-mini"
    response_model = f"{model}{DEFAULT_MODEL_SUFFIX}"
    stream = body.get("stream") is True
    if request.method == "POST" and path.endswith("/chat/completions"):
        tool = _forced_tool(body)
        calls = [{"id": "call_1", "name": tool, "arguments": {}}] if tool else None
        content = None if calls else _echo(_last_user_text(body.get("messages")))
        n = body.get("n") if isinstance(body.get("n"), int) else 1
        if stream:
            opts = body.get("stream_options")
            usage = isinstance(opts, dict) and opts.get("include_usage") is True
            return Reply.sse(
                chat_chunks(content, model=response_model, tool_calls=calls, include_usage=usage, n=n)
            )
        return Reply.json(chat_completion(content, model=response_model, tool_calls=calls, n=n))
    if request.method == "POST" and path.endswith("/responses"):
        tool = _forced_tool(body)
        calls = [{"id": "call_1", "name": tool, "arguments": {}}] if tool else None
        text = None if calls else _echo(_last_user_text(body.get("input")))
        instructions = body.get("instructions") if isinstance(body.get("instructions"), str) else None
        obj = response_object(text, model=response_model, tool_calls=calls, instructions=instructions)
        store.put(obj)
        if stream:
            return Reply.sse(_events_for(obj))
        return Reply.json(obj)
    if request.method == "GET" and "/responses/" in path:
        rid = path.rsplit("/", 1)[-1]
        obj = store.get(rid) or response_object(_echo(None), id=rid)
        if request.query.get("stream") == "true":
            return Reply.sse(_events_for(obj))
        return Reply.json(obj)
    if request.method == "POST" and path.endswith("/embeddings"):
        raw_input = body.get("input")
        inputs = raw_input if isinstance(raw_input, list) else [raw_input]
        dims = body.get("dimensions") if isinstance(body.get("dimensions"), int) else 8
        fmt = "base64" if body.get("encoding_format") == "base64" else "float"
        return Reply.json(embedding_response(inputs, model=model, dimensions=dims, encoding_format=fmt))
    if request.method == "POST" and path.endswith("/completions"):
        prompt = body.get("prompt")
        text = _echo(prompt if isinstance(prompt, str) else None)
        if stream:
            opts = body.get("stream_options")
            usage = isinstance(opts, dict) and opts.get("include_usage") is True
            return Reply.sse(completion_chunks(text, model=model, include_usage=usage))
        return Reply.json(completion_response(text, model=model))
    return Reply.error(404, f"no route for {request.method} {request.path}", code="not_found")
