"""The unsampled fast path: no span, no util-genai, but duration and token metrics, even with content on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openai_support import USER, points
from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from agent_otel.testing import Reply, chat_chunks

CHAT = {"model": "gpt-4o-mini", "messages": USER}


def _unsampled_parent() -> Any:
    ctx = SpanContext(
        trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.DEFAULT)
    )
    return context.attach(trace.set_span_in_context(NonRecordingSpan(ctx)))


def test_unsampled_call_records_metrics_only(client: Any, server: Any, otel: Any, captured: Any) -> None:
    token = _unsampled_parent()
    try:
        client.chat.completions.create(**CHAT)
    finally:
        context.detach(token)
    assert otel.spans() == []
    durations = points(otel, "gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == 1
    attrs = dict(durations[0].attributes)
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"
    assert attrs["server.port"] == server.port
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points(otel, "gen_ai.client.token.usage")}
    assert tokens == {"input": 12, "output": 5}


def test_unsampled_generator_messages_untouched(client: Any, server: Any, otel: Any, captured: Any) -> None:
    def gen() -> Iterator[dict[str, str]]:
        yield from USER

    token = _unsampled_parent()
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=gen())
    finally:
        context.detach(token)
    assert server.requests[0].json["messages"] == USER


def test_unsampled_error_has_error_type(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(500, "x", type="server_error"))
    token = _unsampled_parent()
    try:
        try:
            client.chat.completions.create(**CHAT)
        except Exception:
            pass
    finally:
        context.detach(token)
    durations = points(otel, "gen_ai.client.operation.duration")
    assert durations[0].attributes["error.type"] == "openai.InternalServerError"


def test_unsampled_stream_records_at_its_end(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.sse(chat_chunks("a b", include_usage=True, completion_tokens=2)))
    token = _unsampled_parent()
    try:
        stream = client.chat.completions.create(**CHAT, stream=True, stream_options={"include_usage": True})
    finally:
        context.detach(token)
    assert points(otel, "gen_ai.client.operation.duration") == []
    list(stream)
    assert otel.spans() == []
    assert sum(p.count for p in points(otel, "gen_ai.client.operation.duration")) == 1
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points(otel, "gen_ai.client.token.usage")}
    assert tokens == {"input": 12, "output": 2}


async def test_unsampled_async_embeddings(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    token = _unsampled_parent()
    try:
        await aclient.embeddings.create(model="text-embedding-3-small", input="x")
    finally:
        context.detach(token)
    assert otel.spans() == []
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points(otel, "gen_ai.client.token.usage")}
    assert tokens == {"input": 4}
    assert (
        points(otel, "gen_ai.client.operation.duration")[0].attributes["gen_ai.operation.name"]
        == "embeddings"
    )


def test_unsampled_cost_uses_cached_tokens(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    from agent_otel.testing import chat_completion

    full = chat_completion("a", model="gpt-4o-mini-2024-07-18", prompt_tokens=1000, completion_tokens=0)
    cached = chat_completion(
        "a", model="gpt-4o-mini-2024-07-18", prompt_tokens=1000, completion_tokens=0, cached_tokens=1000
    )
    server.enqueue(Reply.json(full), Reply.json(cached))
    token = _unsampled_parent()
    try:
        client.chat.completions.create(**CHAT)
        client.chat.completions.create(**CHAT)
    finally:
        context.detach(token)
    costs = points(otel, "gen_ai.client.operation.cost")
    assert len(costs) == 1 and costs[0].count == 2
    # The cached call is priced at the cached rate: the two together cost less than twice the full one.
    assert costs[0].min < costs[0].max
    assert costs[0].attributes["gen_ai.usage.cost.currency"] == "USD"


def test_unsampled_metrics_can_be_turned_off_and_totals_still_add_up(
    client: Any, server: Any, otel: Any, instrument: Any
) -> None:
    """AGENT_OTEL_UNSAMPLED_METRICS=false: an unsampled call records no metric at all (the cheapest path),
    yet its tokens and cost still reach the enclosing agent's totals."""
    from agent_otel.telemetry.agents import Scope, with_scope

    instrument(unsampled_metrics=False)
    scope = Scope("agent", "researcher", None)
    token = _unsampled_parent()
    token2 = context.attach(with_scope(scope, context.get_current()))
    try:
        client.chat.completions.create(**CHAT)
    finally:
        context.detach(token2)
        context.detach(token)
    assert otel.spans() == []
    assert points(otel, "gen_ai.client.operation.duration") == []
    assert points(otel, "gen_ai.client.token.usage") == []
    assert (scope.input_tokens, scope.output_tokens) == (12, 5)
    assert scope.priced_calls == 1 and scope.cost > 0
