"""Retried attempts on the one span that covers them (429, 5xx, dropped connections, timeouts)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai_support import USER, only_span
from opentelemetry.trace import StatusCode

from agent_otel.testing import Reply, chat_chunks

CHAT = {"model": "gpt-4o-mini", "messages": USER}


def _retry_events(span: Any) -> list[dict[str, Any]]:
    return [dict(e.attributes) for e in span.events if e.name == "agent_otel.retry"]


def test_429_then_success(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(429, "slow down", type="rate_limit", retry_after_ms=2))
    result = client.with_options(max_retries=2).chat.completions.create(**CHAT)
    assert result.choices[0].message.content == "Echo: hello there"
    assert [r.headers["x-stainless-retry-count"] for r in server.requests] == ["0", "1"]
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.retry.count"] == 1
    events = _retry_events(span)
    assert len(events) == 1
    assert events[0]["agent_otel.attempt"] == 1
    assert events[0]["agent_otel.attempt.status_code"] == 429
    assert events[0]["agent_otel.retry.delay_s"] == pytest.approx(0.002)


def test_connection_drop_and_timeout_attempts(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.disconnect(), Reply.hang(1.0), Reply.error(503, "busy", type="server_error"))
    client.with_options(max_retries=3, timeout=0.3).chat.completions.create(**CHAT)
    span = only_span(otel)
    events = _retry_events(span)
    assert [e["agent_otel.attempt"] for e in events] == [1, 2, 3]
    assert "RemoteProtocolError" in events[0]["agent_otel.attempt.error.type"]
    assert "Timeout" in events[1]["agent_otel.attempt.error.type"]
    assert events[2]["agent_otel.attempt.status_code"] == 503
    assert span.attributes["agent_otel.retry.count"] == 3
    assert all(e["agent_otel.retry.delay_s"] >= 0 for e in events)


def test_all_attempts_fail(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(*[Reply.error(500, "down", type="server_error", retry_after_ms=1)] * 3)
    with pytest.raises(openai.InternalServerError):
        client.with_options(max_retries=2).chat.completions.create(**CHAT)
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.InternalServerError"
    assert span.attributes["agent_otel.retry.count"] == 2
    assert len(_retry_events(span)) == 2


async def test_async_retry(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(429, "slow", retry_after_ms=1))
    await aclient.with_options(max_retries=1).chat.completions.create(**CHAT)
    span = only_span(otel)
    assert span.attributes["agent_otel.retry.count"] == 1
    assert _retry_events(span)[0]["agent_otel.attempt.status_code"] == 429


def test_retry_of_a_stream_request(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(500, "x", type="server_error", retry_after_ms=1), Reply.sse(chat_chunks("a")))
    list(client.with_options(max_retries=1).chat.completions.create(**CHAT, stream=True))
    assert only_span(otel).attributes["agent_otel.retry.count"] == 1


def test_retry_events_can_be_turned_off(client: Any, server: Any, otel: Any, instrument: Any) -> None:
    instrument(retry_events=False)
    server.enqueue(Reply.error(429, "slow", retry_after_ms=1))
    client.with_options(max_retries=1).chat.completions.create(**CHAT)
    span = only_span(otel)
    assert _retry_events(span) == []
    assert span.attributes["agent_otel.retry.count"] == 1


def test_no_retry_no_count(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.with_options(max_retries=2).chat.completions.create(**CHAT)
    span = only_span(otel)
    assert "agent_otel.retry.count" not in span.attributes
    assert span.events == ()
