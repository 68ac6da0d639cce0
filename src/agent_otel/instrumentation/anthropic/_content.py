"""Message content: Anthropic Messages shapes to message parts (telemetry/messages.py). Capture on only.

Every function accepts request params (dicts) and response objects (pydantic models) alike, and skips
what it does not recognise. Content blocks:

==========================================  ==================================================
text                                        `TextPart`
image, document (base64 / url / file / text)  `BlobPart` / `UriPart` / `FilePart` / `TextPart`
tool_use                                    `ToolCallRequestPart` (tool-call request)
tool_result                                 `ToolCallResponsePart` (tool-call response)
thinking                                    `ReasoningPart` (redacted thinking has no text: skipped)
server_tool_use (web search, code exec...)  `ServerToolCallPart`
*_tool_result (web_search_tool_result...)   `ServerToolCallResponsePart`
==========================================  ==================================================
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from agent_otel.telemetry.messages import (
    BlobPart,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    OutputMessage,
    ReasoningPart,
    ServerToolCallPart,
    ServerToolCallResponsePart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    UriPart,
)


def get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def is_materialized(value: Any) -> bool:
    return isinstance(value, (list, tuple, str, dict))


def _media(block: Any, modality: str) -> Any:
    source = get(block, "source")
    kind = get(source, "type")
    mime = get(source, "media_type")
    mime = mime if isinstance(mime, str) else None
    if kind == "base64":
        data = get(source, "data")
        if isinstance(data, str):
            try:
                return BlobPart(
                    mime_type=mime, modality=modality, content=base64.b64decode(data, validate=True)
                )
            except (binascii.Error, ValueError):
                return None
    elif kind == "url":
        url = get(source, "url")
        if isinstance(url, str):
            return UriPart(mime_type=mime, modality=modality, uri=url)
    elif kind == "file":
        file_id = get(source, "file_id")
        if isinstance(file_id, str):
            return FilePart(mime_type=mime, modality=modality, file_id=file_id)
    elif kind == "text":
        data = get(source, "data")
        if isinstance(data, str):
            return TextPart(content=data)
    return None


def _tool_result_content(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        texts = [get(b, "text") for b in value]
        if texts and all(isinstance(t, str) for t in texts):
            return "".join(texts)
        return [_plain(b) for b in value]
    return _plain(value)


def _plain(value: Any) -> Any:
    """A response model (or a list of them) as JSON-ready data."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json", exclude_none=True)
        except Exception:
            return str(value)
    return value


def part(block: Any) -> Any:
    """One content block as a message part (None: not recorded)."""
    if isinstance(block, str):
        return TextPart(content=block)
    kind = get(block, "type")
    if kind == "text":
        text = get(block, "text")
        return TextPart(content=text) if isinstance(text, str) else None
    if kind == "image":
        return _media(block, "image")
    if kind == "document":
        return _media(block, "document")
    if kind == "tool_use":
        name = get(block, "name")
        return ToolCallRequestPart(
            arguments=_plain(get(block, "input")),
            name=name if isinstance(name, str) else "",
            id=get(block, "id"),
        )
    if kind == "tool_result":
        return ToolCallResponsePart(
            response=_tool_result_content(get(block, "content")), id=get(block, "tool_use_id")
        )
    if kind == "thinking":
        text = get(block, "thinking")
        return ReasoningPart(content=text) if isinstance(text, str) else None
    if kind in ("server_tool_use", "mcp_tool_use"):
        name = get(block, "name")
        name = name if isinstance(name, str) else kind
        return ServerToolCallPart(
            name=name,
            server_tool_call={"type": name, "arguments": _plain(get(block, "input"))},
            id=get(block, "id"),
        )
    if isinstance(kind, str) and kind.endswith("_tool_result"):
        return ServerToolCallResponsePart(
            server_tool_call_response={"type": kind, "content": _plain(get(block, "content"))},
            id=get(block, "tool_use_id"),
        )
    return None


def parts(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [TextPart(content=content)]
    if not isinstance(content, (list, tuple)):
        return []
    out = []
    for block in content:
        converted = part(block)
        if converted is not None:
            out.append(converted)
    return out


def input_messages(messages: Iterable[Any]) -> list[InputMessage]:
    out = []
    for message in messages:
        role = get(message, "role")
        out.append(
            InputMessage(role=role if isinstance(role, str) else "user", parts=parts(get(message, "content")))
        )
    return out


def system_instructions(system: Any) -> list[Any] | None:
    found = parts(system)
    return found or None


def tool_definitions(tools: Iterable[Any]) -> list[Any]:
    """Client tools (`{"name", "description", "input_schema"}`) as function definitions; server tools
    (`{"type": "web_search_20250305", "name": "web_search"}`) as generic ones."""
    out: list[Any] = []
    for tool in tools:
        name = get(tool, "name")
        if not isinstance(name, str):
            continue
        kind = get(tool, "type")
        if kind in (None, "custom") or get(tool, "input_schema") is not None:
            out.append(
                FunctionToolDefinition(
                    name=name, description=get(tool, "description"), parameters=get(tool, "input_schema")
                )
            )
        else:
            out.append(GenericToolDefinition(name=name, type=str(kind)))
    return out


def output_message(blocks: Any, stop_reason: Any) -> OutputMessage:
    return OutputMessage(
        role="assistant",
        parts=parts(blocks),
        finish_reason=stop_reason if isinstance(stop_reason, str) else "error",
    )
