"""One instrumented Messages call, from the wrapper's entry to the end of its span.

`start()` resolves the client (provider, server, credentials, the user's own tracing settings), builds
the request facts and asks the core for a `ModelCall`. The returned `Operation` is then told how the
call went:

- `fail(exc)`: the call raised (the wrapper re-raises the exception itself, untouched);
- `finish(result)`: the call returned. A `Message` is read and the call ends. A `Stream` /
  `AsyncStream` (`stream=True`) is handed back inside the core's stream proxy, fed by
  `_stream.MessageStreamState`; the call ends with the stream (`ModelCall.end_stream`: the one policy).
  A `with_raw_response` result has its body read already: a message is read from its JSON (never
  `parse()`d by us, so a `parse()` post-parser is the caller's alone); with `stream=True` its `parse()`
  is hooked to return the proxied stream. A `with_streaming_response` result (body unread) gets its
  `parse()` and `close()` hooked (the shared `_client/raw.py` hooks, which call `on_parsed`,
  `on_parse_error` (shared: `_client/endings.py`), `on_closed`, `on_released` here);
- `on_retry(...)`: an attempt failed and is retried (`_retries.py`);
- `block_error`: an exception left the `with` block of the SDK that made the call (`_blocks.py`).

`replace_native` says whether this call replaces the span anthropic >= 2 would start (`_native.py`).
"""

from __future__ import annotations

import inspect
import weakref
from contextvars import ContextVar
from typing import Any

from agent_otel.instrumentation._client import raw as _raw  # raw-response hooks (parse/close/finalize)
from agent_otel.instrumentation._client.endings import RawEndings
from agent_otel.instrumentation._client.raw import RAW_RESPONSE_HEADER as RAW_RESPONSE_HEADER  # re-exported
from agent_otel.instrumentation.anthropic import _client
from agent_otel.instrumentation.anthropic._response import READER
from agent_otel.instrumentation.anthropic._stream import MessageStreamState
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import ModelRequest
from agent_otel.telemetry.model_call import Failure, ModelCall
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.streams import (
    END_ABANDONED,
    END_CLOSED,
    END_ERROR,
    END_EXHAUSTED,
    AsyncStreamProxy,
    SyncStreamProxy,
)

# The call in progress in this thread/task (set only around the wrapped call): for the retry hook and
# the native-span hook.
CURRENT: ContextVar[Operation | None] = ContextVar("agent_otel_anthropic_operation", default=None)
# Set by `_blocks.py` while the SDK's `ResponseContextManager.__enter__` runs: the call registers here.
ENTERING: ContextVar[list[Operation] | None] = ContextVar("agent_otel_anthropic_entering", default=None)

_WHERE = "agent_otel.instrumentation.anthropic"


