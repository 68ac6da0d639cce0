"""Response readers: an openai response object into the core's response facts (and content).

One reader per API and flavour (`READERS[kind]`: for a compatible server, for OpenAI itself), each a
`facts.ResponseReader`. `read` takes response id and model, finish reasons (Chat Completions'
`tool_calls`/`function_call` become the conventions' `tool_call`; Responses derive theirs from
`status`), token usage (input, output, cache read, cache write, reasoning), the
`openai.response.service_tier` (span and metrics) and `openai.response.system_fingerprint` (span only),
and output messages into `content` when it is given. `read_usage` takes only the model, the usage and
the service tier, for the unsampled fast path (only the field names of the result's own API are read: a
missing attribute on a pydantic model is an expensive AttributeError). Every read tolerates a missing or
oddly typed field (an OpenAI-compatible server may send less): such a field is skipped, never guessed.

Extraction is field by field: each reader is a tuple of small steps run by `extract()`, which reports
a step that raises (a field of a shape nobody expected, e.g. `"output": 5`) and goes on with the next,
so one odd field costs only itself, never the usage or the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _content as parts
from agent_otel.instrumentation.openai import _responses_content as rcontent
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import Content, ModelResponse, Usage
from agent_otel.telemetry.messages import TextPart
from agent_otel.telemetry.safety import report

Step = Callable[[ModelResponse, Any, "Content | None", bool], None]
_WHERE = "agent_otel.instrumentation.openai.response"


def extract(
    steps: tuple[Step, ...], response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    """Run each step on its own: one that raises is reported and skipped, the others still run."""
    for step in steps:
        try:
            step(response, result, content, is_openai)
        except Exception as exc:
            report(f"{_WHERE}.{step.__name__}", exc)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    return value if type(value) is int else None


def _attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None) if obj is not None else None


def _field(obj: Any, name: str) -> Any:
    """A nested usage field: a model attribute, or a dict key when the SDK kept a field it does not model
    (older openai versions keep unknown nested objects as plain dicts)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def service_tier(response: ModelResponse, value: Any) -> None:
    """`openai.response.service_tier` on the span and on the duration and token metrics (the OpenAI
    conventions list it for both; a handful of values, so no cardinality concern)."""
    if isinstance(value, str):
        response.metric_attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = value


def fingerprint(response: ModelResponse, value: Any) -> None:
    """`openai.response.system_fingerprint`: span only (one value per backend build would multiply
    metric series)."""
    if isinstance(value, str):
        response.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = value


