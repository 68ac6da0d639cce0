"""What the fake server records of a request (`RecordedRequest`) and what it does for one (`Reply`).

`Reply` also renders its SSE frames (`sse_payload`), shared by the HTTP server and the mock transport.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


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
