"""The model-call paths that record no span of their own (the handle is `model_call.ModelCall`'s).

- `UnsampledCall`: the span would not be sampled (`Telemetry.skip_span`). Nothing but usage is read (the
  adapter's `ResponseReader.read_usage`); at the end the duration, token and cost histograms are
  recorded (unless AGENT_OTEL_UNSAMPLED_METRICS=false) and the usage and cost roll up into the enclosing
  agents and workflows. Its context carries an unsampled-inference marker, so an instrumented client
  beneath it (a LangChain chat run's OpenAI call) records nothing twice.
- `NestedCall`: the call runs inside another inference (ours, or an official util-genai
  instrumentor's): it reads everything the enclosing call may want and publishes it there at the end
  (`interop.publish`); the enclosing call records the span, the metrics and the cost, once.
- `NullCall`: nothing to record (inside an unsampled inference, metrics of unsampled calls off and no
  agent to roll up into, or our own code failed at the start): the response is not even read.
"""

from __future__ import annotations

import timeit
from typing import TYPE_CHECKING, TypeVar

from opentelemetry.context import Context, get_current

from agent_otel.telemetry import attributes as at
from agent_otel.telemetry import interop, scrub
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.agents import Scope
from agent_otel.telemetry.cost import price_usage
from agent_otel.telemetry.facts import Content, ModelRequest, ResponseReader, StreamAccumulator
from agent_otel.telemetry.model_call import Failure, ModelCall, error_type
from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.telemetry.core import Telemetry
    from agent_otel.telemetry.scrub import Secrets, SecretSource

_R = TypeVar("_R")
_WHERE = "agent_otel.telemetry.model_paths"


class NullCall(ModelCall):
    """Nothing to record: reads nothing, accumulates nothing, only keeps the handle's promises (ends
    once, restores the context)."""

    __slots__ = ()

    def read_response(self, reader: ResponseReader[_R], result: _R) -> None:
        return None

    def end_stream(
        self, how: str, error: BaseException | None = None, accumulator: StreamAccumulator | None = None
    ) -> None:
        self._end(None)


class UnsampledCall(ModelCall):
    """Metrics, cost and roll-ups only."""

    __slots__ = ("_scope", "_started", "_tel")

    def __init__(
        self,
        tel: Telemetry,
        request: ModelRequest,
        scope: Scope | None,
        context: Context | None,
        attach_ctx: bool,
        key: str | None,
    ) -> None:
        base = context if context is not None else get_current()
        if key is not None:
            base = interop.marker(key, base, False)[0]
        super().__init__(request, base)
        self._tel = tel
        self._scope = scope
        self._attach(attach_ctx)
        self._started = timeit.default_timer()

    def read_response(self, reader: ResponseReader[_R], result: _R) -> None:
        try:
            reader.read_usage(self.response, result)
        except Exception as exc:
            report(f"{_WHERE}.read_usage.{type(reader).__qualname__}", exc)

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        self.suspend()
        try:
            self._record(error)
        except Exception as exc:
            report(f"{_WHERE}.end", exc)

    def _record(self, error: Failure | None) -> None:
        tel, request, response = self._tel, self.request, self.response
        self._check()
        op = request.operation
        if op == sc.OP_FETCH_RESPONSE:
            cost = None
        else:
            cost = price_usage(tel.prices, response.usage, response.model, request.model)
        if tel.settings.unsampled_metrics:
            instruments = tel.instruments
            attrs = at.metric_attributes(request, response)
            if error is not None:
                attrs[sc.ERROR_TYPE] = error_type(error)
            instruments.duration.record(max(timeit.default_timer() - self._started, 0.0), attrs)
            usage = response.usage
            if op != sc.OP_FETCH_RESPONSE:
                if usage.input is not None:
                    instruments.tokens.record(usage.input, {**attrs, at.TOKEN_TYPE: "input"})
                if usage.output is not None and op != sc.OP_EMBEDDINGS:
                    instruments.tokens.record(usage.output, {**attrs, at.TOKEN_TYPE: "output"})
            if cost is not None and tel.settings.cost_metric:
                instruments.cost.record(cost.amount, at.cost_metric_attributes(request, cost.currency))
        scope = self._scope
        if scope is not None and op != sc.OP_FETCH_RESPONSE:
            usage = response.usage
            if usage.input or usage.output:
                scope.add_usage(
                    usage.input,
                    usage.output if op != sc.OP_EMBEDDINGS else None,
                    cost.amount if cost is not None else None,
                    cost.currency if cost is not None else None,
                )


class NestedCall(ModelCall):
    """Publishes its facts into the enclosing inference's data at the end."""

    __slots__ = ("_data", "_key", "_secrets", "_started", "_ttfc")

    def __init__(
        self,
        request: ModelRequest,
        content: Content | None,
        data: interop.Marker,
        key: str,
        context: Context | None,
        secrets: SecretSource | Secrets | None = None,
    ) -> None:
        super().__init__(request, context if context is not None else get_current(), content)
        self._data = data
        self._key = key
        self._secrets = secrets
        self._ttfc: float | None = None
        self._started = timeit.default_timer()

    def chunk(self, model: str | None = None) -> None:
        if self._ttfc is None:
            if model is not None:
                self.response.model = model
            self._ttfc = max(timeit.default_timer() - self._started, 0.0)

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        try:
            if isinstance(error, BaseException) and self._secrets is not None:
                # The enclosing call records this exception: it must scrub this client's credentials too.
                scrub.remember(error, scrub.resolve(self._secrets))
            self._apply_deferred()
            self._check()
            interop.publish(
                self._key,
                self._data,
                self.request,
                self.response,
                self.content,
                self._ttfc,
                error_type(error) if error is not None else None,
            )
        except Exception as exc:
            report(f"{_WHERE}.publish", exc)
