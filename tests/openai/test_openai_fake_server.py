"""The fake OpenAI server's documented contract (agent_otel.testing), which other code builds on."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai_support import USER, http_lib

from agent_otel.testing import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    chat_completion,
    default_reply,
    mock_transport_handler,
)


def test_base_url_and_recorded_requests(server: FakeOpenAIServer, client: Any) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    result = client.chat.completions.create(model="gpt-4o-mini", messages=USER, temperature=0.5)
    assert result.choices[0].message.content == "Echo: hello there"
    assert result.model == "gpt-4o-mini" + DEFAULT_MODEL_SUFFIX
    assert result.usage.prompt_tokens == DEFAULT_INPUT_TOKENS
    assert result._request_id.startswith("req_fake_")
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.json["temperature"] == 0.5
    assert request.headers["authorization"] == "Bearer test-key"


def test_queue_then_responder_then_default(server: FakeOpenAIServer, client: Any) -> None:
    server.responder = lambda r: (
        Reply.json(chat_completion("from responder")) if r.json["model"] == "r" else None
    )
    server.enqueue(Reply.json(chat_completion("queued")))
    texts = [client.chat.completions.create(model=m, messages=USER).choices[0].message.content for m in "rrx"]
    assert texts == ["queued", "from responder", "Echo: hello there"]


def test_forced_tool_choice_gets_a_tool_call(server: FakeOpenAIServer, client: Any) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    result = client.chat.completions.create(model="m", messages=USER, tools=tools, tool_choice="required")
    assert result.choices[0].finish_reason == "tool_calls"
    assert result.choices[0].message.tool_calls[0].function.name == "lookup"


def test_embeddings_float_and_base64(server: FakeOpenAIServer, client: Any) -> None:
    floats = client.embeddings.create(model="e", input=["a", "b"], encoding_format="float", dimensions=5)
    decoded = client.embeddings.create(model="e", input=["a", "b"], dimensions=5)  # SDK asks for base64
    assert [len(d.embedding) for d in floats.data] == [5, 5]
    assert server.requests[-1].json.get("encoding_format") == "base64"
    assert decoded.data[0].embedding == pytest.approx(floats.data[0].embedding, rel=1e-6)


def test_responses_are_remembered(server: FakeOpenAIServer, client: Any) -> None:
    created = client.responses.create(model="m", input="keep me")
    fetched = client.responses.retrieve(created.id)
    assert fetched.output_text == "Echo: keep me"


def test_unknown_route_is_404(server: FakeOpenAIServer, client: Any) -> None:
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o-mini")


def test_default_reply_is_usable_from_a_responder() -> None:
    request = RecordedRequest("POST", "/v1/chat/completions", {}, {}, {"model": "m", "messages": USER})
    reply = default_reply(request)
    assert reply.status == 200 and b"Echo: hello there" in reply.body


def test_mock_transport_handler_has_the_same_routes() -> None:
    lib = http_lib()
    handler = mock_transport_handler()
    handler.enqueue(Reply.error(418, "teapot"))
    client = openai.OpenAI(
        base_url="http://mock.local/v1",
        api_key="k",
        max_retries=0,
        http_client=lib.Client(transport=lib.MockTransport(handler)),
    )
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(model="m", messages=USER)
    assert info.value.status_code == 418
    assert (
        client.chat.completions.create(model="m", messages=USER).choices[0].message.content
        == "Echo: hello there"
    )
    assert [r.path for r in handler.requests] == ["/v1/chat/completions", "/v1/chat/completions"]
