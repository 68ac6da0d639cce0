"""MCP operations (JSON-RPC requests and notifications): facts in, span and metrics out.

An adapter tells `Mcp.start(facts, context=, links=)` what one message is (`McpFacts`: method, sender or
receiver, request id, tool/prompt/resource, session, transport, peer) and how it ended
(`McpOperation.end()`, `tool_error()`, `error_response(code, message)`, `fail(exception)`); the core
alone names the span and picks its kind, attributes, status and metrics, per the MCP semantic
conventions (semantic-conventions-genai docs/gen-ai/mcp.md):

- one span per request and per notification, `{mcp.method.name} {target}` (target: the tool or prompt
  name), CLIENT on the sender, SERVER on the receiver;
- `mcp.method.name`, `jsonrpc.request.id`, `mcp.session.id`, `mcp.protocol.version`,
  `network.transport` (`pipe` for stdio), `network.protocol.name`/`.version`, `server.address`/`.port`
  (sender), `client.address`/`.port` (receiver), `mcp.resource.uri`; `tools/call` is
  `gen_ai.operation.name = execute_tool` with `gen_ai.tool.name`, `prompts/get` has `gen_ai.prompt.name`;
- a JSON-RPC error: `error.type` = `rpc.response.status_code` = the code, status ERROR (the error's
  message as description with content capture on, else the code: handler errors quote their input);
  a `tools/call` result with `isError`: `error.type = tool_error`; an exception: its type;
- metrics `mcp.client.operation.duration` / `mcp.server.operation.duration` and, per session,
  `mcp.client.session.duration` / `mcp.server.session.duration` (`Mcp.session_ended`).

No second span for one message. When the span that is current at start is already this message's MCP
span of the same kind (another instrumentation's, FastMCP's native one), it is enriched with our
attributes and no span is started (`McpOperation.span` is then that span, which its owner ends). A
library that traces itself (mcp 2.x) asks `native(facts)` for the conventional name and attributes of
its own span and hands that span to `adopt(span, facts)`: one span, ours only in what it says.

A `tools/call` sent from inside a framework's `execute_tool` span (LangChain, the OpenAI Agents SDK:
whoever made it) copies the MCP attributes onto that span too, so a query at either level finds them, and
leaves `gen_ai.operation.name` to it: one `execute_tool` per tool call on the calling side.
"""

from __future__ import annotations

import timeit
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context, get_current
from opentelemetry.metrics import get_meter
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import current_scope
from agent_otel.telemetry.instruments import SCHEMA_URL
from agent_otel.telemetry.model_call import error_type as exception_type
from agent_otel.telemetry.safety import report
from agent_otel.version import __version__

if TYPE_CHECKING:
    from agent_otel.telemetry.core import Telemetry

METHOD_NAME = "mcp.method.name"
SESSION_ID = "mcp.session.id"
PROTOCOL_VERSION = "mcp.protocol.version"
RESOURCE_URI = "mcp.resource.uri"
REQUEST_ID = "jsonrpc.request.id"
STATUS_CODE = "rpc.response.status_code"
PROMPT_NAME = "gen_ai.prompt.name"
NETWORK_TRANSPORT = "network.transport"
NETWORK_PROTOCOL_NAME = "network.protocol.name"
NETWORK_PROTOCOL_VERSION = "network.protocol.version"
CLIENT_ADDRESS = "client.address"
CLIENT_PORT = "client.port"
TOOL_ERROR = "tool_error"
TOOLS_CALL = "tools/call"
PROMPTS_GET = "prompts/get"

BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]
_HISTOGRAMS = {
    "client_operation": (
        "mcp.client.operation.duration",
        "The duration of the MCP request or notification as observed on the sender from the time it was "
        "sent until the response or ack is received.",
    ),
    "server_operation": (
        "mcp.server.operation.duration",
        "MCP request or notification duration as observed on the receiver from the time it was received "
        "until the result or ack is sent.",
    ),
    "client_session": (
        "mcp.client.session.duration",
        "The duration of the MCP session as observed on the MCP client.",
    ),
    "server_session": (
        "mcp.server.session.duration",
        "The duration of the MCP session as observed on the MCP server.",
    ),
}
# Span attributes that also go on the metrics (low cardinality); the sender's server.* too.
_METRIC_KEYS = (
    METHOD_NAME,
    sc.TOOL_NAME,
    PROMPT_NAME,
    sc.OPERATION_NAME,
    PROTOCOL_VERSION,
    NETWORK_TRANSPORT,
    NETWORK_PROTOCOL_NAME,
    NETWORK_PROTOCOL_VERSION,
)
_SESSION_KEYS = (PROTOCOL_VERSION, NETWORK_TRANSPORT, NETWORK_PROTOCOL_NAME, NETWORK_PROTOCOL_VERSION)
# What a framework's execute_tool span gets from the tools/call it made.
_TOOL_SPAN_KEYS = (
    METHOD_NAME,
    SESSION_ID,
    PROTOCOL_VERSION,
    NETWORK_TRANSPORT,
    sc.SERVER_ADDRESS,
    sc.SERVER_PORT,
)
_WHERE = "agent_otel.telemetry.mcp"


@dataclass(slots=True)
class McpFacts:
    """One MCP message, as its adapter knows it (None: not known)."""

    method: str
    receiver: bool = False
    """True on the side that received the message (SERVER span), False on the sender (CLIENT span)."""
    request_id: str | int | None = None
    """None for a notification."""
    target: str | None = None
    """The tool (tools/call) or prompt (prompts/get) name."""
    resource_uri: str | None = None
    session_id: str | None = None
    protocol_version: str | None = None
    transport: str | None = None
    """`network.transport`: `pipe` (stdio), `tcp` (HTTP)."""
    network_protocol: str | None = None
    network_protocol_version: str | None = None
    server_address: str | None = None
    server_port: int | None = None
    client_address: str | None = None
    client_port: int | None = None
    agent_name: str | None = None
    """The calling agent, when it travelled with the message (baggage)."""
    conversation_id: str | None = None


def _attributes(facts: McpFacts) -> dict[str, Any]:
    attrs: dict[str, Any] = {METHOD_NAME: facts.method}
    if facts.method == TOOLS_CALL:
        attrs[sc.OPERATION_NAME] = sc.OP_EXECUTE_TOOL
        if facts.target:
            attrs[sc.TOOL_NAME] = facts.target
    elif facts.method == PROMPTS_GET and facts.target:
        attrs[PROMPT_NAME] = facts.target
    for key, value in (
        (REQUEST_ID, None if facts.request_id is None else str(facts.request_id)),
        (RESOURCE_URI, facts.resource_uri),
        (SESSION_ID, facts.session_id),
        (PROTOCOL_VERSION, facts.protocol_version),
        (NETWORK_TRANSPORT, facts.transport),
        (NETWORK_PROTOCOL_NAME, facts.network_protocol),
        (NETWORK_PROTOCOL_VERSION, facts.network_protocol_version),
        (sc.AGENT_NAME, facts.agent_name),
        (sc.CONVERSATION_ID, facts.conversation_id),
    ):
        if value:
            attrs[key] = value
    peer = (
        ((CLIENT_ADDRESS, facts.client_address), (CLIENT_PORT, facts.client_port))
        if facts.receiver
        else ((sc.SERVER_ADDRESS, facts.server_address), (sc.SERVER_PORT, facts.server_port))
    )
    for key, value in peer:
        if value is not None:
            attrs[key] = value
    return attrs


def span_name(facts: McpFacts) -> str:
    if facts.target and facts.method in (TOOLS_CALL, PROMPTS_GET):
        return f"{facts.method} {facts.target}"
    return facts.method


def _metric_attributes(attrs: dict[str, Any], receiver: bool) -> dict[str, Any]:
    out = {k: attrs[k] for k in _METRIC_KEYS if k in attrs}
    if not receiver:
        for key in (sc.SERVER_ADDRESS, sc.SERVER_PORT):
            if key in attrs:
                out[key] = attrs[key]
    return out


