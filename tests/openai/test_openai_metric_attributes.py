"""Metric attributes the conventions list (issue 8): the response model on time-to-first-chunk and
time-per-output-chunk, `openai.response.service_tier` on duration and token usage (sampled or not), and
`responses.retrieve` (fetch_response) recording the service tier."""

from __future__ import annotations

from typing import Any

from openai_support import USER, only_span, points
from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from agent_otel.testing import Reply, chat_chunks

STREAM = {"model": "gpt-4o-mini", "messages": USER, "stream": True}
RESPONSE_MODEL = "gpt-4o-mini-2025-01-01"


def _attrs(otel: Any, name: str) -> list[dict[str, Any]]:
    return [dict(p.attributes) for p in points(otel, name)]


def test_chat_stream_time_to_first_chunk_carries_the_response_model(
    client: Any, otel: Any, instrumented: Any
) -> None:
    list(client.chat.completions.create(**STREAM))
    (ttfc,) = _attrs(otel, "gen_ai.client.operation.time_to_first_chunk")
    assert ttfc["gen_ai.response.model"] == RESPONSE_MODEL


def test_per_chunk_metrics_carry_the_response_model(client: Any, otel: Any, instrument: Any) -> None:
    instrument(stream_chunk_metrics="per_chunk")
    list(client.chat.completions.create(**STREAM))
    per_chunk = _attrs(otel, "gen_ai.client.operation.time_per_output_chunk")
    assert per_chunk and all(a["gen_ai.response.model"] == RESPONSE_MODEL for a in per_chunk)


def test_responses_stream_time_to_first_chunk_carries_the_response_model(
    client: Any, otel: Any, instrumented: Any
) -> None:
    list(client.responses.create(model="gpt-4o-mini", input="hi", stream=True))
    (ttfc,) = _attrs(otel, "gen_ai.client.operation.time_to_first_chunk")
    assert ttfc["gen_ai.response.model"] == RESPONSE_MODEL


def test_service_tier_is_on_duration_and_token_metrics(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b", include_usage=True, service_tier="flex")))
    list(client.chat.completions.create(**STREAM, stream_options={"include_usage": True}))
    for name in ("gen_ai.client.operation.duration", "gen_ai.client.token.usage"):
        attrs = _attrs(otel, name)
        assert attrs and all(a["openai.response.service_tier"] == "flex" for a in attrs), name
        assert all("openai.response.system_fingerprint" not in a for a in attrs)  # on purpose: README


def test_unsampled_call_metrics_carry_the_service_tier(client: Any, otel: Any, instrumented: Any) -> None:
    parent = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=TraceFlags(0))
    token = context.attach(trace.set_span_in_context(NonRecordingSpan(parent)))
    try:
        client.responses.create(model="gpt-4o-mini", input="hi")
        list(client.chat.completions.create(**STREAM))
    finally:
        context.detach(token)
    assert otel.spans() == []
    durations = points(otel, "gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == 2
    assert all(p.attributes["openai.response.service_tier"] == "default" for p in durations)


def test_fetch_response_records_the_service_tier(client: Any, otel: Any, instrumented: Any) -> None:
    client.responses.retrieve("resp_t")
    a = only_span(otel).attributes
    assert a["openai.response.service_tier"] == "default"
    assert "gen_ai.request.stream" not in a  # not asked for a stream
