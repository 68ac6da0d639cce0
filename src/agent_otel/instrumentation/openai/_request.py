"""Request extractors: the keyword arguments of an openai call onto its util-genai invocation.

One function per API (`chat`, `responses`, `completions`, `embeddings`, `fetch`), each
`(inv, kwargs, capture, is_openai) -> Deferred | None`. They read only what the conventions name:
sampling parameters, token limits, stop sequences, seed, choice count, stream, reasoning effort, the
requested output type, `openai.request.service_tier` (when not "auto"), previous response and
conversation ids, and, with content capture on, messages, system instructions and tool definitions.

Values are type-checked, not trusted: openai's `NOT_GIVEN`/`omit` sentinels, None and anything of the
wrong type are skipped. A caller's iterator (a generator as `messages=`, `input=` or `tools=`) is never
read here: with capture on it is swapped, in `kwargs`, for a recording iterator the SDK consumes, and
the returned `Deferred` turns what was recorded into messages once the call has returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _content as content
from agent_otel.instrumentation.openai import _responses_content as rcontent
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import TextPart

Deferred = list[Callable[[Any], None]]

_NUMBER = (float, int)
_JSON_FORMATS = frozenset({"json_schema", "json_object"})


def _number(value: Any) -> Any:
    return value if type(value) in _NUMBER else None  # excludes bool and openai's sentinels


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _stop_sequences(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(s, str) for s in value):
        return list(value)
    return None


def _service_tier(inv: Any, kwargs: dict[str, Any], is_openai: bool) -> None:
    tier = kwargs.get("service_tier")
    if is_openai and isinstance(tier, str) and tier != "auto":
        inv.attributes[sc.OPENAI_REQUEST_SERVICE_TIER] = tier


def _capture(
    inv: Any,
    kwargs: dict[str, Any],
    key: str,
    convert: Callable[[Any], Any],
    assign: Callable[[Any, Any], None],
    deferred: Deferred | None,
) -> Deferred | None:
    """Content from `kwargs[key]`: converted now when it is a plain value, after the call when it is an
    iterator (which the SDK then reads through a recorder)."""
    value = kwargs.get(key)
    if value is None or isinstance(value, (bool, int, float)):
        return deferred
    if content.is_materialized(value):
        assign(inv, convert(value))
        return deferred
    if not hasattr(value, "__iter__"):  # openai's NOT_GIVEN / omit
        return deferred
    sink: list[Any] = []
    kwargs[key] = content.record_iterable(value, sink)
    if deferred is None:
        deferred = []
    deferred.append(lambda target: assign(target, convert(sink)))
    return deferred


def _set_input(inv: Any, messages: Any) -> None:
    inv.input_messages = messages


def _set_tools(inv: Any, tools: Any) -> None:
    if tools:
        inv.tool_definitions = tools


def _set_system(inv: Any, value: Any) -> None:
    if value:
        inv.system_instruction = value


def _common_sampling(inv: Any, kwargs: dict[str, Any]) -> None:
    value = _number(kwargs.get("temperature"))
    if value is not None:
        inv.temperature = value
    value = _number(kwargs.get("top_p"))
    if value is not None:
        inv.top_p = value


def _penalties_seed_n_stop(inv: Any, kwargs: dict[str, Any]) -> None:
    value = _number(kwargs.get("frequency_penalty"))
    if value is not None:
        inv.frequency_penalty = value
    value = _number(kwargs.get("presence_penalty"))
    if value is not None:
        inv.presence_penalty = value
    seed = _int(kwargs.get("seed"))
    if seed is not None:
        inv.seed = seed
    n = _int(kwargs.get("n"))
    if n is not None and n != 1:
        inv.request_choice_count = n
    stop = kwargs.get("stop")
    if stop is not None:
        sequences = _stop_sequences(stop)
        if sequences is not None:
            inv.stop_sequences = sequences


def _extra_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`extra_body` values take precedence over keyword arguments in the SDK; merge them the same way."""
    extra = kwargs.get("extra_body")
    if isinstance(extra, dict) and extra:
        return {**kwargs, **extra}
    return kwargs


