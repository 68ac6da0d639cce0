"""Messages given as strings, {"role", "content"} dicts or util-genai types, as the core's message types
(telemetry/messages.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _parts(content: Any) -> list[Any]:
    from agent_otel.telemetry.messages import TextPart

    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(content=content)]
    if isinstance(content, (list, tuple)):
        parts: list[Any] = []
        for item in content:
            if isinstance(item, str):
                parts.append(TextPart(content=item))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                parts.append(TextPart(content=item["text"]))
            elif hasattr(item, "type") and not isinstance(item, Mapping):
                parts.append(item)  # already a util-genai message part
            else:
                parts.append(TextPart(content=str(item)))
        return parts
    return [TextPart(content=str(content))]


def _listed(messages: Any) -> list[Any]:
    """The messages of a list or tuple (one string or dict is one message); never consumes an iterator."""
    if isinstance(messages, (list, tuple)):
        return list(messages)
    if isinstance(messages, (str, Mapping)) or hasattr(messages, "parts"):
        return [messages]
    return []


def _input_messages(messages: Iterable[Any]) -> list[Any]:
    from agent_otel.telemetry.messages import InputMessage

    out: list[Any] = []
    for message in _listed(messages):
        if isinstance(message, InputMessage):
            out.append(message)
        elif isinstance(message, Mapping):
            out.append(
                InputMessage(role=str(message.get("role") or "user"), parts=_parts(message.get("content")))
            )
        else:
            out.append(InputMessage(role="user", parts=_parts(message)))
    return out


def _output_messages(messages: Iterable[Any]) -> list[Any]:
    from agent_otel.telemetry.messages import OutputMessage

    out: list[Any] = []
    for message in _listed(messages):
        if isinstance(message, OutputMessage):
            out.append(message)
        elif isinstance(message, Mapping):
            out.append(
                OutputMessage(
                    role=str(message.get("role") or "assistant"),
                    parts=_parts(message.get("content")),
                    finish_reason=message.get("finish_reason"),
                )
            )
        else:
            out.append(OutputMessage(role="assistant", parts=_parts(message), finish_reason=None))
    return out
