"""Reading LangChain's callback payloads: model, provider, request parameters, usage, finish reasons,
response model and id, and (only when content capture is on) messages, tool definitions and tool I/O.

Pure functions over what LangChain passes to the handler; nothing here starts or ends a span.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from agent_otel.telemetry.genai import (
    FunctionToolDefinition,
    InputMessage,
    OutputMessage,
    ReasoningPart,
    RetrievalDocument,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)

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
# Provider finish reasons -> the output-message enum of the conventions (span attributes stay raw).
_FINISH_MAP = {
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "length": "length",
    "max_tokens": "length",
    "tool_calls": "tool_call",
    "tool_use": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
}


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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def apply_request(inv: Any, params: Mapping[str, Any], metadata: Mapping[str, Any]) -> None:
    """Request parameters from the model's invocation params (then LangSmith's ls_* metadata)."""
    temperature = _number(params.get("temperature", metadata.get("ls_temperature")))
    if temperature is not None:
        inv.temperature = temperature
    for key in _MAX_TOKENS_PARAMS:
        max_tokens = _integer(params.get(key))
        if max_tokens is not None:
            inv.max_tokens = max_tokens
            break
    else:
        max_tokens = _integer(metadata.get("ls_max_tokens"))
        if max_tokens is not None:
            inv.max_tokens = max_tokens
    top_p = _number(params.get("top_p"))
    if top_p is not None:
        inv.top_p = top_p
    top_k = _integer(params.get("top_k"))
    if top_k is not None:
        inv.top_k = top_k
    frequency_penalty = _number(params.get("frequency_penalty"))
    if frequency_penalty is not None:
        inv.frequency_penalty = frequency_penalty
    presence_penalty = _number(params.get("presence_penalty"))
    if presence_penalty is not None:
        inv.presence_penalty = presence_penalty
    seed = _integer(params.get("seed"))
    if seed is not None:
        inv.seed = seed
    choices = _integer(params.get("n"))
    if choices is not None and choices != 1:
        inv.request_choice_count = choices
    stop = params.get("stop") or params.get("stop_sequences")
    if isinstance(stop, str):
        inv.stop_sequences = [stop]
    elif isinstance(stop, (list, tuple)) and all(isinstance(s, str) for s in stop) and stop:
        inv.stop_sequences = list(stop)


# ------------------------------------------------------------------------------------------ responses


def _first_message(response: Any) -> Any:
    generations = getattr(response, "generations", None)
    if generations and generations[0]:
        return getattr(generations[0][0], "message", None)
    return None


def usage(response: Any) -> tuple[int | None, int | None, int | None, int | None, int | None]:
    """(input, output, cache read, cache write, reasoning) tokens of an LLMResult."""
    generations = getattr(response, "generations", None) or []
    for batch in generations:
        for generation in batch:
            metadata = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if metadata:
                details_in = metadata.get("input_token_details") or {}
                details_out = metadata.get("output_token_details") or {}
                return (
                    _integer(metadata.get("input_tokens")),
                    _integer(metadata.get("output_tokens")),
                    _integer(details_in.get("cache_read")),
                    _integer(details_in.get("cache_creation")),
                    _integer(details_out.get("reasoning")),
                )
    llm_output = getattr(response, "llm_output", None) or {}
    token_usage = llm_output.get("token_usage") or llm_output.get("usage") or {}
    if isinstance(token_usage, Mapping) and token_usage:
        return (
            _integer(token_usage.get("prompt_tokens", token_usage.get("input_tokens"))),
            _integer(token_usage.get("completion_tokens", token_usage.get("output_tokens"))),
            None,
            None,
            None,
        )
    return None, None, None, None, None


def finish_reasons(response: Any) -> list[str]:
    """One finish reason per generation, as the provider reported it (none when it reported none)."""
    reasons: list[str] = []
    generations = getattr(response, "generations", None) or []
    for batch in generations[:1]:
        for generation in batch:
            reason = _finish_reason(generation)
            if reason:
                reasons.append(reason)
    return reasons


def _finish_reason(generation: Any) -> str | None:
    info = getattr(generation, "generation_info", None)
    if info:
        reason = info.get("finish_reason")
        if isinstance(reason, str) and reason:
            return reason
    metadata = getattr(getattr(generation, "message", None), "response_metadata", None)
    if metadata:
        for key in _FINISH_KEYS:
            reason = metadata.get(key)
            if isinstance(reason, str) and reason:
                return reason
    return None


def apply_response(inv: Any, response: Any) -> tuple[int | None, int | None]:
    """Usage, finish reasons, response model and id; returns (input, output) tokens."""
    input_tokens, output_tokens, cache_read, cache_write, reasoning = usage(response)
    if input_tokens is not None:
        inv.input_tokens = input_tokens
    if output_tokens is not None:
        inv.output_tokens = output_tokens
    if cache_read:
        inv.cache_read_input_tokens = cache_read
    if cache_write:
        inv.cache_write_input_tokens = cache_write
    if reasoning:
        inv.thinking_tokens = reasoning
    # An explicit (possibly empty) list: util-genai must not invent one from the output messages.
    inv.finish_reasons = finish_reasons(response)
    model = response_model(response)
    if model:
        inv.response_model_name = model
    message = _first_message(response)
    metadata = getattr(message, "response_metadata", None) or {}
    llm_output = getattr(response, "llm_output", None) or {}
    response_id = metadata.get("id") or llm_output.get("id")
    if isinstance(response_id, str) and response_id:
        inv.response_id = response_id
    return input_tokens, output_tokens


def response_model(response: Any) -> str | None:
    """The model that answered, as the provider reported it."""
    metadata = getattr(_first_message(response), "response_metadata", None) or {}
    llm_output = getattr(response, "llm_output", None) or {}
    model = metadata.get("model_name") or metadata.get("model") or llm_output.get("model_name")
    return model if isinstance(model, str) and model else None


# ------------------------------------------------------------------------- content (opt-in only)


def _text_parts(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [TextPart(content=content)] if content else []
    parts: list[Any] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                parts.append(TextPart(content=block))
            elif isinstance(block, Mapping):
                kind = block.get("type")
                if kind == "text" and isinstance(block.get("text"), str):
                    parts.append(TextPart(content=block["text"]))
                elif kind in ("reasoning", "thinking"):
                    text = block.get("reasoning") or block.get("thinking") or block.get("text")
                    if isinstance(text, str) and text:
                        parts.append(ReasoningPart(content=text))
    return parts


def _tool_calls(message: Any) -> list[Any]:
    return [
        ToolCallRequestPart(arguments=call.get("args"), name=call.get("name") or "", id=call.get("id"))
        for call in getattr(message, "tool_calls", None) or ()
    ]


_ROLES = {"human": "user", "ai": "assistant", "tool": "tool", "system": "system", "function": "tool"}


def input_messages(messages: Iterable[Any]) -> tuple[list[InputMessage], list[Any]]:
    """LangChain messages -> (input messages, system instruction parts)."""
    inputs: list[InputMessage] = []
    system: list[Any] = []
    for message in messages:
        kind = getattr(message, "type", None)
        role = _ROLES.get(kind or "", getattr(message, "role", None) or kind or "user")
        content = getattr(message, "content", None)
        if role == "system":
            system.extend(_text_parts(content))
            continue
        if role == "tool":
            parts: list[Any] = [
                ToolCallResponsePart(response=content, id=getattr(message, "tool_call_id", None))
            ]
        else:
            parts = _text_parts(content) + (_tool_calls(message) if role == "assistant" else [])
        name = getattr(message, "name", None)
        inputs.append(InputMessage(role=role, parts=parts, name=name if isinstance(name, str) else None))
    return inputs, system


def output_messages(response: Any) -> list[OutputMessage]:
    outputs: list[OutputMessage] = []
    generations = getattr(response, "generations", None) or []
    for batch in generations[:1]:
        for generation in batch:
            message = getattr(generation, "message", None)
            if message is not None:
                parts = _text_parts(getattr(message, "content", None)) + _tool_calls(message)
            else:
                parts = _text_parts(getattr(generation, "text", None))
            reason = _finish_reason(generation)
            outputs.append(
                OutputMessage(
                    role="assistant",
                    parts=parts,
                    finish_reason=_FINISH_MAP.get(reason, reason) if reason else None,
                )
            )
    return outputs


def tool_definitions(params: Mapping[str, Any]) -> list[FunctionToolDefinition]:
    out: list[FunctionToolDefinition] = []
    for tool in params.get("tools") or ():
        if not isinstance(tool, Mapping):
            continue
        spec = tool.get("function") if isinstance(tool.get("function"), Mapping) else tool
        name = spec.get("name")
        if isinstance(name, str):
            out.append(
                FunctionToolDefinition(
                    name=name,
                    description=spec.get("description"),
                    parameters=spec.get("parameters", spec.get("input_schema")),
                )
            )
    return out


def tool_arguments(inputs: Any, input_str: str) -> Any:
    if isinstance(inputs, Mapping):
        return dict(inputs)
    try:
        return json.loads(input_str)
    except (TypeError, ValueError):
        return input_str


def tool_result(output: Any) -> Any:
    content = getattr(output, "content", output)
    if isinstance(content, (str, int, float, bool)) or content is None:
        return content
    if isinstance(content, (list, dict)):
        return content
    return str(content)


def chain_messages(value: Any) -> list[Any] | None:
    """The `messages` list of a graph state / chain input, when it is one."""
    if isinstance(value, Mapping):
        messages = value.get("messages")
        if isinstance(messages, Sequence) and not isinstance(messages, str):
            return list(messages)
    return None


def final_output(value: Any) -> list[OutputMessage]:
    """The last assistant message of a graph/chain output, as the agent's output message."""
    messages = chain_messages(value)
    if messages:
        last = messages[-1]
        if getattr(last, "type", None) == "ai":
            return [OutputMessage(role="assistant", parts=_text_parts(last.content) + _tool_calls(last))]
    return []


def documents(docs: Any) -> list[RetrievalDocument]:
    out: list[RetrievalDocument] = []
    for doc in docs or ():
        metadata = getattr(doc, "metadata", None) or {}
        score = metadata.get("score", metadata.get("relevance_score"))
        out.append(RetrievalDocument(id=getattr(doc, "id", None), score=_number(score)))
    return out
