"""Reading LangChain's callback payloads: model, provider, request parameters, usage, finish reasons,
response model and id. Content (messages, tool definitions, tool I/O) is read in `_content`.

Pure functions over what LangChain passes to the handler; nothing here starts or ends a span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from agent_otel.telemetry.facts import ModelRequest, ModelResponse

# LangChain `ls_provider` values -> gen_ai.provider.name (semantic conventions' well-known values).
_PROVIDERS = {
    "openai": "openai",
    "azure": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "azureopenai": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "azureai": "azure.ai.inference",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "amazon_bedrock": "aws.bedrock",
    "google_genai": "gcp.gemini",
    "google": "gcp.gemini",
    "googlegenerativeai": "gcp.gemini",
    "google_vertexai": "gcp.vertex_ai",
    "vertexai": "gcp.vertex_ai",
    "google_anthropic_vertex": "gcp.vertex_ai",
    "mistral": "mistral_ai",
    "mistralai": "mistral_ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "ibm": "ibm.watsonx.ai",
    "watsonx": "ibm.watsonx.ai",
}
_CONVERSATION_KEYS = ("thread_id", "session_id", "conversation_id")
_MODEL_PARAMS = ("model", "model_name", "model_id")
_MAX_TOKENS_PARAMS = ("max_tokens", "max_completion_tokens", "max_output_tokens", "max_new_tokens")
_FINISH_KEYS = ("finish_reason", "stop_reason", "done_reason")


# ------------------------------------------------------------------------------------------ requests


def conversation_id(metadata: Mapping[str, Any]) -> str | None:
    """gen_ai.conversation.id from the thread or session the app gave LangChain/LangGraph."""
    for key in _CONVERSATION_KEYS:
        value = metadata.get(key)
        if value is not None and value != "":
            return value if isinstance(value, str) else str(value)
    return None


def class_name(serialized: Mapping[str, Any] | None, params: Mapping[str, Any] | None = None) -> str | None:
    if serialized:
        ids = serialized.get("id")
        if isinstance(ids, list) and ids and isinstance(ids[-1], str):
            return ids[-1]
        name = serialized.get("name")
        if isinstance(name, str):
            return name
    if params:
        kind = params.get("_type")
        if isinstance(kind, str):
            return kind
    return None


def request_model(
    metadata: Mapping[str, Any], params: Mapping[str, Any], serialized: Mapping[str, Any] | None
) -> str | None:
    """The requested model: ls_model_name, then model/model_name/model_id, then the model's class."""
    model = metadata.get("ls_model_name")
    if isinstance(model, str) and model:
        return model
    for key in _MODEL_PARAMS:
        model = params.get(key)
        if isinstance(model, str) and model:
            return model
    return class_name(serialized, params)


def provider_name(metadata: Mapping[str, Any], serialized: Mapping[str, Any] | None) -> str:
    raw = metadata.get("ls_provider")
    if isinstance(raw, str) and raw:
        return _PROVIDERS.get(raw.lower(), raw)
    name = class_name(serialized)
    if name:
        if name.startswith("Chat"):
            name = name[4:]
        return name.lower() or "langchain"
    return "langchain"


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def apply_request(request: ModelRequest, params: Mapping[str, Any], metadata: Mapping[str, Any]) -> None:
    """Request parameters from the model's invocation params (then LangSmith's ls_* metadata)."""
    temperature = number(params.get("temperature", metadata.get("ls_temperature")))
    if temperature is not None:
        request.temperature = temperature
    for key in _MAX_TOKENS_PARAMS:
        max_tokens = _integer(params.get(key))
        if max_tokens is not None:
            request.max_tokens = max_tokens
            break
    else:
        max_tokens = _integer(metadata.get("ls_max_tokens"))
        if max_tokens is not None:
            request.max_tokens = max_tokens
    top_p = number(params.get("top_p"))
    if top_p is not None:
        request.top_p = top_p
    top_k = _integer(params.get("top_k"))
    if top_k is not None:
        request.top_k = top_k
    frequency_penalty = number(params.get("frequency_penalty"))
    if frequency_penalty is not None:
        request.frequency_penalty = frequency_penalty
    presence_penalty = number(params.get("presence_penalty"))
    if presence_penalty is not None:
        request.presence_penalty = presence_penalty
    seed = _integer(params.get("seed"))
    if seed is not None:
        request.seed = seed
    choices = _integer(params.get("n"))
    if choices is not None and choices != 1:
        request.choice_count = choices
    stop = params.get("stop") or params.get("stop_sequences")
    if isinstance(stop, str):
        request.stop_sequences = [stop]
    elif isinstance(stop, (list, tuple)) and all(isinstance(s, str) for s in stop) and stop:
        request.stop_sequences = list(stop)


