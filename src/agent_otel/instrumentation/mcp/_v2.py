"""mcp 2.x: the SDK traces itself; per `telemetry/native.py` our span replaces its span for each message
we observe (one span per message, named and attributed by the conventions, with what the SDK's lack:
session, transport, peer, the HTTP link, `tool_error` on the client, notification propagation, metrics).

- Sending: `JSONRPCDispatcher.send_raw_request` (our CLIENT span; the SDK's `otel_span` in that module
  yields `native.stand_in()`, so the SDK records nothing, learns the request id for us, and its own
  `_meta` injection carries our span's context) and `JSONRPCDispatcher.notify` (our CLIENT span, and the
  context injected into the notification's `_meta`, which the SDK does not do).
- Receiving: `OpenTelemetryMiddleware.__call__`, the SDK's server middleware: ours runs the rest of the
  chain under our SERVER span instead of its own (parent from `_meta`, else the HTTP headers, else the
  ambient context; link to the HTTP server span).

With AGENT_OTEL_REPLACE_NATIVE_SPANS=false the SDK's spans stay as they are and we add none (nor metrics):
adding ours as well would make two spans per message.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from typing import Any

from opentelemetry.context import attach, detach
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.trace import Link

from agent_otel.instrumentation.mcp import _carrier
from agent_otel.instrumentation.mcp._client import ended_with_error, http_transport, stdio_transport
from agent_otel.instrumentation.mcp._server import SCOPE_KEY, http_handle_request
from agent_otel.instrumentation.mcp._state import HTTP, PIPE, TCP, Transport, new_session, session_state
from agent_otel.telemetry.mcp import PROMPTS_GET, TOOLS_CALL, McpFacts, McpOperation
from agent_otel.telemetry.native import stand_in
from agent_otel.telemetry.safety import guard, report

_WHERE = "agent_otel.instrumentation.mcp.v2"
_sending: contextvars.ContextVar[McpOperation | None] = contextvars.ContextVar(
    "agent_otel_mcp_v2_op", default=None
)
_stdio_server = [False]  # this process serves over stdio (a server message without an HTTP request is a pipe)


def _replacing(owner: Any) -> bool:
    return bool(
        owner.active and owner.native is not None and owner.native.replaces() and is_instrumentation_enabled()
    )


def _params_facts(facts: McpFacts, params: Any) -> McpFacts:
    if not isinstance(params, dict):
        try:
            params = dict(params) if params is not None else None
        except Exception:
            params = None
    if not params:
        return facts
    name = params.get("name")
    if facts.method in (TOOLS_CALL, PROMPTS_GET) and isinstance(name, str):
        facts.target = name
    uri = params.get("uri")
    if facts.method.startswith("resources/") and uri is not None:
        facts.resource_uri = str(uri)
    return facts


def _state(dispatcher: Any) -> Any:
    state = session_state(dispatcher)
    if state.transport.transport is None and state.started is None:
        state = new_session(dispatcher, getattr(dispatcher, "_write_stream", None))
        state.started = 0.0  # looked up once
    return state


def _client_facts(dispatcher: Any, method: str, params: Any, request_id: Any) -> McpFacts:
    facts = _state(dispatcher).facts(method, False)
    facts.request_id = request_id
    if method == "initialize" and facts.protocol_version is None and isinstance(params, dict):
        version = params.get("protocolVersion")
        facts.protocol_version = version if isinstance(version, str) else None
    return _params_facts(facts, params)


def send_raw_request(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not _replacing(owner):
            return await wrapped(*args, **kwargs)
        op = None
        try:
            method = args[0] if args else kwargs.get("method")
            params = args[1] if len(args) > 1 else kwargs.get("params")
            if isinstance(method, str):
                op = owner.mcp.start(_client_facts(instance, method, params, None))
        except Exception as exc:
            report(f"{_WHERE}.send", exc)
        if op is None:
            return await wrapped(*args, **kwargs)
        context = _carrier.with_baggage(op.context) if owner.settings.mcp_baggage else op.context
        token, current = attach(context), _sending.set(op)  # the SDK injects this context into `_meta`
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            _sending.reset(current)
            detach(token)
            ended_with_error(op, exc)
            raise
        _sending.reset(current)
        detach(token)
        with guard(f"{_WHERE}.result"):
            if isinstance(result, dict):
                if op.facts.method == "initialize" and isinstance(result.get("protocolVersion"), str):
                    _state(instance).protocol_version = result["protocolVersion"]
                elif op.facts.method == TOOLS_CALL and result.get("isError") is True:
                    op.tool_error()
        op.end()
        return result

    return wrapper


def client_otel_span(owner: Any) -> Callable[..., Any]:
    """The dispatcher's `otel_span`: a stand-in for a request we trace (the SDK then records nothing)."""

    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        op = _sending.get()
        span = stand_in() if op is not None and _replacing(owner) else None
        if op is None or span is None:
            return wrapped(*args, **kwargs)
        with guard(f"{_WHERE}.request_id"):
            request_id = (kwargs.get("attributes") or {}).get("jsonrpc.request.id")
            if request_id is not None:
                op.set_request_id(request_id)
        return contextlib.nullcontext(span)

    return wrapper


