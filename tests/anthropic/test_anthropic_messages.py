"""`messages.create` / `parse` / beta, sync and async, on every client: one `chat {model}` CLIENT span with
the request parameters, response, finish reasons, the Anthropic token arithmetic and cost."""

from __future__ import annotations

import inspect
from typing import Any

import anthropic
import pytest
from anthropic_support import CALL, MODEL, USER, has_parse, only_span, points
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.testing import Reply, anthropic_message

CACHED = {
    "input_tokens": 100,
    "output_tokens": 50,
    "cache_read_input_tokens": 1000,
    "cache_creation_input_tokens": 200,
}


def test_create_span_name_kind_request_and_response(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    message = client.messages.create(
        **CALL,
        stop_sequences=["END"],
        extra_body={"temperature": 0.2, "top_p": 0.9, "top_k": 5},
    )
    assert message.content[0].text == "Echo: hello there"
    span = only_span(otel)
    assert (span.name, span.kind, span.status.status_code) == (
        f"chat {MODEL}",
        SpanKind.CLIENT,
        StatusCode.UNSET,
    )
    a = span.attributes
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "anthropic"
    assert (a["server.address"], a["server.port"]) == ("127.0.0.1", server.port)
    assert (a["gen_ai.request.model"], a["gen_ai.request.max_tokens"]) == (MODEL, 64)
    assert (a["gen_ai.request.temperature"], a["gen_ai.request.top_p"], a["gen_ai.request.top_k"]) == (
        0.2,
        0.9,
        5,
    )
    assert a["gen_ai.request.stop_sequences"] == ("END",)
    assert a["gen_ai.response.id"] == message.id
    assert a["gen_ai.response.model"] == MODEL
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert "gen_ai.request.stream" not in a
    assert "gen_ai.input.messages" not in a  # content capture is off by default


def test_input_tokens_include_cache_reads_and_writes(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(anthropic_message("hi", model=MODEL, **CACHED)))
    client.messages.create(**CALL)
    a = only_span(otel).attributes
    assert a["gen_ai.usage.input_tokens"] == 100 + 1000 + 200
    assert a["gen_ai.usage.cache_read.input_tokens"] == 1000
    assert a["gen_ai.usage.cache_write.input_tokens"] == 200
    assert a["gen_ai.usage.output_tokens"] == 50
    input_points = [
        p for p in points(otel, "gen_ai.client.token.usage") if p.attributes["gen_ai.token.type"] == "input"
    ]
    assert input_points[0].sum == 1300


def test_cost_prices_cache_writes_at_the_cache_write_price(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(anthropic_message("hi", model=MODEL, **CACHED)))
    client.messages.create(**CALL)
    # claude-sonnet-4-5: input 3.0, cache read 0.3, cache write 3.75, output 15.0 USD per million tokens
    expected = (100 * 3.0 + 1000 * 0.3 + 200 * 3.75 + 50 * 15.0) / 1e6
    assert only_span(otel).attributes["gen_ai.usage.cost.amount"] == pytest.approx(expected)


def test_thinking_tokens_are_reasoning_output_tokens(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(
        Reply.json(anthropic_message("hi", model=MODEL, thinking="hmm", output_tokens=40, thinking_tokens=30))
    )
    client.messages.create(**CALL)
    a = only_span(otel).attributes
    assert (a["gen_ai.usage.output_tokens"], a["gen_ai.usage.reasoning.output_tokens"]) == (40, 30)


@pytest.mark.parametrize(
    ("stop_reason", "expected"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("tool_use", "tool_call"),
        ("max_tokens", "length"),
        ("refusal", "content_filter"),
        ("pause_turn", "pause_turn"),
    ],
)
def test_stop_reason_maps_to_the_conventions_finish_reason(
    client: Any, server: Any, otel: Any, instrumented: Any, stop_reason: str, expected: str
) -> None:
    server.enqueue(Reply.json(anthropic_message("hi", stop_reason=stop_reason)))
    client.messages.create(**CALL)
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == (expected,)


def test_reasoning_effort_and_structured_output_request_attributes(
    client: Any, otel: Any, instrumented: Any
) -> None:
    schema = {"type": "json_schema", "schema": {"type": "object"}}
    client.messages.create(**CALL, extra_body={"output_config": {"effort": "high", "format": schema}})
    a = only_span(otel).attributes
    assert (a["gen_ai.request.reasoning.level"], a["gen_ai.output.type"]) == ("high", "json")


async def test_async_create(aclient: Any, otel: Any, instrumented: Any) -> None:
    message = await aclient.messages.create(**CALL)
    span = only_span(otel)
    assert span.name == f"chat {MODEL}"
    assert span.attributes["gen_ai.response.id"] == message.id
    assert span.attributes["gen_ai.usage.output_tokens"] == message.usage.output_tokens


def test_beta_messages_create(client: Any, otel: Any, instrumented: Any) -> None:
    client.beta.messages.create(**CALL, betas=["x-2025-01-01"])
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("stop",)


def _parse_targets(client: Any) -> list[Any]:
    return [client.messages.parse, client.beta.messages.parse] if has_parse() else []


def test_parse_one_span_and_the_callers_result_unchanged(client: Any, otel: Any, instrumented: Any) -> None:
    for parse in _parse_targets(client):  # anthropic >= 1.0 only: older clients have no parse()
        parsed = parse(**CALL)
        assert parsed.content[0].text == "Echo: hello there"
    spans = otel.spans()
    assert len(spans) == len(_parse_targets(client))
    assert all(s.attributes["gen_ai.usage.input_tokens"] > 0 for s in spans)


def bedrock(server: Any) -> anthropic.AnthropicBedrock:
    if "api_key" in inspect.signature(anthropic.AnthropicBedrock).parameters:
        return anthropic.AnthropicBedrock(
            base_url=server.base_url, aws_region="us-east-1", api_key="bedrock-key-1"
        )
    return anthropic.AnthropicBedrock(
        base_url=server.base_url,
        aws_region="us-east-1",
        aws_access_key="AKIDFAKE",
        aws_secret_key="fake-secret",
    )


def test_bedrock_provider_and_model_from_the_call(server: Any, otel: Any, instrumented: Any) -> None:
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    client = bedrock(server)
    client.messages.create(model=model, max_tokens=8, messages=USER)
    client.beta.messages.create(model=model, max_tokens=8, messages=USER)
    with client.messages.stream(model=model, max_tokens=8, messages=USER) as stream:
        stream.get_final_message()
    spans = otel.spans()
    assert len(spans) == 3
    for span in spans:
        assert span.name == f"chat {model}"
        assert span.attributes["gen_ai.provider.name"] == "aws.bedrock"
        assert span.attributes["gen_ai.usage.cost.amount"] > 0  # the Bedrock id prices as claude-sonnet-4-5


def test_vertex_provider(server: Any, otel: Any, instrumented: Any) -> None:
    client = anthropic.AnthropicVertex(
        base_url=server.vertex_base_url, region="us-east5", project_id="proj", access_token="vertex-token"
    )
    client.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=8, messages=USER)
    client.beta.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=8, messages=USER)
    spans = otel.spans()
    assert [s.attributes["gen_ai.provider.name"] for s in spans] == ["gcp.vertex_ai"] * 2


def test_uninstrument_restores_every_original(client: Any, otel: Any, instrument: Any) -> None:
    from anthropic.resources.messages.messages import Messages

    original = vars(Messages)["create"]
    inst = instrument()
    assert vars(Messages)["create"] is not original
    inst.uninstrument()
    assert vars(Messages)["create"] is original
    client.messages.create(**CALL)
    assert otel.spans() == []
