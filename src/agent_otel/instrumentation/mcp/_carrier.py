"""The trace context in `params._meta` (SEP-414): put in on every message sent, taken out on receipt.

- Sending (`inject`): the JSON-RPC request or notification the session just built (a fresh dict, never
  the caller's object) gets `traceparent`/`tracestate`/`baggage` in `params._meta` through the configured
  propagators, `params` and `_meta` created when absent. With `AGENT_OTEL_MCP_BAGGAGE` the calling agent's
  name and conversation id travel as baggage too. Responses are left alone; a message whose `params` or
  `_meta` is not an object is sent unchanged (one warning).
- Receiving (`parent_context`): the sender's context from `_meta`; without one, from the HTTP request's
  headers (`traceparent` set by an HTTP client instrumentation); without either, the ambient context. A
  malformed carrier is ignored (`agent_otel.propagation` logs one warning).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from opentelemetry import baggage, trace
from opentelemetry.context import Context, get_current

from agent_otel.propagation import extract_context, inject_context
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import Scope, current_scope, with_scope

_logger = logging.getLogger("agent_otel.instrumentation.mcp")
_warned: set[str] = set()

BAGGAGE_AGENT = sc.AGENT_NAME
BAGGAGE_CONVERSATION = sc.CONVERSATION_ID


def _warn_once(reason: str) -> None:
    level = logging.WARNING if reason not in _warned else logging.DEBUG
    _warned.add(reason)
    _logger.log(level, "agent-otel: MCP message sent without trace context (%s)", reason)


def with_baggage(context: Context) -> Context:
    scope = current_scope(context)
    if scope is None:
        return context
    if scope.agent_name:
        context = baggage.set_baggage(BAGGAGE_AGENT, scope.agent_name, context)
    if scope.conversation_id:
        context = baggage.set_baggage(BAGGAGE_CONVERSATION, scope.conversation_id, context)
    return context


def inject_params(params: Any, baggage_on: bool) -> Any:
    """`params` (a JSON object or None) with the current context in its `_meta`: the same dict when it
    is one, a new one for None; anything else comes back unchanged."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        _warn_once(f"params is a {type(params).__name__}, not an object")
        return params
    meta = params.get("_meta")
    if meta is None:
        meta = params["_meta"] = {}
    elif not isinstance(meta, dict):
        _warn_once(f"params._meta is a {type(meta).__name__}, not an object")
        return params
    context = get_current()
    inject_context(meta, context=with_baggage(context) if baggage_on else context)
    if not meta:
        del params["_meta"]
    return params


def inject_message(message: Any, baggage_on: bool) -> None:
    """Inject into an outgoing mcp 1.x `SessionMessage` when it is a request or a notification."""
    root = getattr(getattr(message, "message", None), "root", None)
    if root is None or not hasattr(root, "method") or hasattr(root, "result") or hasattr(root, "error"):
        return
    params = inject_params(root.params, baggage_on)
    if params is not root.params and params:
        root.params = params


def _valid(context: Context) -> bool:
    return trace.get_current_span(context).get_span_context().is_valid


def parent_context(meta: Mapping[str, Any] | None, headers: Any) -> Context:
    """The receiver's parent: `_meta`, else the HTTP headers, else the ambient context."""
    if meta:
        context = extract_context(dict(meta))
        if _valid(context):
            return context
    if headers is not None:
        try:
            carrier = {k: headers.get(k) for k in ("traceparent", "tracestate", "baggage") if headers.get(k)}
        except Exception:
            carrier = {}
        if carrier:
            context = extract_context(carrier)
            if _valid(context):
                return context
    return get_current()


def caller_identity(context: Context) -> tuple[str | None, str | None]:
    """The calling agent's name and conversation id the sender put in the baggage."""
    agent = baggage.get_baggage(BAGGAGE_AGENT, context)
    conversation = baggage.get_baggage(BAGGAGE_CONVERSATION, context)
    return (
        agent if isinstance(agent, str) and agent else None,
        conversation if isinstance(conversation, str) and conversation else None,
    )


def with_caller_scope(context: Context, agent: str | None, conversation: str | None) -> Context:
    """`context` with the remote caller's agent scope, so the server's own operations carry its name."""
    if agent is None and conversation is None:
        return context
    return with_scope(Scope("agent", agent, None, conversation), context)
