"""A fake OpenAI-compatible HTTP server for tests, benchmarks and the demo: no network, deterministic.

Stable API (other code depends on it; only add to it)::

    from agent_otel.testing import FakeOpenAIServer, Reply, chat_completion

    with FakeOpenAIServer() as srv:                      # 127.0.0.1, a free port, a daemon thread
        client = OpenAI(base_url=srv.base_url, api_key="x")   # srv.base_url == "http://127.0.0.1:PORT/v1"
        srv.enqueue(Reply.error(429, "slow down", retry_after_ms=1), Reply.json(chat_completion("hi")))
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        srv.requests[-1].json["model"]                   # every request is recorded

Endpoints (all under /v1):

- POST /chat/completions: a `chat.completion`, or SSE chunks when `stream` is true (a final usage chunk
  with `choices: []` when `stream_options.include_usage` is true, then `data: [DONE]`). When
  `tool_choice` forces a function (`{"type": "function", "function": {"name": ...}}` or "required" with
  tools), the reply is a tool call to it with arguments `{}`.
- POST /responses: a `response` object, or the real SSE event sequence when `stream` is true
  (`response.created` ... `response.completed`, no `[DONE]`). Responses are remembered by id.
- GET /responses/{id}: the remembered response (or a default completed one with that id); SSE when
  `?stream=true`.
- POST /embeddings: one vector per input (`dimensions` honoured, default 8); base64 when
  `encoding_format` is "base64" (the SDK's default on the wire), floats otherwise.
- POST /completions: a legacy `text_completion` (SSE when `stream`).
- Anything else: 404 with an OpenAI-style error body.

Default replies are deterministic: the text is `"Echo: <last user text>"` (or `"Hello!"` when there is
none), the response model is the request model plus `DEFAULT_MODEL_SUFFIX`, usage is
`DEFAULT_INPUT_TOKENS` in / `DEFAULT_OUTPUT_TOKENS` out, `service_tier` is "default",
`system_fingerprint` is "fp_fake", and every reply has an `x-request-id` header.

Scripting, in this order of precedence for each request:

1. `srv.enqueue(*replies)`: replies consumed first-in first-out, one per request, whatever the path.
2. `srv.responder`: a callable `(RecordedRequest) -> Reply | None` (also a constructor argument); None
   falls through to the default. This is how the demo scripts a whole multi-agent conversation.
3. The default responder above (`default_reply(request)`, usable from a responder too).

Reply builders (`Reply` is a plain dataclass):

- `Reply.json(body, status=200, headers=None)`.
- `Reply.error(status, message, type="invalid_request_error", code=None, headers=None,
  retry_after_ms=None, param=None)`: an OpenAI error body. Pass `retry_after_ms=1` to make the client's
  retry fast (openai ignores a `retry-after-ms` of 0 and falls back to its own 0.5 s+ backoff).
- `Reply.sse(events, fail_after=None, failure="error", done=None, delay=0.0, headers=None)`: events are
  dicts (`data: {...}`) or `(event_type, dict)` pairs (`event: type` + `data: {...}`). `done` appends
  `data: [DONE]` (default: yes for dicts, no for pairs). `fail_after=N` stops after N events, then sends
  `data: {"error": {...}}` (`failure="error"`; the SDK raises `APIError`) or drops the connection
  mid-body (`failure="disconnect"`; see the note on openai versions below). `delay` sleeps before each
  event.
- `Reply.hang(seconds, then=None)`: say nothing for `seconds` (client timeouts), then send `then` or
  close the connection.
- `Reply.disconnect()`: close the connection without answering.

Body builders (plain dicts, shaped like the real API): `chat_completion(...)`, `chat_chunks(...)`,
`response_object(...)`, `response_events(...)`, `embedding_response(...)`, `completion_response(...)`,
`completion_chunks(...)`. `tool_calls` arguments of the chat and responses builders are simple dicts
`{"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}` (arguments a dict or a
JSON string).

Without sockets: `mock_transport_handler(responder=None, replies=(), record=True)` returns a handler for
`httpx2.MockTransport` (or `httpx.MockTransport`; the response type follows the request's library)
with the same routing, queue and defaults; its `.requests` attribute records requests (unless
`record=False`) and `.enqueue(*replies)` queues replies. `Reply.disconnect()` raises the library's
`RemoteProtocolError`, `Reply.hang()` its `ReadTimeout`, and an SSE `failure="disconnect"` its
`ReadError` part-way through the body.

openai >= 2 wraps transport errors met while reading a stream in `APIConnectionError`; openai 1.x lets
the transport's own exception through.

Handlers swallow BrokenPipeError / ConnectionResetError (a client that closes a stream early).
"""

from __future__ import annotations

