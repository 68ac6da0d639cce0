"""A fake Anthropic-compatible HTTP server for tests: no network, deterministic.

Stable API (other code depends on it; only add to it)::

    from agent_otel.testing import FakeAnthropicServer, anthropic_error, anthropic_message

    with FakeAnthropicServer() as srv:                   # 127.0.0.1, a free port, a daemon thread
        client = Anthropic(base_url=srv.base_url, api_key="x")   # srv.base_url == "http://127.0.0.1:PORT"
        srv.enqueue(anthropic_error(529, "Overloaded", retry_after_ms=1), Reply.json(anthropic_message("hi")))
        client.messages.create(model="claude-fake-1", max_tokens=64, messages=[...])
        srv.requests[-1].json["model"]                   # every request is recorded

Routes (anything else: 404 with Anthropic's error body, `not_found_error`):

- POST /v1/messages (also `?beta=true`, the beta resource): a `message`, or when `stream` is true the real
  SSE event sequence (`anthropic_message_events`: message_start, ping, content_block_start/delta/stop,
  message_delta, message_stop). `tool_choice` `{"type": "tool", "name": X}` (or "any" with tools) gives a
  `tool_use` block for X with input `{}` and `stop_reason` "tool_use"; `thinking: {"type": "enabled"}` adds
  a thinking block (signature `DEFAULT_SIGNATURE`).
- POST /v1/messages/count_tokens: `{"input_tokens": 12}`.
- Bedrock (`AnthropicBedrock(base_url=srv.base_url, aws_region=..., api_key=...)`; the SDK moves the model
  to the path): POST /model/{model}/invoke (JSON) and /model/{model}/invoke-with-response-stream (the same
  events in AWS event-stream framing, `bedrock_event_stream`; the SDK needs `botocore` to decode them).
- Vertex (`AnthropicVertex(base_url=srv.vertex_base_url, region=..., project_id=..., access_token=...)`):
  POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict (JSON) and
  :streamRawPredict (SSE), and .../models/count-tokens:rawPredict.

Default replies: the text is `"Echo: <last user text>"` (or `"Hello!"`), the model is the request's (or the
one in the path), usage is `DEFAULT_INPUT_TOKENS` in / `DEFAULT_OUTPUT_TOKENS` out with zero cache reads and
writes and `service_tier` "standard", and every reply has a `request-id` header `req_fake_...` (the fake
OpenAI server's `x-request-id` is there too).

Scripting is the fake OpenAI server's (`enqueue`, `responder`, `requests`, `reset`; `Reply.json`,
`Reply.sse` with `(event, data)` pairs, `Reply.hang`, `Reply.disconnect`, SSE `fail_after` with
`failure="disconnect"`; its `failure="error"` frame is OpenAI's, which the anthropic SDK skips, so end a
stream with `anthropic_stream_error()` instead); Anthropic-shaped pieces:

- `anthropic_message(text, *, model, thinking, redacted_thinking, tool_uses, web_search, content,
  stop_reason, usage, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
  thinking_tokens, service_tier)` and `anthropic_usage(...)`: bodies.
- `anthropic_message_events(text, *, message=None, pieces=None, ping=True, full_delta_usage=False,
  **anthropic_message_kwargs)`: the streamed events, for `Reply.sse(...)` or `bedrock_event_stream(...)`.
  `message_delta.usage` carries only `output_tokens` unless `full_delta_usage` (newer API versions repeat
  the input, cache and server tool counts there).
- `anthropic_stream_error(type="overloaded_error", message="Overloaded")`: a mid-stream `error` event.
- `anthropic_error(status, message, type=None, headers=None, retry_after_ms=None, should_retry=None)`:
  `{"type": "error", "error": {"type": ..., "message": ...}}` with the API's type for the status (400
  invalid_request_error, 401 authentication_error, 429 rate_limit_error, 529 overloaded_error, ...).
  `retry_after_ms=1` makes the SDK's retry fast.
- `anthropic_count_tokens(n)`, `bedrock_event_stream(events)`, `bedrock_exception(type, message)`.
- `anthropic_default_reply(request)`: the default, usable from a responder.

Without sockets: `anthropic_mock_transport_handler(responder=None, replies=(), record=True)`, a handler
for `httpx2.MockTransport` / `httpx.MockTransport` with the same routes, queue and defaults, as
`mock_transport_handler`.
"""

from __future__ import annotations

from agent_otel.testing.anthropic_server.bodies import (
    DEFAULT_ANTHROPIC_MODEL,
    DEFAULT_SIGNATURE,
    anthropic_count_tokens,
    anthropic_error_body,
    anthropic_message,
    anthropic_message_events,
    anthropic_stream_error,
    anthropic_usage,
)
from agent_otel.testing.anthropic_server.defaults import anthropic_default_reply
from agent_otel.testing.anthropic_server.replies import (
    anthropic_error,
    bedrock_event_stream,
    bedrock_exception,
)
from agent_otel.testing.anthropic_server.server import FakeAnthropicServer
from agent_otel.testing.anthropic_server.transport import anthropic_mock_transport_handler

__all__ = [
    "DEFAULT_ANTHROPIC_MODEL",
    "DEFAULT_SIGNATURE",
    "FakeAnthropicServer",
    "anthropic_count_tokens",
    "anthropic_default_reply",
    "anthropic_error",
    "anthropic_error_body",
    "anthropic_message",
    "anthropic_message_events",
    "anthropic_mock_transport_handler",
    "anthropic_stream_error",
    "anthropic_usage",
    "bedrock_event_stream",
    "bedrock_exception",
]
