"""Response extractors: an openai response object onto its util-genai invocation.

One function per API, each `(inv, result, capture, is_openai) -> None`: response id and model, finish
reasons (Chat Completions' `tool_calls`/`function_call` become the conventions' `tool_call`; Responses
derive theirs from `status`), token usage (input, output, cache read, cache write, reasoning), and the
`openai.response.service_tier` (span and metrics) and `openai.response.system_fingerprint` (span only).
Output messages only with content capture on. Every read tolerates a missing or oddly typed field (an
OpenAI-compatible server may send less): such a field is skipped, never guessed.

Extraction is field by field: each extractor is a tuple of small steps run by `extract()`, which
reports a step that raises (a field of a shape nobody expected, e.g. `"output": 5`) and goes on with
the next, so one odd field costs only itself, never the usage or the rest.

`usage_only(sink, result, kind)` reads just the model and usage, for the unsampled fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _content as content
from agent_otel.instrumentation.openai import _responses_content as rcontent
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import TextPart
from agent_otel.telemetry.safety import report

Step = Callable[[Any, Any, bool, bool], None]
_WHERE = "agent_otel.instrumentation.openai.response"


def extract(steps: tuple[Step, ...], inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    """Run each step on its own: one that raises is reported and skipped, the others still run."""
    for step in steps:
        try:
            step(inv, result, capture, is_openai)
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


def service_tier(inv: Any, value: Any) -> None:
    """`openai.response.service_tier` on the span and on the duration and token metrics (the OpenAI
    conventions list it for both; a handful of values, so no cardinality concern)."""
    if isinstance(value, str):
        inv.attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = value
        inv.metric_attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = value


def _openai_extras(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    if not is_openai:
        return
    service_tier(inv, getattr(result, "service_tier", None))
    fingerprint = _str(getattr(result, "system_fingerprint", None))
    if fingerprint is not None:  # span only: one value per backend build would multiply metric series
        inv.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def _openai_tier(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    if is_openai:
        service_tier(inv, getattr(result, "service_tier", None))


def chat_usage(inv: Any, usage: Any) -> None:
    """`CompletionUsage` (Chat Completions and legacy completions)."""
    if usage is None:
        return
    value = _count(getattr(usage, "prompt_tokens", None))
    if value is not None:
        inv.input_tokens = value
    value = _count(getattr(usage, "completion_tokens", None))
    if value is not None:
        inv.output_tokens = value
    details = _field(usage, "prompt_tokens_details")
    if details is not None:
        value = _count(_field(details, "cached_tokens"))
        if value:
            inv.cache_read_input_tokens = value
        value = _count(_field(details, "cache_write_tokens"))
        if value:
            inv.cache_write_input_tokens = value
    details = _field(usage, "completion_tokens_details")
    if details is not None:
        value = _count(_field(details, "reasoning_tokens"))
        if value:
            inv.thinking_tokens = value


def responses_usage(inv: Any, usage: Any) -> None:
    """`ResponseUsage`."""
    if usage is None:
        return
    value = _count(getattr(usage, "input_tokens", None))
    if value is not None:
        inv.input_tokens = value
    value = _count(getattr(usage, "output_tokens", None))
    if value is not None:
        inv.output_tokens = value
    details = _field(usage, "input_tokens_details")
    if details is not None:
        value = _count(_field(details, "cached_tokens"))
        if value:
            inv.cache_read_input_tokens = value
        value = _count(_field(details, "cache_write_tokens"))
        if value:
            inv.cache_write_input_tokens = value
    details = _field(usage, "output_tokens_details")
    if details is not None:
        value = _count(_field(details, "reasoning_tokens"))
        if value:
            inv.thinking_tokens = value


def _id(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    rid = _str(getattr(result, "id", None))
    if rid is not None:
        inv.response_id = rid


def _model(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    model = _str(getattr(result, "model", None))
    if model is not None:
        inv.response_model_name = model


def _choices(result: Any) -> list[Any] | None:
    choices = getattr(result, "choices", None)
    return choices if isinstance(choices, list) else None


def _chat_finish_reasons(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    reasons = []
    for choice in _choices(result) or ():
        reason = getattr(choice, "finish_reason", None)
        reasons.append(content.chat_finish_reason(reason) if isinstance(reason, str) else "error")
    if reasons:
        inv.finish_reasons = reasons


def _chat_output(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    choices = _choices(result)
    if capture and choices is not None:
        inv.output_messages = content.chat_output_messages(choices)


def _chat_usage(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    chat_usage(inv, getattr(result, "usage", None))


def _completion_finish_reasons(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    choices = _choices(result) or ()
    reasons = [r if isinstance(r := getattr(c, "finish_reason", None), str) else "error" for c in choices]
    if reasons:
        inv.finish_reasons = reasons


def _completion_output(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    choices = _choices(result)
    if capture and choices is not None:
        inv.output_messages = content.completion_output_messages(choices)


_CHAT: tuple[Step, ...] = (_id, _model, _chat_usage, _chat_finish_reasons, _openai_extras, _chat_output)
_COMPLETIONS: tuple[Step, ...] = (
    _id,
    _model,
    _chat_usage,
    _completion_finish_reasons,
    _openai_extras,
    _completion_output,
)


def chat(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    extract(_CHAT, inv, result, capture, is_openai)


def completions(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    extract(_COMPLETIONS, inv, result, capture, is_openai)


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


def _responses_finish_reasons(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    reason = responses_finish_reason(result)
    if reason is not None:
        inv.finish_reasons = [reason]


def _responses_usage(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    responses_usage(inv, getattr(result, "usage", None))


def _responses_output(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    if capture:
        messages = rcontent.output_messages(getattr(result, "output", None), responses_finish_reason(result))
        if messages:
            inv.output_messages = messages


def _status(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    status = _str(getattr(result, "status", None))
    if status is not None:
        inv.response_status = status


def _fetched_request(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    if not capture:
        return
    instructions = getattr(result, "instructions", None)
    if isinstance(instructions, str):
        inv.system_instruction = [TextPart(content=instructions)]
    tools = getattr(result, "tools", None)
    if isinstance(tools, list) and tools:
        inv.tool_definitions = content.tool_definitions(tools)


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


def responses(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    extract(_RESPONSES, inv, result, capture, is_openai)


def embeddings(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    model = _str(getattr(result, "model", None))
    if model is not None:
        inv.response_model_name = model
    data = getattr(result, "data", None)
    if isinstance(data, list) and data:
        vector = getattr(data[0], "embedding", None)
        if isinstance(vector, list):
            inv.dimension_count = len(vector)
    usage = getattr(result, "usage", None)
    if usage is not None:
        tokens = _count(getattr(usage, "prompt_tokens", None))
        if tokens is not None:
            inv.input_tokens = tokens


def fetch(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    extract(_FETCH, inv, result, capture, is_openai)


def usage_only(sink: Any, result: Any, kind: str, is_openai: bool = False) -> None:
    """The unsampled fast path: only what the metrics and cost need (response model, usage, service
    tier). Only the field names of the result's own API are read (a missing attribute on a pydantic
    model is an expensive AttributeError)."""
    model = getattr(result, "model", None)
    if isinstance(model, str):
        sink.response_model_name = model
    if is_openai and kind in ("chat", "responses", "fetch"):
        service_tier(sink, getattr(result, "service_tier", None))
    usage = getattr(result, "usage", None)
    if usage is None or kind == "fetch":  # a fetched response reports no usage
        return
    if kind == "responses":
        responses_usage(sink, usage)
    elif kind == "embeddings":
        sink.input_tokens = _count(_field(usage, "prompt_tokens"))
    else:
        chat_usage(sink, usage)
