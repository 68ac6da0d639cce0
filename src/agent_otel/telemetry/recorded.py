"""`RecordedCall`: a model call whose span is recorded (the handle is `model_call.ModelCall`'s).

One `start_span` with every request attribute (`attributes.start_attributes`), the interop marker in its
context (`interop.py`), time to first chunk on the first chunk, retries as span events, and at the end
one `set_attributes` with the response's facts, cost (`cost.price_usage`), roll-up into the enclosing
agents and workflows, content (`content.py`), the status and exception (`failures.py`), the duration,
token and cost histograms, the `gen_ai.client.inference.operation.details` event and the completion hook.
"""

from __future__ import annotations

import timeit
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.genai.utils import fq_exception_type

from agent_otel.telemetry import attributes as at
from agent_otel.telemetry import interop
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import Scope
from agent_otel.telemetry.cost import price_usage
from agent_otel.telemetry.facts import Content, ModelRequest, ProviderError
from agent_otel.telemetry.model_call import Failure, ModelCall, error_type
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.streams import END_ABANDONED, END_CLOSED

if TYPE_CHECKING:
    from agent_otel.telemetry.core import Telemetry
    from agent_otel.telemetry.scrub import Secrets, SecretSource

_WHERE = "agent_otel.telemetry.recorded"


