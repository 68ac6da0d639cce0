"""Message content: openai request/response shapes to message parts (telemetry/messages.py) (capture on only).

Chat Completions and legacy completions here; the Responses API in `_responses_content.py`.

Nothing here runs unless content capture is on (`telemetry.capture_content`): it is the only place that
parses tool-call arguments as JSON or decodes data: URLs. Every function accepts dicts (request params)
and pydantic models (responses, or response objects passed back as history) alike, and skips what it
does not recognise rather than guessing.

`record_iterable(value, sink)` is how a caller's iterator (a generator passed as `messages=`, `input=`
or `tools=`) is observed without consuming it: the SDK consumes the recording iterator we hand it, which
consumes the caller's iterator once and keeps each item in `sink`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from typing import Any

from agent_otel.telemetry.messages import (
    BlobPart,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    OutputMessage,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    UriPart,
)

# Chat Completions finish reasons to the conventions' values; anything else is kept as sent.
CHAT_FINISH_REASONS = {"tool_calls": "tool_call", "function_call": "tool_call"}


def chat_finish_reason(value: str) -> str:
    return CHAT_FINISH_REASONS.get(value, value)


def get(obj: Any, key: str) -> Any:
    """`obj[key]` for mappings, `obj.key` otherwise; None when absent."""
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def is_materialized(value: Any) -> bool:
    """True for values we may read freely (never an iterator the caller handed in)."""
    return isinstance(value, (list, tuple, str, dict))


def record_iterable(value: Iterable[Any], sink: list[Any]) -> Iterator[Any]:
    for item in value:
        sink.append(item)
        yield item


def parse_arguments(raw: Any) -> Any:
    """Tool-call arguments as an object when they are JSON, else as sent."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _data_url(url: str, modality: str) -> BlobPart | None:
    head, sep, payload = url.partition(",")
    if not sep or ";base64" not in head:
        return None
    mime = head[5:].split(";", 1)[0] or None
    try:
        return BlobPart(mime_type=mime, modality=modality, content=base64.b64decode(payload))
    except (binascii.Error, ValueError):
        return None


def uri_or_blob(url: Any, modality: str) -> Any:
    if not isinstance(url, str):
        return None
    if url.startswith("data:"):
        return _data_url(url, modality)
    return UriPart(mime_type=None, modality=modality, uri=url)


# --------------------------------------------------------------------------- Chat Completions


