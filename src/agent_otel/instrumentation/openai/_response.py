"""Response extractors: an openai response object onto its util-genai invocation.

One function per API, each `(inv, result, capture, is_openai) -> None`: response id and model, finish
reasons (Chat Completions' `tool_calls`/`function_call` become the conventions' `tool_call`; Responses
derive theirs from `status`), token usage (input, output, cache read, cache write, reasoning), and the
span-only `openai.response.service_tier` / `openai.response.system_fingerprint`. Output messages only
with content capture on. Every read tolerates a missing or oddly typed field (an OpenAI-compatible
server may send less): such a field is skipped, never guessed.

`usage_only(sink, result, kind)` reads just the model and usage, for the unsampled fast path.
"""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.openai import _content as content
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import TextPart


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


def _openai_extras(inv: Any, result: Any, is_openai: bool) -> None:
    if not is_openai:
        return
    tier = _str(getattr(result, "service_tier", None))
    if tier is not None:
        inv.attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = tier
    fingerprint = _str(getattr(result, "system_fingerprint", None))
    if fingerprint is not None:
        inv.attributes[sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


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


def _id_and_model(inv: Any, result: Any) -> None:
    rid = _str(getattr(result, "id", None))
    if rid is not None:
        inv.response_id = rid
    model = _str(getattr(result, "model", None))
    if model is not None:
        inv.response_model_name = model


def chat(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    _id_and_model(inv, result)
    choices = getattr(result, "choices", None)
    if isinstance(choices, list):
        reasons = []
        for choice in choices:
            reason = getattr(choice, "finish_reason", None)
            reasons.append(content.chat_finish_reason(reason) if isinstance(reason, str) else "error")
        if reasons:
            inv.finish_reasons = reasons
        if capture:
            inv.output_messages = content.chat_output_messages(choices)
    chat_usage(inv, getattr(result, "usage", None))
    _openai_extras(inv, result, is_openai)


def completions(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    _id_and_model(inv, result)
    choices = getattr(result, "choices", None)
    if isinstance(choices, list):
        reasons = [r if isinstance(r := getattr(c, "finish_reason", None), str) else "error" for c in choices]
        if reasons:
            inv.finish_reasons = reasons
        if capture:
            inv.output_messages = content.completion_output_messages(choices)
    chat_usage(inv, getattr(result, "usage", None))
    _openai_extras(inv, result, is_openai)


def responses_finish_reason(result: Any) -> str | None:
    status = getattr(result, "status", None)
    if status == "completed":
        for item in getattr(result, "output", None) or ():
            if getattr(item, "type", None) == "function_call":
                return "tool_call"
        return "stop"
    if status == "incomplete":
        reason = _attr(getattr(result, "incomplete_details", None), "reason")
        if reason == "max_output_tokens":
            return "length"
        return reason if isinstance(reason, str) else "length"
    if status in ("failed", "cancelled"):
        return "error"
    return None


def responses(inv: Any, result: Any, capture: bool, is_openai: bool) -> None:
    _id_and_model(inv, result)
    reason = responses_finish_reason(result)
    if reason is not None:
        inv.finish_reasons = [reason]
    responses_usage(inv, getattr(result, "usage", None))
    if is_openai:
        tier = _str(getattr(result, "service_tier", None))
        if tier is not None:
            inv.attributes[sc.OPENAI_RESPONSE_SERVICE_TIER] = tier
    if capture:
        messages = content.responses_output_messages(getattr(result, "output", None), reason)
        if messages:
            inv.output_messages = messages


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
    """`responses.retrieve`: a stored response. No token usage, by the conventions."""
    model = _str(getattr(result, "model", None))
    if model is not None:
        inv.response_model_name = model
    status = _str(getattr(result, "status", None))
    if status is not None:
        inv.response_status = status
    reason = responses_finish_reason(result)
    if reason is not None:
        inv.finish_reasons = [reason]
    if capture:
        inv.output_messages = content.responses_output_messages(getattr(result, "output", None), reason)
        instructions = getattr(result, "instructions", None)
        if isinstance(instructions, str):
            inv.system_instruction = [TextPart(content=instructions)]
        tools = getattr(result, "tools", None)
        if isinstance(tools, list) and tools:
            inv.tool_definitions = content.tool_definitions(tools)


def usage_only(sink: Any, result: Any, kind: str) -> None:
    """The unsampled fast path: only the response model and usage (metrics and cost need nothing else).
    Only the field names of the result's own API are read (a missing attribute on a pydantic model is
    an expensive AttributeError)."""
    model = getattr(result, "model", None)
    if isinstance(model, str):
        sink.response_model_name = model
    usage = getattr(result, "usage", None)
    if usage is None or kind == "fetch":  # a fetched response reports no usage
        return
    if kind == "responses":
        responses_usage(sink, usage)
    elif kind == "embeddings":
        sink.input_tokens = _count(_field(usage, "prompt_tokens"))
    else:
        chat_usage(sink, usage)
