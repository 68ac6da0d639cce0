"""Accumulator for streamed Chat Completions (and legacy Completions): what the span needs, cheaply.

Per chunk: count it, tick the first one (time to first chunk; every one with per-chunk metrics), keep
the last chunk and the last usage seen, and note each choice's finish reason. Text and tool-call
fragments are kept only with content capture on. Everything else (id, model, service tier, system
fingerprint) is read once, from the last chunk, when the stream ends. The usage chunk that
`stream_options.include_usage` adds has `choices == []`, so nothing here indexes `choices`.
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

    __slots__ = ("_choices", "_finish", "_per_chunk", "_tick", "capture", "count", "last", "legacy", "usage")

    def __init__(self, tick: Callable[[], None] | None, per_chunk: bool, capture: bool, legacy: bool = False):
        self._tick = tick
        self._per_chunk = per_chunk and tick is not None
        self.capture = capture
        self.legacy = legacy
        self.count = 0
        self.last: Any = None
        self.usage: Any = None
        self._finish: dict[int, str] | None = None
        self._choices: dict[int, _ChoiceText] | None = None

    @property
    def error(self) -> None:
        """Chat streams report a mid-stream failure by raising it (the proxy sees it), never in-band."""
        return None

    def on_chunk(self, chunk: Any) -> None:
        self.count += 1
        if self._per_chunk or (self.count == 1 and self._tick is not None):
            self._tick()  # type: ignore[misc]
        self.last = chunk
        usage = chunk.usage
        if usage is not None:
            self.usage = usage
        for choice in chunk.choices:
            reason = choice.finish_reason
            if reason is not None:
                if self._finish is None:
                    self._finish = {}
                self._finish[choice.index] = reason
            if self.capture:
                self._collect(choice)

    def _collect(self, choice: Any) -> None:
        if self._choices is None:
            self._choices = {}
        acc = self._choices.get(choice.index)
        if acc is None:
            acc = self._choices[choice.index] = _ChoiceText()
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
        """Write what arrived onto the invocation (or the unsampled sink)."""
        last = self.last
        if last is not None:
            rid = getattr(last, "id", None)
            if isinstance(rid, str):
                inv.response_id = rid
            model = getattr(last, "model", None)
            if isinstance(model, str):
                inv.response_model_name = model
            if is_openai:
                tier = getattr(last, "service_tier", None)
                if isinstance(tier, str):
                    inv.attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = tier
                fingerprint = getattr(last, "system_fingerprint", None)
                if isinstance(fingerprint, str):
                    inv.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint
        if self._finish:
            order = sorted(self._finish)
            if self.legacy:
                inv.finish_reasons = [self._finish[i] for i in order]
            else:
                inv.finish_reasons = [content.chat_finish_reason(self._finish[i]) for i in order]
        response.chat_usage(inv, self.usage)
        if self.capture and self._choices:
            inv.output_messages = self._output_messages()

    def _output_messages(self) -> list[OutputMessage]:
        out = []
        finish = self._finish or {}
        for index in sorted(self._choices or {}):
            acc = (self._choices or {})[index]
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