# ------------------------------------------------------------------------------------------ responses


def _first_message(response: Any) -> Any:
    generations = getattr(response, "generations", None)
    if generations and generations[0]:
        return getattr(generations[0][0], "message", None)
    return None


class Usage(NamedTuple):
    """Token counts of an LLMResult (None: not reported)."""

    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None


_NO_USAGE = Usage(None, None, None, None, None)


def usage(response: Any) -> Usage:
    """The token counts of an LLMResult: from the first message's usage metadata, else `llm_output`."""
    generations = getattr(response, "generations", None) or []
    for batch in generations:
        for generation in batch:
            metadata = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if metadata:
                details_in = metadata.get("input_token_details") or {}
                details_out = metadata.get("output_token_details") or {}
                return Usage(
                    _integer(metadata.get("input_tokens")),
                    _integer(metadata.get("output_tokens")),
                    _integer(details_in.get("cache_read")),
                    _integer(details_in.get("cache_creation")),
                    _integer(details_out.get("reasoning")),
                )
    llm_output = getattr(response, "llm_output", None) or {}
    token_usage = llm_output.get("token_usage") or llm_output.get("usage") or {}
    if isinstance(token_usage, Mapping) and token_usage:
        return Usage(
            _integer(token_usage.get("prompt_tokens", token_usage.get("input_tokens"))),
            _integer(token_usage.get("completion_tokens", token_usage.get("output_tokens"))),
            None,
            None,
            None,
        )
    return _NO_USAGE


def finish_reasons(response: Any) -> list[str]:
    """One finish reason per generation, as the provider reported it (none when it reported none)."""
    reasons: list[str] = []
    generations = getattr(response, "generations", None) or []
    for batch in generations[:1]:
        for generation in batch:
            reason = finish_reason(generation)
            if reason:
                reasons.append(reason)
    return reasons


def finish_reason(generation: Any) -> str | None:
    info = getattr(generation, "generation_info", None)
    if info:
        reason = info.get("finish_reason")
        if isinstance(reason, str) and reason:
            return reason
    message = getattr(generation, "message", None)
    metadata = getattr(message, "response_metadata", None)
    if metadata:
        for key in _FINISH_KEYS:
            reason = metadata.get(key)
            if isinstance(reason, str) and reason:
                return reason
        if metadata.get("object") == "response":
            return _responses_finish_reason(metadata, message)
    return None


def _responses_finish_reason(metadata: Mapping[str, Any], message: Any) -> str | None:
    """The OpenAI Responses API (ChatOpenAI(use_responses_api=True)) reports a status, not a finish
    reason: read it as the OpenAI instrumentor does, so the merged span says the same either way."""
    status = metadata.get("status")
    if status == "completed":
        return "tool_call" if getattr(message, "tool_calls", None) else "stop"
    if status == "incomplete":
        details = metadata.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, Mapping) else None
        if reason == "max_output_tokens" or not isinstance(reason, str) or not reason:
            return "length"
        return reason
    if status in ("failed", "cancelled"):
        return "error"
    return None


def apply_response(out: ModelResponse, response: Any) -> None:
    """Usage, finish reasons, response model and id."""
    apply_usage(out, response)
    # None when the provider reported none: a client instrumentor beneath (the OpenAI one) may have them.
    reasons = finish_reasons(response)
    if reasons:
        out.finish_reasons = reasons
    message = _first_message(response)
    metadata = getattr(message, "response_metadata", None) or {}
    llm_output = getattr(response, "llm_output", None) or {}
    response_id = metadata.get("id") or llm_output.get("id")
    if isinstance(response_id, str) and response_id:
        out.id = response_id


def apply_usage(out: ModelResponse, response: Any) -> None:
    """Only the usage and the response model (what metrics and cost need)."""
    tokens = usage(response)
    counts = out.usage
    if tokens.input_tokens is not None:
        counts.input = tokens.input_tokens
    if tokens.output_tokens is not None:
        counts.output = tokens.output_tokens
    if tokens.cache_read_tokens:
        counts.cache_read = tokens.cache_read_tokens
    if tokens.cache_write_tokens:
        counts.cache_write = tokens.cache_write_tokens
    if tokens.reasoning_tokens:
        counts.reasoning = tokens.reasoning_tokens
    model = response_model(response)
    if model:
        out.model = model


def response_model(response: Any) -> str | None:
    """The model that answered, as the provider reported it."""
    metadata = getattr(_first_message(response), "response_metadata", None) or {}
    llm_output = getattr(response, "llm_output", None) or {}
    model = metadata.get("model_name") or metadata.get("model") or llm_output.get("model_name")
    return model if isinstance(model, str) and model else None
