"""The HTTP front end: `FakeOpenAIServer`, a threaded server on 127.0.0.1 that streams SSE replies."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.router import _parse_json, _request_id, _Router


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
    """An OpenAI-compatible server on 127.0.0.1 (see the package docstring). Use as a context manager,
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