def notify(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not _replacing(owner):
            return await wrapped(*args, **kwargs)
        op = None
        try:
            method = args[0] if args else kwargs.get("method")
            params = args[1] if len(args) > 1 else kwargs.get("params")
            if isinstance(method, str):
                op = owner.mcp.start(_client_facts(instance, method, params, None))
        except Exception as exc:
            report(f"{_WHERE}.notify", exc)
        if op is None:
            return await wrapped(*args, **kwargs)
        token = attach(op.context)
        with guard(f"{_WHERE}.inject"):
            params = dict(params) if params is not None else None
            if params is not None and isinstance(params.get("_meta"), dict):
                params["_meta"] = dict(params["_meta"])  # the caller's mapping stays as it was
            params = _carrier.inject_params(params, owner.settings.mcp_baggage) or None
            args = (args[0], params, *args[2:]) if len(args) > 1 else args
            if len(args) <= 1:
                kwargs = {**kwargs, "params": params}
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


def _server_facts(owner: Any, ctx: Any) -> tuple[McpFacts, list[Link], Any]:
    facts = _params_facts(McpFacts(ctx.method, receiver=True, request_id=ctx.request_id), ctx.params)
    version = getattr(ctx, "protocol_version", None)
    facts.protocol_version = version if isinstance(version, str) else None
    request = getattr(ctx, "request", None)
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
    elif _stdio_server[0]:
        facts.transport = PIPE
    return facts, links, headers


def server_middleware(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not _replacing(owner):
            return await wrapped(*args, **kwargs)
        ctx = args[0] if args else kwargs.get("ctx")
        call_next = args[1] if len(args) > 1 else kwargs.get("call_next")
        op = None
        try:
            facts, links, headers = _server_facts(owner, ctx)
            meta = ctx.meta
            meta = meta.model_dump(by_alias=True, exclude_none=True) if hasattr(meta, "model_dump") else meta
            parent = _carrier.parent_context(meta if isinstance(meta, dict) else None, headers)
            if owner.settings.mcp_baggage:
                facts.agent_name, facts.conversation_id = _carrier.caller_identity(parent)
                parent = _carrier.with_caller_scope(parent, facts.agent_name, facts.conversation_id)
            op = owner.mcp.start(facts, context=parent, links=links)
        except Exception as exc:
            report(f"{_WHERE}.server", exc)
        if op is None or call_next is None:
            return await wrapped(*args, **kwargs)
        token = attach(op.context)
        try:
            result = await call_next(ctx)
        except BaseException as exc:
            detach(token)
            code = getattr(exc, "code", None)
            if isinstance(code, int) and not isinstance(code, bool):  # MCPError: the JSON-RPC error sent
                op.error_response(code, getattr(exc, "message", None))
                op.end()
            elif type(exc).__name__ == "ValidationError":  # answered as invalid params
                op.error_response(-32602, "Invalid request parameters")
                op.end()
            else:
                op.fail(exc)
            raise
        detach(token)
        with guard(f"{_WHERE}.server_result"):
            if op.facts.method == TOOLS_CALL:
                flag = (
                    result.get("isError") if isinstance(result, dict) else getattr(result, "is_error", None)
                )
                if flag is True:
                    op.tool_error()
        op.end()
        return result

    return wrapper


def _stdio_server_wrapper(owner: Any) -> Callable[..., Any]:
    inner = stdio_transport(owner)

    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        _stdio_server[0] = True
        return inner(wrapped, instance, args, kwargs)

    return wrapper


def targets(owner: Any) -> dict[str, list[tuple[Any, Any]]]:
    stdio = stdio_transport(owner)
    http = http_transport(owner)
    return {
        "mcp.shared.jsonrpc_dispatcher": [
            ("otel_span", client_otel_span(owner)),
            ("JSONRPCDispatcher.send_raw_request", send_raw_request(owner)),
            ("JSONRPCDispatcher.notify", notify(owner)),
        ],
        "mcp.server._otel": [("OpenTelemetryMiddleware.__call__", server_middleware(owner))],
        "mcp.server.streamable_http": [
            ("StreamableHTTPServerTransport.handle_request", http_handle_request(owner))
        ],
        "mcp.client.stdio": [("stdio_client", stdio)],
        "mcp.server.stdio": [("stdio_server", _stdio_server_wrapper(owner))],
        "mcp.client.streamable_http": [("streamable_http_client", http)],
        "mcp.client.sse": [("sse_client", http)],
    }


__all__ = ["targets", "Transport"]
