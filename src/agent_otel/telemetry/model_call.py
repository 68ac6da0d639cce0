"""`ModelCall`: one model call (chat, text completion, embeddings, fetch response), start to end.

An adapter gets a `ModelCall` from `Telemetry.model_call(request, reader, source)` and only tells it
facts; the call decides everything else. The same interface whatever path the core chose at the start:

- `RecordedCall` (`recorded.py`): the span is recorded. One `start_span` with every request attribute, one
  `set_attributes` at the end, the status, the exception (`failures.py`), the duration and token
  histograms, time to first chunk, cost (`cost.price_usage`, on the span and the cost histogram), the
  roll-up into the enclosing agents and workflows (`agents.Scope`), content (`content.py`) and the
  interop marker (`interop.py`: an official util-genai instrumentor nested inside merges into it);
- `UnsampledCall`, `NestedCall`, `NullCall` (`model_paths.py`): the span would not be sampled (metrics,
  cost and roll-ups only, nothing else is read); the call runs inside another inference, ours or an
  official one (it publishes its facts there, no span); or there is nothing to record.

The handle:

- `request`, `response` (`facts.py`): the adapter fills `response` (directly, or through
  `read_response(reader, result)`, which reads only what the path needs); `content` is not None only
  when content is captured;
- `chunk(model)`: a stream chunk arrived (the first one's model is the response model of the time to
  first chunk); `per_chunk`: whether every chunk is timed (AGENT_OTEL_STREAM_CHUNK_METRICS);
- `retry(error, delay)`: a failed attempt is being retried (span event `agent_otel.retry`);
- `suspend()`: stop being the current context (a stream is handed back to the caller);
- endings, each at most once: `end()`, `fail(exception or ProviderError)`, and
  `end_stream(how, error, accumulator)` with the one stream-end policy every adapter follows:

  =============  ===========================================================================
  exhausted      OK (or the failure the stream reported in-band: `accumulator.finish`)
  closed         OK, `agent_otel.stream.end = "closed"` (closed early, `with` left, `break`)
  abandoned      ERROR `_OTHER`, `agent_otel.stream.end = "abandoned"` (dropped unfinished)
  error          ERROR with the exception
  =============  ===========================================================================

Every method catches its own faults (reported once, `safety.report`) and the span always ends.
"""

from __future__ import annotations

from typing import Any, TypeVar

from opentelemetry.context import Context, attach, detach
from opentelemetry.trace import INVALID_SPAN, Span
from opentelemetry.util.genai.utils import fq_exception_type

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry import values
from agent_otel.telemetry.facts import (
    Content,
    ModelRequest,
    ModelResponse,
    ProviderError,
    ResponseReader,
    StreamAccumulator,
)
from agent_otel.telemetry.failures import OwnText
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.streams import END_ABANDONED, END_CLOSED, END_ERROR

_R = TypeVar("_R")
_WHERE = "agent_otel.telemetry.model_call"

ABANDONED = ProviderError("_OTHER", OwnText("stream abandoned before it was read to the end"))
"""How an abandoned stream ends (the one policy, for every adapter)."""

Failure = BaseException | ProviderError


def error_type(error: Failure) -> str:
    return error.type if isinstance(error, ProviderError) else fq_exception_type(error)


class ModelCall:
    """The handle of one model call (see the module docstring). This base records nothing."""

    __slots__ = ("_context", "_token", "content", "ended", "per_chunk", "request", "response", "retries")

    def __init__(
        self, request: ModelRequest, context: Context | None, content: Content | None = None
    ) -> None:
        self.request = request
        self.response = ModelResponse()
        self.content = content
        self.ended = False
        self.per_chunk = False
        self.retries = 0
        self._context = context
        self._token: object | None = None

    # ------------------------------------------------------------------ what adapters read

    @property
    def context(self) -> Context:
        """The context work beneath this call should run in (children, nested instrumentors)."""
        return self._context if self._context is not None else Context()

    @property
    def span(self) -> Span:
        return INVALID_SPAN

    @property
    def capture_content(self) -> bool:
        return self.content is not None

    # ------------------------------------------------------------------ facts

    def set_attribute(self, key: str, value: Any) -> None:
        """A provider-specific attribute for the span (written when the call ends)."""
        self.response.attributes[key] = value

    def read_response(self, reader: ResponseReader[_R], result: _R) -> None:
        """Read a response with the adapter's reader (everything, or only usage: the path decides)."""
        try:
            reader.read(self.response, result, self.content)
        except Exception as exc:
            report(f"{_WHERE}.read_response.{type(reader).__qualname__}", exc)

    def chunk(self, model: str | None = None) -> None:
        """A stream chunk arrived."""

    def retry(self, error: BaseException | None, delay: float | None = None) -> None:
        """A failed attempt is about to be retried."""
        self.retries += 1

    def suspend(self) -> None:
        """Restore the context that was current before this call started (idempotent)."""
        token, self._token = self._token, None
        if token is not None:
            try:
                detach(token)  # type: ignore[arg-type]
            except Exception:
                pass

    def _attach(self, attach_ctx: bool) -> None:
        if attach_ctx and self._context is not None:
            self._token = attach(self._context)

    # ------------------------------------------------------------------ endings

    def end(self) -> None:
        """The call succeeded."""
        self._end(None)

    def fail(self, error: Failure) -> None:
        """The call failed: an exception (passed to the caller unchanged by the adapter) or an in-band
        provider error."""
        self._end(error)

    def end_stream(
        self, how: str, error: BaseException | None = None, accumulator: StreamAccumulator | None = None
    ) -> None:
        """The stream of this call ended `how` (streams.END_*): the one stream-end policy."""
        if self.ended:
            return
        in_band: ProviderError | None = None
        if accumulator is not None:
            try:
                in_band = accumulator.finish(self.response, self.content)
            except Exception as exc:
                report(f"{_WHERE}.stream", exc)
            self._stream_facts(accumulator.count, how)
        elif how in (END_CLOSED, END_ABANDONED):
            self._stream_facts(None, how)
        if how == END_ERROR:
            self._end(error if error is not None else ProviderError("_OTHER"))
        elif how == END_ABANDONED:
            self._end(ABANDONED)
        else:
            self._end(in_band)

    def _stream_facts(self, chunks: int | None, how: str) -> None:
        """Recorded calls note how the stream ended (`agent_otel.stream.*`)."""

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        self.suspend()

    def _apply_deferred(self) -> None:
        content = self.content
        if content is None or not content.deferred:
            return
        deferred, content.deferred = content.deferred, None
        for fill in deferred:
            try:
                fill(content)
            except Exception as exc:
                report(f"{_WHERE}.content", exc)

    def _check(self) -> None:
        """Sane token counts and one spelling of finish reasons, whatever the adapter wrote."""
        response = self.response
        values.check_usage(response.usage)
        if response.finish_reasons is not None:
            response.finish_reasons = values.finish_reasons(response.finish_reasons)
        content = self.content
        if content is not None and content.output_messages:
            values.normalize_output_messages(content.output_messages)
            if response.finish_reasons is None and self.request.operation != sc.OP_EMBEDDINGS:
                reasons = [
                    m.finish_reason for m in content.output_messages if getattr(m, "finish_reason", None)
                ]
                response.finish_reasons = values.finish_reasons(reasons)
