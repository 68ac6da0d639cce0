"""The facade over opentelemetry-util-genai: the only module in agent-otel that imports it.

Adapters (instrumentation/*) and the manual API start operations here and get back a `Call`; they fill
the util-genai invocation (`call.inv`) with what they read from the library and finish with `stop()` or
`fail()`. Spans, names, attributes, metrics, events, content gating and duplicate suppression are
util-genai's; this module adds, on top of its public API:

- agent/workflow scopes (`agents.Scope`): `gen_ai.agent.name` of the nearest agent on every child
  span, and token and cost totals written on agent and workflow spans when they finish;
- cost on inference spans (`gen_ai.usage.cost.*`, semantic-conventions-genai PR #443) and the
  `gen_ai.client.operation.cost` histogram;
- on every finish, sane token counts and one spelling of finish reasons (`values.py`); on a failure,
  a content-free, secret-free status and the exception event (`failures.py`, `scrub.py`);
- the unsampled fast path: `skip_span()` says when a span would not be recorded, so an adapter can
  skip util-genai and record only the duration and token metrics (`record_unsampled()`).

Everything util-genai exposes that the adapters need (message and part types, stream-free helpers) is
re-exported here so no other module has to import it.
"""

from __future__ import annotations

import logging
import timeit
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context, attach, detach, get_value, set_value
from opentelemetry.metrics import MeterProvider, get_meter
from opentelemetry.trace import Span, TracerProvider
from opentelemetry.util.genai.completion_hook import CompletionHook, load_completion_hook
from opentelemetry.util.genai.handler import TelemetryHandler
from opentelemetry.util.genai.invocation import (
    CLIENT_EMBEDDING_CONTEXT_KEY,
    CLIENT_INFERENCE_CONTEXT_KEY,
    EmbeddingData,
    EmbeddingInvocation,
    Error,
    FetchResponseInvocation,
    GenAIInvocation,
    InferenceData,
    InferenceInvocation,
    LocalAgentInvocation,
    RetrievalInvocation,
    ToolInvocation,
    WorkflowInvocation,
)
from opentelemetry.util.genai.types import (
    BlobPart,
    ContentCapturingMode,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    Modality,
    OutputMessage,
    ReasoningPart,
    RetrievalDocument,
    ServerToolCallPart,
    ServerToolCallResponsePart,
    SystemInstructionPart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    UriPart,
)
from opentelemetry.util.genai.utils import (
    fq_exception_type,
    gen_ai_json_dumps,
    get_content_capturing_mode,
    tool_arguments_to_any_value,
)

from agent_otel.config import Settings
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry import values
from agent_otel.telemetry.agents import Scope, current_scope, with_scope
from agent_otel.telemetry.calls import Call
from agent_otel.telemetry.cost import PriceTable
from agent_otel.telemetry.failures import Failures
from agent_otel.version import __version__

__all__ = [
    "BlobPart",
    "Call",
    "ContentCapturingMode",
    "EmbeddingInvocation",
    "Error",
    "FetchResponseInvocation",
    "FilePart",
    "FunctionToolDefinition",
    "GenAIInvocation",
    "GenAITelemetry",
    "GenericToolDefinition",
    "InferenceInvocation",
    "InputMessage",
    "LocalAgentInvocation",
    "Modality",
    "OutputMessage",
    "ReasoningPart",
    "RetrievalDocument",
    "RetrievalInvocation",
    "ServerToolCallPart",
    "ServerToolCallResponsePart",
    "SystemInstructionPart",
    "TextPart",
    "ToolCallRequestPart",
    "ToolCallResponsePart",
    "ToolInvocation",
    "UriPart",
    "WorkflowInvocation",
    "fq_exception_type",
    "gen_ai_json_dumps",
    "get_content_capturing_mode",
    "tool_arguments_to_any_value",
]

_logger = logging.getLogger(__name__)

# util-genai's schema URL; our own instruments must share it to land in the same meter scope.
_SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"
_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
_COST_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 50.0]

