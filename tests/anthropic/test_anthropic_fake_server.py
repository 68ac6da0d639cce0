"""The fake Anthropic server's documented contract (agent_otel.testing), driven by the real anthropic client.

Nothing here is instrumented: these tests pin that the real client parses what the fake sends exactly as
it parses the API (final messages, usage, stop reasons, typed errors, retries), on the first-party,
Bedrock and Vertex path shapes.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from agent_otel.testing import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_OUTPUT_TOKENS,
    DEFAULT_SIGNATURE,
    FakeAnthropicServer,
    RecordedRequest,
    Reply,
    anthropic_default_reply,
    anthropic_error,
    anthropic_message,
    anthropic_message_events,
    anthropic_mock_transport_handler,
    anthropic_stream_error,
    bedrock_event_stream,
    bedrock_exception,
)

USER = [{"role": "user", "content": "hello there"}]
MODEL = "claude-fake-1"
WEATHER_TOOL = {"name": "get_weather", "input_schema": {"type": "object"}}
SEARCH = {"query": "otel", "results": [{"title": "OpenTelemetry", "url": "https://opentelemetry.io"}]}


def http_lib() -> Any:
    """The HTTP library this anthropic is built on (httpx2 for anthropic >= 1, httpx before)."""
    base = importlib.import_module("anthropic._base_client")
    return getattr(base, "httpx2", None) or base.httpx


@pytest.fixture(scope="module")
def srv() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(srv: FakeAnthropicServer) -> Iterator[None]:
    srv.reset()
    srv.responder = None
    yield
    srv.reset()
    srv.responder = None


@pytest.fixture
def client(srv: FakeAnthropicServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=srv.base_url, api_key="test-key") as c:
        yield c


@pytest.fixture
async def aclient(srv: FakeAnthropicServer) -> Any:
    async with anthropic.AsyncAnthropic(base_url=srv.base_url, api_key="test-key") as c:
        yield c


def test_create_parses_the_default_message_and_records_the_request(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    assert srv.base_url == f"http://127.0.0.1:{srv.port}"
    message = client.messages.create(model=MODEL, max_tokens=64, messages=USER, stop_sequences=["END"])
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == "Echo: hello there"
    assert (message.model, message.stop_reason, message.role) == (MODEL, "end_turn", "assistant")
    assert (message.usage.input_tokens, message.usage.output_tokens) == (DEFAULT_INPUT_TOKENS, 5)
    assert message.usage.cache_read_input_tokens == 0
    assert message._request_id.startswith("req_fake_")
    request = srv.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.json["stop_sequences"] == ["END"]
    # anthropic < 2.x sends the key as x-api-key, newer ones as a bearer token
    assert "test-key" in (request.headers.get("x-api-key") or request.headers["authorization"])


def test_queue_then_responder_then_default(srv: FakeAnthropicServer, client: anthropic.Anthropic) -> None:
    srv.responder = lambda r: (
        Reply.json(anthropic_message("from responder")) if r.json["model"] == "r" else None
    )
    srv.enqueue(Reply.json(anthropic_message("queued")))
    texts = [
        client.messages.create(model=m, max_tokens=8, messages=USER).content[0].text for m in ("r", "r", "x")
    ]
    assert texts == ["queued", "from responder", "Echo: hello there"]


def test_stream_true_sends_the_real_event_sequence(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    srv.enqueue(Reply.sse(anthropic_message_events("Hi there you", cache_read_input_tokens=7)))
    events = list(client.messages.create(model=MODEL, max_tokens=64, messages=USER, stream=True))
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 3,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0].message
    assert (start.content, start.stop_reason) == ([], None)
    assert (start.usage.input_tokens, start.usage.cache_read_input_tokens) == (DEFAULT_INPUT_TOKENS, 7)
    assert "".join(e.delta.text for e in events[2:5]) == "Hi there you"
    assert events[6].delta.stop_reason == "end_turn"
    assert events[6].usage.output_tokens == DEFAULT_OUTPUT_TOKENS
    assert events[6].usage.cache_read_input_tokens is None  # only with full_delta_usage


def test_stream_helper_accumulates_thinking_and_tool_use(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    with client.messages.stream(
        model=MODEL,
        max_tokens=2048,
        messages=USER,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
        thinking={"type": "enabled", "budget_tokens": 1024},
    ) as stream:
        assert list(stream.text_stream) == []
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "tool_use"]
    assert (final.content[0].thinking, final.content[0].signature) == ("Let me think.", DEFAULT_SIGNATURE)
    assert (final.content[1].name, final.content[1].input) == ("get_weather", {})
    assert final.stop_reason == "tool_use"


def test_stream_helper_parses_web_search_tool_input_and_cache_usage(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    srv.enqueue(
        Reply.sse(
            anthropic_message_events(
                "Found it.",
                web_search=SEARCH,
                tool_uses=[{"id": "toolu_9", "name": "get_weather", "input": {"city": "Paris"}}],
                cache_read_input_tokens=100,
                cache_creation_input_tokens=20,
                output_tokens=30,
                full_delta_usage=True,
            )
        )
    )
    with client.messages.stream(model=MODEL, max_tokens=64, messages=USER) as stream:
        final = stream.get_final_message()
    kinds = [b.type for b in final.content]
    assert kinds == ["server_tool_use", "web_search_tool_result", "text", "tool_use"]
    # (anthropic < 1 leaves a streamed server_tool_use input empty: its helper accumulates only tool_use)
    assert final.content[1].tool_use_id == final.content[0].id
    assert final.content[1].content[0].url == "https://opentelemetry.io"
    assert final.content[3].input == {"city": "Paris"}
    usage = final.usage
    assert (usage.input_tokens, usage.output_tokens) == (DEFAULT_INPUT_TOKENS, 30)
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (100, 20)
    assert usage.server_tool_use.web_search_requests == 1
    srv.enqueue(Reply.json(anthropic_message("Found it.", web_search=SEARCH)))
    whole = client.messages.create(model=MODEL, max_tokens=64, messages=USER)
    assert whole.content[0].input == {"query": "otel"}
    assert whole.content[1].content[0].title == "OpenTelemetry"


async def test_async_create_stream_and_stream_helper(srv: FakeAnthropicServer, aclient: Any) -> None:
    message = await aclient.messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert message.content[0].text == "Echo: hello there"
    events = [
        e async for e in await aclient.messages.create(model=MODEL, max_tokens=8, messages=USER, stream=True)
    ]
    assert (events[0].type, events[-1].type) == ("message_start", "message_stop")
    async with aclient.messages.stream(model=MODEL, max_tokens=8, messages=USER) as stream:
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == final.content[0].text == "Echo: hello there"
    assert final.usage.output_tokens == DEFAULT_OUTPUT_TOKENS


async def test_async_retries_overloaded_529(srv: FakeAnthropicServer, aclient: Any) -> None:
    srv.enqueue(anthropic_error(529, "Overloaded", retry_after_ms=1))
    message = await aclient.messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert message.stop_reason == "end_turn"
    assert [r.headers["x-stainless-retry-count"] for r in srv.requests] == ["0", "1"]


def test_overloaded_529_then_success_is_retried(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    srv.enqueue(
        anthropic_error(529, "Overloaded", retry_after_ms=1), anthropic_error(429, "slow", retry_after_ms=1)
    )
    message = client.messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert message.content[0].text == "Echo: hello there"
    assert [r.headers["x-stainless-retry-count"] for r in srv.requests] == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (529, anthropic.APIStatusError, "overloaded_error"),
    ],
)
def test_error_replies_raise_the_typed_error_with_the_api_body(
    srv: FakeAnthropicServer, client: anthropic.Anthropic, status: int, error_class: type, error_type: str
) -> None:
    srv.enqueue(anthropic_error(status, "nope"))
    with pytest.raises(error_class) as info:
        client.with_options(max_retries=0).messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert info.value.status_code == status
    assert info.value.body == {"type": "error", "error": {"type": error_type, "message": "nope"}}
    assert info.value.request_id.startswith("req_fake_")


def test_should_retry_false_stops_the_retry(srv: FakeAnthropicServer, client: anthropic.Anthropic) -> None:
    srv.enqueue(anthropic_error(529, "Overloaded", should_retry=False))
    with pytest.raises(anthropic.APIStatusError):
        client.messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert len(srv.requests) == 1


def test_mid_stream_error_event_raises_while_iterating(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    events = anthropic_message_events("one two three")
    srv.enqueue(Reply.sse([*events[:4], anthropic_stream_error("overloaded_error", "Overloaded")]))
    seen = []
    with pytest.raises(anthropic.APIStatusError) as info:
        for event in client.messages.create(model=MODEL, max_tokens=8, messages=USER, stream=True):
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start", "content_block_delta"]
    assert info.value.body["error"]["type"] == "overloaded_error"


def test_raw_and_streaming_responses_carry_the_request_id(
    srv: FakeAnthropicServer, client: anthropic.Anthropic
) -> None:
    raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=8, messages=USER)
    assert raw.headers["request-id"].startswith("req_fake_")
    assert raw.parse().content[0].text == "Echo: hello there"
    with client.messages.with_streaming_response.create(
        model=MODEL, max_tokens=8, messages=USER, stream=True
    ) as response:
        assert response.headers["content-type"] == "text/event-stream"
        assert [e.type for e in response.parse()][-1] == "message_stop"


def test_count_tokens_beta_and_unknown_routes(srv: FakeAnthropicServer, client: anthropic.Anthropic) -> None:
    assert client.messages.count_tokens(model=MODEL, messages=USER).input_tokens == DEFAULT_INPUT_TOKENS
    beta = client.beta.messages.create(model=MODEL, max_tokens=8, messages=USER, betas=["x-2025-01-01"])
    assert beta.content[0].text == "Echo: hello there"
    assert srv.requests[-1].headers["anthropic-beta"] == "x-2025-01-01"
    with pytest.raises(anthropic.NotFoundError) as info:
        client.models.retrieve("nope")
    assert info.value.body["error"]["type"] == "not_found_error"


def test_vertex_raw_predict_and_stream_raw_predict(srv: FakeAnthropicServer) -> None:
    vertex = anthropic.AnthropicVertex(
        base_url=srv.vertex_base_url, region="us-east5", project_id="proj", access_token="tok"
    )
    model = "claude-fake-1@20260101"
    message = vertex.messages.create(model=model, max_tokens=8, messages=USER)
    assert (message.model, message.content[0].text) == (model, "Echo: hello there")
    prefix = f"/v1/projects/proj/locations/us-east5/publishers/anthropic/models/{model}"
    assert srv.requests[-1].path == f"{prefix}:rawPredict"
    assert srv.requests[-1].headers["authorization"] == "Bearer tok"
    with vertex.messages.stream(model=model, max_tokens=8, messages=USER) as stream:
        final = stream.get_final_message()
    assert final.content[0].text == "Echo: hello there"
    assert srv.requests[-1].path == f"{prefix}:streamRawPredict"
    assert vertex.messages.count_tokens(model=model, messages=USER).input_tokens == DEFAULT_INPUT_TOKENS


def bedrock_client(srv: FakeAnthropicServer) -> anthropic.AnthropicBedrock:
    """Bedrock with a bearer key (anthropic >= 1); older clients sign with SigV4, which needs boto3."""
    if "api_key" in inspect.signature(anthropic.AnthropicBedrock).parameters:
        return anthropic.AnthropicBedrock(base_url=srv.base_url, aws_region="us-east-1", api_key="tok")
    return anthropic.AnthropicBedrock(
        base_url=srv.base_url, aws_region="us-east-1", aws_access_key="AKIDFAKE", aws_secret_key="fake"
    )


def test_bedrock_invoke_and_event_stream(srv: FakeAnthropicServer) -> None:
    bedrock = bedrock_client(srv)
    model = "anthropic.claude-fake-1-v1:0"
    message = bedrock.messages.create(model=model, max_tokens=8, messages=USER)
    assert (message.model, message.content[0].text) == (model, "Echo: hello there")
    assert srv.requests[-1].path == f"/model/{model}/invoke"
    assert "model" not in srv.requests[-1].json
    with bedrock.messages.stream(
        model=model, max_tokens=8, messages=USER, thinking={"type": "enabled", "budget_tokens": 1024}
    ) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert (final.usage.input_tokens, final.usage.output_tokens) == (
        DEFAULT_INPUT_TOKENS,
        DEFAULT_OUTPUT_TOKENS,
    )
    assert srv.requests[-1].path == f"/model/{model}/invoke-with-response-stream"


def test_bedrock_exception_frame_raises_mid_stream(srv: FakeAnthropicServer) -> None:
    bedrock = bedrock_client(srv)
    events = anthropic_message_events("one two")
    srv.enqueue(bedrock_event_stream([*events[:3], bedrock_exception("throttlingException", "Too many")]))
    with pytest.raises((anthropic.APIStatusError, ValueError)) as info:
        list(bedrock.messages.create(model="m", max_tokens=8, messages=USER, stream=True))
    if isinstance(info.value, anthropic.APIStatusError):
        assert info.value.body["error"] == {"type": "throttlingException", "message": "Too many"}
    else:  # anthropic 0.x lets botocore's "Bad response code" ValueError through
        assert "throttlingException" in str(info.value)


def test_mock_transport_handler_has_the_same_routes_and_queue() -> None:
    lib = http_lib()
    handler = anthropic_mock_transport_handler()
    handler.enqueue(anthropic_error(529, "Overloaded", retry_after_ms=1))
    client = anthropic.Anthropic(
        base_url="http://mock.local",
        api_key="k",
        http_client=lib.Client(transport=lib.MockTransport(handler)),
    )
    message = client.messages.create(model=MODEL, max_tokens=8, messages=USER)
    assert message.content[0].text == "Echo: hello there"
    assert message._request_id.startswith("req_fake_")
    with client.messages.stream(model=MODEL, max_tokens=8, messages=USER) as stream:
        assert stream.get_final_message().usage.output_tokens == DEFAULT_OUTPUT_TOKENS
    assert [r.path for r in handler.requests] == ["/v1/messages"] * 3


def test_default_reply_is_usable_from_a_responder() -> None:
    request = RecordedRequest(
        "POST", "/v1/messages", {}, {}, {"model": "m", "messages": USER, "stream": True}
    )
    reply = anthropic_default_reply(request)
    assert reply.headers["content-type"] == "text/event-stream"
    assert b"event: message_start" in reply.sse_payload()[0]
