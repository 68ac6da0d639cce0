"""Tool, agent, workflow, retrieval and LangGraph-node operations: started, filled, ended by the core.

`Telemetry.tool/agent/workflow/retrieval/node(facts, context=...)` returns an `Operation`, the same
handle for each kind (and the same endings as a model call: `end()`, `fail(error)`,
`end_stream(how, error)` with the one stream-end policy, `set_attribute(key, value)`). What an adapter
may tell an operation beyond its start facts:

- tools: `arguments` and `result` (content: only read when `capture_content`);
- agents and workflows: `content.input_messages` / `output_messages` (and, for agents,
  `system_instructions` / `tool_definitions`), when `content` is not None;
- retrievals: `query_text`, `documents` (content).

Spans are INTERNAL (`execute_tool {name}`, `invoke_agent {name}`, `invoke_workflow {name}`,
`langgraph.node {name}`) or CLIENT (`retrieval {data source}`). An agent or workflow opens a
`agents.Scope`: children get the nearest agent's name and its conversation id; when it ends, the
tokens and cost beneath it are written on its span (`gen_ai.usage.*_tokens`, `agent_otel.usage.cost.*`).
Metrics: `gen_ai.execute_tool.duration`, `gen_ai.invoke_agent.duration`, `gen_ai.invoke_workflow.duration`
and, for retrievals, `gen_ai.client.operation.duration`. Operations are never attached: their `context` is
what adapters parent children in. Under an unsampled parent an operation records nothing (`quiet`): no
span, no metric, but agents and workflows still open their scope.
"""

from __future__ import annotations

import time
import timeit
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context, get_current
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import Scope, with_scope
from agent_otel.telemetry.facts import Content, ProviderError
from agent_otel.telemetry.model_call import ABANDONED, Failure, error_type
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.streams import END_ABANDONED, END_CLOSED, END_ERROR

if TYPE_CHECKING:
    from opentelemetry.metrics import Histogram

    from agent_otel.telemetry.core import Telemetry

KIND_TOOL = "tool"
KIND_AGENT = "agent"
KIND_WORKFLOW = "workflow"
KIND_RETRIEVAL = "retrieval"
KIND_NODE = "node"
KIND_GUARDRAIL = "guardrail"

TOOL_TYPE = "gen_ai.tool.type"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_DESCRIPTION = "gen_ai.tool.description"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
DATA_SOURCE_ID = "gen_ai.data_source.id"
RETRIEVAL_TOP_K = "gen_ai.retrieval.top_k"
RETRIEVAL_QUERY_TEXT = "gen_ai.retrieval.query.text"
RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents"
GUARDRAIL_NAME = sc.AGENT_OTEL_GUARDRAIL_NAME
GUARDRAIL_TRIGGERED = sc.AGENT_OTEL_GUARDRAIL_TRIGGERED
_WHERE = "agent_otel.telemetry.operations"


