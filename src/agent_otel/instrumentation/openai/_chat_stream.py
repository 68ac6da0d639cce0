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

from agent_otel.instrumentation.openai import _content as content
from agent_otel.instrumentation.openai import _response as response
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import OutputMessage, TextPart, ToolCallRequestPart


class _ChoiceText:
    __slots__ = ("role", "text", "tools")

    def __init__(self) -> None:
        self.role = "assistant"
        self.text: list[str] = []
        self.tools: dict[int, list[Any]] = {}  # tool index -> [id, name, [argument fragments]]


class ChatStreamState:
    """Fed every chunk by the stream proxy (`on_chunk`), applied to the invocation once (`apply`)."""

    __slots__ = (
        "_inv",
        "_per_chunk",
        "_tick",
        "capture",
        "count",
        "finish",
        "last",
        "legacy",
        "texts",
        "usage",
    )

    def __init__(self, inv: Any, per_chunk: bool, capture: bool, legacy: bool = False) -> None:
        self._inv = inv  # the sampled invocation (None when unsampled: no chunk metrics)
        self._tick: Callable[[], None] | None = inv.record_stream_chunk if inv is not None else None
        self._per_chunk = per_chunk and inv is not None
        self.capture = capture
        self.legacy = legacy
        self.count = 0
        self.last: Any = None
        self.usage: Any = None
        self.finish: dict[int, str] | None = None
        self.texts: dict[int, _ChoiceText] | None = None

    @property
    def error(self) -> None:
        """Chat streams report a mid-stream failure by raising it (the proxy sees it), never in-band."""
        return None

    def on_chunk(self, chunk: Any) -> None:
        self.count += 1
        if self.count == 1:
            if self._inv is not None:
                model = getattr(chunk, "model", None)
                if isinstance(model, str):
                    self._inv.response_model_name = model
                self._tick()  # type: ignore[misc]
        elif self._per_chunk:
            self._tick()  # type: ignore[misc]
        self.last = chunk
        usage = chunk.usage
        if usage is not None:
            self.usage = usage
        for choice in chunk.choices or ():
            reason = choice.finish_reason
            if reason is not None and type(reason) is str:
                if self.finish is None:
                    self.finish = {}
                self.finish[choice.index] = reason
            if self.capture:
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

    def apply(self, inv: Any, is_openai: bool) -> None:
        """Write what arrived onto the invocation (or the unsampled sink), field by field."""
        response.extract(_APPLY, inv, self, self.capture, is_openai)

    def output_messages(self) -> list[OutputMessage]:
        out = []
        finish = self.finish or {}
        for index in sorted(self.texts or {}):
            acc = (self.texts or {})[index]
            parts: list[Any] = []
            text = "".join(acc.text)
            if text:
                parts.append(TextPart(content=text))
            for tool_index in sorted(acc.tools):
                call_id, name, fragments = acc.tools[tool_index]
                if name:
                    parts.append(
                        ToolCallRequestPart(
                            arguments=content.parse_arguments("".join(fragments)), name=name, id=call_id
                        )
                    )
            reason = finish.get(index)
            mapped = (reason if self.legacy else content.chat_finish_reason(reason)) if reason else "error"
            out.append(OutputMessage(role=acc.role, parts=parts, finish_reason=mapped))
        return out


# The steps of `apply`, each `(inv, state, capture, is_openai)`: one that fails costs only its field.


def _last_chunk(inv: Any, state: ChatStreamState, capture: bool, is_openai: bool) -> None:
    last = state.last
    if last is None:
        return
    rid = getattr(last, "id", None)
    if isinstance(rid, str):
        inv.response_id = rid
    model = getattr(last, "model", None)
    if isinstance(model, str):
        inv.response_model_name = model
    if is_openai:
        response.service_tier(inv, getattr(last, "service_tier", None))
        fingerprint = getattr(last, "system_fingerprint", None)
        if isinstance(fingerprint, str):
            inv.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def _usage(inv: Any, state: ChatStreamState, capture: bool, is_openai: bool) -> None:
    response.chat_usage(inv, state.usage)


def _finish_reasons(inv: Any, state: ChatStreamState, capture: bool, is_openai: bool) -> None:
    finish = state.finish
    if finish:
        order = sorted(finish)
        if state.legacy:
            inv.finish_reasons = [finish[i] for i in order]
        else:
            inv.finish_reasons = [content.chat_finish_reason(finish[i]) for i in order]


def _output(inv: Any, state: ChatStreamState, capture: bool, is_openai: bool) -> None:
    if capture and state.texts:
        inv.output_messages = state.output_messages()


_APPLY: tuple[response.Step, ...] = (_last_chunk, _usage, _finish_reasons, _output)