class RecordedCall(ModelCall):
    """A model call whose span is recorded."""

    __slots__ = (
        "_chunk_at",
        "_data",
        "_extra",
        "_key",
        "_scope",
        "_secrets",
        "_span",
        "_started",
        "_tel",
        "_ttfc",
    )

    def __init__(
        self,
        tel: Telemetry,
        request: ModelRequest,
        content: Content | None,
        scope: Scope | None,
        context: Context | None,
        attach_ctx: bool,
        secrets: SecretSource | Secrets | None,
        key: str | None,
    ) -> None:
        super().__init__(request, None, content)
        self._tel = tel
        self._scope = scope
        self._secrets = secrets
        self._key = key
        self._ttfc: float | None = None
        self._chunk_at = 0.0
        self._extra: dict[str, Any] | None = None
        self.per_chunk = tel.per_chunk
        agent = scope.agent_name if scope is not None else None
        span = self._span = tel.instruments.tracer.start_span(
            at.span_name(request), context, SpanKind.CLIENT, at.start_attributes(request, agent)
        )
        ctx = trace.set_span_in_context(span, context)
        self._data: interop.Marker | None = None
        if key is not None:
            ctx, self._data = interop.marker(key, ctx, True, content is not None)
        self._context = ctx
        self._attach(attach_ctx)
        self._started = timeit.default_timer()

    @property
    def span(self) -> Span:
        return self._span

    def chunk(self, model: str | None = None) -> None:
        now = timeit.default_timer()
        if self._ttfc is None:
            if model is not None:
                self.response.model = model
            self._ttfc = max(now - self._started, 0.0)
            try:
                self._tel.instruments.ttfc.record(
                    self._ttfc, at.metric_attributes(self.request, self.response), self._context
                )
            except Exception as exc:
                report(f"{_WHERE}.chunk", exc)
        elif self.per_chunk:
            try:
                self._tel.instruments.per_chunk.record(
                    max(now - self._chunk_at, 0.0),
                    at.metric_attributes(self.request, self.response),
                    self._context,
                )
            except Exception as exc:
                report(f"{_WHERE}.chunk", exc)
        self._chunk_at = now

    def retry(self, error: BaseException | None, delay: float | None = None) -> None:
        self.retries += 1
        if not self._tel.settings.retry_events or not self._span.is_recording():
            return
        try:
            attrs: dict[str, Any] = {sc.AGENT_OTEL_ATTEMPT: self.retries}
            status = getattr(error, "status_code", None)
            if type(status) is not int:
                status = getattr(getattr(error, "response", None), "status_code", None)
            if type(status) is int:
                attrs[sc.AGENT_OTEL_ATTEMPT_STATUS] = status
            elif error is not None:
                attrs[sc.AGENT_OTEL_ATTEMPT_ERROR] = fq_exception_type(error)
            if isinstance(delay, (int, float)) and not isinstance(delay, bool):
                attrs[sc.AGENT_OTEL_RETRY_DELAY] = float(delay)
            self._span.add_event(sc.AGENT_OTEL_RETRY_EVENT, attrs)
        except Exception as exc:
            report(f"{_WHERE}.retry", exc)

    def _stream_facts(self, chunks: int | None, how: str) -> None:
        extra = self._extra = self._extra or {}
        if chunks is not None:
            extra[sc.AGENT_OTEL_STREAM_CHUNKS] = chunks
        if how in (END_CLOSED, END_ABANDONED):
            extra[sc.AGENT_OTEL_STREAM_END] = how

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        span = self._span
        try:
            self._record(error)
        except Exception as exc:
            report(f"{_WHERE}.end", exc)
            if error is not None:  # never a raw message: the type only
                try:
                    span.set_status(Status(StatusCode.ERROR, error_type(error)))
                except Exception:
                    pass
        finally:
            self.suspend()
            span.end()

    def _record(self, error: Failure | None) -> None:
        tel, request, response, content = self._tel, self.request, self.response, self.content
        if content is not None and content.deferred:
            self._apply_deferred()
        ttfc = self._ttfc
        found = interop.NOTHING
        if self._data is not None:
            found = interop.read_back(self._key or "", self._data, request, response, content)
            if ttfc is None:
                ttfc = found.ttfc
        self._check()
        op = request.operation
        attrs = at.response_attributes(request, response)
        if found.request_filled:  # facts of the request only a nested call knew
            scope = self._scope
            attrs = {**at.start_attributes(request, scope.agent_name if scope else None), **attrs}
        if op != sc.OP_EMBEDDINGS and op != sc.OP_FETCH_RESPONSE:
            if ttfc is not None:
                attrs[at.RESPONSE_TTFC] = ttfc
                if request.stream is None:
                    attrs[at.REQUEST_STREAM] = True
        elif op == sc.OP_FETCH_RESPONSE and ttfc is not None and not request.stream:
            attrs[at.REQUEST_STREAM] = True
        if self.retries:
            attrs[sc.AGENT_OTEL_RETRY_COUNT] = self.retries
        if self._extra:
            attrs.update(self._extra)
        cost = None
        if op != sc.OP_FETCH_RESPONSE:
            cost = price_usage(tel.prices, response.usage, response.model, request.model)
            if cost is not None:
                attrs[sc.USAGE_COST_AMOUNT] = cost.amount
                attrs[sc.USAGE_COST_CURRENCY] = cost.currency
                attrs[sc.USAGE_COST_SOURCE] = sc.COST_SOURCE_LOCAL
            if self._scope is not None:
                usage = response.usage
                self._scope.add_usage(
                    usage.input,
                    usage.output if op != sc.OP_EMBEDDINGS else None,
                    cost.amount if cost is not None else None,
                    cost.currency if cost is not None else None,
                )
        content_attrs = (
            tel.content.span_attributes(content, op != sc.OP_FETCH_RESPONSE, self._span, self._secrets)
            if content
            else None
        )
        if content_attrs:
            attrs.update(content_attrs)
        metric_attrs = at.metric_attributes(request, response)
        span = self._span
        if error is not None:
            kind = error_type(error)
            if isinstance(error, ProviderError):
                kind, description = tel.failures.record(
                    span, attrs, self._secrets, kind, error.message, None, True
                )
            else:
                kind, description = tel.failures.record(span, attrs, self._secrets, kind, None, error, True)
            attrs[sc.ERROR_TYPE] = kind
            metric_attrs[sc.ERROR_TYPE] = kind
            span.set_status(Status(StatusCode.ERROR, description))
        span.set_attributes(attrs)
        ctx = self._context
        instruments = tel.instruments
        instruments.duration.record(max(timeit.default_timer() - self._started, 0.0), metric_attrs, ctx)
        if op != sc.OP_FETCH_RESPONSE:
            usage = response.usage
            if usage.input is not None:
                instruments.tokens.record(usage.input, {**metric_attrs, at.TOKEN_TYPE: "input"}, ctx)
            if usage.output is not None and op != sc.OP_EMBEDDINGS:
                instruments.tokens.record(usage.output, {**metric_attrs, at.TOKEN_TYPE: "output"}, ctx)
            if cost is not None and tel.settings.cost_metric:
                instruments.cost.record(cost.amount, at.cost_metric_attributes(request, cost.currency), ctx)
        if op == sc.OP_EMBEDDINGS:
            return
        policy = tel.content
        record = None
        if policy.emit_event and op != sc.OP_FETCH_RESPONSE:
            event = at.start_attributes(request, None)
            event.update((k, v) for k, v in attrs.items() if not content_attrs or k not in content_attrs)
            record = policy.details_event(event, content, ctx)
        if record is not None or (content is not None and policy.hook is not None):
            policy.finish(instruments.logger, span, content, record, op != sc.OP_FETCH_RESPONSE)
