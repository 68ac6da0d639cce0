"""Chat Completions `create` and `parse`, sync and async: span, attributes, metrics, errors."""

from __future__ import annotations

from typing import Any

import openai
import pydantic
import pytest
from openai_support import USER, chat_parse_method, only_span, points
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.testing import Reply, chat_completion

# The fingerprint is left off metrics on purpose (README "Metrics"): one value per backend build.
METRIC_FORBIDDEN = (
    "openai.response.system_fingerprint",
    "gen_ai.response.id",
)


def _rich_reply() -> Reply:
    return Reply.json(
        chat_completion(
            "fine",
            model="gpt-4o-mini-2024-07-18",
            id="chatcmpl-42",
            cached_tokens=4,
            cache_write_tokens=2,
            reasoning_tokens=3,
            prompt_tokens=20,
            completion_tokens=9,
            service_tier="priority",
            system_fingerprint="fp_abc",
        )
    )


def _assert_rich_span(span: Any, port: int) -> None:
    a = span.attributes
    assert span.name == "chat gpt-4o-mini"
    assert span.kind == SpanKind.CLIENT
    assert span.status.status_code == StatusCode.UNSET
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["server.address"] == "127.0.0.1" and a["server.port"] == port
    assert a["gen_ai.request.temperature"] == 0.3
    assert a["gen_ai.request.top_p"] == 0.9
    assert a["gen_ai.request.max_tokens"] == 64
    assert a["gen_ai.request.stop_sequences"] == ("END", "STOP")
    assert a["gen_ai.request.seed"] == 7
    assert a["gen_ai.request.frequency_penalty"] == 0.5
    assert a["gen_ai.request.presence_penalty"] == -0.5
    assert a["gen_ai.request.reasoning.level"] == "low"
    assert a["gen_ai.output.type"] == "json"
    assert a["gen_ai.response.id"] == "chatcmpl-42"
    assert a["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.input_tokens"] == 20
    assert a["gen_ai.usage.output_tokens"] == 9
    assert a["gen_ai.usage.cache_read.input_tokens"] == 4
    assert a["gen_ai.usage.reasoning.output_tokens"] == 3
    assert a["openai.api.type"] == "chat_completions"
    assert a["openai.response.service_tier"] == "priority"
    assert a["openai.response.system_fingerprint"] == "fp_abc"
    assert "gen_ai.request.stream" not in a
    assert "gen_ai.request.choice.count" not in a  # n was 1


RICH = {
    "temperature": 0.3,
    "top_p": 0.9,
    "max_completion_tokens": 64,
    "stop": ["END", "STOP"],
    "seed": 7,
    "frequency_penalty": 0.5,
    "presence_penalty": -0.5,
    "reasoning_effort": "low",
    "response_format": {"type": "json_object"},
    "n": 1,
}


