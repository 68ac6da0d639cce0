"""The response reader: a `Message` (or its JSON body, for raw responses) into response facts, and the one
place the token arithmetic lives.

Anthropic's `usage.input_tokens` excludes the tokens read from and written to the prompt cache; the
conventions' `gen_ai.usage.input_tokens` includes them. So (`usage_into`):

    input      = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
    cache_read = cache_read_input_tokens          (gen_ai.usage.cache_read.input_tokens)
    cache_write = cache_creation_input_tokens     (gen_ai.usage.cache_write.input_tokens)
    output     = output_tokens                    (thinking included, as the API counts it)
    reasoning  = output_tokens_details.thinking_tokens, when the API reports it

The cost table then prices cache reads at the cached price and cache writes at the cache-write price.
`stop_reason` becomes the finish reason (the core maps `end_turn`/`stop_sequence` to `stop`, `tool_use`
to `tool_call`, `max_tokens` and `model_context_window_exceeded` to `length`, `refusal` to
`content_filter`; `pause_turn` is kept as sent). Every field is optional and type-checked.
"""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.anthropic import _content as parts
from agent_otel.telemetry.facts import Content, ModelResponse, Usage
from agent_otel.telemetry.safety import report

get = parts.get
_WHERE = "agent_otel.instrumentation.anthropic.response"


def _count(value: Any) -> int | None:
    return value if type(value) is int else None


class UsageCounts:
    """Anthropic's own counts, merged from a message (or `message_start`) and then `message_delta`:
    a later value replaces an earlier one only when it is present."""

    __slots__ = ("cache_read", "cache_write", "input", "output", "reasoning")

    def __init__(self) -> None:
        self.input: int | None = None
        self.output: int | None = None
        self.cache_read: int | None = None
        self.cache_write: int | None = None
        self.reasoning: int | None = None

    def update(self, usage: Any) -> None:
        if usage is None:
            return
        for mine, theirs in (
            ("input", "input_tokens"),
            ("output", "output_tokens"),
            ("cache_read", "cache_read_input_tokens"),
            ("cache_write", "cache_creation_input_tokens"),
        ):
            value = _count(get(usage, theirs))
            if value is not None:
                setattr(self, mine, value)
        details = get(usage, "output_tokens_details")
        if details is not None:
            value = _count(get(details, "thinking_tokens"))
            if value is not None:
                self.reasoning = value

    def into(self, out: Usage) -> None:
        """The conventions' counts (see the module docstring)."""
        cache_read, cache_write = self.cache_read or 0, self.cache_write or 0
        if self.input is not None:
            out.input = self.input + cache_read + cache_write
        if self.output is not None:
            out.output = self.output
        if cache_read:
            out.cache_read = cache_read
        if cache_write:
            out.cache_write = cache_write
        if self.reasoning:
            out.reasoning = self.reasoning


def usage_into(out: Usage, usage: Any) -> None:
    counts = UsageCounts()
    counts.update(usage)
    counts.into(out)


def _id_model(response: ModelResponse, result: Any) -> None:
    rid = get(result, "id")
    if isinstance(rid, str):
        response.id = rid
    model = get(result, "model")
    if isinstance(model, str):
        response.model = model


def _finish(response: ModelResponse, result: Any) -> None:
    reason = get(result, "stop_reason")
    if isinstance(reason, str):
        response.finish_reasons = [reason]


def _output(response: ModelResponse, result: Any, content: Content | None) -> None:
    if content is not None:
        content.output_messages = [parts.output_message(get(result, "content"), get(result, "stop_reason"))]


class MessageReader:
    """A `facts.ResponseReader` for `Message` / `BetaMessage` / `ParsedMessage` objects and their JSON."""

    __slots__ = ()

    def read(self, response: ModelResponse, result: Any, content: Content | None) -> None:
        for step in (_id_model, _finish):
            try:
                step(response, result)
            except Exception as exc:
                report(f"{_WHERE}.{step.__name__}", exc)
        self._usage(response, result)
        try:
            _output(response, result, content)
        except Exception as exc:
            report(f"{_WHERE}.output", exc)

    def read_usage(self, response: ModelResponse, result: Any) -> None:
        model = get(result, "model")
        if isinstance(model, str):
            response.model = model
        self._usage(response, result)

    @staticmethod
    def _usage(response: ModelResponse, result: Any) -> None:
        try:
            usage_into(response.usage, get(result, "usage"))
        except Exception as exc:
            report(f"{_WHERE}.usage", exc)


READER = MessageReader()
