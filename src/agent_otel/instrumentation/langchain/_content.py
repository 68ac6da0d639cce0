"""Reading content from LangChain's callback payloads, only when content capture is on: input and output
messages (in every form LangChain accepts them), tool definitions, tool arguments and results, retrieved
documents.

Pure functions over what LangChain passes to the handler; nothing here starts or ends a span.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_messages

from agent_otel.instrumentation.langchain._extract import finish_reason, number
from agent_otel.telemetry.messages import (
    FunctionToolDefinition,
    InputMessage,
    OutputMessage,
    ReasoningPart,
    RetrievalDocument,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)
from agent_otel.telemetry.values import finish_reason as conventional_finish_reason


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
            reason = finish_reason(generation)
            outputs.append(
                OutputMessage(
                    role="assistant",
                    parts=parts,
                    finish_reason=conventional_finish_reason(reason) if reason else None,
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


def as_message(value: Any) -> BaseMessage | None:
    """One message in any form LangChain accepts (a message object, a role/content dict, a (role, content)
    tuple, a plain string: the user's) as a message object; None when it is none of them."""
    if isinstance(value, BaseMessage):
        return value
    try:
        return convert_to_messages([value])[0]
    except Exception:
        return None


def _message_likes(value: Any) -> list[Any] | None:
    """The messages of a chain input or output, in whatever form they were given: a graph state's
    `messages` (a list, or one message, as LangGraph's add_messages takes it), a list of messages, one
    message object or a plain string (as chat models take them)."""
    if isinstance(value, Mapping):
        messages = value.get("messages")
        if messages is None:
            return None
        return messages if isinstance(messages, list) else [messages]
    if isinstance(value, (str, BaseMessage)):
        return [value]
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        # ("user", "hi") is one message; a tuple of messages is a list of them.
        return [value] if len(value) == 2 and isinstance(value[0], str) else list(value)
    return None


def chain_messages(value: Any) -> list[BaseMessage] | None:
    """The messages of a graph state / chain input, as message objects, when it has any."""
    likes = _message_likes(value)
    if not likes:
        return None
    messages = [message for message in map(as_message, likes) if message is not None]
    return messages or None


def final_output(value: Any) -> list[OutputMessage]:
    """The last assistant message of a graph/chain output, as the agent's output message."""
    likes = _message_likes(value)
    if likes:
        last = as_message(likes[-1])
        if last is not None and last.type == "ai":
            return [OutputMessage(role="assistant", parts=_text_parts(last.content) + _tool_calls(last))]
    return []


def documents(docs: Any) -> list[RetrievalDocument]:
    out: list[RetrievalDocument] = []
    for doc in docs or ():
        metadata = getattr(doc, "metadata", None) or {}
        score = metadata.get("score", metadata.get("relevance_score"))
        out.append(RetrievalDocument(id=getattr(doc, "id", None), score=number(score)))
    return out
