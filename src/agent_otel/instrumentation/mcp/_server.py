"""mcp 1.x, the receiving side: `Server._handle_message` (every request and notification after
`initialize`, one task per message), `ServerSession._received_request` (`initialize`, answered by the
session itself), `RequestResponder.respond` (the outcome) and the streamable-HTTP transport's
`handle_request` (the ambient HTTP server span and the session id, stashed in the ASGI scope, which the
message's `request_context` carries to the handler's task).

The server span's parent is the sender's context from `_meta`, else the HTTP request's headers, else the
ambient context; it links the HTTP server span when there is one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.context import attach, detach
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.trace import Link

from agent_otel.instrumentation.mcp import _carrier
from agent_otel.instrumentation.mcp._client import is_tool_error, message_facts
from agent_otel.instrumentation.mcp._state import HTTP, TCP, Transport, session_state
from agent_otel.telemetry.mcp import TOOLS_CALL, McpOperation
from agent_otel.telemetry.safety import guard, report

_WHERE = "agent_otel.instrumentation.mcp.server"
SCOPE_KEY = "agent_otel.mcp"
"""The ASGI scope key under which `handle_request` leaves (HTTP server span context, session id)."""

_current: contextvars.ContextVar[tuple[Any, McpOperation] | None] = contextvars.ContextVar(
    "agent_otel_mcp_server_op", default=None
)


def _meta_dict(meta: Any) -> dict[str, Any] | None:
    if meta is None:
        return None
    if isinstance(meta, dict):
        return meta
    try:
        dumped = meta.model_dump(by_alias=True, exclude_none=True)
    except Exception:
        return None
    return dumped if isinstance(dumped, dict) else None


def _start(
    owner: Any, session: Any, root: Any, request_id: Any, meta: Any, metadata: Any
) -> McpOperation | None:
    method = getattr(root, "method", None)
    if not isinstance(method, str):
        return None
    state = session_state(session)
    if state.protocol_version is None:
        params = getattr(session, "client_params", None)
        if params is None and method == "initialize":
            params = getattr(root, "params", None)
        requested = getattr(params, "protocolVersion", None)
        if isinstance(requested, str):
            state.protocol_version = owner.negotiated(requested)
    facts = message_facts(state.facts(method, True), root)
    facts.request_id = request_id
    request = getattr(metadata, "request_context", None)
    headers = getattr(request, "headers", None)
    links: list[Link] = []
    if request is not None and headers is not None:
        facts.transport, facts.network_protocol = TCP, HTTP
        scope = getattr(request, "scope", None) or {}
        version = scope.get("http_version")
        facts.network_protocol_version = version if isinstance(version, str) else None
        client = getattr(request, "client", None)
        if client is not None:
            facts.client_address, facts.client_port = client[0], client[1]
        stash = scope.get(SCOPE_KEY)
        http_span, session_id = stash if isinstance(stash, tuple) else (None, None)
        facts.session_id = headers.get("mcp-session-id") or session_id
        if http_span is not None and http_span.is_valid:
            links.append(Link(http_span))
        # What the session's notifications (which carry no request context) report too.
        state.transport = Transport(TCP, HTTP)
        state.session_id = facts.session_id
        state.client_address, state.client_port = facts.client_address, facts.client_port
    parent = _carrier.parent_context(_meta_dict(meta), headers)
    if owner.settings.mcp_baggage:
        facts.agent_name, facts.conversation_id = _carrier.caller_identity(parent)
        parent = _carrier.with_caller_scope(parent, facts.agent_name, facts.conversation_id)
    return owner.mcp.start(facts, context=parent, links=links)


async def _run(op: McpOperation, responder: Any, call: Callable[[], Any]) -> Any:
    token = attach(op.context)
    current = _current.set((responder, op))
    try:
        result = await call()
    except BaseException as exc:
        _current.reset(current)
        detach(token)
        op.fail(exc)
        raise
    _current.reset(current)
    detach(token)
    op.end()
    return result


def handle_message(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return await wrapped(*args, **kwargs)
        op: McpOperation | None = None
        responder = None
        try:
            message = args[0] if args else kwargs.get("message")
            session = args[1] if len(args) > 1 else kwargs.get("session")
            if isinstance(message, owner.responder_type):
                responder = message
                op = _start(
                    owner,
                    session,
                    message.request.root,
                    message.request_id,
                    message.request_meta,
                    message.message_metadata,
                )
            elif hasattr(message, "root") and not isinstance(message, Exception):
                params = getattr(message.root, "params", None)
                op = _start(owner, session, message.root, None, getattr(params, "meta", None), None)
        except Exception as exc:
            report(f"{_WHERE}.start", exc)
        if op is None:
            return await wrapped(*args, **kwargs)
        return await _run(op, responder, lambda: wrapped(*args, **kwargs))

    return wrapper


def received_request(owner: Any) -> Callable[..., Any]:
    """`initialize`, which the session answers itself."""

    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return await wrapped(*args, **kwargs)
        op = None
        responder = args[0] if args else kwargs.get("responder")
        try:
            root = responder.request.root
            if getattr(root, "method", None) == "initialize":
                op = _start(
                    owner,
                    instance,
                    root,
                    responder.request_id,
                    responder.request_meta,
                    responder.message_metadata,
                )
        except Exception as exc:
            report(f"{_WHERE}.initialize", exc)
        if op is None:
            return await wrapped(*args, **kwargs)
        return await _run(op, responder, lambda: wrapped(*args, **kwargs))

    return wrapper


def respond(owner: Any) -> Callable[..., Any]:
    """The outcome of the request being handled: a JSON-RPC error, or a tool result with `isError`."""

    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        current = _current.get()
        if current is not None and current[0] is instance:
            with guard(f"{_WHERE}.respond"):
                response = args[0] if args else kwargs.get("response")
                op = current[1]
                code = getattr(response, "code", None)
                if isinstance(code, int) and hasattr(response, "message"):
                    op.error_response(code, response.message)
                elif op.facts.method == TOOLS_CALL and is_tool_error(getattr(response, "root", response)):
                    op.tool_error()
        return await wrapped(*args, **kwargs)

    return wrapper


def http_handle_request(owner: Any) -> Callable[..., Any]:
    """Streamable HTTP: leave the HTTP server span (current here, not in the handler's task) and the
    session id in the ASGI scope for the message's span."""

    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if owner.active:
            with guard(f"{_WHERE}.http"):
                scope = args[0] if args else kwargs.get("scope")
                if isinstance(scope, dict):
                    span = trace.get_current_span().get_span_context()
                    session_id = getattr(instance, "mcp_session_id", None)
                    scope[SCOPE_KEY] = (span if span.is_valid else None, session_id)
        return await wrapped(*args, **kwargs)

    return wrapper
