"""What a session knows beyond one message: its transport, peer, protocol version and start time.

Transports are learnt where they are opened: the wrapped transport context managers (`stdio_client`,
`streamable_http_client`, `sse_client`, `stdio_server`) remember their write stream; the session built on
that stream finds it there (`session_state`). The protocol version comes from `initialize`.
"""

from __future__ import annotations

import timeit
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from agent_otel.telemetry.mcp import McpFacts

PIPE = "pipe"
TCP = "tcp"
HTTP = "http"


@dataclass(slots=True)
class Transport:
    transport: str | None = None
    protocol: str | None = None
    address: str | None = None
    port: int | None = None
    get_session_id: Callable[[], str | None] | None = None

    @classmethod
    def for_url(cls, url: Any) -> Transport:
        try:
            parts = urlsplit(str(url))
            port = parts.port or (443 if parts.scheme == "https" else 80)
            return cls(TCP, HTTP, parts.hostname, port)
        except Exception:
            return cls(TCP, HTTP)


@dataclass(slots=True)
class SessionState:
    transport: Transport = field(default_factory=Transport)
    protocol_version: str | None = None
    session_id: str | None = None
    client_address: str | None = None
    client_port: int | None = None
    started: float | None = None

    def facts(self, method: str, receiver: bool) -> McpFacts:
        session_id = self.session_id
        getter = self.transport.get_session_id
        if session_id is None and getter is not None:
            try:
                session_id = getter()
            except Exception:
                session_id = None
        return McpFacts(
            method,
            receiver=receiver,
            session_id=session_id if isinstance(session_id, str) else None,
            protocol_version=self.protocol_version,
            transport=self.transport.transport,
            network_protocol=self.transport.protocol,
            server_address=None if receiver else self.transport.address,
            server_port=None if receiver else self.transport.port,
            client_address=self.client_address if receiver else None,
            client_port=self.client_port if receiver else None,
        )

    def elapsed(self) -> float | None:
        return None if self.started is None else timeit.default_timer() - self.started


_transports: weakref.WeakKeyDictionary[Any, Transport] = weakref.WeakKeyDictionary()
_sessions: weakref.WeakKeyDictionary[Any, SessionState] = weakref.WeakKeyDictionary()


def _keys(stream: Any) -> list[Any]:
    """The stream, and the one it wraps (mcp 2.x's slotted `ContextSendStream` is not weak-referenceable)."""
    inner = getattr(stream, "_inner", None)
    return [stream] if inner is None else [stream, inner]


def remember_transport(write_stream: Any, transport: Transport) -> None:
    for key in _keys(write_stream):
        try:
            _transports[key] = transport
            return
        except TypeError:  # not weak-referenceable
            continue


def new_session(session: Any, write_stream: Any) -> SessionState:
    transport = None
    for key in _keys(write_stream):
        try:
            transport = _transports.get(key)
        except TypeError:
            continue
        if transport is not None:
            break
    state = SessionState(transport or Transport())
    try:
        _sessions[session] = state
    except TypeError:
        pass
    return state


def session_state(session: Any) -> SessionState:
    try:
        state = _sessions.get(session)
    except TypeError:
        state = None
    return state if state is not None else SessionState()


def transport_cm(cm: Any, transport: Transport) -> Any:
    """Wrap a transport's async context manager: remember the write stream it yields."""
    return _TransportCM(cm, transport)


class _TransportCM:
    __slots__ = ("_cm", "_transport")

    def __init__(self, cm: Any, transport: Transport) -> None:
        self._cm = cm
        self._transport = transport

    async def __aenter__(self) -> Any:
        streams = await self._cm.__aenter__()
        try:
            if isinstance(streams, tuple) and len(streams) >= 2:
                if len(streams) > 2 and callable(streams[2]):
                    self._transport.get_session_id = streams[2]
                remember_transport(streams[1], self._transport)
        except Exception:
            pass
        return streams

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._cm.__aexit__(*exc_info)
