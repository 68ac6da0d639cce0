"""Request readers: the keyword arguments of an openai call into the core's request facts.

One function per API (`chat`, `responses`, `completions`, `embeddings`, `fetch`), each a
`facts.RequestReader[dict]`: `(request, kwargs, content) -> None`, run by the core only for a call whose
details are recorded; `content` is None unless content is captured. They read only what the conventions name:
sampling parameters, token limits, stop sequences, seed, choice count, stream, reasoning effort, the
requested output type, `openai.request.service_tier` (when not "auto"), previous response and
conversation ids, and, with content capture on, messages, system instructions and tool definitions.

Values are type-checked, not trusted: openai's `NOT_GIVEN`/`omit` sentinels, None and anything of the
wrong type are skipped. A caller's iterator (a generator as `messages=`, `input=` or `tools=`) is never
read here: with capture on it is swapped, in `kwargs`, for a recording iterator the SDK consumes, and
`content.defer` turns what was recorded into messages once the call has returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai import _content as parts
from agent_otel.instrumentation.openai import _responses_content as rcontent
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import Content, ModelRequest
from agent_otel.telemetry.messages import TextPart

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


def _service_tier(request: ModelRequest, tier: Any) -> None:
    if request.provider == sc.PROVIDER_OPENAI and isinstance(tier, str) and tier != "auto":
        request.attributes[sc.OPENAI_REQUEST_SERVICE_TIER] = tier


def _capture(
    content: Content,
    kwargs: dict[str, Any],
    key: str,
    convert: Callable[[Any], Any],
    assign: Callable[[Content, Any], None],
) -> None:
    """Content from `kwargs[key]`: converted now when it is a plain value, after the call when it is an
    iterator (which the SDK then reads through a recorder)."""
    value = kwargs.get(key)
    if value is None or isinstance(value, (bool, int, float)):
        return
    if parts.is_materialized(value):
        assign(content, convert(value))
        return
    if not hasattr(value, "__iter__"):  # openai's NOT_GIVEN / omit
        return
    sink: list[Any] = []
    kwargs[key] = parts.record_iterable(value, sink)
    content.defer(lambda target: assign(target, convert(sink)))


def _set_input(content: Content, messages: Any) -> None:
    content.input_messages = messages


def _set_tools(content: Content, tools: Any) -> None:
    if tools:
        content.tool_definitions = tools


# The keyword arguments each reader looks at: a call pays for the parameters it passes, not for every
# parameter the API has (most calls pass a model, messages and one or two of these).
_CHAT_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "n",
        "stop",
        "max_completion_tokens",
        "max_tokens",
        "reasoning_effort",
        "stream",
        "response_format",
        "modalities",
        "service_tier",
    }
)
_RESPONSES_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_output_tokens",
        "reasoning",
        "stream",
        "text_format",
        "text",
        "previous_response_id",
        "conversation",
        "prompt",
        "service_tier",
        "instructions",
    }
)
_COMPLETIONS_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "n",
        "stop",
        "max_tokens",
        "stream",
    }
)


def _common_sampling(request: ModelRequest, params: dict[str, Any], present: frozenset[str]) -> None:
    if "temperature" in present:
        value = _number(params["temperature"])
        if value is not None:
            request.temperature = value
    if "top_p" in present:
        value = _number(params["top_p"])
        if value is not None:
            request.top_p = value


def _penalties_seed_n_stop(request: ModelRequest, params: dict[str, Any], present: frozenset[str]) -> None:
    if "frequency_penalty" in present:
        value = _number(params["frequency_penalty"])
        if value is not None:
            request.frequency_penalty = value
    if "presence_penalty" in present:
        value = _number(params["presence_penalty"])
        if value is not None:
            request.presence_penalty = value
    if "seed" in present:
        seed = _int(params["seed"])
        if seed is not None:
            request.seed = seed
    if "n" in present:
        n = _int(params["n"])
        if n is not None and n != 1:
            request.choice_count = n
    if "stop" in present:
        stop = params["stop"]
        if stop is not None:
            sequences = _stop_sequences(stop)
            if sequences is not None:
                request.stop_sequences = sequences


def _extra_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`extra_body` values take precedence over keyword arguments in the SDK; merge them the same way."""
    extra = kwargs.get("extra_body")
    if isinstance(extra, dict) and extra:
        return {**kwargs, **extra}
    return kwargs


