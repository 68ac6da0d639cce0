"""One instrumented openai call, from the wrapper's entry to the end of its span.

`start()` resolves the server, and either opens a util-genai invocation through the facade and runs the
request extractor, or, when `telemetry.skip_span()` says the span would not be sampled, opens nothing and
keeps only what the duration and token metrics need (the unsampled fast path: no util-genai, no
extractors, no content). The returned `Operation` is then told how the call went:

- `fail(exc)`: the call raised (the exception itself is re-raised by the wrapper, untouched);
- `finish(result)`: the call returned. A plain response is read and the span ends. A `Stream` /
  `AsyncStream` is handed back inside a stream proxy (telemetry/streams.py) and the span ends with the
  stream. A `with_raw_response` result (`LegacyAPIResponse`, body already read) is parsed (the SDK
  caches the parse, so the caller gets the same object later); with `stream=True` its `parse()` is hooked
  to return the proxied stream. A `with_streaming_response` result (`APIResponse`, body unread) is never
  read by us: its `parse()` and `close()` are hooked (see `_raw.py`);
- `on_retry(delay, error)`: a failed attempt is about to be retried (see `_retries.py`).

Whatever happens inside, the caller gets exactly the result it would get without instrumentation: every
method here catches its own faults, reports them once (telemetry/safety.py) and makes sure the span ends.

Stream ends: exhausted → OK; closed early, left through `with`, or broken out of → OK with
`agent_otel.stream.end="closed"`; garbage-collected unfinished → ERROR `_OTHER` with
`agent_otel.stream.end="abandoned"` (unless its HTTP response had been closed: then "closed"; a raw
body the caller read to its end without `parse()` is OK); mid-stream exception → ERROR with that
exception's type; a Responses `error` event or failed response → ERROR with its code.

Streams and raw responses are followed to their end by the `StreamEndings` mixin (`_endings.py`).

Blocks: when the call is made by entering a `with` block of openai's (the `.stream()` helpers, and
`with_streaming_response`; see `_blocks.py`), that block decides: a success is only noted
(`held`), and the span ends when the block exits, ERROR with the exception that left it, if any.
"""

from __future__ import annotations

import timeit
from contextvars import ContextVar
from typing import Any

from opentelemetry.context import get_current

from agent_otel.instrumentation.openai import _credentials, _raw
from agent_otel.instrumentation.openai import _response as response
from agent_otel.instrumentation.openai._endings import KIND_CHAT as KIND_CHAT  # re-exported
from agent_otel.instrumentation.openai._endings import KIND_COMPLETIONS as KIND_COMPLETIONS
from agent_otel.instrumentation.openai._endings import (
    KIND_EMBEDDINGS,
    KIND_FETCH,
    KIND_RESPONSES,
    StreamEndings,
)
from agent_otel.instrumentation.openai._server import ServerInfo
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import Error, fq_exception_type
from agent_otel.telemetry.safety import report

# openai's private protocol between `with_raw_response` / `with_streaming_response` and the resource
# methods (openai/_legacy_response.py and openai/_response.py, RAW_RESPONSE_HEADER): "true" returns a
# LegacyAPIResponse, "stream" an unread APIResponse. tests/openai/test_openai_private_api.py guards it.
RAW_RESPONSE_HEADER = "X-Stainless-Raw-Response"


# The call in progress in this thread/task, for the retry hook (set only around the wrapped call).
CURRENT: ContextVar[Operation | None] = ContextVar("agent_otel_openai_operation", default=None)
# Set by `_blocks.py` while openai's `__enter__` of a block runs: the call it makes registers here.
ENTERING: ContextVar[list[Operation] | None] = ContextVar("agent_otel_openai_entering", default=None)

_WHERE = "agent_otel.instrumentation.openai"


class Api:
    """What the wrappers need to know about one patched method."""

    __slots__ = ("api_type", "is_async", "kind", "operation", "parses", "request", "response")

    def __init__(
        self,
        kind: str,
        operation: str,
        api_type: str | None,
        request: Any,
        response: Any,
        is_async: bool,
        parses: bool = False,
    ) -> None:
        self.kind = kind
        self.parses = parses  # a `parse()` method: its post-parser runs the caller's validation
        self.operation = operation
        self.api_type = api_type
        self.request = request
        self.response = response
        self.is_async = is_async