class Operation(RawEndings):
    """State of one call (see the module docstring)."""

    _where = _WHERE

    __slots__ = (
        "__weakref__",
        "block_error",
        "call",
        "ended",
        "held",
        "is_async",
        "owner",
        "pending",
        "proxy_ref",
        "raw_mode",
        "raw_stream",
        "replace_native",
        "state",
        "stream_requested",
    )

    def __init__(self, owner: Any, call: ModelCall, is_async: bool) -> None:
        self.owner = owner
        self.call = call
        self.is_async = is_async
        self.ended = False
        self.held = False
        self.pending: str | None = None
        self.stream_requested = False
        self.replace_native = False
        self.raw_mode: str | None = None
        self.state: MessageStreamState | None = None
        self.raw_stream: Any = None
        self.proxy_ref: Any = None
        self.block_error: BaseException | None = None

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
            elif mode == "stream" or self.stream_requested:
                if mode != "stream" and not inspect.iscoroutinefunction(type(result).parse):
                    _raw.hook_legacy_stream(self, result)  # a read response whose parse() builds the stream
                else:
                    _raw.hook_streamed_response(self, result, inspect.iscoroutinefunction(type(result).parse))
                self.call.suspend()
            else:
                self._complete(result.http_response.json())
        except Exception as exc:
            report(f"{_WHERE}.finish", exc)
            self._end(None)
        return result

    def end_block(self, error: BaseException | None) -> None:
        """The SDK block that made this call exited (`error`: the exception that left it)."""
        if not self.held:
            return
        self.held = False
        if self.state is None:
            self._end(error)
        elif error is not None:
            self._end_stream(END_ERROR, error)
        else:
            self._end_stream(self.pending or END_CLOSED, None)

    def on_retry(self, error: BaseException | None, delay: float | None) -> None:
        self.call.retry(error, delay)

    # ------------------------------------------------------------------ streams

    def wrap_stream(self, stream: Any) -> Any:
        state = self.state = MessageStreamState(self.call)
        self.call.suspend()
        proxy_cls = AsyncStreamProxy if hasattr(type(stream), "__anext__") else SyncStreamProxy
        proxy = proxy_cls(stream, state.on_chunk, self._on_stream_end)
        self.raw_stream = stream
        self.proxy_ref = weakref.ref(proxy)
        return proxy

    def _on_stream_end(self, error: BaseException | None, how: str) -> None:
        if self.ended or self.pending is not None:
            return
        if how == END_ABANDONED and getattr(getattr(self.raw_stream, "response", None), "is_closed", False):
            how = END_CLOSED
        self.raw_stream = None
        if self.held and how in (END_EXHAUSTED, END_CLOSED):
            self.pending = how  # the first ending is how it ended; the block's exit ends the call
            return
        self._end_stream(how, error)

    def _end_stream(self, how: str, error: BaseException | None) -> None:
        if self.ended:
            return
        self.ended = True
        self.call.end_stream(how, error, self.state)

    # ---------------------------------------------------------------- raw-response callbacks (_client/raw.py)

    def on_closed(self) -> None:
        if self.ended:
            return
        error = self.block_error
        if self.state is not None:
            self._end_stream(END_ERROR if error is not None else END_CLOSED, error)
        else:
            self._end(error)

    def on_released(self, http: Any = None) -> None:
        if self.ended or self.state is not None:
            return
        if getattr(http, "is_stream_consumed", False) is True:
            self._end(None)
            return
        self.ended = True
        self.call.end_stream(END_CLOSED if getattr(http, "is_closed", False) is True else END_ABANDONED)

    # ------------------------------------------------------------------ internals

    def _complete(self, result: Any) -> None:
        self.call.read_response(READER, result)
        self._end(None)

    def _end(self, error: Failure | None) -> None:
        if self.ended:
            return
        self.ended = True
        if error is None:
            self.call.end()
        else:
            self.call.fail(error)


def start(
    owner: Any, is_async: bool, instance: Any, kwargs: dict[str, Any], stream: bool = False
) -> Operation | None:
    """Begin observing one call; None when our own code failed (the call then runs unobserved)."""
    try:
        client = getattr(instance, "_client", None)
        server = owner.servers.for_client(client)
        model = kwargs.get("model")
        request = ModelRequest(
            server.provider,
            sc.OP_CHAT,
            model if isinstance(model, str) else None,
            server.address,
            server.port,
        )
        conversation = _client.conversation_id(client)
        if conversation is not None:
            request.conversation_id = conversation
        call = owner.telemetry.model_call(
            request, owner.request_reader, kwargs, secrets=_client.credentials(client)
        )
        op = Operation(owner, call, is_async)
        op.replace_native = owner.native.replaces(_client.native_choice(client))
    except Exception as exc:
        report(f"{_WHERE}.start", exc)
        return None
    op.stream_requested = stream or kwargs.get("stream") is True
    entering = ENTERING.get()
    if entering is not None and not entering:
        entering.append(op)
    headers = kwargs.get("extra_headers")
    if isinstance(headers, dict):
        mode = headers.get(RAW_RESPONSE_HEADER)
        if isinstance(mode, str):
            op.raw_mode = mode
    return op
