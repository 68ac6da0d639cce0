"""Accumulator for streamed Chat Completions (and legacy Completions): what the span needs, cheaply.

Per chunk: count it, tick the first one (time to first chunk, recorded with the first chunk's model as
the response model; every chunk with per-chunk metrics), keep the last chunk and the last usage seen,
and note each choice's finish reason. Text and tool-call fragments are kept only with content capture
on. Everything else (id, model, service tier, system fingerprint) is read once, from the last chunk,
when the stream ends, field by field (`_response.extract`). The usage chunk that
`stream_options.include_usage` adds has `choices == []`, and an odd one (`data: {}`) has no choices at
all: nothing here indexes `choices`, and a chunk this code cannot read costs only itself (the proxy
offers the next one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _content as parts
from agent_otel.instrumentation.openai import _response as reading
from agent_otel.telemetry.facts import Content, ModelResponse, ProviderError
from agent_otel.telemetry.messages import OutputMessage, TextPart, ToolCallRequestPart
from agent_otel.telemetry.model_call import ModelCall


class _ChoiceText:
    __slots__ = ("role", "text", "tools")

    def __init__(self) -> None:
        self.role = "assistant"
        self.text: list[str] = []
        self.tools: dict[int, list[Any]] = {}  # tool index -> [id, name, [argument fragments]]


class ChatStreamState:
    """A `facts.StreamAccumulator`: fed every chunk by the stream proxy (`on_chunk`), written into the
    response facts once (`finish`)."""

    __slots__ = (
        "_per_chunk",
        "_tick",
        "capture",
        "count",
        "finishes",
        "is_openai",
        "last",
        "legacy",
        "texts",
        "usage",
    )

    def __init__(self, call: ModelCall, is_openai: bool, legacy: bool = False) -> None:
        self._tick: Callable[..., None] = call.chunk
        self._per_chunk = call.per_chunk
        self.capture = call.content is not None
        self.is_openai = is_openai
        self.legacy = legacy
        self.count = 0
        self.last: Any = None
        self.usage: Any = None
        self.finishes: dict[int, str] | None = None
        self.texts: dict[int, _ChoiceText] | None = None

    @property
    def error(self) -> None:
        """Chat streams report a mid-stream failure by raising it (the proxy sees it), never in-band."""
        return None

    def on_chunk(self, chunk: Any) -> None:
        count = self.count = self.count + 1
        if count == 1:
            model = getattr(chunk, "model", None)
            self._tick(model if isinstance(model, str) else None)
        elif self._per_chunk:
            self._tick()
        self.last = chunk
        usage = chunk.usage
        if usage is not None:
            self.usage = usage
        choices = chunk.choices
        if not choices:
            return
        capture = self.capture
        for choice in choices:
            reason = choice.finish_reason
            if reason is not None and type(reason) is str:
                if self.finishes is None:
                    self.finishes = {}
                self.finishes[choice.index] = reason
            if capture:
                self._collect(choice)

    def _collect(self, choice: Any) -> None:
        if self.texts is None:
            self.texts = {}
        acc = self.texts.get(choice.index)
        if acc is None:
            acc = self.texts[choice.index] = _ChoiceText()
        if self.legacy:
            text = getattr(choice, "text", None)
            if isinstance(text, str):
                acc.text.append(text)
            return
        delta = choice.delta
        if delta is None:
            return
        role = getattr(delta, "role", None)
        if isinstance(role, str):
            acc.role = role
        text = getattr(delta, "content", None)
        if isinstance(text, str):
            acc.text.append(text)
        refusal = getattr(delta, "refusal", None)
        if isinstance(refusal, str):
            acc.text.append(refusal)
        for call in getattr(delta, "tool_calls", None) or ():
            slot = acc.tools.get(call.index)
            if slot is None:
                slot = acc.tools[call.index] = [None, None, []]
            if call.id:
                slot[0] = call.id
            fn = call.function
            if fn is not None:
                if fn.name:
                    slot[1] = fn.name
                if fn.arguments:
                    slot[2].append(fn.arguments)

    def finish(self, response: ModelResponse, content: Content | None) -> ProviderError | None:
        """Write what arrived into the response facts, field by field. Chat streams report a mid-stream
        failure by raising it (the proxy sees it), never in-band: no error to return."""
        reading.extract(_APPLY, response, self, content, self.is_openai)
        return None

    def output_messages(self) -> list[OutputMessage]:
        out = []
        finish = self.finishes or {}
        for index in sorted(self.texts or {}):
            acc = (self.texts or {})[index]
            found: list[Any] = []
            text = "".join(acc.text)
            if text:
                found.append(TextPart(content=text))
            for tool_index in sorted(acc.tools):
                call_id, name, fragments = acc.tools[tool_index]
                if name:
                    found.append(
                        ToolCallRequestPart(
                            arguments=parts.parse_arguments("".join(fragments)), name=name, id=call_id
                        )
                    )
            reason = finish.get(index)
            mapped = (reason if self.legacy else parts.chat_finish_reason(reason)) if reason else "error"
            out.append(OutputMessage(role=acc.role, parts=found, finish_reason=mapped))
        return out


# The steps of `finish`, each `(response, state, content, is_openai)`: one that fails costs only its field.


def _last_chunk(
    response: ModelResponse, state: ChatStreamState, content: Content | None, is_openai: bool
) -> None:
    last = state.last
    if last is None:
        return
    rid = getattr(last, "id", None)
    if isinstance(rid, str):
        response.id = rid
    model = getattr(last, "model", None)
    if isinstance(model, str):
        response.model = model
    if is_openai:
        reading.service_tier(response, getattr(last, "service_tier", None))
        reading.fingerprint(response, getattr(last, "system_fingerprint", None))


def _usage(response: ModelResponse, state: ChatStreamState, content: Content | None, is_openai: bool) -> None:
    reading.chat_usage(response.usage, state.usage)


def _finish_reasons(
    response: ModelResponse, state: ChatStreamState, content: Content | None, is_openai: bool
) -> None:
    finish = state.finishes
    if finish:
        order = sorted(finish)
        if state.legacy:
            response.finish_reasons = [finish[i] for i in order]
        else:
            response.finish_reasons = [parts.chat_finish_reason(finish[i]) for i in order]


def _output(
    response: ModelResponse, state: ChatStreamState, content: Content | None, is_openai: bool
) -> None:
    if content is not None and state.texts:
        content.output_messages = state.output_messages()


_APPLY: tuple[reading.Step, ...] = (_last_chunk, _usage, _finish_reasons, _output)  # type: ignore[assignment]
