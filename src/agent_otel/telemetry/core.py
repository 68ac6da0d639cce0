"""`Telemetry`: the core one instrumentor (or the manual API) emits through.

Built once per `instrument()` from the providers and settings, it holds the instruments
(`instruments.py`), the content policy (`content.py`), the prices (`cost.py`) and the failure recorder
(`failures.py`), and starts every operation:

- `model_call(request, reader, source, context=, attach=, secrets=)` -> `model_call.ModelCall`, after
  choosing its path once: inside another inference (`interop.enclosing`) it is a `NestedCall`; a span
  that would not be sampled (`skip_span`) makes an `UnsampledCall`; otherwise the request `reader` runs
  and a `RecordedCall` starts its span. The adapter never branches on the path;
- `tool`, `agent`, `workflow`, `retrieval`, `node`, `guardrail` -> `operations.Operation`.

`skip_span(context)` says when a span started now would certainly not be recorded: no SDK tracer
provider, or a `ParentBased` sampler (the SDK default) under an unsampled parent, or an AlwaysOff root
sampler. Any other sampler is asked, by starting the span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from opentelemetry import trace
from opentelemetry.context import Context, get_current
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import SpanKind, TracerProvider
from opentelemetry.util.genai.completion_hook import CompletionHook
from opentelemetry.util.genai.utils import fq_exception_type

from agent_otel.config import Settings
from agent_otel.telemetry import interop, operations
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import Scope, current_scope
from agent_otel.telemetry.content import ContentPolicy
from agent_otel.telemetry.cost import PriceTable
from agent_otel.telemetry.facts import (
    AgentFacts,
    Content,
    ModelRequest,
    RequestReader,
    RetrievalFacts,
    ToolFacts,
    WorkflowFacts,
)
from agent_otel.telemetry.failures import Failures
from agent_otel.telemetry.instruments import Instruments
from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.model_paths import NestedCall, NullCall, UnsampledCall
from agent_otel.telemetry.operations import Operation
from agent_otel.telemetry.recorded import RecordedCall
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.scrub import Secrets, SecretSource

_S = TypeVar("_S")
_WHERE = "agent_otel.telemetry.core"

_RECORD_ALL = 0  # a sampler we cannot predict: always start the span
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


def _named(operation: str, name: str | None) -> str:
    """A span name: `{operation} {name}`, or the operation alone when there is no name."""
    return f"{operation} {name}" if name else operation


class Telemetry:
    """One per instrumentor instance (and one for the manual API)."""

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
        self.scope_name = scope_name
        self.instruments = Instruments(scope_name, tracer_provider, meter_provider, logger_provider)
        self.meter_provider = meter_provider  # for operation families with instruments of their own (mcp.py)
        self.content = ContentPolicy(completion_hook, self.settings)
        self.capture_content: bool = self.content.capture
        self.per_chunk = self.settings.stream_chunk_metrics == "per_chunk"
        self.failures = Failures(
            self.instruments.logger, self.capture_content, fq_exception_type, self.content
        )
        if self.settings.cost:
            self.prices: PriceTable | None = prices or PriceTable.build(
                pricing_file or self.settings.pricing_file, price_overrides
            )
        else:
            self.prices = None
        self._spans_provider = tracer_provider
        self._sampling_policy: dict[int, int] = {}
        self._last_provider: object = None
        self._last_policy = _RECORD_ALL

    # ------------------------------------------------------------------ sampling

    def skip_span(self, context: Context | None = None) -> bool:
        """True when a span started now would certainly not be recorded (see the module docstring)."""
        provider = self._spans_provider or trace.get_tracer_provider()
        if provider is self._last_provider:
            policy = self._last_policy
        else:
            policy = self._sampling_policy.get(id(provider))
            if policy is None:
                policy = self._sampling_policy[id(provider)] = _sampling_policy(provider)
            self._last_provider, self._last_policy = provider, policy
        if policy == _RECORD_ALL:
            return False
        if policy == _RECORD_NOTHING:
            return True
        parent = trace.get_current_span(context).get_span_context()
        if parent.is_valid:
            return not parent.trace_flags.sampled
        return policy == _PARENT_BASED_ROOT_OFF

    # ------------------------------------------------------------------ model calls

    def model_call(
        self,
        request: ModelRequest,
        reader: RequestReader[_S] | None = None,
        source: _S | None = None,
        *,
        context: Context | None = None,
        attach: bool = True,
        secrets: SecretSource | Secrets | None = None,
    ) -> ModelCall:
        """Start observing one model call (see the module docstring). Never raises."""
        try:
            current = context if context is not None else get_current()  # looked up once, read thrice
            op = request.operation
            key = (
                interop.EMBEDDING
                if op == sc.OP_EMBEDDINGS
                else (None if op == sc.OP_FETCH_RESPONSE else interop.INFERENCE)
            )
            if key is not None:
                outer = interop.enclosing(key, current)
                if outer is not None:
                    if interop.is_unsampled(outer):
                        return NullCall(request, context)  # the unsampled outer call accounts for it
                    content = Content() if self.capture_content and outer.capture_content else None
                    self._read(reader, request, source, content)
                    return NestedCall(request, content, outer, key, context, secrets)
            scope = current_scope(current)
            if scope is not None and request.conversation_id is None and op != sc.OP_EMBEDDINGS:
                request.conversation_id = scope.conversation_id
            if self.skip_span(current):
                if scope is None and not self.settings.unsampled_metrics:
                    return NullCall(request, context)  # nothing to record, nothing to roll up
                return UnsampledCall(self, request, scope, context, attach, key)
            content = self.content.new(context) if self.capture_content else None
            self._read(reader, request, source, content)
            return RecordedCall(self, request, content, scope, context, attach, secrets, key)
        except Exception as exc:
            report(f"{_WHERE}.model_call", exc)
            return NullCall(request, context)

    @staticmethod
    def _read(
        reader: RequestReader[_S] | None, request: ModelRequest, source: Any, content: Content | None
    ) -> None:
        if reader is None:
            return
        try:
            reader(request, source, content)
        except Exception as exc:
            report(f"{_WHERE}.read_request", exc)

    # ------------------------------------------------------------------ other operations

    def _content(self, context: Context | None) -> Content | None:
        return self.content.new(context) if self.capture_content else None

    def _start(
        self,
        kind: str,
        name: str,
        attrs: dict[str, Any],
        context: Context | None,
        scope: Scope | None,
        *,
        span_kind: SpanKind = SpanKind.INTERNAL,
        opens_scope: bool = False,
        capture: bool = False,
        instrument: Any = None,
        metric: dict[str, Any] | None = None,
    ) -> Operation:
        """`operations.start` for the operations below: INTERNAL, opening no scope, without content
        (`capture`: with the content the settings allow) and metrics, unless told."""
        content = self._content(context) if capture else None
        return operations.start(
            self, kind, name, span_kind, attrs, context, scope, opens_scope, content, instrument, metric
        )

    def _open_scope(
        self,
        scope: Scope,
        operation: str,
        attrs: dict[str, Any],
        metric: dict[str, Any],
        context: Context | None,
        instrument: Any,
        *,
        agent_name: str | None = None,
    ) -> Operation:
        """An agent's or workflow's operation (opens `scope`): then the conversation id and the
        enclosing agent's name (`agent_name`) are added to `attrs`."""
        if scope.conversation_id is not None:
            attrs[sc.CONVERSATION_ID] = scope.conversation_id
        if agent_name is not None:
            attrs[sc.AGENT_NAME] = agent_name
        return self._start(
            scope.kind,
            _named(operation, scope.name),
            attrs,
            context,
            scope,
            opens_scope=True,
            capture=True,
            instrument=instrument,
            metric=metric,
        )

    def tool(self, facts: ToolFacts, *, context: Context | None = None) -> Operation:
        """`execute_tool {name}` (INTERNAL), with the calling agent's name."""
        try:
            scope = current_scope(context)
            attrs: dict[str, Any] = {sc.OPERATION_NAME: sc.OP_EXECUTE_TOOL, sc.TOOL_NAME: facts.name}
            metric: dict[str, Any] = {sc.TOOL_NAME: facts.name}
            if facts.type is not None:
                attrs[operations.TOOL_TYPE] = metric[operations.TOOL_TYPE] = facts.type
            if facts.call_id is not None:
                attrs[operations.TOOL_CALL_ID] = facts.call_id
            if facts.description is not None:
                attrs[operations.TOOL_DESCRIPTION] = facts.description
            if scope is not None and scope.agent_name is not None:
                attrs[sc.AGENT_NAME] = metric[sc.AGENT_NAME] = scope.agent_name
            return self._start(
                operations.KIND_TOOL,
                _named(sc.OP_EXECUTE_TOOL, facts.name),
                attrs,
                context,
                scope,
                capture=True,
                instrument=self.instruments.tool,
                metric=metric,
            )
        except Exception as exc:
            report(f"{_WHERE}.tool", exc)
            return operations.null(context)

    def agent(self, facts: AgentFacts, *, context: Context | None = None) -> Operation:
        """An in-process agent: `invoke_agent {name}` (INTERNAL); opens an agent scope."""
        try:
            parent = current_scope(context)
            scope = Scope(operations.KIND_AGENT, facts.name, parent, facts.conversation_id)
            attrs: dict[str, Any] = {sc.OPERATION_NAME: sc.OP_INVOKE_AGENT}
            metric: dict[str, Any] = {}
            if facts.model is not None:
                attrs[sc.REQUEST_MODEL] = metric[sc.REQUEST_MODEL] = facts.model
            if facts.name is not None:
                attrs[sc.AGENT_NAME] = metric[sc.AGENT_NAME] = facts.name
            if facts.description:
                attrs[sc.AGENT_DESCRIPTION] = facts.description
            return self._open_scope(scope, sc.OP_INVOKE_AGENT, attrs, metric, context, self.instruments.agent)
        except Exception as exc:
            report(f"{_WHERE}.agent", exc)
            return operations.null(context)

    def workflow(self, facts: WorkflowFacts, *, context: Context | None = None) -> Operation:
        """Application-defined control flow: `invoke_workflow {name}` (INTERNAL); opens a workflow scope."""
        try:
            parent = current_scope(context)
            scope = Scope(operations.KIND_WORKFLOW, facts.name, parent, facts.conversation_id)
            attrs: dict[str, Any] = {sc.OPERATION_NAME: sc.OP_INVOKE_WORKFLOW}
            metric: dict[str, Any] = {}
            if facts.name is not None:
                attrs[sc.WORKFLOW_NAME] = metric[sc.WORKFLOW_NAME] = facts.name
            return self._open_scope(
                scope,
                sc.OP_INVOKE_WORKFLOW,
                attrs,
                metric,
                context,
                self.instruments.workflow,
                agent_name=parent.agent_name if parent is not None else None,
            )
        except Exception as exc:
            report(f"{_WHERE}.workflow", exc)
            return operations.null(context)

    def retrieval(self, facts: RetrievalFacts, *, context: Context | None = None) -> Operation:
        """`retrieval {data source}` (CLIENT)."""
        try:
            scope = current_scope(context)
            attrs: dict[str, Any] = {sc.OPERATION_NAME: sc.OP_RETRIEVAL}
            for key, value in (
                (operations.DATA_SOURCE_ID, facts.data_source_id),
                (sc.PROVIDER_NAME, facts.provider),
                (sc.REQUEST_MODEL, facts.model),
                (sc.SERVER_ADDRESS, facts.server_address),
                (sc.SERVER_PORT, facts.server_port),
                (operations.RETRIEVAL_TOP_K, facts.top_k),
            ):
                if value is not None:
                    attrs[key] = value
            metric = {
                k: v
                for k, v in attrs.items()
                if k not in (operations.DATA_SOURCE_ID, operations.RETRIEVAL_TOP_K)
            }
            if scope is not None and scope.agent_name is not None:
                attrs[sc.AGENT_NAME] = scope.agent_name
            return self._start(
                operations.KIND_RETRIEVAL,
                _named(sc.OP_RETRIEVAL, facts.data_source_id),
                attrs,
                context,
                scope,
                span_kind=SpanKind.CLIENT,
                capture=True,
                instrument=self.instruments.duration,
                metric=metric,
            )
        except Exception as exc:
            report(f"{_WHERE}.retrieval", exc)
            return operations.null(context)

    def node(self, name: str, *, context: Context | None = None) -> Operation:
        """`langgraph.node {name}` (INTERNAL), with the nearest agent's name; no metrics. Children parented
        in its `context` keep the enclosing agent/workflow scope."""
        try:
            scope = current_scope(context)
            attrs: dict[str, Any] = {sc.AGENT_OTEL_LANGGRAPH_NODE: name}
            if scope is not None and scope.agent_name is not None:
                attrs[sc.AGENT_NAME] = scope.agent_name
            return self._start(operations.KIND_NODE, f"langgraph.node {name}", attrs, context, scope)
        except Exception as exc:
            report(f"{_WHERE}.node", exc)
            return operations.null(context)

    def guardrail(self, name: str, *, context: Context | None = None) -> Operation:
        """`apply_guardrail {name}` (INTERNAL): a check an agent framework runs on an agent's input or
        output, with the nearest agent's name; no metrics. `set_attribute(GUARDRAIL_TRIGGERED, True)` when
        it trips; ERROR only when the run fails because of it (`stop_clock()`, then `fail` or `end` from
        the callback that learns the run's outcome)."""
        try:
            scope = current_scope(context)
            attrs: dict[str, Any] = {operations.GUARDRAIL_NAME: name}
            if scope is not None and scope.agent_name is not None:
                attrs[sc.AGENT_NAME] = scope.agent_name
            return self._start(
                operations.KIND_GUARDRAIL,
                f"apply_guardrail {name}" if name else "apply_guardrail",
                attrs,
                context,
                scope,
            )
        except Exception as exc:
            report(f"{_WHERE}.guardrail", exc)
            return operations.null(context)
