"""Message content: never recorded unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT asks for it,
and never by consuming an iterator the caller passed in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from openai_support import USER, only_span

from agent_otel.testing import Reply, chat_chunks, chat_completion, response_object

CONTENT_KEYS = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
)
TOOLS = [
    {
        "type": "function",
        "function": {"name": "get_weather", "description": "Weather now", "parameters": {"type": "object"}},
    }
]
HISTORY = [
    {"role": "system", "content": "be brief"},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "weather?"},
            {"type": "image_url", "image_url": {"url": "https://x/img.png"}},
        ],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "rainy"},
]


def _json(span: Any, key: str) -> Any:
    return json.loads(span.attributes[key])


def test_nothing_recorded_by_default(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=HISTORY, tools=TOOLS)
    client.responses.create(model="gpt-4.1", input="secret", instructions="also secret")
    for span in otel.spans():
        for key in CONTENT_KEYS:
            assert key not in span.attributes
        assert "secret" not in json.dumps(dict(span.attributes))


def test_chat_messages_tools_and_output_when_asked(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    server.enqueue(
        Reply.json(
            chat_completion(
                None, tool_calls=[{"id": "call_2", "name": "get_weather", "arguments": {"city": "Rome"}}]
            )
        )
    )
    client.chat.completions.create(model="gpt-4o-mini", messages=HISTORY, tools=TOOLS)
    span = only_span(otel)
    inputs = _json(span, "gen_ai.input.messages")
    assert [m["role"] for m in inputs] == ["system", "user", "assistant", "tool"]
    assert inputs[0]["parts"] == [{"type": "text", "content": "be brief"}]
    assert inputs[1]["parts"][0] == {"type": "text", "content": "weather?"}
    assert inputs[1]["parts"][1]["type"] == "uri" and inputs[1]["parts"][1]["uri"] == "https://x/img.png"
    call = inputs[2]["parts"][0]
    assert call["type"] == "tool_call" and call["id"] == "call_1" and call["arguments"] == {"city": "Paris"}
    assert inputs[3]["parts"][0] == {"type": "tool_call_response", "id": "call_1", "response": "rainy"}
    outputs = _json(span, "gen_ai.output.messages")
    assert outputs[0]["finish_reason"] == "tool_call"
    assert outputs[0]["parts"][0]["name"] == "get_weather"
    assert outputs[0]["parts"][0]["arguments"] == {"city": "Rome"}
    tools = _json(span, "gen_ai.tool.definitions")
    assert tools[0]["name"] == "get_weather" and tools[0]["type"] == "function"


def test_generator_messages_reach_the_server_intact_and_are_captured(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    def messages() -> Iterator[dict[str, str]]:
        yield {"role": "system", "content": "sys"}
        yield {"role": "user", "content": "from a generator"}

    result = client.chat.completions.create(model="gpt-4o-mini", messages=messages())
    assert server.requests[0].json["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "from a generator"},
    ]
    assert result.choices[0].message.content == "Echo: from a generator"
    inputs = _json(only_span(otel), "gen_ai.input.messages")
    assert [m["parts"][0]["content"] for m in inputs] == ["sys", "from a generator"]


def test_generator_tools_reach_the_server_intact(client: Any, server: Any, otel: Any, captured: Any) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, tools=(t for t in TOOLS))
    assert server.requests[0].json["tools"] == TOOLS
    assert _json(only_span(otel), "gen_ai.tool.definitions")[0]["name"] == "get_weather"


def test_generator_messages_untouched_when_capture_is_off(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=iter(USER))
    assert server.requests[0].json["messages"] == USER
    assert "gen_ai.input.messages" not in only_span(otel).attributes


def test_streamed_output_is_assembled(client: Any, server: Any, otel: Any, captured: Any) -> None:
    server.enqueue(
        Reply.sse(
            chat_chunks("pieces of text", tool_calls=[{"id": "c9", "name": "f", "arguments": {"a": [1, 2]}}])
        )
    )
    list(client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))
    out = _json(only_span(otel), "gen_ai.output.messages")
    assert out[0]["parts"][0] == {"type": "text", "content": "pieces of text"}
    assert out[0]["parts"][1]["arguments"] == {"a": [1, 2]} and out[0]["parts"][1]["id"] == "c9"
    assert out[0]["finish_reason"] == "tool_call"


def test_responses_instructions_input_and_output(client: Any, server: Any, otel: Any, captured: Any) -> None:
    server.enqueue(Reply.json(response_object("answer", reasoning_summary="thought about it")))
    client.responses.create(
        model="gpt-4.1",
        instructions="You are terse.",
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": "q1"}]},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "42"},
        ],
        tools=[{"type": "function", "name": "f", "parameters": {}}, {"type": "web_search"}],
    )
    span = only_span(otel)
    assert _json(span, "gen_ai.system_instructions") == [{"type": "text", "content": "You are terse."}]
    inputs = _json(span, "gen_ai.input.messages")
    assert [m["role"] for m in inputs] == ["user", "assistant", "tool"]
    assert inputs[2]["parts"][0]["response"] == "42"
    out = _json(span, "gen_ai.output.messages")
    assert [p["type"] for p in out[0]["parts"]] == ["reasoning", "text"]
    tools = _json(span, "gen_ai.tool.definitions")
    assert [(t["type"], t["name"]) for t in tools] == [("function", "f"), ("web_search", "web_search")]


def test_responses_generator_tools_intact(client: Any, server: Any, otel: Any, captured: Any) -> None:
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object"}, "strict": True}]
    client.responses.create(model="gpt-4.1", input="x", tools=(t for t in tools))
    assert server.requests[0].json["tools"] == tools
    assert _json(only_span(otel), "gen_ai.tool.definitions")[0]["name"] == "lookup"


def test_legacy_prompt_and_completion(client: Any, server: Any, otel: Any, captured: Any) -> None:
    client.completions.create(model="gpt-3.5-turbo-instruct", prompt="complete me")
    span = only_span(otel)
    assert _json(span, "gen_ai.input.messages")[0]["parts"][0]["content"] == "complete me"
    assert _json(span, "gen_ai.output.messages")[0]["parts"][0]["content"] == "Echo: complete me"


def test_failed_call_keeps_the_input_it_sent(client: Any, server: Any, otel: Any, captured: Any) -> None:
    server.enqueue(Reply.error(400, "no"))
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=iter(USER))
    except Exception:
        pass
    span = only_span(otel)
    assert _json(span, "gen_ai.input.messages")[0]["parts"][0]["content"] == "hello there"
    assert "gen_ai.output.messages" not in span.attributes
