"""Responses API items (issue 8): client tool calls, server tool calls, tool outputs given back, and
file / image / audio input parts, as the conventions' message parts (content capture on)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from openai_support import only_span

from agent_otel.testing import Reply, response_object

PNG = base64.b64encode(b"\x89PNG fake image").decode()
PDF = base64.b64encode(b"%PDF-1.4 fake").decode()
WAV = base64.b64encode(b"RIFF fake audio").decode()


def _stub(mime: str, modality: str, data: str) -> dict[str, Any]:
    """An inline blob as recorded: its size and hash, never the bytes (telemetry/content_blobs.py)."""
    raw = base64.b64decode(data)
    size, digest = len(raw), hashlib.sha256(raw).hexdigest()
    return {"type": "blob_stub", "modality": modality, "mime_type": mime, "size": size, "sha256": digest}


def _reply_with(*items: dict[str, Any]) -> Reply:
    body = response_object(None, id="resp_items")
    body["output"] = list(items)
    return Reply.json(body)


def _output_parts(otel: Any) -> list[dict[str, Any]]:
    messages = json.loads(only_span(otel).attributes["gen_ai.output.messages"])
    assert len(messages) == 1
    return messages[0]["parts"]  # type: ignore[no-any-return]


def _input(otel: Any) -> list[dict[str, Any]]:
    return json.loads(only_span(otel).attributes["gen_ai.input.messages"])  # type: ignore[no-any-return]


CUSTOM_CALL = {
    "type": "custom_tool_call",
    "id": "ctc_1",
    "call_id": "call_custom",
    "name": "run_sql",
    "input": "SELECT 1",
}
COMPUTER_CALL = {
    "type": "computer_call",
    "id": "cu_1",
    "call_id": "call_computer",
    "action": {"type": "click", "x": 10, "y": 20, "button": "left"},
    "pending_safety_checks": [],
    "status": "completed",
}
FUNCTION_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_fn",
    "name": "get_weather",
    "arguments": '{"city": "Paris"}',
    "status": "completed",
}
WEB_SEARCH = {
    "type": "web_search_call",
    "id": "ws_1",
    "status": "completed",
    "action": {"type": "search", "query": "weather paris"},
}


def test_custom_tool_call_is_a_tool_call_request_keyed_by_call_id(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    server.enqueue(_reply_with(CUSTOM_CALL))
    client.responses.create(model="gpt-4o-mini", input="hi")
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)
    assert _output_parts(otel) == [
        {"type": "tool_call", "id": "call_custom", "name": "run_sql", "arguments": "SELECT 1"}
    ]


def test_computer_call_is_a_tool_call_request_keyed_by_call_id(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    server.enqueue(_reply_with(COMPUTER_CALL))
    client.responses.create(model="gpt-4o-mini", input="hi")
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)
    (part,) = _output_parts(otel)
    assert part["type"] == "tool_call" and part["id"] == "call_computer" and part["name"] == "computer"
    assert part["arguments"]["action"] == {"type": "click", "x": 10, "y": 20, "button": "left"}


def test_client_tool_calls_set_tool_call_finish_reason_without_capture(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(_reply_with(CUSTOM_CALL))
    client.responses.create(model="gpt-4o-mini", input="hi")
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)


def test_server_tool_call_follows_the_server_tool_call_part_shape(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    server.enqueue(_reply_with(WEB_SEARCH, FUNCTION_CALL))
    client.responses.create(model="gpt-4o-mini", input="hi")
    server_part, call_part = _output_parts(otel)
    assert server_part == {
        "type": "server_tool_call",
        "id": "ws_1",
        "name": "web_search",
        "server_tool_call": {"type": "web_search", "action": {"type": "search", "query": "weather paris"}},
    }
    assert call_part == {
        "type": "tool_call",
        "id": "call_fn",
        "name": "get_weather",
        "arguments": {"city": "Paris"},
    }


def test_custom_and_computer_call_outputs_given_back_are_in_input_messages(
    client: Any, otel: Any, captured: Any
) -> None:
    screenshot = {"type": "computer_screenshot", "image_url": "https://example.test/shot.png"}
    client.responses.create(
        model="gpt-4o-mini",
        input=[
            {"role": "user", "content": "query and click"},
            CUSTOM_CALL,
            COMPUTER_CALL,
            {"type": "custom_tool_call_output", "call_id": "call_custom", "output": "1 row"},
            {"type": "computer_call_output", "call_id": "call_computer", "output": screenshot},
        ],
    )
    messages = _input(otel)
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool"]
    assert [p["id"] for p in messages[1]["parts"]] == ["call_custom", "call_computer"]  # one turn
    assert messages[2]["parts"] == [{"type": "tool_call_response", "id": "call_custom", "response": "1 row"}]
    assert messages[3]["parts"] == [
        {"type": "tool_call_response", "id": "call_computer", "response": screenshot}
    ]


def test_file_image_and_audio_input_parts_are_kept(client: Any, otel: Any, captured: Any) -> None:
    client.responses.create(
        model="gpt-4o-mini",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "look"},
                    {"type": "input_image", "image_url": "https://example.test/cat.png"},
                    {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}"},
                    {"type": "input_image", "file_id": "file_img"},
                    {"type": "input_file", "file_id": "file_doc", "filename": "a.pdf"},
                    {"type": "input_file", "file_url": "https://example.test/a.pdf"},
                    {"type": "input_file", "filename": "b.pdf", "file_data": PDF},
                    {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
                ],
            }
        ],
    )
    parts = _input(otel)[0]["parts"]
    assert parts == [
        {"type": "text", "content": "look"},
        {"type": "uri", "mime_type": None, "modality": "image", "uri": "https://example.test/cat.png"},
        _stub("image/png", "image", PNG),
        {"type": "file", "mime_type": None, "modality": "image", "file_id": "file_img"},
        {"type": "file", "mime_type": "application/pdf", "modality": "document", "file_id": "file_doc"},
        {"type": "uri", "mime_type": None, "modality": "document", "uri": "https://example.test/a.pdf"},
        _stub("application/pdf", "document", PDF),
        _stub("audio/wav", "audio", WAV),
    ]


def test_chat_file_data_part_is_kept_as_a_blob(client: Any, otel: Any, captured: Any) -> None:
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "read"},
                    {
                        "type": "file",
                        "file": {"filename": "b.pdf", "file_data": f"data:application/pdf;base64,{PDF}"},
                    },
                ],
            }
        ],
    )
    parts = _input(otel)[0]["parts"]
    assert parts[1] == _stub("application/pdf", "document", PDF)