def _same_message(span: Span, facts: McpFacts, kind: SpanKind) -> bool:
    """The current span already is this message's MCP span (another instrumentation's)."""
    attrs = getattr(span, "attributes", None)
    return (
        span.is_recording()
        and getattr(span, "kind", None) == kind
        and attrs is not None
        and attrs.get(METHOD_NAME) == facts.method
        and attrs.get(REQUEST_ID, str(facts.request_id)) == str(facts.request_id)
    )


def _framework_tool_span(span: Span, facts: McpFacts) -> bool:
    attrs = getattr(span, "attributes", None)
    return (
        span.is_recording()
        and attrs is not None
        and attrs.get(sc.OPERATION_NAME) == sc.OP_EXECUTE_TOOL
        and METHOD_NAME not in attrs
        and attrs.get(sc.TOOL_NAME) in (None, facts.target)
    )


class Mcp:
    """The MCP operations of one `Telemetry` (one per instrumentor)."""

    def __init__(self, tel: Telemetry) -> None:
        self.tel = tel
        meter = get_meter(
            tel.scope_name,
            __version__,
            meter_provider=getattr(tel, "meter_provider", None),
            schema_url=SCHEMA_URL,
        )
        made = {
            key: meter.create_histogram(
                name=name, unit="s", description=description, explicit_bucket_boundaries_advisory=BUCKETS
            )
            for key, (name, description) in _HISTOGRAMS.items()
        }
        self._client_operation = made["client_operation"]
        self._server_operation = made["server_operation"]
        self._client_session = made["client_session"]
        self._server_session = made["server_session"]

    def start(
        self, facts: McpFacts, *, context: Context | None = None, links: Sequence[Link] = ()
    ) -> McpOperation:
        """Start one message's span (see the module docstring). Never raises."""
        try:
            kind = SpanKind.SERVER if facts.receiver else SpanKind.CLIENT
            if not facts.receiver and facts.agent_name is None:
                scope = current_scope(context)
                if scope is not None:
                    facts.agent_name = scope.agent_name
            attrs = _attributes(facts)
            histogram = self._server_operation if facts.receiver else self._client_operation
            metric = _metric_attributes(attrs, facts.receiver)
            current = trace.get_current_span(context)
            if _same_message(current, facts, kind):
                current.set_attributes(attrs)
                base = context if context is not None else get_current()
                return McpOperation(self.tel, facts, current, base, histogram, metric, own=False)
            if not facts.receiver and facts.method == TOOLS_CALL and _framework_tool_span(current, facts):
                # The framework's span is the tool call (one execute_tool per call, so counts by operation
                # stay right); ours is its transport, and the framework's gets the MCP attributes too.
                current.set_attributes({k: attrs[k] for k in _TOOL_SPAN_KEYS if k in attrs})
                del attrs[sc.OPERATION_NAME]
                metric.pop(sc.OPERATION_NAME, None)
            if self.tel.skip_span(context):
                return McpOperation(
                    None, facts, trace.INVALID_SPAN, context or get_current(), histogram, metric
                )
            span = self.tel.instruments.tracer.start_span(span_name(facts), context, kind, attrs, links=links)
            return McpOperation(
                self.tel, facts, span, trace.set_span_in_context(span, context), histogram, metric
            )
        except Exception as exc:
            report(f"{_WHERE}.start", exc)
            return McpOperation(None, facts, trace.INVALID_SPAN, context or get_current(), None, None)

    def native(self, facts: McpFacts) -> tuple[str, dict[str, Any]]:
        """The conventional name and attributes for the span a library opens itself for this message."""
        return span_name(facts), _attributes(facts)

    def adopt(self, span: Span, facts: McpFacts) -> McpOperation:
        """A handle on a span its library opened (and ends) itself: ours are the outcome attributes we
        add before it ends, and the metric."""
        try:
            attrs = _attributes(facts)
            histogram = self._server_operation if facts.receiver else self._client_operation
            metric = _metric_attributes(attrs, facts.receiver)
            return McpOperation(self.tel, facts, span, get_current(), histogram, metric, own=False)
        except Exception as exc:
            report(f"{_WHERE}.adopt", exc)
            return McpOperation(None, facts, span, get_current(), None, None, own=False)

    def session_ended(self, facts: McpFacts, seconds: float, error: BaseException | None = None) -> None:
        """One session (`facts`: its side, protocol version and transport) lasted `seconds`."""
        try:
            attrs = _attributes(facts)
            metric = {k: attrs[k] for k in _SESSION_KEYS if k in attrs}
            if not facts.receiver:
                for key in (sc.SERVER_ADDRESS, sc.SERVER_PORT):
                    if key in attrs:
                        metric[key] = attrs[key]
            if error is not None:
                metric[sc.ERROR_TYPE] = exception_type(error)
            histogram = self._server_session if facts.receiver else self._client_session
            histogram.record(max(seconds, 0.0), metric)
        except Exception as exc:
            report(f"{_WHERE}.session_ended", exc)


