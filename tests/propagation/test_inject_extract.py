"""inject_context / extract_context / continue_trace: the sender's span becomes the receiver's parent."""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace
from typing import Any

from opentelemetry import baggage, trace
from opentelemetry.context import attach, detach

from agent_otel.propagation import continue_trace, extract_context, inject_context
from agent_otel.telemetry.agents import Scope, current_scope, with_scope


def sender(otel: Any, build: Any, name: str = "send") -> tuple[trace.SpanContext, Any]:
    """Run `build()` inside a sender span; return the span's context and what `build` returned."""
    tracer = otel.tracer_provider.get_tracer("tests.sender")
    with tracer.start_as_current_span(name) as span:
        return span.get_span_context(), build()


def receive(otel: Any, carrier: Any, **kwargs: Any) -> Any:
    tracer = otel.tracer_provider.get_tracer("tests.receiver")
    with continue_trace(carrier, **kwargs), tracer.start_as_current_span("receive"):
        pass
    return otel.span("receive")


def assert_child_of(span: Any, parent: trace.SpanContext) -> None:
    assert span.context.trace_id == parent.trace_id
    assert span.parent is not None
    assert span.parent.span_id == parent.span_id
    assert span.parent.is_remote


def test_inject_returns_a_new_dict_of_w3c_fields(otel: Any) -> None:
    parent, carrier = sender(otel, inject_context)
    assert set(carrier) == {"traceparent"}
    version, trace_id, span_id, flags = carrier["traceparent"].split("-")
    assert version == "00"
    assert int(flags, 16) & 1  # sampled
    assert int(trace_id, 16) == parent.trace_id and int(span_id, 16) == parent.span_id


def test_headers_round_trip(otel: Any) -> None:
    headers = {"content-type": "application/json"}
    parent, returned = sender(otel, lambda: inject_context(headers))
    assert returned is headers and headers["content-type"] == "application/json"
    assert_child_of(receive(otel, headers), parent)


def test_payload_with_a_nested_key_survives_json(otel: Any) -> None:
    message = {"task": "summarise", "trace_context": {"existing": "kept"}}
    parent, _ = sender(otel, lambda: inject_context(message, key="trace_context"))
    assert message["trace_context"]["existing"] == "kept"
    wire = json.loads(json.dumps(message))
    assert_child_of(receive(otel, wire), parent)  # found without being told the key
    otel.span_exporter.clear()
    assert_child_of(receive(otel, wire, key="trace_context"), parent)


def test_message_metadata_is_found_as_key_or_attribute(otel: Any) -> None:
    metadata: dict[str, Any] = {}
    parent, _ = sender(otel, lambda: inject_context(metadata))
    assert_child_of(receive(otel, {"content": "hi", "metadata": metadata}), parent)
    otel.span_exporter.clear()
    assert_child_of(receive(otel, SimpleNamespace(content="hi", metadata=metadata)), parent)
    otel.span_exporter.clear()
    assert_child_of(receive(otel, {"params": {}, "_meta": metadata}), parent)  # MCP style


def test_header_names_in_any_case_and_bytes_values(otel: Any) -> None:
    parent, fields = sender(otel, inject_context)
    http_style = {"Traceparent": fields["traceparent"]}
    assert_child_of(receive(otel, http_style), parent)
    otel.span_exporter.clear()
    kafka_style = [("traceparent", fields["traceparent"].encode()), ("other", b"x")]
    assert_child_of(receive(otel, kafka_style), parent)


def test_tracestate_and_baggage_travel_too(otel: Any) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")
    token = attach(baggage.set_baggage("tenant", "acme"))
    try:
        with tracer.start_as_current_span("send"):
            carrier = inject_context()
    finally:
        detach(token)
    assert carrier["baggage"] == "tenant=acme"
    carrier["tracestate"] = "vendor=abc"
    with continue_trace(carrier) as ctx:
        assert baggage.get_baggage("tenant") == "acme"
        assert trace.get_current_span().get_span_context().trace_state.get("vendor") == "abc"
    assert baggage.get_baggage("tenant", ctx) == "acme"


def test_without_an_active_span_nothing_is_injected() -> None:
    assert inject_context() == {}


def test_explicit_context_is_injected(otel: Any) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")
    span = tracer.start_span("elsewhere")
    carrier = inject_context(context=trace.set_span_in_context(span))
    span.end()
    assert carrier["traceparent"].split("-")[2] == format(span.get_span_context().span_id, "016x")


def test_the_senders_span_replaces_the_local_span_and_agent_scope(otel: Any) -> None:
    parent, carrier = sender(otel, inject_context)
    tracer = otel.tracer_provider.get_tracer("tests")
    token = attach(
        with_scope(Scope("agent", "local-agent", None), trace.set_span_in_context(trace.INVALID_SPAN))
    )
    try:
        with tracer.start_as_current_span("local"):
            assert current_scope() is not None
            ctx = extract_context(carrier)
            assert current_scope(ctx) is None
            remote = trace.get_current_span(ctx).get_span_context()
            assert (remote.trace_id, remote.span_id, remote.is_remote) == (
                parent.trace_id,
                parent.span_id,
                True,
            )
    finally:
        detach(token)


def test_continue_trace_restores_the_previous_context(otel: Any) -> None:
    _, carrier = sender(otel, inject_context)
    before = trace.get_current_span()
    with continue_trace(carrier):
        assert trace.get_current_span() is not before
    assert trace.get_current_span() is before


async def test_continue_trace_in_async_code(otel: Any) -> None:
    parent, carrier = sender(otel, inject_context)
    tracer = otel.tracer_provider.get_tracer("tests")

    async def handle(message: dict[str, str], name: str) -> None:
        with continue_trace(message):
            await asyncio.sleep(0)
            with tracer.start_as_current_span(name):
                await asyncio.sleep(0)

    await asyncio.gather(handle(dict(carrier), "a"), handle({}, "b"))
    assert_child_of(otel.span("a"), parent)
    assert otel.span("b").parent is None  # the other task's message had no context: its own trace


def test_yielded_context_parents_work_in_a_thread(otel: Any) -> None:
    parent, carrier = sender(otel, inject_context)
    tracer = otel.tracer_provider.get_tracer("tests")
    with continue_trace(carrier) as ctx:
        worker = threading.Thread(target=lambda: tracer.start_span("in-thread", context=ctx).end())
        worker.start()
        worker.join()
    assert_child_of(otel.span("in-thread"), parent)
