"""Routing shared by both front ends: the reply queue, then the responder, then the defaults."""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from agent_otel.testing.openai_server.defaults import _Store, default_reply
from agent_otel.testing.openai_server.replies import RecordedRequest, Reply


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
