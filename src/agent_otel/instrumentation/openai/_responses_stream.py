"""Accumulator for streamed Responses (`responses.create(stream=True)`, `responses.stream()`, and
`responses.retrieve(stream=True)`).

Per event: count it, tick the first one (with the model of a first `response.created` as the response
model of time-to-first-chunk), and look at its `type` once; an event without one (`data: {}`, a
non-object) is skipped, and any event this code cannot read costs only itself. The terminal event
(`response.completed`, `response.incomplete`, `response.failed`) carries the full response, from which
everything is read at the end exactly as for a non-streamed call; `response.created` gives id and model
if the stream stops before that. An `error` event is a mid-stream failure: the span ends ERROR with its
code as `error.type`. Output text deltas are kept only with content capture on, and used only when the
stream ended before its terminal event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _response as reading
from agent_otel.telemetry.facts import Content, ModelResponse, ProviderError
from agent_otel.telemetry.messages import OutputMessage, TextPart
from agent_otel.telemetry.model_call import ModelCall

_TERMINAL = 1
_STARTED = 2
_ERROR = 3
_TEXT = 4
_KINDS = {
    "response.completed": _TERMINAL,
    "response.incomplete": _TERMINAL,
    "response.failed": _TERMINAL,
    "response.created": _STARTED,
    "response.in_progress": _STARTED,
    "error": _ERROR,
    "response.output_text.delta": _TEXT,
}


class ResponsesStreamState:
    """A `facts.StreamAccumulator`: fed every event by the stream proxy (`on_chunk`), written into the
    response facts once (`finish`)."""

    __slots__ = (
        "_error_event",
        "_per_chunk",
        "_text",
        "_tick",
        "capture",
        "count",
        "fetch",
        "final",
        "is_openai",
        "started",
    )

    def __init__(self, call: ModelCall, is_openai: bool, fetch: bool = False) -> None:
        self._tick: Callable[..., None] = call.chunk
        self._per_chunk = call.per_chunk
        self.capture = call.content is not None
        self.is_openai = is_openai
        self.fetch = fetch
        self.count = 0
        self.final: Any = None
        self.started: Any = None
        self._error_event: Any = None
        self._text: list[str] | None = None

    def on_chunk(self, event: Any) -> None:
        self.count += 1
        if self.count == 1:
            self._first(event)
        elif self._per_chunk:
            self._tick()
        kind = _KINDS.get(getattr(event, "type", None))
        if kind is None:
            return
        if kind == _TERMINAL:
            self.final = event.response
        elif kind == _STARTED:
            self.started = event.response
        elif kind == _ERROR:
            self._error_event = event
        elif self.capture:
            delta = event.delta
            if isinstance(delta, str):
                if self._text is None:
                    self._text = []
                self._text.append(delta)

    def _first(self, event: Any) -> None:
        model = None
        try:
            if _KINDS.get(getattr(event, "type", None)) == _STARTED:
                model = getattr(getattr(event, "response", None), "model", None)
        finally:
            self._tick(model if isinstance(model, str) else None)

    @property
    def error(self) -> ProviderError | None:
        """The failure the stream reported in-band (an `error` event, or a failed response)."""
        event = self._error_event
        if event is not None:
            code = getattr(event, "code", None)
            message = getattr(event, "message", None)
            return ProviderError(str(code or "_OTHER"), message if isinstance(message, str) else None)
        final = self.final
        if not self.fetch and final is not None and getattr(final, "status", None) == "failed":
            err = getattr(final, "error", None)
            code = getattr(err, "code", None)
            message = getattr(err, "message", None)
            return ProviderError(str(code or "_OTHER"), message if isinstance(message, str) else None)
        return None

    def finish(self, response: ModelResponse, content: Content | None) -> ProviderError | None:
        """Write what arrived into the response facts; the failure the stream reported, if any."""
        self._apply(response, content)
        return self.error

    def _apply(self, response: ModelResponse, content: Content | None) -> None:
        final = self.final
        if final is not None:
            if self.fetch:
                reading.fetch(response, final, content, self.is_openai)
            else:
                reading.responses(response, final, content, self.is_openai)
            return
        started = self.started
        if started is not None:
            model = getattr(started, "model", None)
            if isinstance(model, str):
                response.model = model
            rid = getattr(started, "id", None)
            if isinstance(rid, str) and not self.fetch:
                response.id = rid
        if content is not None and self._text:
            content.output_messages = [
                OutputMessage(
                    role="assistant", parts=[TextPart(content="".join(self._text))], finish_reason="error"
                )
            ]