class McpOperation:
    """One MCP message in flight: tell it how it ended, then `end()` (or `fail(exc)`), exactly once."""

    __slots__ = (
        "_error",
        "_histogram",
        "_message",
        "_metric",
        "_own",
        "_started",
        "_tel",
        "context",
        "ended",
        "facts",
        "span",
    )

    def __init__(
        self,
        tel: Telemetry | None,
        facts: McpFacts,
        span: Span,
        context: Context,
        histogram: Any,
        metric: dict[str, Any] | None,
        own: bool = True,
    ) -> None:
        self._tel = tel
        self.facts = facts
        self.span = span
        self.context = context
        self._histogram = histogram
        self._metric = metric
        self._own = own
        self._error: str | None = None
        self._message: str | None = None
        self._started = timeit.default_timer()
        self.ended = False

    def tool_error(self) -> None:
        """The tools/call result says `isError`."""
        if self._error is None:
            self._error = TOOL_ERROR

    def set_request_id(self, request_id: str | int) -> None:
        """The request id, when the library allots it only after the span started."""
        self.facts.request_id = request_id
        if self._tel is not None and self._own:
            self.span.set_attribute(REQUEST_ID, str(request_id))

    def error_response(self, code: int | str, message: str | None) -> None:
        """The answer is a JSON-RPC error."""
        self._error, self._message = str(code), message

    def end(self) -> None:
        self._end(None)

    def fail(self, exception: BaseException) -> None:
        self._end(exception)

    def _end(self, exception: BaseException | None) -> None:
        if self.ended:
            return
        self.ended = True
        try:
            self._record(exception)
        except Exception as exc:
            report(f"{_WHERE}.end", exc)
        finally:
            if self._own and self._tel is not None:
                self.span.end()

    def _record(self, exception: BaseException | None) -> None:
        tel, span = self._tel, self.span
        etype = self._error
        attrs: dict[str, Any] = {}
        if etype is None and exception is not None:
            etype = exception_type(exception)
        reported = etype is not None
        if not reported and not self._own:  # a span its library ended: what the library found
            found = (getattr(span, "attributes", None) or {}).get(sc.ERROR_TYPE)
            etype = found if isinstance(found, str) else None
        if tel is not None and reported and etype is not None and span.is_recording():
            rpc_code = self._error if self._error not in (None, TOOL_ERROR) else None
            if rpc_code is not None:
                attrs[STATUS_CODE] = rpc_code
            etype, description = tel.failures.record(
                span, attrs, None, etype, self._message if exception is None else None, exception, True
            )
            attrs[sc.ERROR_TYPE] = etype
            span.set_attributes(attrs)
            span.set_status(Status(StatusCode.ERROR, description))
        if self._histogram is not None and self._metric is not None:
            metric = self._metric
            if etype is not None:
                metric = {**metric, sc.ERROR_TYPE: etype}
                if STATUS_CODE in attrs:
                    metric[STATUS_CODE] = attrs[STATUS_CODE]
            self._histogram.record(max(timeit.default_timer() - self._started, 0.0), metric, self.context)
