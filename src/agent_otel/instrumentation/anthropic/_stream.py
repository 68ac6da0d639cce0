"""Accumulator for streamed Messages (`RawMessageStreamEvent`s): what the span needs, cheaply.

Per event: count it, tick the first one (time to first chunk, with `message_start`'s model), and look
at its `type`. `message_start` gives the id, model and the first usage (input, cache reads and writes,
`output_tokens: 1`); `message_delta` gives the stop reason and the final usage: `output_tokens` always,
and on newer API versions the input, cache and server-tool counts again. Both are merged
(`_response.UsageCounts`: a later count replaces an earlier one only when present), so cached tokens
are never lost on either API version. Text, tool input JSON, thinking and server-tool blocks are kept
only with content capture on. A mid-stream `error` event makes the SDK raise: the proxy sees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.anthropic import _content as parts
from agent_otel.instrumentation.anthropic._response import UsageCounts
from agent_otel.telemetry.facts import Content, ModelResponse, ProviderError
from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.safety import report

_WHERE = "agent_otel.instrumentation.anthropic.stream"


class MessageStreamState:
    """A `facts.StreamAccumulator` for the Messages event stream."""

    __slots__ = ("_per_chunk", "_tick", "blocks", "capture", "count", "id", "model", "stop_reason", "usage")

    def __init__(self, call: ModelCall) -> None:
        self._tick: Callable[..., None] = call.chunk
        self._per_chunk = call.per_chunk
        self.capture = call.content is not None
        self.count = 0
        self.id: str | None = None
        self.model: str | None = None
        self.stop_reason: str | None = None
        self.usage = UsageCounts()
        self.blocks: dict[int, dict[str, Any]] | None = None

    error = None  # a mid-stream failure is raised by the SDK, never reported in-band

    def on_chunk(self, event: Any) -> None:
        self.count += 1
        kind = event.type
        if kind == "content_block_delta":
            if self.count == 1 or self._per_chunk:
                self._tick()
            if self.capture:
                self._delta(event)
            return
        if kind == "message_start":
            message = event.message
            model = getattr(message, "model", None)
            self.model = model if isinstance(model, str) else None
            rid = getattr(message, "id", None)
            self.id = rid if isinstance(rid, str) else None
            self.usage.update(getattr(message, "usage", None))
        elif kind == "message_delta":
            reason = getattr(event.delta, "stop_reason", None)
            if isinstance(reason, str):
                self.stop_reason = reason
            self.usage.update(getattr(event, "usage", None))
        elif kind == "content_block_start" and self.capture:
            self._start(event)
        if self.count == 1:
            self._tick(self.model)
        elif self._per_chunk:
            self._tick()

    def _start(self, event: Any) -> None:
        if self.blocks is None:
            self.blocks = {}
        block = event.content_block
        dump = getattr(block, "model_dump", None)
        data = dump(mode="json", exclude_none=True) if callable(dump) else dict(block)
        self.blocks[event.index] = data

    def _delta(self, event: Any) -> None:
        block = (self.blocks or {}).get(event.index)
        if block is None:
            return
        delta = event.delta
        kind = delta.type
        if kind == "text_delta":
            block["text"] = block.get("text", "") + delta.text
        elif kind == "input_json_delta":
            block["_json"] = block.get("_json", "") + delta.partial_json
        elif kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + delta.thinking

    def finish(self, response: ModelResponse, content: Content | None) -> ProviderError | None:
        if self.id is not None:
            response.id = self.id
        if self.model is not None:
            response.model = self.model
        if self.stop_reason is not None:
            response.finish_reasons = [self.stop_reason]
        self.usage.into(response.usage)
        if content is not None and self.blocks is not None:
            try:
                content.output_messages = [parts.output_message(self._final_blocks(), self.stop_reason)]
            except Exception as exc:
                report(f"{_WHERE}.output", exc)
        return None

    def _final_blocks(self) -> list[dict[str, Any]]:
        out = []
        for index in sorted(self.blocks or {}):
            block = dict((self.blocks or {})[index])
            raw = block.pop("_json", None)
            if raw is not None:
                try:
                    block["input"] = json.loads(raw) if raw else {}
                except ValueError:
                    block["input"] = raw
            out.append(block)
        return out