class _Sink:
    """Stands in for the invocation on the unsampled path: the extractors write usage and the response
    model here (stream accumulators write more: id, finish reasons, ...), and the metrics and cost read
    them back. `context` is the caller's context at the start, for agent/workflow roll-ups."""

    def __init__(self) -> None:
        self.attributes: dict[str, Any] = {}
        self.metric_attributes: dict[str, Any] = {}
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.cache_read_input_tokens: int | None = None
        self.cache_write_input_tokens: int | None = None
        self.thinking_tokens: int | None = None
        self.response_model_name: str | None = None
        self.context: Any = None


class Operation(StreamEndings):
    """State of one call (see the module docstring)."""

    __slots__ = (
        "__weakref__",
        "api",
        "call",
        "capture",
        "deferred",
        "ended",
        "held",
        "inv",
        "model",
        "owner",
        "proxy_ref",
        "raw_mode",
        "raw_stream",
        "retries",
        "server",
        "started",
        "state",
        "stream_ended",
        "stream_requested",
    )

    def __init__(self, owner: Any, api: Api, server: ServerInfo, call: Any, model: str | None) -> None:
        self.owner = owner
        self.api = api
        self.server = server
        self.call = call
        self.model = model
        if call is not None:
            self.inv = call.inv
            self.capture: bool = owner.telemetry.capture_content
            self.started = 0.0
        else:
            self.inv = _Sink()
            self.inv.context = get_current()
            self.capture = False
            self.started = timeit.default_timer()
        self.deferred: Any = None
        self.ended = False
        self.held = False
        self.stream_ended = False
        self.retries = 0
        self.stream_requested = False
        self.raw_mode: str | None = None
        self.state: Any = None
        self.raw_stream: Any = None
        self.proxy_ref: Any = None

    # ------------------------------------------------------------------ outcomes of the wrapped call

    def fail(self, error: BaseException) -> None:
        if self.call is not None and self.deferred:
            self._apply_deferred()
        self._end(error)

    def finish(self, result: Any) -> Any:
        try:
            mode = self.raw_mode
            if mode is None:
                if self.stream_requested and isinstance(result, self.owner.stream_types):
                    return self._wrap_stream(result)
                self._complete(result)
            elif mode == "true":
                if self.stream_requested:
                    _raw.hook_legacy_stream(self, result)
                    self._suspend()
                elif self.api.parses:
                    # never run the caller's validation (the post-parser of `parse()`): read the body
                    self._complete(_raw.unvalidated_body(result, self.api.kind))
                else:
                    try:
                        parsed = result.parse()  # cached by the SDK: the caller's parse() returns it
                    except Exception as exc:
                        self.fail(exc)
                    else:
                        self._complete(parsed)
            elif mode == "stream":
                _raw.hook_streamed_response(self, result, self.api.is_async)
                self._suspend()
            else:
                self._complete(result)
        except Exception as exc:
            report(f"{_WHERE}.finish", exc)
            self._end(None)
        return result

    def on_retry(self, delay: Any, error: BaseException | None) -> None:
        self.retries += 1
        if self.call is None:
            return
        self.inv.attributes[sc.AGENT_OTEL_RETRY_COUNT] = self.retries
        if not self.owner.settings.retry_events:
            return
        span = self.call.span
        if not span.is_recording():
            return
        attrs: dict[str, Any] = {sc.AGENT_OTEL_ATTEMPT: self.retries}
        status = getattr(getattr(error, "response", None), "status_code", None)
        if type(status) is int:
            attrs[sc.AGENT_OTEL_ATTEMPT_STATUS] = status
        elif error is not None:
            attrs[sc.AGENT_OTEL_ATTEMPT_ERROR] = fq_exception_type(error)
        if isinstance(delay, (int, float)):
            attrs[sc.AGENT_OTEL_RETRY_DELAY] = float(delay)
        span.add_event(sc.AGENT_OTEL_RETRY_EVENT, attrs)

    # ------------------------------------------------------------------ internals

    def _suspend(self) -> None:
        if self.call is not None:
            self.call.inv.suspend()

    def _apply_deferred(self) -> None:
        deferred, self.deferred = self.deferred, None
        for apply in deferred or ():
            try:
                apply(self.inv)
            except Exception as exc:
                report(f"{_WHERE}.content", exc)

    def _complete(self, result: Any) -> None:
        if self.call is None:
            try:
                response.usage_only(self.inv, result, self.api.kind, self.server.is_openai)
            except Exception as exc:
                report(f"{_WHERE}.response", exc)
            self._end(None)
            return
        error: Error | None = None
        try:
            if self.deferred:
                self._apply_deferred()
            self.api.response(self.inv, result, self.capture, self.server.is_openai)
            if self.api.kind == KIND_RESPONSES and getattr(result, "status", None) == "failed":
                error = _failed_response_error(result)
        except Exception as exc:
            report(f"{_WHERE}.response", exc)
        self._end(error)

    def _end(self, error: BaseException | Error | None) -> None:
        if self.ended or (error is None and self.held):  # a held success ends when its block exits
            return
        self.ended = True
        call = self.call
        try:
            if call is None:
                self._record_unsampled(error)
            elif error is None:
                self.owner.telemetry.stop(call)
            else:
                self.owner.telemetry.fail(call, error)
        except Exception as exc:
            report(f"{_WHERE}.end", exc)

    def _record_unsampled(self, error: BaseException | Error | None) -> None:
        sink = self.inv
        attrs = self.server.metric_attributes(self.api.operation, self.model, sink.response_model_name)
        if sink.metric_attributes:
            attrs = {**attrs, **sink.metric_attributes}
        if error is not None:
            attrs = {
                **attrs,
                sc.ERROR_TYPE: error.type if isinstance(error, Error) else fq_exception_type(error),
            }
        self.owner.telemetry.record_unsampled(
            attrs,
            self.started,
            sink.input_tokens,
            sink.output_tokens,
            cache_read_tokens=sink.cache_read_input_tokens,
            cache_write_tokens=sink.cache_write_input_tokens,
            reasoning_tokens=sink.thinking_tokens,
            response_model=sink.response_model_name,
            context=sink.context,
        )


