"""anthropic >= 2 traces itself: with our instrumentor on there is still exactly one inference span per
call (ours), the SDK still propagates the trace context (ours), and a user's explicit request for the
SDK's spans is kept. On older clients (no native tracing) the same tests hold trivially: one span."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic_support import CALL, KEY, has_native_tracing
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SDK_SCOPE_PREFIX = "com.anthropic"


@pytest.fixture
def sdk_spans(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """The SDK's spans go to the global provider: make it the test's (the client reads it lazily)."""
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", otel.tracer_provider)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", trace.Once())
    trace._TRACER_PROVIDER_SET_ONCE._done = True
    yield otel.span_exporter


def _by_scope(otel: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for span in otel.spans():
        out.setdefault(span.instrumentation_scope.name, []).append(span)
    return out


def test_native_spans_replaced_one_inference_span_and_trace_context_still_propagated(
    client: Any, server: Any, otel: Any, sdk_spans: Any, instrumented: Any
) -> None:
    client.messages.create(**CALL)
    with client.messages.stream(**CALL) as stream:
        stream.get_final_message()
    scopes = _by_scope(otel)
    assert list(scopes) == ["agent_otel.instrumentation.anthropic"], scopes
    ours = scopes["agent_otel.instrumentation.anthropic"]
    if has_native_tracing():  # the SDK injects the context of its (stand-in) span: ours
        for span, request in zip(ours, server.requests, strict=True):
            assert request.headers["traceparent"].split("-")[2] == format(span.context.span_id, "016x")


def test_without_instrumentation_the_sdk_traces_itself(
    client: Any, server: Any, otel: Any, sdk_spans: Any
) -> None:
    client.messages.create(**CALL)
    expected = 1 if has_native_tracing() else 0
    assert [s.name for s in otel.spans()] == ["anthropic.messages.create"] * expected


def test_calls_we_do_not_observe_keep_the_sdk_span(
    client: Any, otel: Any, sdk_spans: Any, instrumented: Any
) -> None:
    client.messages.count_tokens(model=CALL["model"], messages=CALL["messages"])
    expected = 1 if has_native_tracing() else 0
    assert len(otel.spans()) == expected


def test_a_tracer_provider_given_to_the_sdk_is_a_user_choice_kept(
    server: Any, otel: Any, instrumented: Any
) -> None:
    if not has_native_tracing():
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY)
        client.messages.create(**CALL)
        assert len(otel.spans()) == 1
        return
    exporter = InMemorySpanExporter()
    theirs = TracerProvider()
    theirs.add_span_processor(SimpleSpanProcessor(exporter))
    client = anthropic.Anthropic(
        base_url=server.base_url, api_key=KEY, open_telemetry={"tracer_provider": theirs}
    )
    client.messages.create(**CALL)
    [ours] = otel.spans()
    [sdk] = exporter.get_finished_spans()
    assert sdk.name == "anthropic.messages.create"
    assert sdk.parent is not None and sdk.parent.span_id == ours.context.span_id


def test_replace_native_spans_false_keeps_them_as_children(
    client: Any, otel: Any, sdk_spans: Any, instrument: Any
) -> None:
    instrument(replace_native_spans=False)
    client.messages.create(**CALL)
    scopes = _by_scope(otel)
    [ours] = scopes["agent_otel.instrumentation.anthropic"]
    native = [s for name, spans in scopes.items() if name.startswith(SDK_SCOPE_PREFIX) for s in spans]
    assert len(native) == (1 if has_native_tracing() else 0)
    for span in native:
        assert span.parent.span_id == ours.context.span_id


def test_the_sdks_conversation_id_option_reaches_our_span(server: Any, otel: Any, instrumented: Any) -> None:
    option = {"conversation_id": "conv_123"} if has_native_tracing() else None
    kwargs = {"open_telemetry": option} if option else {}
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, **kwargs)
    client.messages.create(**CALL)
    [span] = otel.spans()
    assert span.attributes.get("gen_ai.conversation.id") == ("conv_123" if option else None)