def _chat_content_parts(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [TextPart(content=content)]
    parts: list[Any] = []
    if not isinstance(content, (list, tuple)):
        return parts
    for part in content:
        kind = get(part, "type")
        if kind == "text":
            text = _text(get(part, "text"))
            if text is not None:
                parts.append(TextPart(content=text))
        elif kind == "image_url":
            found = uri_or_blob(get(get(part, "image_url"), "url"), "image")
            if found is not None:
                parts.append(found)
        elif kind == "input_audio":
            audio = get(part, "input_audio")
            data, fmt = get(audio, "data"), get(audio, "format")
            if isinstance(data, str):
                try:
                    blob = base64.b64decode(data)
                except (binascii.Error, ValueError):
                    continue
                parts.append(
                    BlobPart(mime_type=f"audio/{fmt}" if fmt else None, modality="audio", content=blob)
                )
        elif kind == "file":
            file = get(part, "file")
            file_id = get(file, "file_id")
            data = get(file, "file_data")
            if isinstance(file_id, str):
                parts.append(FilePart(mime_type=None, modality="document", file_id=file_id))
            elif isinstance(data, str):
                found = uri_or_blob(data if data.startswith("data:") else None, "document")
                if found is None:
                    try:
                        found = BlobPart(
                            mime_type=None, modality="document", content=base64.b64decode(data, validate=True)
                        )
                    except (binascii.Error, ValueError):
                        found = None
                if found is not None:
                    parts.append(found)
        elif kind == "refusal":
            text = _text(get(part, "refusal"))
            if text is not None:
                parts.append(TextPart(content=text))
    return parts


def _chat_tool_call_parts(tool_calls: Any) -> list[Any]:
    parts: list[Any] = []
    for call in tool_calls or ():
        fn = get(call, "function")
        name = get(fn, "name") if fn is not None else get(call, "name")
        if not isinstance(name, str):
            continue
        args = get(fn, "arguments") if fn is not None else get(call, "arguments")
        parts.append(ToolCallRequestPart(arguments=parse_arguments(args), name=name, id=get(call, "id")))
    return parts


def chat_input_messages(messages: Iterable[Any]) -> list[InputMessage]:
    out: list[InputMessage] = []
    for message in messages:
        role = get(message, "role")
        if not isinstance(role, str):
            continue
        content = get(message, "content")
        if role == "tool":
            parts: list[Any] = [ToolCallResponsePart(response=content, id=get(message, "tool_call_id"))]
        elif role == "function":
            parts = [ToolCallResponsePart(response=content, id=None)]
        else:
            parts = _chat_content_parts(content)
            if role == "assistant":
                parts.extend(_chat_tool_call_parts(get(message, "tool_calls")))
                call = get(message, "function_call")
                if call is not None:
                    parts.extend(_chat_tool_call_parts([{"function": call}]))
        name = get(message, "name")
        out.append(InputMessage(role=role, parts=parts, name=name if isinstance(name, str) else None))
    return out


def chat_output_messages(choices: Any) -> list[OutputMessage]:
    out: list[OutputMessage] = []
    for choice in choices or ():
        message = get(choice, "message")
        parts: list[Any] = []
        content = get(message, "content")
        if isinstance(content, str):
            parts.append(TextPart(content=content))
        refusal = get(message, "refusal")
        if isinstance(refusal, str):
            parts.append(TextPart(content=refusal))
        audio = get(message, "audio")
        transcript = get(audio, "transcript") if audio is not None else None
        if isinstance(transcript, str):
            parts.append(TextPart(content=transcript))
        parts.extend(_chat_tool_call_parts(get(message, "tool_calls")))
        reason = get(choice, "finish_reason")
        out.append(
            OutputMessage(
                role=get(message, "role") or "assistant",
                parts=parts,
                finish_reason=chat_finish_reason(reason) if isinstance(reason, str) else "error",
            )
        )
    return out


def tool_definitions(tools: Iterable[Any]) -> list[Any]:
    """Chat (`{"type": "function", "function": {...}}`) and Responses (`{"type": "function", "name"}`)
    tool definitions; built-in tools (web_search, file_search, ...) become generic definitions."""
    out: list[Any] = []
    for tool in tools:
        kind = get(tool, "type")
        fn = get(tool, "function")
        if fn is not None:
            name = get(fn, "name")
            if isinstance(name, str):
                out.append(
                    FunctionToolDefinition(
                        name=name, description=get(fn, "description"), parameters=get(fn, "parameters")
                    )
                )
        elif kind == "function":
            name = get(tool, "name")
            if isinstance(name, str):
                out.append(
                    FunctionToolDefinition(
                        name=name, description=get(tool, "description"), parameters=get(tool, "parameters")
                    )
                )
        elif isinstance(kind, str):
            name = get(tool, "name") or get(tool, "server_label") or kind
            out.append(GenericToolDefinition(name=str(name), type=kind))
    return out


# --------------------------------------------------------------------------- legacy completions


def prompt_input_messages(prompt: Any) -> list[InputMessage]:
    if isinstance(prompt, str):
        return [InputMessage(role="user", parts=[TextPart(content=prompt)])]
    if isinstance(prompt, (list, tuple)) and all(isinstance(p, str) for p in prompt):
        return [InputMessage(role="user", parts=[TextPart(content=p)]) for p in prompt]
    return []


def completion_output_messages(choices: Any) -> list[OutputMessage]:
    out = []
    for choice in choices or ():
        text = get(choice, "text")
        reason = get(choice, "finish_reason")
        out.append(
            OutputMessage(
                role="assistant",
                parts=[TextPart(content=text)] if isinstance(text, str) else [],
                finish_reason=reason if isinstance(reason, str) else "error",
            )
        )
    return out
