"""How an `Operation` follows a stream or a raw response to its end (a mixin of `_operation.Operation`).

- streams: `wrap_stream` hands the caller our proxy (telemetry/streams.py) fed by the kind's stream
  accumulator (`_chat_stream.py`, `_responses_stream.py`); `_on_stream_end` tells the core how the
  stream ended (`ModelCall.end_stream`: the one policy), unless an openai block holds the end;
- raw responses (`_client/raw.py`): `on_closed`, `on_released` (`on_parsed`, `on_parse_error`: the
  shared `_client/endings.RawEndings`);
- openai's `with` blocks (`_blocks.py`): `on_block_exit`.
"""

from __future__ import annotations

import weakref
from typing import Any

from agent_otel.instrumentation._client.endings import RawEndings
from agent_otel.instrumentation.openai._chat_stream import ChatStreamState
from agent_otel.instrumentation.openai._responses_stream import ResponsesStreamState
from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.streams import (
    END_ABANDONED,
    END_CLOSED,
    END_ERROR,
    AsyncStreamProxy,
    SyncStreamProxy,
)

KIND_CHAT = "chat"
KIND_RESPONSES = "responses"
KIND_COMPLETIONS = "completions"
KIND_EMBEDDINGS = "embeddings"
KIND_FETCH = "fetch"

_WHERE = "agent_otel.instrumentation.openai"


def _closed_response(stream: Any) -> bool:
    http = getattr(stream, "response", None)
    return getattr(http, "is_closed", False) is True


class StreamEndings(RawEndings):
    """The stream and raw-response half of `Operation` (its attributes are declared there)."""

    __slots__ = ()
    _where = _WHERE
    # Declared by Operation.
    api: Any
    call: ModelCall
    held: bool
    is_openai: bool
    pending: str | None
    raw_stream: Any
    stream_ended: bool

    # ---------------------------------------------------------------- raw-response callbacks (_client/raw.py)

    def on_closed(self) -> None:
        """The caller closed a `with_streaming_response` response (explicitly or by leaving `with`)."""
        if self.ended:
            return
        if self.state is not None:
            self._on_stream_end(None, END_CLOSED)
        else:
            self._end(None)

    def on_released(self, http: Any = None) -> None:
        """A raw response was garbage-collected: end the call if nothing else did. A body the caller
        read to its end (without `parse()`) is a success; one closed unread, "closed"; else abandoned."""
        if self.ended or self.state is not None:
            return
        if getattr(http, "is_stream_consumed", False) is True:
            self._end(None)
            return
        closed = getattr(http, "is_closed", False) is True
        if closed and self.held:
            return  # the block reports it
        self.ended = True
        self.call.end_stream(END_CLOSED if closed else END_ABANDONED)

    def on_block_exit(self, error: BaseException | None) -> None:
        """The openai `with` block that made this call exited (`error`: the exception that left it)."""
        if not self.held:
            return
        self.held = False
        if self.ended:
            return
        if self.state is None:
            self._end(error)
            return
        if not self.stream_ended:
            self.stream_ended = True
            self.raw_stream = None
            how = END_CLOSED
        else:
            how = self.pending or END_CLOSED
        self._end_stream(END_ERROR if error is not None else how, error)

    # ------------------------------------------------------------------ streams

    def _new_state(self) -> Any:
        kind = self.api.kind
        if kind == KIND_RESPONSES:
            return ResponsesStreamState(self.call, self.is_openai)
        if kind == KIND_FETCH:
            return ResponsesStreamState(self.call, self.is_openai, fetch=True)
        return ChatStreamState(self.call, self.is_openai, legacy=kind == KIND_COMPLETIONS)

    def wrap_stream(self, stream: Any) -> Any:
        state = self._new_state()
        self.call.suspend()
        proxy_cls = AsyncStreamProxy if hasattr(type(stream), "__anext__") else SyncStreamProxy
        proxy = proxy_cls(stream, state.on_chunk, self._on_stream_end)
        self.state = state
        self.raw_stream = stream
        self.proxy_ref = weakref.ref(proxy)
        return proxy

    def _on_stream_end(self, error: BaseException | None, how: str) -> None:
        if self.ended or self.stream_ended:
            return
        self.stream_ended = True
        try:
            if how == END_ABANDONED and _closed_response(self.raw_stream):
                how = END_CLOSED
        except Exception as exc:
            report(f"{_WHERE}.stream_end", exc)
        self.raw_stream = None
        if self.held and how != END_ERROR and how != END_ABANDONED and self.state.error is None:
            self.pending = how  # the block decides, when it exits
            return
        self._end_stream(how, error)

    def _end_stream(self, how: str, error: BaseException | None) -> None:
        if self.ended:
            return
        self.ended = True
        self.call.end_stream(how, error, self.state)