def test_chat_create_records_request_response_and_usage(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(_rich_reply())
    result = client.chat.completions.create(model="gpt-4o-mini", messages=USER, **RICH)
    assert result.choices[0].message.content == "fine"
    _assert_rich_span(only_span(otel), server.port)


async def test_async_chat_create_records_the_same(
    aclient: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(_rich_reply())
    result = await aclient.chat.completions.create(model="gpt-4o-mini", messages=USER, **RICH)
    assert result.id == "chatcmpl-42"
    _assert_rich_span(only_span(otel), server.port)


def test_cache_write_tokens_when_the_sdk_models_them(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(_rich_reply())
    result = client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    details = result.usage.prompt_tokens_details
    attrs = only_span(otel).attributes
    # openai 3.x models cache_write_tokens; 1.66 keeps it as an extra field (read the same way).
    assert getattr(details, "cache_write_tokens", None) == 2
    assert attrs["gen_ai.usage.cache_write.input_tokens"] == 2


def test_metrics_carry_low_cardinality_attributes_only(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(_rich_reply())
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    durations = points(otel, "gen_ai.client.operation.duration")
    assert len(durations) == 1 and durations[0].count == 1
    attrs = dict(durations[0].attributes)
    assert attrs["openai.response.service_tier"] == "priority"  # listed by the OpenAI conventions
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert attrs["server.address"] == "127.0.0.1"
    for key in METRIC_FORBIDDEN:
        assert key not in attrs
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points(otel, "gen_ai.client.token.usage")}
    assert tokens == {"input": 20, "output": 9}
    for p in points(otel, "gen_ai.client.token.usage"):
        assert not set(METRIC_FORBIDDEN) & set(p.attributes)


def test_tool_calls_finish_reason_uses_the_conventions_value(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(
        Reply.json(chat_completion(None, tool_calls=[{"name": "get_weather", "arguments": {"c": 1}}]))
    )
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    result = client.chat.completions.create(model="gpt-4o-mini", messages=USER, tools=tools)
    assert result.choices[0].finish_reason == "tool_calls"
    assert only_span(otel).attributes["gen_ai.response.finish_reasons"] == ("tool_call",)


def test_several_choices(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, n=3)
    a = only_span(otel).attributes
    assert a["gen_ai.request.choice.count"] == 3
    assert a["gen_ai.response.finish_reasons"] == ("stop", "stop", "stop")


def test_output_type_for_schema_and_audio(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, response_format=schema)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, modalities=["text", "audio"])
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, response_format={"type": "text"})
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    types = [s.attributes.get("gen_ai.output.type") for s in otel.spans()]
    assert types == ["json", "speech", "text", None]


def test_request_service_tier_only_when_not_auto(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, service_tier="flex")
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, service_tier="auto")
    first, second = otel.spans()
    assert first.attributes["openai.request.service_tier"] == "flex"
    assert "openai.request.service_tier" not in second.attributes
    assert server.requests[0].json["service_tier"] == "flex"


def test_extra_body_parameters_are_read_like_the_sdk_sends_them(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    client.chat.completions.create(
        model="gpt-4o-mini", messages=USER, temperature=0.1, extra_body={"temperature": 0.7, "max_tokens": 11}
    )
    assert server.requests[0].json["temperature"] == 0.7
    a = only_span(otel).attributes
    assert a["gen_ai.request.temperature"] == 0.7
    assert a["gen_ai.request.max_tokens"] == 11


def test_not_given_sentinels_are_not_recorded(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.chat.completions.create(
        model="gpt-4o-mini", messages=USER, temperature=openai.NOT_GIVEN, seed=openai.NOT_GIVEN, stop=None
    )
    a = only_span(otel).attributes
    assert "gen_ai.request.temperature" not in a
    assert "gen_ai.request.seed" not in a
    assert "gen_ai.request.stop_sequences" not in a


def test_http_error_marks_the_span_and_reaches_the_caller(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.error(400, "bad model", code="model_not_found", param="model"))
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="nope", messages=USER)
    assert info.value.code == "model_not_found"
    span = only_span(otel)
    assert span.name == "chat nope"
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.BadRequestError"
    durations = points(otel, "gen_ai.client.operation.duration")
    assert durations[0].attributes["error.type"] == "openai.BadRequestError"


def test_the_callers_exception_is_the_same_object(
    client: Any, otel: Any, instrumented: Any, monkeypatch: Any
) -> None:
    sentinel = ConnectionAbortedError("from the transport")

    def post(*args: Any, **kwargs: Any) -> Any:
        raise sentinel

    monkeypatch.setattr(client.chat.completions, "_post", post)
    with pytest.raises(ConnectionAbortedError) as info:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert info.value is sentinel
    assert only_span(otel).attributes["error.type"] == "ConnectionAbortedError"


async def test_async_error(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(500, "boom", type="server_error"))
    with pytest.raises(openai.InternalServerError):
        await aclient.chat.completions.create(model="gpt-4o-mini", messages=USER)
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.InternalServerError"


class Answer(pydantic.BaseModel):
    city: str


def test_parse_is_one_span_with_json_output(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(chat_completion('{"city": "Paris"}', id="chatcmpl-p")))
    parsed = chat_parse_method(client)(model="gpt-4o-mini", messages=USER, response_format=Answer)
    assert parsed.choices[0].message.parsed == Answer(city="Paris")
    span = only_span(otel)
    assert span.attributes["gen_ai.output.type"] == "json"
    assert span.attributes["gen_ai.response.id"] == "chatcmpl-p"
    assert span.attributes["gen_ai.usage.output_tokens"] == 5


async def test_async_parse(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.json(chat_completion('{"city": "Rome"}')))
    parsed = await chat_parse_method(aclient)(model="gpt-4o-mini", messages=USER, response_format=Answer)
    assert parsed.choices[0].message.parsed == Answer(city="Rome")
    assert only_span(otel).attributes["gen_ai.output.type"] == "json"


def test_parse_failure_from_the_sdk_marks_the_span(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.json(chat_completion('{"city": "Par', finish_reason="length")))
    with pytest.raises(openai.LengthFinishReasonError):
        chat_parse_method(client)(model="gpt-4o-mini", messages=USER, response_format=Answer)
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.LengthFinishReasonError"


def test_the_result_is_what_the_uninstrumented_call_returns(
    client: Any, server: Any, instrument: Any
) -> None:
    body = chat_completion("same", id="chatcmpl-same")
    server.enqueue(Reply.json(body), Reply.json(body))
    inst = instrument()
    traced = client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    inst.uninstrument()
    plain = client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert type(traced) is type(plain)
    assert traced.model_dump() == plain.model_dump()
    assert server.requests[0].json == server.requests[1].json
