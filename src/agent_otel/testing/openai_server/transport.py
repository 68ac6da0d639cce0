"""The in-process front end: a handler for `httpx2.MockTransport` / `httpx.MockTransport`, no sockets."""

from __future__ import annotations

import importlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from agent_otel.testing.openai_server.replies import RecordedRequest, Reply
from agent_otel.testing.openai_server.router import _parse_json, _request_id, _Router


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