def chat(inv: Any, kwargs: dict[str, Any], capture: bool, is_openai: bool) -> Deferred | None:
    params = _extra_body(kwargs)
    _common_sampling(inv, params)
    _penalties_seed_n_stop(inv, params)
    max_tokens = _int(params.get("max_completion_tokens"))
    if max_tokens is None:
        max_tokens = _int(params.get("max_tokens"))
    if max_tokens is not None:
        inv.max_tokens = max_tokens
    effort = params.get("reasoning_effort")
    if isinstance(effort, str):
        inv.reasoning_level = effort
    if params.get("stream") is True:
        inv.request_stream = True
    fmt = params.get("response_format")
    if fmt is not None:
        if isinstance(fmt, type):  # parse(response_format=PydanticModel)
            inv.output_type = "json"
        elif isinstance(fmt, dict):
            kind = fmt.get("type")
            if kind in _JSON_FORMATS:
                inv.output_type = "json"
            elif kind == "text":
                inv.output_type = "text"
    if inv.output_type is None:
        modalities = params.get("modalities")
        if isinstance(modalities, (list, tuple)) and "audio" in modalities:
            inv.output_type = "speech"
    _service_tier(inv, params, is_openai)
    if not capture:
        return None
    deferred = _capture(inv, kwargs, "messages", content.chat_input_messages, _set_input, None)
    return _capture(inv, kwargs, "tools", content.tool_definitions, _set_tools, deferred)


def responses(inv: Any, kwargs: dict[str, Any], capture: bool, is_openai: bool) -> Deferred | None:
    params = _extra_body(kwargs)
    _common_sampling(inv, params)
    max_tokens = _int(params.get("max_output_tokens"))
    if max_tokens is not None:
        inv.max_tokens = max_tokens
    reasoning = params.get("reasoning")
    if isinstance(reasoning, dict):
        effort = reasoning.get("effort")
        if isinstance(effort, str):
            inv.reasoning_level = effort
    if params.get("stream") is True:
        inv.request_stream = True
    if isinstance(params.get("text_format"), type):  # responses.parse(text_format=PydanticModel)
        inv.output_type = "json"
    else:
        text = params.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind in _JSON_FORMATS:
            inv.output_type = "json"
        elif kind == "text":
            inv.output_type = "text"
    previous = params.get("previous_response_id")
    if isinstance(previous, str):
        inv.previous_response_id = previous
    conversation = params.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    if isinstance(conversation, str):
        inv.conversation_id = conversation
    prompt = params.get("prompt")
    if isinstance(prompt, dict):
        prompt_id, version = prompt.get("id"), prompt.get("version")
        if isinstance(prompt_id, str):
            inv.prompt_name = prompt_id
            if isinstance(version, str):
                inv.prompt_version = version
        if capture and isinstance(prompt.get("variables"), dict):
            inv.prompt_variables = prompt["variables"]
    _service_tier(inv, params, is_openai)
    if not capture:
        return None
    instructions = params.get("instructions")
    if isinstance(instructions, str):
        inv.system_instruction = [TextPart(content=instructions)]
    deferred = _capture(inv, kwargs, "input", rcontent.input_messages, _set_input, None)
    return _capture(inv, kwargs, "tools", content.tool_definitions, _set_tools, deferred)


def completions(inv: Any, kwargs: dict[str, Any], capture: bool, is_openai: bool) -> Deferred | None:
    params = _extra_body(kwargs)
    _common_sampling(inv, params)
    _penalties_seed_n_stop(inv, params)
    max_tokens = _int(params.get("max_tokens"))
    if max_tokens is not None:
        inv.max_tokens = max_tokens
    if params.get("stream") is True:
        inv.request_stream = True
    if capture:
        prompt = kwargs.get("prompt")
        if isinstance(prompt, (str, list, tuple)):
            inv.input_messages = content.prompt_input_messages(prompt)
    return None


def embeddings(inv: Any, kwargs: dict[str, Any], capture: bool, is_openai: bool) -> Deferred | None:
    fmt = kwargs.get("encoding_format")
    if isinstance(fmt, str):
        inv.encoding_formats = [fmt]
    return None


def fetch(inv: Any, kwargs: dict[str, Any], capture: bool, is_openai: bool) -> Deferred | None:
    cursor = kwargs.get("starting_after")
    if type(cursor) is int:
        inv.stream_cursor = str(cursor)
    return None
