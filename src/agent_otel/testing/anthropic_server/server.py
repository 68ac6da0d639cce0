"""`FakeAnthropicServer`: the fake OpenAI server's threaded HTTP front end with Anthropic routing."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

from agent_otel.testing.anthropic_server.defaults import anthropic_default_reply
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.router import _Router
from agent_otel.testing.openai_server.server import FakeOpenAIServer


class _AnthropicRouter(_Router):
    """The queue, then the responder, then `anthropic_default_reply`; every reply gets a `request-id`."""

    def __init__(self, responder: Callable[[RecordedRequest], Reply | None] | None) -> None:
        super().__init__(responder)
        self._ids = itertools.count(1)

    def route(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        return self.reply_for(request)

    def reply_for(self, request: RecordedRequest) -> Reply:
        """The reply for `request`, without recording it."""
        with self._lock:
            reply = self._queue.popleft() if self._queue else None
            request_id = f"req_fake_{next(self._ids):020d}"
        if reply is None and self.responder is not None:
            reply = self.responder(request)
        if reply is None:
            reply = anthropic_default_reply(request)
        return _with_request_id(reply, request_id)


def _with_request_id(reply: Reply, request_id: str) -> Reply:
    then = _with_request_id(reply.then, request_id) if reply.then is not None else None
    return dataclasses.replace(reply, headers={"request-id": request_id, **reply.headers}, then=then)


class FakeAnthropicServer(FakeOpenAIServer):
    """An Anthropic-compatible server on 127.0.0.1 (see the package docstring). Use as a context manager,
    or call `start()` / `stop()`. Scripting (`enqueue`, `responder`, `requests`, `reset`) is the fake
    OpenAI server's; only the routes, the defaults and `base_url` differ."""

    def __init__(self, responder: Callable[[RecordedRequest], Reply | None] | None = None) -> None:
        super().__init__()
        self._router = _AnthropicRouter(responder)

    def start(self) -> FakeAnthropicServer:
        super().start()
        return self

    def __enter__(self) -> FakeAnthropicServer:
        return self.start()

    @property
    def base_url(self) -> str:
        """What to pass as `Anthropic(base_url=...)` and `AnthropicBedrock(base_url=...)`: the server root
        http://127.0.0.1:PORT (the SDK adds /v1/messages, Bedrock /model/...)."""
        return self.url

    @property
    def vertex_base_url(self) -> str:
        """What to pass as `AnthropicVertex(base_url=...)`: http://127.0.0.1:PORT/v1."""
        return f"{self.url}/v1"
