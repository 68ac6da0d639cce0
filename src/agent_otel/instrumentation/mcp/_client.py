"""mcp 1.x, the sending side: `BaseSession.send_request` / `send_notification` (ClientSession, and a
ServerSession's requests to its client), the session's write stream (context injection), the session's
lifetime and the transports it runs on.

The wrappers call the wrapped method outside any guard: its result or exception reaches the caller
unchanged. The request id is read before the call (`send_request` takes `_request_id` and increments it).
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

from opentelemetry.context import attach, detach
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation.mcp import _carrier
from agent_otel.instrumentation.mcp._state import (
    PIPE,
    Transport,
    new_session,
    session_state,
    transport_cm,
)
from agent_otel.telemetry.mcp import PROMPTS_GET, TOOLS_CALL, McpFacts, McpOperation
from agent_otel.telemetry.safety import guard, report

_WHERE = "agent_otel.instrumentation.mcp.client"


def message_facts(facts: McpFacts, root: Any) -> McpFacts:
    """Target and resource of a typed request or notification (`root`: `ClientRequest.root`, ...)."""
    params = getattr(root, "params", None)
    if params is None:
        return facts
    if facts.method in (TOOLS_CALL, PROMPTS_GET):
        name = getattr(params, "name", None)
        facts.target = name if isinstance(name, str) else None
    uri = getattr(params, "uri", None)
    if uri is not None and facts.method.startswith("resources/"):
        facts.resource_uri = str(uri)
    return facts


def is_tool_error(result: Any) -> bool:
    return getattr(result, "isError", False) is True or getattr(result, "is_error", False) is True


class WriteStream:
    """A session's write stream that puts the trace context into every request and notification."""

    __slots__ = ("_owner", "_stream")

    def __init__(self, stream: Any, owner: Any) -> None:
        self._stream = stream
        self._owner = owner

    async def send(self, item: Any) -> None:
        owner = self._owner
        if owner.active:
            with guard(f"{_WHERE}.inject"):
                _carrier.inject_message(item, owner.settings.mcp_baggage)
        await self._stream.send(item)

    async def __aenter__(self) -> WriteStream:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._stream.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _receiver(owner: Any, session: Any) -> bool:
    return isinstance(session, owner.server_session_type)


def session_init(owner: Any) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        wrapped(*args, **kwargs)
        if owner.active:
            with guard(f"{_WHERE}.session"):
                stream = instance._write_stream
                new_session(instance, stream)
                instance._write_stream = WriteStream(stream, owner)

    return wrapper


def session_enter(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        result = await wrapped(*args, **kwargs)
        if owner.active:
            with guard(f"{_WHERE}.session_enter"):
                session_state(instance).started = timeit.default_timer()
        return result

    return wrapper


def session_exit(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        try:
            return await wrapped(*args, **kwargs)
        finally:
            if owner.active:
                with guard(f"{_WHERE}.session_exit"):
                    state = session_state(instance)
                    elapsed = state.elapsed()
                    if elapsed is not None:
                        state.started = None
                        error = args[1] if len(args) > 1 and isinstance(args[1], Exception) else None
                        owner.mcp.session_ended(state.facts("", _receiver(owner, instance)), elapsed, error)

    return wrapper


def _start(owner: Any, instance: Any, message: Any, request_id: Any) -> McpOperation | None:
    try:
        root = getattr(message, "root", message)
        method = getattr(root, "method", None)
        if not isinstance(method, str):
            return None
        facts = session_state(instance).facts(method, False)
        facts.request_id = request_id
        if method == "initialize" and facts.protocol_version is None:
            version = getattr(getattr(root, "params", None), "protocolVersion", None)
            facts.protocol_version = version if isinstance(version, str) else None
        return owner.mcp.start(message_facts(facts, root))
    except Exception as exc:
        report(f"{_WHERE}.start", exc)
        return None


def ended_with_error(op: McpOperation, exc: BaseException) -> None:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    if isinstance(code, int) and not isinstance(code, bool):  # McpError: a JSON-RPC error response
        message = getattr(error, "message", None)
        op.error_response(code, message if isinstance(message, str) else None)
        op.end()
    else:
        op.fail(exc)


def send_request(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return await wrapped(*args, **kwargs)
        request = args[0] if args else kwargs.get("request")
        op = _start(owner, instance, request, getattr(instance, "_request_id", None))
        if op is None:
            return await wrapped(*args, **kwargs)
        token = attach(op.context)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            detach(token)
            ended_with_error(op, exc)
            raise
        detach(token)
        with guard(f"{_WHERE}.result"):
            if op.facts.method == "initialize":
                version = getattr(result, "protocolVersion", None)
                if isinstance(version, str):
                    session_state(instance).protocol_version = version
            elif op.facts.method == TOOLS_CALL and is_tool_error(result):
                op.tool_error()
        op.end()
        return result

    return wrapper


def send_notification(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return await wrapped(*args, **kwargs)
        notification = args[0] if args else kwargs.get("notification")
        op = _start(owner, instance, notification, None)
        if op is None:
            return await wrapped(*args, **kwargs)
        token = attach(op.context)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            detach(token)
            op.fail(exc)
            raise
        detach(token)
        op.end()
        return result

    return wrapper


def stdio_transport(owner: Any) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        cm = wrapped(*args, **kwargs)
        return transport_cm(cm, Transport(PIPE)) if owner.active else cm

    return wrapper


def http_transport(owner: Any) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        cm = wrapped(*args, **kwargs)
        if not owner.active:
            return cm
        url = args[0] if args else kwargs.get("url")
        return transport_cm(cm, Transport.for_url(url))

    return wrapper
