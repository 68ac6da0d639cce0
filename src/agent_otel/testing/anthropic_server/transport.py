"""The in-process front end: a handler for `httpx2.MockTransport` / `httpx.MockTransport`, no sockets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from agent_otel.testing.anthropic_server.server import _AnthropicRouter
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.transport import mock_transport_handler


def anthropic_mock_transport_handler(
    responder: Callable[[RecordedRequest], Reply | None] | None = None,
    replies: Iterable[Reply] = (),
    record: bool = True,
) -> Callable[[Any], Any]:
    """A handler for `httpx2.MockTransport(handler)` / `httpx.MockTransport(handler)` with the fake
    Anthropic server's routes, queue and defaults: `.requests` (recorded unless `record=False`) and
    `.enqueue(*replies)`, as `mock_transport_handler` (whose failure modes it shares)."""
    router = _AnthropicRouter(responder)
    router.enqueue(*replies)
    handler = mock_transport_handler(responder=router.reply_for, record=record)
    handler.enqueue = router.enqueue  # type: ignore[attr-defined]
    return handler
