"""Content capture (on only): system instructions, text, image/document parts, tool_use as tool-call
requests, tool_result as tool-call responses, thinking as reasoning, server tools as server-tool calls;
plain and streamed alike. Off: nothing of it."""

from __future__ import annotations

import base64
from typing import Any

from anthropic_support import CALL, MODEL, messages_attr, only_span

from agent_otel.testing import Reply, anthropic_message, anthropic_message_events

PNG = base64.b64encode(b"\x89PNG fake").decode()
SEARCH = {"query": "otel", "results": [{"title": "OpenTelemetry", "url": "https://opentelemetry.io"}]}
HISTORY = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in this image, and the weather?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
            {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        ],
    },
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Call the tool.", "signature": "sig"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        ],
    },
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}]},
]
TOOLS = [
    {"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}},
    {"type": "web_search_20250305", "name": "web_search"},
]


def _call() -> dict[str, Any]:
    return {**CALL, "messages": HISTORY, "system": "Be brief.", "tools": TOOLS}


def test_request_content_parts(client: Any, otel: Any, captured: Any) -> None:
    client.messages.create(**_call())
    span = only_span(otel)
    assert messages_attr(span, "gen_ai.system_instructions") == [{"type": "text", "content": "Be brief."}]
    inputs = messages_attr(span, "gen_ai.input.messages")
    user, assistant, result = inputs
    # an inline image is a blob part, recorded on the span as the core's stub (no bytes)
    assert [p["type"] for p in user["parts"]] in (["text", "blob", "uri"], ["text", "blob_stub", "uri"])
    assert (user["parts"][1]["modality"], user["parts"][1]["mime_type"]) == ("image", "image/png")
    assert (user["parts"][2]["modality"], user["parts"][2]["uri"]) == (
        "document",
        "https://example.com/a.pdf",
    )
    assert assistant["parts"] == [
        {"type": "reasoning", "content": "Call the tool."},
        {"type": "tool_call", "arguments": {"city": "Paris"}, "name": "get_weather", "id": "toolu_1"},
    ]
    assert result["parts"] == [{"type": "tool_call_response", "response": "sunny", "id": "toolu_1"}]
    tools = messages_attr(span, "gen_ai.tool.definitions")
    assert [(t["type"], t["name"]) for t in tools] == [
        ("function", "get_weather"),
        ("web_search_20250305", "web_search"),
    ]


def test_response_content_parts_with_server_tools(client: Any, server: Any, otel: Any, captured: Any) -> None:
    server.enqueue(
        Reply.json(
            anthropic_message(
                "Found it.",
                model=MODEL,
                thinking="Search first.",
                web_search=SEARCH,
                tool_uses=[{"id": "toolu_2", "name": "get_weather", "input": {"city": "Oslo"}}],
            )
        )
    )
    client.messages.create(**_call())
    [output] = messages_attr(only_span(otel), "gen_ai.output.messages")
    assert output["finish_reason"] == "tool_call"
    kinds = [p["type"] for p in output["parts"]]
    assert kinds == ["reasoning", "server_tool_call", "server_tool_call_response", "text", "tool_call"]
    server_call = output["parts"][1]
    assert server_call["name"] == "web_search"
    assert server_call["server_tool_call"]["arguments"] == {"query": "otel"}
    assert output["parts"][2]["id"] == server_call["id"]
    assert output["parts"][4]["arguments"] == {"city": "Oslo"}


def test_streamed_response_content(client: Any, server: Any, otel: Any, captured: Any) -> None:
    server.enqueue(
        Reply.sse(
            anthropic_message_events(
                "Hi there",
                model=MODEL,
                thinking="Hmm.",
                tool_uses=[{"id": "toolu_3", "name": "get_weather", "input": {"city": "Rome"}}],
            )
        )
    )
    list(client.messages.create(**_call(), stream=True))
    [output] = messages_attr(only_span(otel), "gen_ai.output.messages")
    assert output["parts"] == [
        {"type": "reasoning", "content": "Hmm."},
        {"type": "text", "content": "Hi there"},
        {"type": "tool_call", "arguments": {"city": "Rome"}, "name": "get_weather", "id": "toolu_3"},
    ]
    assert output["finish_reason"] == "tool_call"


def test_a_generator_of_messages_is_recorded_not_consumed(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    client.messages.create(**{**CALL, "messages": (m for m in CALL["messages"])})
    assert server.requests[-1].json["messages"] == CALL["messages"]
    [message] = messages_attr(only_span(otel), "gen_ai.input.messages")
    assert message["parts"] == [{"type": "text", "content": "hello there"}]


def test_no_content_without_capture(client: Any, otel: Any, instrumented: Any) -> None:
    client.messages.create(**_call())
    keys = set(only_span(otel).attributes)
    assert not keys & {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"}
    assert "gen_ai.tool.definitions" not in keys
