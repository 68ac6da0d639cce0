"""linked_span: fire-and-forget work gets its own trace, linked back to the sender's span."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import baggage, trace
from opentelemetry.context import attach, detach
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.propagation import extract_link, inject_context, linked_span


def send(otel: Any) -> tuple[trace.SpanContext, dict[str, Any]]:
    tracer = otel.tracer_provider.get_tracer("tests.sender")
    token = attach(baggage.set_baggage("tenant", "acme"))
    try:
        with tracer.start_as_current_span("send") as span:
            return span.get_span_context(), dict(inject_context())
    finally:
        detach(token)


def test_linked_span_is_a_new_root_linked_to_the_sender(otel: Any) -> None:
    sent, carrier = send(otel)
    tracer = otel.tracer_provider.get_tracer("tests")
    with linked_span(carrier, "index documents", tracer_provider=otel.tracer_provider) as span:
        assert trace.get_current_span() is span
        assert baggage.get_baggage("tenant") == "acme"  # the sender's baggage is kept
        with tracer.start_as_current_span("child"):
            pass
    job = otel.span("index documents")
    assert job.parent is None
    assert job.context.trace_id != sent.trace_id
    assert job.kind is SpanKind.CONSUMER
    (link,) = job.links
    assert link.context.trace_id == sent.trace_id and link.context.span_id == sent.span_id
    assert link.attributes["agent_otel.link.reason"] == "fire_and_forget"
    assert job.attributes["agent_otel.link.reason"] == "fire_and_forget"
    child = otel.span("child")
    assert child.parent.span_id == job.context.span_id


def test_reason_kind_and_attributes(otel: Any) -> None:
    _, carrier = send(otel)
    with linked_span(
        {"trace_context": carrier},
        "retry",
        reason="retry",
        kind=SpanKind.INTERNAL,
        attributes={"job.id": "7"},
        tracer_provider=otel.tracer_provider,
    ):
        pass
    job = otel.span("retry")
    assert job.kind is SpanKind.INTERNAL
    assert job.attributes["job.id"] == "7"
    assert job.links[0].attributes["agent_otel.link.reason"] == "retry"


def test_an_exception_is_recorded_and_passes_through_unchanged(otel: Any) -> None:
    _, carrier = send(otel)
    error = KeyError("missing")
    with pytest.raises(KeyError) as raised, linked_span(carrier, "job", tracer_provider=otel.tracer_provider):
        raise error
    assert raised.value is error
    job = otel.span("job")
    assert job.status.status_code is StatusCode.ERROR
    assert [e.name for e in job.events] == ["exception"]


def test_linked_span_inside_a_local_span_still_starts_a_new_trace(otel: Any) -> None:
    _, carrier = send(otel)
    tracer = otel.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("consumer loop") as loop_span:
        with linked_span(carrier, "job", tracer_provider=otel.tracer_provider):
            pass
        assert trace.get_current_span() is loop_span
    assert otel.span("job").parent is None


def test_extract_link_for_spans_started_elsewhere(otel: Any) -> None:
    sent, carrier = send(otel)
    link = extract_link(carrier, reason="batch")
    assert link is not None
    assert link.context.span_id == sent.span_id
    assert link.attributes["agent_otel.link.reason"] == "batch"
    assert extract_link(carrier).attributes in (None, {})  # no reason, no attribute
