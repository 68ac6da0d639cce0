"""Inline blobs (telemetry/content_blobs.py): base64 images, audio and files are recorded as a stub with
size, type and hash, never their bytes, on spans and events; the completion hook still gets the bytes."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import openai
from content_support import details_events, json_attr, observe
from leaks import assert_not_recorded

from agent_otel.telemetry.content_blobs import shape, stub_string
from agent_otel.testing import FakeOpenAIServer

__all__ = ["observe"]

IMAGE = b"\x89PNG\r\n" + bytes(range(256)) * 40  # ~10 KB
IMAGE_B64 = base64.b64encode(IMAGE).decode()
DIGEST = hashlib.sha256(IMAGE).hexdigest()


class Hook:
    def __init__(self) -> None:
        self.inputs: list[Any] = []

    def on_completion(self, *, inputs: list[Any], **kwargs: Any) -> None:
        self.inputs.extend(inputs)


def _ask_about_image(server: FakeOpenAIServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{IMAGE_B64}"}},
                ],
            }
        ],
    )


def test_openai_inline_image_is_a_stub_with_size_type_and_hash_never_the_bytes(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_AND_EVENT")
    _ask_about_image(server)
    span = otel.span("chat gpt-4o-mini")
    (message,) = json_attr(span, "gen_ai.input.messages")
    assert message["parts"][1] == {
        "type": "blob_stub",
        "modality": "image",
        "mime_type": "image/png",
        "size": len(IMAGE),
        "sha256": DIGEST,
    }
    (event,) = details_events(otel)
    assert dict(event.attributes["gen_ai.input.messages"][0]["parts"][1])["sha256"] == DIGEST
    assert_not_recorded(otel, [IMAGE_B64[:64], IMAGE_B64[-64:]])


def test_completion_hook_still_gets_the_blob_bytes(otel: Any, observe: Any, server: FakeOpenAIServer) -> None:
    hook = Hook()
    observe("SPAN_ONLY", completion_hook=hook)
    _ask_about_image(server)
    (message,) = hook.inputs
    assert message.parts[1].content == IMAGE  # the hook (upload) stores what the span only describes


def test_data_urls_and_long_base64_runs_in_generic_parts_become_stub_strings() -> None:
    shaped = shape(
        {
            "type": "image_url",
            "image_url": {"url": f"data:image/jpeg;base64,{IMAGE_B64}"},
            "source": {"type": "base64", "data": IMAGE_B64},
            "raw": IMAGE,
            "note": "short text stays",
        }
    )
    stub = f"[blob image/jpeg {len(IMAGE)} bytes sha256:{DIGEST}]"
    assert shaped["image_url"]["url"] == stub
    assert shaped["source"]["data"] == f"[blob application/octet-stream {len(IMAGE)} bytes sha256:{DIGEST}]"
    assert shaped["raw"] == shaped["source"]["data"]
    assert shaped["note"] == "short text stays"
    assert "IMAGE" not in json.dumps(shaped) and IMAGE_B64[:32] not in json.dumps(shaped)


def test_ordinary_long_text_is_not_mistaken_for_a_blob() -> None:
    text = "plain words " * 500
    assert stub_string(text) is text
    assert stub_string("data: not a data url") == "data: not a data url"


def test_langchain_tool_returning_a_base64_screenshot_records_its_stub(otel: Any, observe: Any) -> None:
    from langchain_core.tools import tool

    observe("SPAN_ONLY", openai=False, langchain=True)

    @tool
    def screenshot(url: str) -> dict[str, str]:
        """Takes a screenshot."""
        return {"url": url, "png": IMAGE_B64}

    assert screenshot.invoke({"url": "https://example.test"})["png"] == IMAGE_B64
    result = json.loads(otel.span("execute_tool screenshot").attributes["gen_ai.tool.call.result"])
    assert result["png"] == f"[blob application/octet-stream {len(IMAGE)} bytes sha256:{DIGEST}]"
    assert_not_recorded(otel, [IMAGE_B64[:64]])