KIND_INFERENCE = "inference"
KIND_EMBEDDING = "embedding"
KIND_FETCH = "fetch_response"
KIND_RETRIEVAL = "retrieval"
KIND_TOOL = "tool"
KIND_AGENT = "agent"
KIND_WORKFLOW = "workflow"
_CLIENT_KINDS = frozenset({KIND_INFERENCE, KIND_EMBEDDING, KIND_FETCH, KIND_RETRIEVAL})


_RECORD_ALL = 0  # a sampler we cannot predict: always ask it (through util-genai)
_RECORD_NOTHING = 1  # no SDK provider: nothing is ever recorded
_PARENT_BASED = 2  # ParentBased: an unsampled parent means an unsampled child
_PARENT_BASED_ROOT_OFF = 3  # ParentBased(ALWAYS_OFF) or ALWAYS_OFF: roots are not sampled either


def _sampling_policy(provider: object) -> int:
    sampler = getattr(provider, "sampler", None)
    if sampler is None:
        # The API's no-op provider, or the proxy provider before an SDK provider is set.
        return _RECORD_NOTHING if not hasattr(provider, "add_span_processor") else _RECORD_ALL
    try:
        description = sampler.get_description()
    except Exception:
        return _RECORD_ALL
    if description == "AlwaysOffSampler" or description.startswith("ParentBased{root:AlwaysOffSampler"):
        return _PARENT_BASED_ROOT_OFF
    if description.startswith("ParentBased{"):
        return _PARENT_BASED
    return _RECORD_ALL


