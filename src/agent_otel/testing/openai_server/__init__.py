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

Agent frameworks (`turns`): `turn_reply(request, text=None, tool_calls=None, ...)` renders one scripted
assistant turn in whatever shape the request asks for (chat or Responses, streamed or not), and
`request_instructions`, `last_user_text`, `offered_tools` and `tool_history` (`ToolExchange` items: call
id, name, arguments, output once answered) read a request, so a responder can script a multi-agent run
statelessly (see tests/openai_agents/apps.py).

The modules: `replies` (`RecordedRequest`, `Reply`, SSE framing), `common` (defaults shared by the body
builders), `chat` (chat and legacy completions bodies), `responses` (Responses bodies and events),
`embeddings`, `defaults` (the default responder), `router` (queue, responder, defaults), `server`
(`FakeOpenAIServer`), `transport` (`mock_transport_handler`) and `turns` (scripted agent turns).
"""

from __future__ import annotations

from agent_otel.testing.openai_server.chat import (
    chat_chunks,
    chat_completion,
    completion_chunks,
    completion_response,
)
from agent_otel.testing.openai_server.common import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    DEFAULT_OUTPUT_TOKENS,
)
from agent_otel.testing.openai_server.defaults import default_reply
from agent_otel.testing.openai_server.embeddings import embedding_response
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.responses import response_events, response_object
from agent_otel.testing.openai_server.server import FakeOpenAIServer
from agent_otel.testing.openai_server.transport import mock_transport_handler
from agent_otel.testing.openai_server.turns import (
    ToolExchange,
    last_user_text,
    offered_tools,
    request_instructions,
    tool_history,
    turn_reply,
)

__all__ = [
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_MODEL_SUFFIX",
    "DEFAULT_OUTPUT_TOKENS",
    "FakeOpenAIServer",
    "RecordedRequest",
    "Reply",
    "ToolExchange",
    "chat_chunks",
    "chat_completion",
    "completion_chunks",
    "completion_response",
    "default_reply",
    "embedding_response",
    "last_user_text",
    "mock_transport_handler",
    "offered_tools",
    "request_instructions",
    "response_events",
    "response_object",
    "tool_history",
    "turn_reply",
]