def chat(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    params = _extra_body(kwargs)
    present = _CHAT_PARAMS.intersection(params)
    if present:
        _chat_params(request, params, present)
    if content is None:
        return
    _capture(content, kwargs, "messages", parts.chat_input_messages, _set_input)
    _capture(content, kwargs, "tools", parts.tool_definitions, _set_tools)


def _chat_params(request: ModelRequest, params: dict[str, Any], present: frozenset[str]) -> None:
    _common_sampling(request, params, present)
    _penalties_seed_n_stop(request, params, present)
    max_tokens = _int(params.get("max_completion_tokens"))
    if max_tokens is None:
        max_tokens = _int(params.get("max_tokens"))
    if max_tokens is not None:
        request.max_tokens = max_tokens
    if "reasoning_effort" in present:
        effort = params["reasoning_effort"]
        if isinstance(effort, str):
            request.reasoning_level = effort
    if params.get("stream") is True:
        request.stream = True
    if "response_format" in present:
        fmt = params["response_format"]
        if isinstance(fmt, type):  # parse(response_format=PydanticModel)
            request.output_type = "json"
        elif isinstance(fmt, dict):
            kind = fmt.get("type")
            if kind in _JSON_FORMATS:
                request.output_type = "json"
            elif kind == "text":
                request.output_type = "text"
    if request.output_type is None and "modalities" in present:
        modalities = params["modalities"]
        if isinstance(modalities, (list, tuple)) and "audio" in modalities:
            request.output_type = "speech"
    if "service_tier" in present:
        _service_tier(request, params["service_tier"])


def responses(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    params = _extra_body(kwargs)
    present = _RESPONSES_PARAMS.intersection(params)
    if present:
        _responses_params(request, params, present, content)
    if content is None:
        return
    _capture(content, kwargs, "input", rcontent.input_messages, _set_input)
    _capture(content, kwargs, "tools", parts.tool_definitions, _set_tools)


def _responses_params(
    request: ModelRequest, params: dict[str, Any], present: frozenset[str], content: Content | None
) -> None:
    _common_sampling(request, params, present)
    if "max_output_tokens" in present:
        max_tokens = _int(params["max_output_tokens"])
        if max_tokens is not None:
            request.max_tokens = max_tokens
    if "reasoning" in present:
        reasoning = params["reasoning"]
        if isinstance(reasoning, dict):
            effort = reasoning.get("effort")
            if isinstance(effort, str):
                request.reasoning_level = effort
    if params.get("stream") is True:
        request.stream = True
    if isinstance(params.get("text_format"), type):  # responses.parse(text_format=PydanticModel)
        request.output_type = "json"
    elif "text" in present:
        text = params["text"]
        fmt = text.get("format") if isinstance(text, dict) else None
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind in _JSON_FORMATS:
            request.output_type = "json"
        elif kind == "text":
            request.output_type = "text"
    if "previous_response_id" in present:
        previous = params["previous_response_id"]
        if isinstance(previous, str):
            request.previous_response_id = previous
    if "conversation" in present:
        conversation = params["conversation"]
        if isinstance(conversation, dict):
            conversation = conversation.get("id")
        if isinstance(conversation, str):
            request.conversation_id = conversation
    if "prompt" in present:
        prompt = params["prompt"]
        if isinstance(prompt, dict):
            prompt_id, version = prompt.get("id"), prompt.get("version")
            if isinstance(prompt_id, str):
                request.prompt_name = prompt_id
                if isinstance(version, str):
                    request.prompt_version = version
            if content is not None and isinstance(prompt.get("variables"), dict):
                content.prompt_variables = prompt["variables"]
    if "service_tier" in present:
        _service_tier(request, params["service_tier"])
    if content is not None and "instructions" in present:
        instructions = params["instructions"]
        if isinstance(instructions, str):
            content.system_instructions = [TextPart(content=instructions)]


def completions(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    params = _extra_body(kwargs)
    present = _COMPLETIONS_PARAMS.intersection(params)
    if present:
        _common_sampling(request, params, present)
        _penalties_seed_n_stop(request, params, present)
        if "max_tokens" in present:
            max_tokens = _int(params["max_tokens"])
            if max_tokens is not None:
                request.max_tokens = max_tokens
        if params.get("stream") is True:
            request.stream = True
    if content is not None:
        prompt = kwargs.get("prompt")
        if isinstance(prompt, (str, list, tuple)):
            content.input_messages = parts.prompt_input_messages(prompt)


def embeddings(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    fmt = kwargs.get("encoding_format")
    if isinstance(fmt, str):
        request.encoding_formats = [fmt]


def fetch(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    cursor = kwargs.get("starting_after")
    if type(cursor) is int:
        request.stream_cursor = str(cursor)