def _failed_response_error(result: Any) -> Error:
    err = getattr(result, "error", None)
    code = getattr(err, "code", None)
    message = getattr(err, "message", None)
    return Error(message=message if isinstance(message, str) else None, type=str(code or "_OTHER"))


def start(
    owner: Any, api: Api, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Operation | None:
    """Begin observing one call; None when nothing should be observed (or our own code failed)."""
    tel = owner.telemetry
    try:
        server = owner.servers.for_resource(instance)
        if api.kind == KIND_FETCH:
            model = None
        else:
            model = kwargs.get("model")
            if not isinstance(model, str):
                model = None
        if tel.skip_span():
            if tel.in_inference():
                return None  # an enclosing (unsampled) inference, e.g. a LangChain chat run, accounts for it
            op = Operation(owner, api, server, None, model)
        else:
            if api.kind == KIND_EMBEDDINGS:
                call = tel.embedding(
                    server.provider,
                    request_model=model,
                    server_address=server.address,
                    server_port=server.port,
                )
            elif api.kind == KIND_FETCH:
                response_id = args[0] if args else kwargs.get("response_id")
                call = tel.fetch_response(
                    server.provider,
                    response_id=response_id if isinstance(response_id, str) else "",
                    request_stream=True if kwargs.get("stream") is True else None,
                    server_address=server.address,
                    server_port=server.port,
                )
            else:
                call = tel.inference(
                    server.provider,
                    request_model=model,
                    server_address=server.address,
                    server_port=server.port,
                    operation_name=api.operation,
                )
            call.secrets = _credentials.source(instance)  # read only if the call fails
            op = Operation(owner, api, server, call, model)
    except Exception as exc:
        report(f"{_WHERE}.start", exc)
        return None
    op.stream_requested = kwargs.get("stream") is True
    entering = ENTERING.get()
    if entering is not None and not entering:
        entering.append(op)
        op.held = True
    headers = kwargs.get("extra_headers")
    if headers:
        mode = headers.get(RAW_RESPONSE_HEADER) if isinstance(headers, dict) else None
        if isinstance(mode, str):
            op.raw_mode = mode
    if op.call is not None:
        try:
            inv = op.inv
            if api.api_type is not None and server.is_openai:
                inv.attributes[sc.OPENAI_API_TYPE] = api.api_type
            op.deferred = api.request(inv, kwargs, op.capture, server.is_openai)
        except Exception as exc:
            report(f"{_WHERE}.request", exc)
    return op