import base64
import collections
import importlib
import itertools
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_MODEL_SUFFIX",
    "DEFAULT_OUTPUT_TOKENS",
    "FakeOpenAIServer",
    "RecordedRequest",
    "Reply",
    "chat_chunks",
    "chat_completion",
    "completion_chunks",
    "completion_response",
    "default_reply",
    "embedding_response",
    "mock_transport_handler",
    "response_events",
    "response_object",
]

DEFAULT_INPUT_TOKENS = 12
DEFAULT_OUTPUT_TOKENS = 5
DEFAULT_MODEL_SUFFIX = "-2025-01-01"
_CREATED = 1_700_000_000
_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


# --------------------------------------------------------------------------- requests and replies


@dataclass
class RecordedRequest:
    """One request the server received. `headers` keys are lower-case; `json` is None for no/bad JSON."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    body: bytes = b""


@dataclass
class Reply:
    """What the server does for one request. Build with the class methods."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[bytes] | None = None  # encoded SSE frames
    done: bool = False
    fail_after: int | None = None
    failure: str = "error"
    delay: float = 0.0
    hang_seconds: float | None = None
    then: Reply | None = None
    drop: bool = False

    @classmethod
    def json(cls, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status=status,
            headers={"content-type": "application/json", **(headers or {})},
            body=json.dumps(body).encode(),
        )

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        type: str = "invalid_request_error",
        code: str | None = None,
        headers: dict[str, str] | None = None,
        retry_after_ms: float | None = None,
        param: str | None = None,
    ) -> Reply:
        extra = dict(headers or {})
        if retry_after_ms is not None:
            extra["retry-after-ms"] = str(retry_after_ms)
        body = {"error": {"message": message, "type": type, "param": param, "code": code}}
        return cls.json(body, status=status, headers=extra)

    @classmethod
    def sse(
        cls,
        events: Iterable[Any],
        fail_after: int | None = None,
        failure: str = "error",
        done: bool | None = None,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        if failure not in ("error", "disconnect"):
            raise ValueError("failure must be 'error' or 'disconnect'")
        items = list(events)
        named = bool(items) and all(isinstance(e, tuple) for e in items)
        frames = [_sse_frame(e) for e in items]
        return cls(
            status=200,
            headers={"content-type": "text/event-stream", **(headers or {})},
            events=frames,
            done=(not named) if done is None else done,
            fail_after=fail_after,
            failure=failure,
            delay=delay,
        )

    @classmethod
    def hang(cls, seconds: float, then: Reply | None = None) -> Reply:
        return cls(hang_seconds=seconds, then=then)

    @classmethod
    def disconnect(cls) -> Reply:
        return cls(drop=True)

    # ---- rendering

    def sse_payload(self) -> tuple[bytes, bytes]:
        """(bytes sent, bytes announced): they differ when the reply drops the connection mid-body."""
        frames = list(self.events or [])
        done = b"data: [DONE]\n\n" if self.done else b""
        if self.fail_after is None:
            full = b"".join(frames) + done
            return full, full
        sent = b"".join(frames[: self.fail_after])
        if self.failure == "error":
            err = {"error": {"message": "stream failed", "type": "server_error", "param": None, "code": None}}
            sent += _sse_frame(err)
            return sent, sent
        announced = b"".join(frames) + done
        return sent, announced


def _sse_frame(event: Any) -> bytes:
    if isinstance(event, tuple):
        name, data = event
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
    return f"data: {json.dumps(event)}\n\n".encode()


# --------------------------------------------------------------------------- body builders


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


def _pieces(text: str, pieces: Sequence[str] | None) -> list[str]:
    if pieces is not None:
        return list(pieces)
    if not text:
        return []
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


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


# --------------------------------------------------------------------------- the default responder


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
    """The deterministic reply for a request (see the module docstring)."""
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


# ---------------------------------------------------------------------- routing shared by both front ends


class _Router:
    def __init__(self, responder: Callable[[RecordedRequest], Reply | None] | None) -> None:
        self.responder = responder
        self.requests: list[RecordedRequest] = []
        self._queue: collections.deque[Reply] = collections.deque()
        self._lock = threading.Lock()
        self.store = _Store()

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def route(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            queued = self._queue.popleft() if self._queue else None
        if queued is not None:
            return queued
        if self.responder is not None:
            reply = self.responder(request)
            if reply is not None:
                return reply
        return default_reply(request, self.store)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _request_id(counter: Iterator[int]) -> str:
    return f"req_fake_{next(counter)}"


# --------------------------------------------------------------------------- the HTTP front end


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        try:
            self._serve(method)
        except OSError:  # BrokenPipe, ConnectionReset, timeouts: the client went away
            self.close_connection = True

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        request = RecordedRequest(
            method=method,
            path=parts.path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            json=_parse_json(raw),
            body=raw,
        )
        reply = self.server.router.route(request)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        if reply.hang_seconds is not None:
            time.sleep(reply.hang_seconds)
            if reply.then is None:
                self._drop()
                return
            reply = reply.then
        if reply.drop:
            self._drop()
            return
        self.close_connection = True
        self.send_response(reply.status)
        headers = {"x-request-id": _request_id(self.server.request_ids), **reply.headers}
        if reply.events is None:
            headers["content-length"] = str(len(reply.body))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(reply.body)
            return
        sent, announced = reply.sse_payload()
        headers["content-length"] = str(len(announced))
        headers.setdefault("cache-control", "no-cache")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if reply.delay > 0:
            for frame in _split_frames(sent):
                time.sleep(reply.delay)
                self.wfile.write(frame)
                self.wfile.flush()
        else:
            self.wfile.write(sent)
            self.wfile.flush()
        if len(sent) != len(announced):
            self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _split_frames(payload: bytes) -> list[bytes]:
    frames = payload.split(b"\n\n")
    return [f + b"\n\n" for f in frames if f]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, router: _Router) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.router = router
        self.request_ids = itertools.count(1)

    def handle_error(self, request: Any, client_address: Any) -> None:  # keep test output clean
        pass


class FakeOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 (see the module docstring). Use as a context manager,
    or call `start()` / `stop()`."""

    def __init__(self, responder: Callable[[RecordedRequest], Reply | None] | None = None) -> None:
        self._router = _Router(responder)
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> FakeOpenAIServer:
        if self._server is None:
            self._server = _HTTPServer(self._router)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAIServer is not running")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def url(self) -> str:
        """The server root, e.g. http://127.0.0.1:PORT (no /v1)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as `OpenAI(base_url=...)`: http://127.0.0.1:PORT/v1."""
        return f"{self.url}/v1"

    # ---- scripting

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._router.requests

    @property
    def responder(self) -> Callable[[RecordedRequest], Reply | None] | None:
        return self._router.responder

    @responder.setter
    def responder(self, fn: Callable[[RecordedRequest], Reply | None] | None) -> None:
        self._router.responder = fn

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies, used one per request (any path) before the responder and the defaults."""
        self._router.enqueue(*replies)

    def reset(self) -> None:
        """Forget recorded requests and queued replies."""
        self._router.reset()


# --------------------------------------------------------------------------- the in-process front end


def mock_transport_handler(
    responder: Callable[[RecordedRequest], Reply | None] | None = None,
    replies: Iterable[Reply] = (),
    record: bool = True,
) -> Callable[[Any], Any]:
    """A handler for `httpx2.MockTransport(handler)` / `httpx.MockTransport(handler)`.

    The handler has `.requests` (recorded unless `record=False`, which benchmarks use to keep memory
    flat) and `.enqueue(*replies)`.
    """
    router = _Router(responder)
    router.enqueue(*replies)
    counter = itertools.count(1)
    modules: dict[str, Any] = {}

    def handler(request: Any) -> Any:
        root = type(request).__module__.split(".", 1)[0]
        lib = modules.get(root)
        if lib is None:
            lib = modules[root] = importlib.import_module(root)
        raw = request.content
        url = request.url
        query = {k: v for k, v in url.params.items()} if hasattr(url, "params") else {}
        recorded = RecordedRequest(
            method=request.method,
            path=url.path,
            query=query,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=_parse_json(raw),
            body=raw,
        )
        reply = router.route(recorded)
        if not record:
            router.requests.clear()
        if reply.hang_seconds is not None:
            time.sleep(reply.hang_seconds)
            if reply.then is None:
                raise lib.ReadTimeout("fake server hang", request=request)
            reply = reply.then
        if reply.drop:
            raise lib.RemoteProtocolError("fake server disconnected", request=request)
        headers = {"x-request-id": _request_id(counter), **reply.headers}
        if reply.events is None:
            return lib.Response(reply.status, headers=headers, content=reply.body)
        sent, announced = reply.sse_payload()
        if len(sent) == len(announced):
            return lib.Response(reply.status, headers=headers, content=sent)

        return lib.Response(reply.status, headers=headers, stream=_broken_stream(lib, sent, request))

    handler.requests = router.requests  # type: ignore[attr-defined]
    handler.enqueue = router.enqueue  # type: ignore[attr-defined]
    return handler


def _broken_stream(lib: Any, sent: bytes, request: Any) -> Any:
    """A response body (sync and async) that yields `sent`, then fails like a dropped connection."""

    class _Broken(lib.SyncByteStream, lib.AsyncByteStream):  # type: ignore[misc, name-defined]
        def __iter__(self) -> Iterator[bytes]:
            yield sent
            raise lib.ReadError("fake server dropped the connection", request=request)

        async def __aiter__(self) -> Any:
            yield sent
            raise lib.ReadError("fake server dropped the connection", request=request)

    return _Broken()
