"""Responses API content: input items and output items to util-genai message parts (capture on only).

Items are told apart by their shape, so a new tool type needs no code here:

- a *client* tool call is an item with a `call_id` (`function_call`, `custom_tool_call`, `computer_call`,
  `local_shell_call`, `shell_call`, `apply_patch_call`, ...): the app runs it and sends back its output.
  It becomes a `tool_call` part keyed by `call_id` (the name is the function's or custom tool's `name`,
  else the item type without `_call`, e.g. "computer"; the arguments are the function's parsed JSON, the
  custom tool's `input` text, or the item's other fields, e.g. a computer call's `action`). A response
  ending with one has finish reason `tool_call`;
- its output, given back as an input item (`function_call_output`, `custom_tool_call_output`,
  `computer_call_output`, ...: an `..._output` item with a `call_id`), is a `tool_call_response` part of a
  `tool` message;
- a *server* tool call (`web_search_call`, `file_search_call`, `code_interpreter_call`,
  `image_generation_call`, `mcp_call`, ...: run by OpenAI, no `call_id`) is a `server_tool_call` part:
  `name` (the MCP tool's name, else the type without `_call`), `server_tool_call = {"type": <that tool
  type>, ...the item's other fields}` (an image generation's base64 `result` is left out), `id`.

Input content parts: text, refusal, images (`input_image`: file id → `file`, URL → `uri`, data URL →
`blob`), files (`input_file`: file id → `file`, URL → `uri`, inline data → `blob`) and audio
(`input_audio` → `blob`). Every function takes dicts (request params) and SDK models alike.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from typing import Any

from agent_otel.instrumentation.openai._content import get, parse_arguments, uri_or_blob
from agent_otel.telemetry.messages import (
    BlobPart,
    FilePart,
    InputMessage,
    OutputMessage,
    ReasoningPart,
    ServerToolCallPart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)

# Item fields that identify an item rather than describe the call.
_ID_FIELDS = frozenset({"type", "id", "call_id", "status", "name"})
# Server tool fields too large for a message part (base64 payloads).
_BULKY = {"image_generation_call": frozenset({"result"})}


def _is_client_call(item: Any, kind: Any) -> bool:
    return isinstance(kind, str) and not kind.endswith("_output") and isinstance(get(item, "call_id"), str)


def has_client_tool_call(output: Any) -> bool:
    """True when the output holds a tool call the app must run (finish reason `tool_call`)."""
    if not isinstance(output, (list, tuple)):
        return False
    return any(_is_client_call(item, get(item, "type")) for item in output)


def _tool_name(kind: str) -> str:
    return kind[:-5] if kind.endswith("_call") else kind


def _fields(item: Any, drop: frozenset[str] = _ID_FIELDS) -> dict[str, Any]:
    """The item's fields as JSON-ready values, without `drop` and without unset ones."""
    if isinstance(item, dict):
        data = item
    else:
        dump = getattr(item, "model_dump", None)
        data = dump(mode="json", exclude_none=True) if dump is not None else {}
    return {k: v for k, v in data.items() if k not in drop and v is not None}