class GenAITelemetry:
    """One per instrumentor instance: util-genai's `TelemetryHandler` plus cost, scopes, fast path."""

    def __init__(
        self,
        *,
        scope_name: str,
        settings: Settings | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: Any | None = None,
        completion_hook: CompletionHook | None = None,
        prices: PriceTable | None = None,
        pricing_file: str | None = None,
        price_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        if completion_hook is None:
            completion_hook = load_completion_hook()
        self.handler = TelemetryHandler(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            completion_hook=completion_hook,
            instrumentation_scope_name=scope_name,
            instrumentation_scope_version=__version__,
        )
        self.capture_content: bool = self.handler.should_capture_content()
        self.failures = Failures(
            scope_name=scope_name,
            version=__version__,
            schema_url=_SCHEMA_URL,
            logger_provider=logger_provider,
            capture_content=self.capture_content,
            type_name=fq_exception_type,
        )
        if self.settings.cost:
            self.prices: PriceTable | None = prices or PriceTable.build(
                pricing_file or self.settings.pricing_file, price_overrides
            )
        else:
            self.prices = None
        self._tracer_provider = tracer_provider
        self._sampling_policy: dict[int, int] = {}
        meter = get_meter(scope_name, __version__, meter_provider=meter_provider, schema_url=_SCHEMA_URL)
        self.cost_histogram = meter.create_histogram(
            name=sc.METRIC_OPERATION_COST,
            unit="{USD}",
            description="Cost of a GenAI client operation, computed locally from token usage and prices.",
            explicit_bucket_boundaries_advisory=_COST_BUCKETS,
        )
        # The same instruments util-genai creates on this meter (same name, unit, description and
        # buckets, so the SDK hands back the very same instrument): used only on the unsampled fast path.
        # tests/telemetry/test_facade.py fails loudly if util-genai changes them.
        self.duration_histogram = meter.create_histogram(
            name="gen_ai.client.operation.duration",
            description="Duration of GenAI client operation",
            unit="s",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.token_histogram = meter.create_histogram(
            name="gen_ai.client.token.usage",
            description="Number of input and output tokens used by GenAI clients",
            unit="{token}",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )

    # ------------------------------------------------------------------ sampling fast path

    def skip_span(self, context: Context | None = None) -> bool:
        """True when a span started now would certainly not be recorded.

        That is the case when the tracer provider is the API's no-op/proxy provider (no SDK set up),
        when the parent span is valid, not sampled and the sampler honours the parent (`ParentBased`,
        the SDK default), or when there is no parent and the (root) sampler is AlwaysOff. Adapters then
        skip util-genai and all attribute extraction, and record only the client metrics through
        `record_unsampled`. Any other sampler is asked by util-genai as usual.
        """
        provider = self._tracer_provider or trace.get_tracer_provider()
        policy = self._sampling_policy.get(id(provider))
        if policy is None:
            policy = self._sampling_policy[id(provider)] = _sampling_policy(provider)
        if policy == _RECORD_ALL:
            return False
        if policy == _RECORD_NOTHING:
            return True
        parent = trace.get_current_span(context).get_span_context()
        if parent.is_valid:
            return not parent.trace_flags.sampled
        return policy == _PARENT_BASED_ROOT_OFF

    def in_inference(self, context: Context | None = None) -> bool:
        """True inside another inference's context (a sampled one's, or `unsampled_inference_context`):
        that outer operation accounts for this call, so an unsampled inner call records nothing."""
        return isinstance(get_value(CLIENT_INFERENCE_CONTEXT_KEY, context), InferenceData)

    def unsampled_inference_context(self, context: Context) -> Context:
        """The context to run an unsampled inference in: it carries util-genai's inference marker, so
        nested calls (our OpenAI wrapper, util-genai based instrumentors) don't record the same call twice."""
        return set_value(CLIENT_INFERENCE_CONTEXT_KEY, InferenceData(), context)

    def record_unsampled(
        self,
        attributes: dict[str, Any],
        started: float,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        *,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        response_model: str | None = None,
        context: Context | None = None,
    ) -> None:
        """Record what a call whose span was skipped still owes: the client duration and token metrics,
        its cost metric, and its usage and cost in the enclosing agent/workflow totals.

        With AGENT_OTEL_UNSAMPLED_METRICS=false only the totals are kept (no metric records: ~5 µs).
        """
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens = values.counts(
            input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens
        )
        if not self.settings.unsampled_metrics:
            scope = current_scope(context)
            if scope is not None and (input_tokens or output_tokens):
                price = (
                    self.prices.lookup(response_model or attributes.get(sc.REQUEST_MODEL))
                    if self.prices
                    else None
                )
                cost = (
                    price.cost(
                        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens
                    )
                    if price is not None
                    else None
                )
                scope.add_usage(input_tokens, output_tokens, cost, price.currency if price else None)
            return
        self.duration_histogram.record(max(timeit.default_timer() - started, 0.0), attributes)
        if input_tokens is not None:
            self.token_histogram.record(input_tokens, {**attributes, "gen_ai.token.type": "input"})
        if output_tokens is not None:
            self.token_histogram.record(output_tokens, {**attributes, "gen_ai.token.type": "output"})
        cost: float | None = None
        currency: str | None = None
        if self.prices is not None and (input_tokens or output_tokens):
            price = self.prices.lookup(response_model) or self.prices.lookup(attributes.get(sc.REQUEST_MODEL))
            if price is not None:
                cost = price.cost(
                    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens
                )
                currency = price.currency
                metric_attrs = {
                    k: attributes[k]
                    for k in (sc.OPERATION_NAME, sc.PROVIDER_NAME, sc.REQUEST_MODEL)
                    if attributes.get(k) is not None
                }
                metric_attrs[sc.USAGE_COST_CURRENCY] = currency
                self.cost_histogram.record(cost, metric_attrs)
        scope = current_scope(context)
        if scope is not None:
            scope.add_usage(input_tokens, output_tokens, cost, currency)

    # ------------------------------------------------------------------ starting operations

    def _child(
        self,
        kind: str,
        inv: Any,
        scope: Scope | None,
        attach_ctx: bool,
        suppressed: bool = False,
        operation: str | None = None,
    ) -> Call:
        if scope is not None and scope.agent_name is not None and not suppressed:
            inv.attributes[sc.AGENT_NAME] = scope.agent_name
        if not attach_ctx:
            inv.suspend()
        return Call(kind, inv, inv.context, scope, suppressed, operation)

    def inference(
        self,
        provider: str,
        *,
        request_model: str | None,
        server_address: str | None = None,
        server_port: int | None = None,
        operation_name: str = sc.OP_CHAT,
        context: Context | None = None,
        attach: bool = True,
        conversation_id: str | None = None,
    ) -> Call:
        suppressed = isinstance(get_value(CLIENT_INFERENCE_CONTEXT_KEY, context), InferenceData)
        inv = self.handler.inference(
            provider,
            request_model=request_model,
            server_address=server_address,
            server_port=server_port,
            operation_name=operation_name,
            context=context,
            conversation_id=conversation_id,
        )
        return self._child(KIND_INFERENCE, inv, current_scope(context), attach, suppressed, operation_name)

    def embedding(
        self,
        provider: str,
        *,
        request_model: str | None,
        server_address: str | None = None,
        server_port: int | None = None,
        context: Context | None = None,
        attach: bool = True,
    ) -> Call:
        suppressed = isinstance(get_value(CLIENT_EMBEDDING_CONTEXT_KEY, context), EmbeddingData)
        inv = self.handler.embedding(
            provider,
            request_model=request_model,
            server_address=server_address,
            server_port=server_port,
            context=context,
        )
        return self._child(KIND_EMBEDDING, inv, current_scope(context), attach, suppressed, sc.OP_EMBEDDINGS)

    def fetch_response(
        self,
        provider: str,
        *,
        response_id: str,
        request_stream: bool | None = None,
        server_address: str | None = None,
        server_port: int | None = None,
        context: Context | None = None,
        attach: bool = True,
    ) -> Call:
        inv = self.handler.fetch_response(
            provider,
            response_id=response_id,
            request_stream=request_stream,
            server_address=server_address,
            server_port=server_port,
            context=context,
        )
        return self._child(KIND_FETCH, inv, current_scope(context), attach)

    def retrieval(
        self,
        *,
        data_source_id: str | None = None,
        provider: str | None = None,
        request_model: str | None = None,
        context: Context | None = None,
        attach: bool = True,
    ) -> Call:
        inv = self.handler.retrieval(
            data_source_id=data_source_id, provider=provider, request_model=request_model, context=context
        )
        return self._child(KIND_RETRIEVAL, inv, current_scope(context), attach)

    def tool(
        self,
        name: str,
        *,
        tool_type: str | None = "function",
        call_id: str | None = None,
        description: str | None = None,
        context: Context | None = None,
        attach: bool = True,
    ) -> Call:
        scope = current_scope(context)
        inv = self.handler.tool(
            name,
            tool_type=tool_type,
            agent_name=scope.agent_name if scope is not None else None,
            context=context,
        )
        if call_id is not None:
            inv.tool_call_id = call_id
        if description is not None:
            inv.tool_description = description
        if not attach:
            inv.suspend()
        return Call(KIND_TOOL, inv, inv.context, scope)

    def _scoped(
        self, kind: str, inv: Any, name: str | None, context: Context | None, attach_ctx: bool
    ) -> Call:
        # util-genai attached the invocation's own context; swap it for one that also carries the scope.
        inv.suspend()
        scope = Scope(kind, name, current_scope(context))
        ctx = with_scope(scope, inv.context)
        call = Call(kind, inv, ctx, scope)
        if attach_ctx:
            call._token = attach(ctx)
        return call

    def agent(
        self,
        name: str | None,
        *,
        description: str | None = None,
        request_model: str | None = None,
        context: Context | None = None,
        attach: bool = True,
        conversation_id: str | None = None,
    ) -> Call:
        """An in-process agent: `invoke_agent {name}`, INTERNAL."""
        inv = self.handler.invoke_local_agent(
            request_model=request_model,
            agent_name=name,
            context=context,
            conversation_id=conversation_id,
        )
        if description:
            inv.agent_description = description
        return self._scoped(KIND_AGENT, inv, name, context, attach)

    def workflow(
        self,
        name: str | None,
        *,
        context: Context | None = None,
        attach: bool = True,
        conversation_id: str | None = None,
    ) -> Call:
        """An application-defined workflow: `invoke_workflow {name}`, INTERNAL."""
        inv = self.handler.workflow(name, context=context, conversation_id=conversation_id)
        call = self._scoped(KIND_WORKFLOW, inv, name, context, attach)
        parent = call.scope.parent if call.scope is not None else None
        if parent is not None and parent.agent_name is not None:
            inv.attributes[sc.AGENT_NAME] = parent.agent_name
        return call

    # ------------------------------------------------------------------ finishing

    def stop(self, call: Call) -> None:
        """Finish successfully. Idempotent; never raises."""
        self._finish(call, None)

    def fail(self, call: Call, error: BaseException | Error) -> None:
        """Finish with an error (status ERROR, `error.type`). Idempotent; never raises."""
        self._finish(call, error)

    def _finish(self, call: Call, error: BaseException | Error | None) -> None:
        inv = call.inv
        if getattr(inv, "_finished", False):
            return
        try:
            values.check_usage(inv)
            values.normalize_finish_reasons(inv)
            if error is not None:
                error = self._recorded_error(call, error)
        except Exception as exc:
            from agent_otel.telemetry.safety import report

            report("agent_otel.telemetry.genai.finish", exc)
            if error is not None:  # never let the raw message through
                error = Error(None, error.type if isinstance(error, Error) else fq_exception_type(error))
        try:
            if call.kind == KIND_INFERENCE and not call.suppressed:
                self._account_inference(call)
            elif call.kind == KIND_EMBEDDING and not call.suppressed:
                self._account_inference(call, output=False)
            elif call.kind in (KIND_AGENT, KIND_WORKFLOW):
                self._write_totals(call)
        except Exception as exc:  # our bookkeeping must never keep the span from ending
            from agent_otel.telemetry.safety import report

            report("agent_otel.telemetry.genai.finish", exc)
        try:
            if error is None:
                inv.stop()
            else:
                inv.fail(error)
        except Exception as exc:
            from agent_otel.telemetry.safety import report

            report("agent_otel.telemetry.genai.finish", exc)
        if call._token is not None:
            token, call._token = call._token, None
            try:
                detach(token)  # type: ignore[arg-type]
            except Exception:
                pass

    def _recorded_error(self, call: Call, error: BaseException | Error) -> Error:
        """The error as recorded (failures.py): scrubbed, content-free with capture off."""
        if isinstance(error, BaseException):
            error = Error.from_exception(error)
        client = call.kind in _CLIENT_KINDS and not call.suppressed
        error_type, message = self.failures.record(call, error.type, error.message, error.exception, client)
        return Error(message=message, type=error_type, exception=error.exception)

    def _account_inference(self, call: Call, output: bool = True) -> None:
        inv = call.inv
        data = get_value(CLIENT_INFERENCE_CONTEXT_KEY, inv.context) if output else None
        merged = data if isinstance(data, InferenceData) else None

        def pick(own: Any, field: str) -> Any:
            if own is not None or merged is None:
                return own
            return getattr(merged, field, None)

        input_tokens = pick(inv.input_tokens, "usage_input_tokens")
        output_tokens = pick(inv.output_tokens, "usage_output_tokens") if output else None
        cost: float | None = None
        currency: str | None = None
        if self.prices is not None and (input_tokens or output_tokens):
            response_model = pick(getattr(inv, "response_model_name", None), "response_model")
            price = self.prices.lookup(response_model) or self.prices.lookup(inv.request_model)
            if price is not None:
                cost = price.cost(
                    input_tokens,
                    output_tokens,
                    pick(getattr(inv, "cache_read_input_tokens", None), "usage_cache_read_input_tokens")
                    if output
                    else None,
                    pick(getattr(inv, "cache_write_input_tokens", None), "usage_cache_write_input_tokens")
                    if output
                    else None,
                    pick(getattr(inv, "thinking_tokens", None), "usage_reasoning_output_tokens")
                    if output
                    else None,
                )
                currency = price.currency
                attrs = inv.attributes
                attrs[sc.USAGE_COST_AMOUNT] = cost
                attrs[sc.USAGE_COST_CURRENCY] = currency
                attrs[sc.USAGE_COST_SOURCE] = sc.COST_SOURCE_LOCAL
                metric_attrs = {
                    sc.OPERATION_NAME: call.operation or sc.OP_CHAT,
                    sc.PROVIDER_NAME: inv.provider,
                    sc.USAGE_COST_CURRENCY: currency,
                }
                if inv.request_model:
                    metric_attrs[sc.REQUEST_MODEL] = inv.request_model
                self.cost_histogram.record(cost, metric_attrs, context=inv.context)
        if call.scope is not None:
            call.scope.add_usage(input_tokens, output_tokens, cost, currency)

    def _write_totals(self, call: Call) -> None:
        scope = call.scope
        if scope is None:
            return
        inv = call.inv
        if scope.input_tokens or scope.output_tokens:
            if call.kind == KIND_AGENT:
                inv.input_tokens = scope.input_tokens
                inv.output_tokens = scope.output_tokens
            else:
                inv.attributes[sc.USAGE_INPUT_TOKENS] = scope.input_tokens
                inv.attributes[sc.USAGE_OUTPUT_TOKENS] = scope.output_tokens
        if scope.priced_calls and not scope.mixed_currency:
            inv.attributes[sc.AGENT_OTEL_COST_TOTAL] = round(scope.cost, 12)
            inv.attributes[sc.AGENT_OTEL_COST_TOTAL_CURRENCY] = scope.currency or "USD"


# ==================================================================================================
# Plain spans for framework steps util-genai has no invocation type for: LangGraph nodes.
# Added for the LangChain/LangGraph instrumentor (issue #3), behind Settings.langgraph_node_spans.
# Same `Call` handle and `stop()`/`fail()` as every other operation; no GenAI metrics.
# ==================================================================================================

KIND_NODE = "node"
_NODE_TRACER_ATTR = "_agent_otel_node_tracers"


class _PlainInvocation:
    """The part of a util-genai invocation the facade touches (`attributes`, `stop`, `fail`), over a
    plain INTERNAL span."""

    __slots__ = ("_finished", "attributes", "context", "span")

    def __init__(self, span: Span, context: Context) -> None:
        self.span = span
        self.context = context
        self.attributes: dict[str, Any] = {}
        self._finished = False

    def suspend(self) -> None:
        """Never attached: nothing to restore."""

    def stop(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self.attributes:
            self.span.set_attributes(self.attributes)
        self.span.end()

    def fail(self, error: BaseException | Error) -> None:
        if self._finished:
            return
        if isinstance(error, BaseException):
            error = Error.from_exception(error)
        self.attributes[sc.ERROR_TYPE] = error.type
        self.span.set_status(trace.Status(trace.StatusCode.ERROR, error.message))
        self.stop()


def node_span(
    telemetry: GenAITelemetry,
    name: str,
    *,
    scope_name: str,
    context: Context | None = None,
) -> Call:
    """Start `langgraph.node {name}` (INTERNAL) as a child of `context`; finish it with `stop`/`fail`.

    The span carries `agent_otel.langgraph.node` and the `gen_ai.agent.name` of the nearest agent; the
    returned call's context keeps the enclosing agent/workflow scope, so spans beneath it roll up as usual.
    Never attached: parent children explicitly with `context=call.context`.
    """
    tracers: dict[str, trace.Tracer] = telemetry.__dict__.setdefault(_NODE_TRACER_ATTR, {})
    tracer = tracers.get(scope_name)
    if tracer is None:
        tracer = tracers[scope_name] = trace.get_tracer(
            scope_name, __version__, telemetry._tracer_provider, schema_url=_SCHEMA_URL
        )
    scope = current_scope(context)
    attributes: dict[str, Any] = {sc.AGENT_OTEL_LANGGRAPH_NODE: name}
    if scope is not None and scope.agent_name is not None:
        attributes[sc.AGENT_NAME] = scope.agent_name
    span = tracer.start_span(
        f"langgraph.node {name}", context=context, kind=trace.SpanKind.INTERNAL, attributes=attributes
    )
    ctx = trace.set_span_in_context(span, context)
    return Call(KIND_NODE, _PlainInvocation(span, ctx), ctx, scope, operation="langgraph.node")