def _openai_extras(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    if is_openai:
        service_tier(response, getattr(result, "service_tier", None))
        fingerprint(response, getattr(result, "system_fingerprint", None))


def _openai_tier(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    if is_openai:
        service_tier(response, getattr(result, "service_tier", None))


def _usage(
    out: Usage, usage: Any, input_name: str, output_name: str, input_details: str, output_details: str
) -> None:
    if usage is None:
        return
    value = getattr(usage, input_name, None)
    if type(value) is int:
        out.input = value
    value = getattr(usage, output_name, None)
    if type(value) is int:
        out.output = value
    details = _field(usage, input_details)
    if details is not None:
        value = _count(_field(details, "cached_tokens"))
        if value:
            out.cache_read = value
        value = _count(_field(details, "cache_write_tokens"))
        if value:
            out.cache_write = value
    details = _field(usage, output_details)
    if details is not None:
        value = _count(_field(details, "reasoning_tokens"))
        if value:
            out.reasoning = value


def chat_usage(out: Usage, usage: Any) -> None:
    """`CompletionUsage` (Chat Completions and legacy completions)."""
    _usage(
        out, usage, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"
    )


def responses_usage(out: Usage, usage: Any) -> None:
    """`ResponseUsage`."""
    _usage(out, usage, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details")


def _id(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    rid = _str(getattr(result, "id", None))
    if rid is not None:
        response.id = rid


def _model(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    model = _str(getattr(result, "model", None))
    if model is not None:
        response.model = model


def _choices(result: Any) -> list[Any] | None:
    choices = getattr(result, "choices", None)
    return choices if isinstance(choices, list) else None


def _chat_finish_reasons(
    response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    reasons = []
    for choice in _choices(result) or ():
        reason = getattr(choice, "finish_reason", None)
        reasons.append(parts.chat_finish_reason(reason) if isinstance(reason, str) else "error")
    if reasons:
        response.finish_reasons = reasons


def _chat_output(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    if content is None:
        return
    choices = _choices(result)
    if choices is not None:
        content.output_messages = parts.chat_output_messages(choices)


def _chat_usage(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    chat_usage(response.usage, getattr(result, "usage", None))


def _completion_finish_reasons(
    response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    choices = _choices(result) or ()
    reasons = [r if isinstance(r := getattr(c, "finish_reason", None), str) else "error" for c in choices]
    if reasons:
        response.finish_reasons = reasons


def _completion_output(
    response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    if content is None:
        return
    choices = _choices(result)
    if choices is not None:
        content.output_messages = parts.completion_output_messages(choices)


def responses_finish_reason(result: Any) -> str | None:
    status = getattr(result, "status", None)
    if status == "completed":
        return "tool_call" if rcontent.has_client_tool_call(getattr(result, "output", None)) else "stop"
    if status == "incomplete":
        reason = _attr(getattr(result, "incomplete_details", None), "reason")
        if reason == "max_output_tokens":
            return "length"
        return reason if isinstance(reason, str) else "length"
    if status in ("failed", "cancelled"):
        return "error"
    return None


def _responses_finish_reasons(
    response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    reason = responses_finish_reason(result)
    if reason is not None:
        response.finish_reasons = [reason]


def _responses_usage(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    responses_usage(response.usage, getattr(result, "usage", None))


def _responses_output(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    if content is not None:
        messages = rcontent.output_messages(getattr(result, "output", None), responses_finish_reason(result))
        if messages:
            content.output_messages = messages


def _status(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    status = _str(getattr(result, "status", None))
    if status is not None:
        response.status = status


def _fetched_request(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    if content is None:
        return
    instructions = getattr(result, "instructions", None)
    if isinstance(instructions, str):
        content.system_instructions = [TextPart(content=instructions)]
    tools = getattr(result, "tools", None)
    if isinstance(tools, list) and tools:
        content.tool_definitions = parts.tool_definitions(tools)


def _embedding_dimensions(
    response: ModelResponse, result: Any, content: Content | None, is_openai: bool
) -> None:
    data = getattr(result, "data", None)
    if isinstance(data, list) and data:
        vector = getattr(data[0], "embedding", None)
        if isinstance(vector, list):
            response.dimension_count = len(vector)


def _embedding_usage(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    usage = getattr(result, "usage", None)
    if usage is not None:
        tokens = _count(_field(usage, "prompt_tokens"))
        if tokens is not None:
            response.usage.input = tokens


_CHAT: tuple[Step, ...] = (_id, _model, _chat_usage, _chat_finish_reasons, _openai_extras, _chat_output)
_COMPLETIONS: tuple[Step, ...] = (
    _id,
    _model,
    _chat_usage,
    _completion_finish_reasons,
    _openai_extras,
    _completion_output,
)
_RESPONSES: tuple[Step, ...] = (
    _id,
    _model,
    _responses_usage,
    _responses_finish_reasons,
    _openai_tier,
    _responses_output,
)
# `responses.retrieve`: a stored response. No token usage, by the conventions.
_FETCH: tuple[Step, ...] = (
    _model,
    _status,
    _responses_finish_reasons,
    _openai_tier,
    _responses_output,
    _fetched_request,
)
_EMBEDDINGS: tuple[Step, ...] = (_model, _embedding_dimensions, _embedding_usage)

# What the unsampled path reads (model, usage, service tier).
_CHAT_USAGE: tuple[Step, ...] = (_model, _chat_usage, _openai_tier)
_COMPLETIONS_USAGE: tuple[Step, ...] = (_model, _chat_usage)
_RESPONSES_USAGE: tuple[Step, ...] = (_model, _responses_usage, _openai_tier)
_FETCH_USAGE: tuple[Step, ...] = (_model, _openai_tier)
_EMBEDDINGS_USAGE: tuple[Step, ...] = (_model, _embedding_usage)


class Reader:
    """A `facts.ResponseReader` for one API and one flavour (OpenAI itself, or a compatible server)."""

    __slots__ = ("is_openai", "steps", "usage_steps")

    def __init__(self, steps: tuple[Step, ...], usage_steps: tuple[Step, ...], is_openai: bool) -> None:
        self.steps = steps
        self.usage_steps = usage_steps
        self.is_openai = is_openai

    def read(self, response: ModelResponse, result: Any, content: Content | None) -> None:
        extract(self.steps, response, result, content, self.is_openai)

    def read_usage(self, response: ModelResponse, result: Any) -> None:
        extract(self.usage_steps, response, result, None, self.is_openai)


def _pair(steps: tuple[Step, ...], usage_steps: tuple[Step, ...]) -> tuple[Reader, Reader]:
    return Reader(steps, usage_steps, False), Reader(steps, usage_steps, True)


# kind -> (reader for a compatible server, reader for OpenAI)
READERS: dict[str, tuple[Reader, Reader]] = {
    "chat": _pair(_CHAT, _CHAT_USAGE),
    "completions": _pair(_COMPLETIONS, _COMPLETIONS_USAGE),
    "responses": _pair(_RESPONSES, _RESPONSES_USAGE),
    "fetch": _pair(_FETCH, _FETCH_USAGE),
    "embeddings": _pair(_EMBEDDINGS, _EMBEDDINGS_USAGE),
}


def responses(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    """Everything a (final) Responses object says."""
    extract(_RESPONSES, response, result, content, is_openai)


def fetch(response: ModelResponse, result: Any, content: Content | None, is_openai: bool) -> None:
    """Everything a fetched Responses object says."""
    extract(_FETCH, response, result, content, is_openai)