def _jsonable(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if dump is not None else value


def _client_call(item: Any, kind: str) -> ToolCallRequestPart:
    name = get(item, "name")
    if kind == "function_call":
        arguments = parse_arguments(get(item, "arguments"))
    elif kind == "custom_tool_call":
        arguments = get(item, "input")
    else:
        arguments = _fields(item)
    return ToolCallRequestPart(
        arguments=arguments,
        name=name if isinstance(name, str) else _tool_name(kind),
        id=get(item, "call_id"),
    )


def _server_call(item: Any, kind: str) -> ServerToolCallPart:
    tool = _tool_name(kind)
    details = _fields(item, _ID_FIELDS | _BULKY.get(kind, frozenset()))
    name = get(item, "name")
    item_id = get(item, "id")
    return ServerToolCallPart(
        name=name if isinstance(name, str) else tool,
        server_tool_call={"type": tool, **details},
        id=item_id if isinstance(item_id, str) else None,
    )


def _is_server_call(kind: Any) -> bool:
    return isinstance(kind, str) and (kind.endswith("_call") or kind.startswith("mcp_"))


def _decoded(data: str, mime: str | None, modality: str) -> BlobPart | None:
    try:
        return BlobPart(mime_type=mime, modality=modality, content=base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return None


def _file_part(part: Any) -> Any:
    file_id = get(part, "file_id")
    filename = get(part, "filename")
    mime = mimetypes.guess_type(filename)[0] if isinstance(filename, str) else None
    if isinstance(file_id, str):
        return FilePart(mime_type=mime, modality="document", file_id=file_id)
    url = get(part, "file_url")
    if isinstance(url, str):
        return uri_or_blob(url, "document")
    data = get(part, "file_data")
    if isinstance(data, str):
        if data.startswith("data:"):
            return uri_or_blob(data, "document")
        return _decoded(data, mime, "document")
    return None


def _image_part(part: Any) -> Any:
    file_id = get(part, "file_id")
    if isinstance(file_id, str):
        return FilePart(mime_type=None, modality="image", file_id=file_id)
    return uri_or_blob(get(part, "image_url"), "image")


def _audio_part(part: Any) -> Any:
    audio = get(part, "input_audio")
    data, fmt = get(audio, "data"), get(audio, "format")
    if not isinstance(data, str):
        return None
    return _decoded(data, f"audio/{fmt}" if isinstance(fmt, str) else None, "audio")


def content_parts(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [TextPart(content=content)]
    parts: list[Any] = []
    if not isinstance(content, (list, tuple)):
        return parts
    for part in content:
        kind = get(part, "type")
        found: Any = None
        if kind in ("input_text", "output_text", "text"):
            text = get(part, "text")
            found = TextPart(content=text) if isinstance(text, str) else None
        elif kind == "refusal":
            text = get(part, "refusal")
            found = TextPart(content=text) if isinstance(text, str) else None
        elif kind == "input_image":
            found = _image_part(part)
        elif kind == "input_file":
            found = _file_part(part)
        elif kind == "input_audio":
            found = _audio_part(part)
        if found is not None:
            parts.append(found)
    return parts


def _reasoning_text(item: Any) -> str:
    texts = [get(s, "text") for s in get(item, "summary") or ()]
    return "\n".join(t for t in texts if isinstance(t, str))


def _calls_only(message: InputMessage) -> bool:
    return message.role == "assistant" and all(isinstance(p, ToolCallRequestPart) for p in message.parts)


def input_messages(value: Any) -> list[InputMessage]:
    if isinstance(value, str):
        return [InputMessage(role="user", parts=[TextPart(content=value)])]
    out: list[InputMessage] = []
    for item in value or ():
        kind = get(item, "type")
        role = get(item, "role")
        message: InputMessage | None = None
        if kind in (None, "message") and isinstance(role, str):
            message = InputMessage(role=role, parts=content_parts(get(item, "content")))
        elif _is_client_call(item, kind):
            message = InputMessage(role="assistant", parts=[_client_call(item, kind)])
        elif isinstance(kind, str) and kind.endswith("_output") and isinstance(get(item, "call_id"), str):
            response = ToolCallResponsePart(response=_jsonable(get(item, "output")), id=get(item, "call_id"))
            message = InputMessage(role="tool", parts=[response])
        elif kind == "reasoning":
            text = _reasoning_text(item)
            if text:
                message = InputMessage(role="assistant", parts=[ReasoningPart(content=text)])
        elif _is_server_call(kind):
            message = InputMessage(role="assistant", parts=[_server_call(item, kind)])
        if message is None:
            continue
        if out and _calls_only(message) and _calls_only(out[-1]):
            out[-1].parts.extend(message.parts)  # parallel tool calls are one assistant turn
        else:
            out.append(message)
    return out


def output_parts(output: Any) -> list[Any]:
    parts: list[Any] = []
    if not isinstance(output, (list, tuple)):
        return parts
    for item in output:
        kind = get(item, "type")
        if kind == "message":
            parts.extend(content_parts(get(item, "content")))
        elif _is_client_call(item, kind):
            parts.append(_client_call(item, kind))
        elif kind == "reasoning":
            text = _reasoning_text(item)
            if text:
                parts.append(ReasoningPart(content=text))
        elif _is_server_call(kind):
            parts.append(_server_call(item, kind))
    return parts


def output_messages(output: Any, finish_reason: str | None) -> list[OutputMessage]:
    parts = output_parts(output)
    if not parts:
        return []
    return [OutputMessage(role="assistant", parts=parts, finish_reason=finish_reason or "error")]
