"""Retries visible per attempt, `error.type` from the exception, no credential anywhere, nothing thrown
into the app."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from anthropic_support import CALL, KEY, only_span
from opentelemetry.trace import StatusCode

from agent_otel.testing import Reply, anthropic_error


def _retry_events(span: Any) -> list[dict[str, Any]]:
    return [dict(e.attributes) for e in span.events if e.name == "agent_otel.retry"]


def test_overloaded_529_then_success_is_one_span_with_a_retry_event(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(anthropic_error(529, "Overloaded", retry_after_ms=2))
    message = client.with_options(max_retries=2).messages.create(**CALL)
    assert message.content[0].text == "Echo: hello there"
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.retry.count"] == 1
    [event] = _retry_events(span)
    assert (event["agent_otel.attempt"], event["agent_otel.attempt.status_code"]) == (1, 529)
    assert event["agent_otel.retry.delay_s"] == pytest.approx(0.002)


def test_dropped_connection_attempt_records_the_error_type(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(Reply.disconnect(), anthropic_error(429, "slow", retry_after_ms=1))
    client.with_options(max_retries=3).messages.create(**CALL)
    events = _retry_events(only_span(otel))
    assert [e["agent_otel.attempt"] for e in events] == [1, 2]
    assert "Error" in events[0]["agent_otel.attempt.error.type"]
    assert events[1]["agent_otel.attempt.status_code"] == 429


async def test_async_retries(aclient: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(anthropic_error(529, "Overloaded", retry_after_ms=1))
    await aclient.with_options(max_retries=1).messages.create(**CALL)
    assert only_span(otel).attributes["agent_otel.retry.count"] == 1


def test_all_attempts_fail_error_type_from_the_exception(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(*[anthropic_error(500, "down", retry_after_ms=1)] * 2)
    with pytest.raises(anthropic.InternalServerError):
        client.with_options(max_retries=1).messages.create(**CALL)
    span = only_span(otel)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "anthropic.InternalServerError"
    assert span.attributes["agent_otel.retry.count"] == 1


def test_the_callers_exception_is_the_same_object(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    server.enqueue(anthropic_error(400, "bad request"))
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(**CALL)
    assert info.value.body["error"]["type"] == "invalid_request_error"
    assert only_span(otel).attributes["error.type"] == "anthropic.BadRequestError"


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
def test_no_credential_in_any_attribute_event_or_status(
    server: Any, otel: Any, instrument: Any, header: str
) -> None:
    instrument("SPAN_AND_EVENT")
    if header == "x-api-key":
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    else:
        client = anthropic.Anthropic(base_url=server.base_url, auth_token=KEY, max_retries=0)
    # A server that echoes the credential back into the error message.
    server.enqueue(anthropic_error(401, f"invalid x-api-key / Bearer {KEY}"))
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(**CALL)
    sent = server.requests[-1].headers
    assert KEY in (sent.get("x-api-key") or "") + (sent.get("authorization") or "")
    span = only_span(otel)
    texts = [str(v) for v in span.attributes.values()]
    texts += [str(v) for e in span.events for v in e.attributes.values()]
    texts.append(span.status.description or "")
    texts += [str(log.log_record.body) + str(dict(log.log_record.attributes or {})) for log in otel.logs()]
    assert not [t for t in texts if KEY in t]
    assert "[REDACTED]" in (span.status.description or "")
