"""One instrumented openai call, from the wrapper's entry to the end of its span.

`start()` resolves the server, builds the request facts every path needs (provider, operation, model,
server) and asks the core for a `ModelCall` (`Telemetry.model_call`, which runs the API's request reader
only when the call's details are recorded). The returned `Operation` is then told how the call went:

- `fail(exc)`: the call raised (the exception itself is re-raised by the wrapper, untouched);
- `finish(result)`: the call returned. A plain response is read and the call ends. A `Stream` /
  `AsyncStream` is handed back inside a stream proxy (telemetry/streams.py) and the call ends with the
  stream. A `with_raw_response` result (`LegacyAPIResponse`, body already read) is parsed (the SDK
  caches the parse, so the caller gets the same object later); with `stream=True` its `parse()` is hooked
  to return the proxied stream. A `with_streaming_response` result (`APIResponse`, body unread) is never
  read by us: its `parse()` and `close()` are hooked (see `_client/raw.py`);
- `on_retry(delay, error)`: a failed attempt is about to be retried (see `_retries.py`).

Whatever happens inside, the caller gets exactly the result it would get without instrumentation: every
method here catches its own faults, reports them once (telemetry/safety.py) and makes sure the call ends.

How a stream ends is the core's one policy (`ModelCall.end_stream`); this adapter only says how it
ended: an abandoned stream whose HTTP response had been closed ended "closed", and a raw body the caller
read to its end without `parse()` ended normally. A failed Responses object (`status == "failed"`) ends
the call with its error code. Streams and raw responses are followed by the `StreamEndings` mixin
(`_endings.py`).

Blocks: when the call is made by entering a `with` block of openai's (the `.stream()` helpers, and
`with_streaming_response`; see `_blocks.py`), that block decides: a success is only noted (`held`), and
the call ends when the block exits, ERROR with the exception that left it, if any.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from agent_otel.instrumentation._client import raw as _hooks
from agent_otel.instrumentation._client.raw import RAW_RESPONSE_HEADER as RAW_RESPONSE_HEADER  # re-exported
from agent_otel.instrumentation.openai import _credentials, _raw
from agent_otel.instrumentation.openai._endings import KIND_CHAT as KIND_CHAT  # re-exported
from agent_otel.instrumentation.openai._endings import KIND_COMPLETIONS as KIND_COMPLETIONS
from agent_otel.instrumentation.openai._endings import (
    KIND_EMBEDDINGS,
    KIND_FETCH,
    KIND_RESPONSES,
    StreamEndings,
)
from agent_otel.instrumentation.openai._response import Reader
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import ModelRequest, ProviderError, RequestReader
from agent_otel.telemetry.model_call import Failure, ModelCall
from agent_otel.telemetry.safety import report

# The call in progress in this thread/task, for the retry hook (set only around the wrapped call).
CURRENT: ContextVar[Operation | None] = ContextVar("agent_otel_openai_operation", default=None)
# Set by `_blocks.py` while openai's `__enter__` of a block runs: the call it makes registers here.
ENTERING: ContextVar[list[Operation] | None] = ContextVar("agent_otel_openai_entering", default=None)

_WHERE = "agent_otel.instrumentation.openai"


class Api:
    """What the wrappers need to know about one patched method."""

    __slots__ = ("api_type", "is_async", "kind", "operation", "parses", "readers", "request")

    def __init__(
        self,
        kind: str,
        operation: str,
        api_type: str | None,
        request: RequestReader[dict[str, Any]],
        readers: tuple[Reader, Reader],
        is_async: bool,
        parses: bool = False,
    ) -> None:
        self.kind = kind
        self.parses = parses  # a `parse()` method: its post-parser runs the caller's validation
        self.operation = operation
        self.api_type = api_type
        self.request = request
        self.readers = readers  # (compatible server, OpenAI)
        self.is_async = is_async


class Operation(StreamEndings):
    """State of one call (see the module docstring)."""

    __slots__ = (
        "__weakref__",
        "api",
        "call",
        "ended",
        "held",
        "is_openai",
        "owner",
        "pending",
        "proxy_ref",
        "raw_mode",
        "raw_stream",
        "state",
        "stream_ended",
        "stream_requested",
    )

    def __init__(self, owner: Any, api: Api, call: ModelCall, is_openai: bool) -> None:
        self.owner = owner
        self.api = api
        self.call = call
        self.is_openai = is_openai
        self.ended = False
        self.held = False
        self.stream_ended = False
        self.stream_requested = False
        self.pending: str | None = None
        self.raw_mode: str | None = None
        self.state: Any = None
        self.raw_stream: Any = None
        self.proxy_ref: Any = None

    # ------------------------------------------------------------------ outcomes of the wrapped call

    def fail(self, error: BaseException) -> None:
        self._end(error)

    def finish(self, result: Any) -> Any:
        try:
            mode = self.raw_mode
            if mode is None:
                if self.stream_requested and isinstance(result, self.owner.stream_types):
                    return self.wrap_stream(result)
                self._complete(result)
            elif mode == "true":
                if self.stream_requested:
                    _hooks.hook_legacy_stream(self, result)
                    self.call.suspend()
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
                _hooks.hook_streamed_response(self, result, self.api.is_async)
                self.call.suspend()
            else:
                self._complete(result)
        except Exception as exc:
            report(f"{_WHERE}.finish", exc)
            self._end(None)
        return result

    def on_retry(self, delay: Any, error: BaseException | None) -> None:
        self.call.retry(error, delay if isinstance(delay, (int, float)) else None)

    # ------------------------------------------------------------------ internals

    def _complete(self, result: Any) -> None:
        error: ProviderError | None = None
        try:
            self.call.read_response(self.api.readers[self.is_openai], result)
            if self.api.kind == KIND_RESPONSES and getattr(result, "status", None) == "failed":
                error = _failed_response_error(result)
        except Exception as exc:
            report(f"{_WHERE}.response", exc)
        self._end(error)

    def _end(self, error: Failure | None) -> None:
        if self.ended or (error is None and self.held):  # a held success ends when its block exits
            return
        self.ended = True
        if error is None:
            self.call.end()
        else:
            self.call.fail(error)


def _failed_response_error(result: Any) -> ProviderError:
    err = getattr(result, "error", None)
    code = getattr(err, "code", None)
    message = getattr(err, "message", None)
    return ProviderError(str(code or "_OTHER"), message if isinstance(message, str) else None)


def start(
    owner: Any, api: Api, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Operation | None:
    """Begin observing one call; None when our own code failed (the call then runs unobserved)."""
    try:
        server = owner.servers.for_resource(instance)
        if api.kind == KIND_FETCH:
            model = None
        else:
            model = kwargs.get("model")
            if not isinstance(model, str):
                model = None
        request = ModelRequest(server.provider, api.operation, model, server.address, server.port)
        if api.kind == KIND_FETCH:
            response_id = args[0] if args else kwargs.get("response_id")
            request.response_id = response_id if isinstance(response_id, str) else None
            if kwargs.get("stream") is True:
                request.stream = True
        if api.api_type is not None and server.is_openai:
            request.attributes[sc.OPENAI_API_TYPE] = api.api_type
        call = owner.telemetry.model_call(request, api.request, kwargs, secrets=_credentials.source(instance))
        op = Operation(owner, api, call, server.is_openai)
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
    return op


__all__ = ["KIND_EMBEDDINGS", "Api", "Operation", "start"]