class Operation:
    """A running tool, agent, workflow, retrieval or node (see the module docstring)."""

    __slots__ = (
        "_end_attributes",
        "_histogram",
        "_metric_attributes",
        "_span",
        "_started",
        "_stopped",
        "_tel",
        "arguments",
        "content",
        "context",
        "documents",
        "ended",
        "kind",
        "query_text",
        "result",
        "scope",
    )

    def __init__(
        self,
        tel: Telemetry | None,
        kind: str,
        span: Span,
        context: Context,
        scope: Scope | None,
        content: Content | None,
        histogram: Histogram | None,
        metric_attributes: dict[str, Any] | None,
    ) -> None:
        self._tel = tel
        self.kind = kind
        self._span = span
        self.context = context
        self.scope = scope
        self.content = content
        self._histogram = histogram
        self._metric_attributes = metric_attributes
        self._end_attributes: dict[str, Any] = {}
        self.arguments: Any = None
        self.result: Any = None
        self.query_text: str | None = None
        self.documents: Any = None
        self.ended = False
        self._started = timeit.default_timer()
        self._stopped: tuple[int, float] | None = None

    @property
    def span(self) -> Span:
        return self._span

    @property
    def capture_content(self) -> bool:
        return self.content is not None

    def set_attribute(self, key: str, value: Any) -> None:
        """An attribute for the span (written when the operation ends)."""
        self._end_attributes[key] = value

    def stop_clock(self) -> None:
        """The work is over but its outcome is decided later, by another callback (a guardrail whose trip
        fails the run only when the run ends): the span's end time and the duration are taken now."""
        if self._stopped is None and not self.ended:
            self._stopped = (time.time_ns(), timeit.default_timer())

    def name_tool(self, name: str) -> None:
        """A tool whose name is learned after it started (a handoff the library names only once it runs)."""
        if self.ended or not name:
            return
        try:
            self._span.update_name(f"{sc.OP_EXECUTE_TOOL} {name}")
            self._end_attributes[sc.TOOL_NAME] = name
            if self._metric_attributes is not None:
                self._metric_attributes[sc.TOOL_NAME] = name
        except Exception as exc:
            report(f"{_WHERE}.name_tool", exc)

    # ------------------------------------------------------------------ endings

    def end(self) -> None:
        self._end(None)

    def fail(self, error: Failure) -> None:
        self._end(error)

    def end_stream(self, how: str, error: BaseException | None = None) -> None:
        """The operation's output stream ended `how`: the same policy as `ModelCall.end_stream`."""
        if self.ended:
            return
        if how in (END_CLOSED, END_ABANDONED):
            self._end_attributes[sc.AGENT_OTEL_STREAM_END] = how
        if how == END_ERROR:
            self._end(error if error is not None else ProviderError("_OTHER"))
        elif how == END_ABANDONED:
            self._end(ABANDONED)
        else:
            self._end(None)

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        span = self._span
        try:
            self._record(error)
        except Exception as exc:
            report(f"{_WHERE}.end", exc)
            if error is not None:
                try:
                    span.set_status(Status(StatusCode.ERROR, error_type(error)))
                except Exception:
                    pass
        finally:
            span.end(self._stopped[0] if self._stopped is not None else None)

    def _record(self, error: Failure | None) -> None:
        tel = self._tel
        if tel is None:
            return
        attrs = self._end_attributes
        kind = self.kind
        content = self.content
        on_span = content is not None and tel.content.on_span
        if kind == KIND_TOOL:
            if on_span:
                attrs.update(tel.content.tool_attributes(self.arguments, self.result, self._span))
        elif kind in (KIND_AGENT, KIND_WORKFLOW):
            self._totals(attrs)
            if on_span and content is not None:
                attrs.update(tel.content.span_attributes(content, True, self._span))
        elif kind == KIND_RETRIEVAL and on_span and self._span.is_recording():
            attrs.update(tel.content.retrieval_attributes(self.query_text, self.documents, self._span))
        metric_attrs = self._metric_attributes
        span = self._span
        if error is not None:
            etype = error_type(error)
            client = kind == KIND_RETRIEVAL
            if isinstance(error, ProviderError):
                etype, description = tel.failures.record(
                    span, attrs, None, etype, error.message, None, client
                )
            else:
                etype, description = tel.failures.record(span, attrs, None, etype, None, error, client)
            attrs[sc.ERROR_TYPE] = etype
            if metric_attrs is not None:
                metric_attrs = {**metric_attrs, sc.ERROR_TYPE: etype}
            span.set_status(Status(StatusCode.ERROR, description))
        if attrs:
            span.set_attributes(attrs)
        if self._histogram is not None and metric_attrs is not None:
            now = self._stopped[1] if self._stopped is not None else timeit.default_timer()
            self._histogram.record(max(now - self._started, 0.0), metric_attrs, self.context)
        if content is not None and kind in (KIND_AGENT, KIND_WORKFLOW):
            tel.content.finish(tel.instruments.logger, span, content, None)

    def _totals(self, attrs: dict[str, Any]) -> None:
        scope = self.scope
        if scope is None:
            return
        if scope.input_tokens or scope.output_tokens:
            attrs[sc.USAGE_INPUT_TOKENS] = scope.input_tokens
            attrs[sc.USAGE_OUTPUT_TOKENS] = scope.output_tokens
        if scope.priced_calls and not scope.mixed_currency:
            attrs[sc.AGENT_OTEL_COST_TOTAL] = round(scope.cost, 12)
            attrs[sc.AGENT_OTEL_COST_TOTAL_CURRENCY] = scope.currency or "USD"


def start(
    tel: Telemetry,
    kind: str,
    name: str,
    span_kind: SpanKind,
    attributes: dict[str, Any],
    context: Context | None,
    scope: Scope | None,
    own_scope: bool,
    content: Content | None,
    histogram: Histogram | None,
    metric_attributes: dict[str, Any] | None,
) -> Operation:
    """Start the span and build the handle (`Telemetry`'s factories fill in the kind's facts)."""
    if tel.skip_span(context):
        return quiet(kind, context, scope, own_scope)
    span = tel.instruments.tracer.start_span(name, context, span_kind, attributes)
    ctx = trace.set_span_in_context(span, context)
    if own_scope and scope is not None:
        ctx = with_scope(scope, ctx)
    return Operation(tel, kind, span, ctx, scope, content, histogram, metric_attributes)


def quiet(kind: str, context: Context | None, scope: Scope | None, own_scope: bool) -> Operation:
    """An operation whose span would not be sampled: no span, no metric; children stay beneath the
    (unsampled) parent, and an agent or workflow still opens its scope (roll-ups, `manual` usage)."""
    base = context if context is not None else get_current()
    if own_scope and scope is not None:
        base = with_scope(scope, base)
    return Operation(None, kind, trace.get_current_span(base), base, scope, None, None, None)


def null(context: Context | None) -> Operation:
    """An operation that records nothing (our own code failed to start it)."""
    return Operation(
        None,
        "",
        trace.INVALID_SPAN,
        context if context is not None else get_current(),
        None,
        None,
        None,
        None,
    )
