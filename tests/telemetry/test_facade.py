"""Contract tests for the facade over util-genai (telemetry/genai.py): what the adapters rely on.

Several are tripwires: they fail loudly when util-genai changes something the facade reaches for
(its private instruments, its suppression key) instead of letting telemetry silently degrade.
"""

from __future__ import annotations

import timeit
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from agent_otel.config import Settings
from agent_otel.telemetry.genai import Error, GenAITelemetry


def make(otel: Any, **kw: Any) -> GenAITelemetry:
    return GenAITelemetry(scope_name="test.facade", settings=Settings(), **otel.providers, **kw)


def test_unsampled_histograms_are_util_genais_own_instruments(otel: Any) -> None:
    tel = make(otel)
    instruments = tel.handler._instruments  # private: this is the tripwire
    assert tel.duration_histogram is instruments.operation_duration
    assert tel.token_histogram is instruments.token_usage


def test_record_unsampled_lands_in_the_same_metric_streams(otel: Any) -> None:
    tel = make(otel)
    call = tel.inference("openai", request_model="m")
    call.inv.input_tokens, call.inv.output_tokens = 3, 4
    tel.stop(call)
    attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "m"}
    tel.record_unsampled(attrs, timeit.default_timer(), 10, 20)
    metrics = otel.metrics()
    durations = metrics["gen_ai.client.operation.duration"]
    assert sum(p.count for p in durations) == 2
    # Same attributes, same instrument: both calls fall into one data point per token type.
    tokens = {(p.attributes["gen_ai.token.type"], p.sum) for p in metrics["gen_ai.client.token.usage"]}
    assert tokens == {("input", 13), ("output", 24)}


def _parent(sampled: bool) -> Any:
    ctx = SpanContext(
        trace_id=0x1234,
        span_id=0x99,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT),
    )
    return trace.set_span_in_context(NonRecordingSpan(ctx))


def test_skip_span_follows_parent_based_sampling(otel: Any) -> None:
    tel = make(otel)  # the SDK default sampler: ParentBased(ALWAYS_ON)
    assert tel.skip_span() is False
    assert tel.skip_span(_parent(sampled=False)) is True
    assert tel.skip_span(_parent(sampled=True)) is False


def test_skip_span_with_always_off_and_always_on(otel: Any) -> None:
    off = GenAITelemetry(
        scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ALWAYS_OFF)
    )
    assert off.skip_span() is True
    root_off = GenAITelemetry(
        scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    )
    assert root_off.skip_span() is True
    assert root_off.skip_span(_parent(sampled=True)) is False
    on = GenAITelemetry(
        scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ALWAYS_ON)
    )
    assert on.skip_span(_parent(sampled=False)) is False  # ALWAYS_ON ignores the parent


def test_inference_inside_inference_is_suppressed_and_merges(otel: Any) -> None:
    tel = make(otel)
    outer = tel.inference("openai", request_model="outer")
    inner = tel.inference("openai", request_model="inner")
    assert outer.suppressed is False and inner.suppressed is True
    inner.inv.output_tokens = 7
    inner.inv.attributes["x.inner"] = "yes"
    tel.stop(inner)
    tel.stop(outer)
    span = otel.span("chat outer")
    assert span.attributes["gen_ai.usage.output_tokens"] == 7
    assert span.attributes["x.inner"] == "yes"
    assert len(otel.spans()) == 1


def test_stop_and_fail_are_idempotent_and_never_raise(otel: Any) -> None:
    tel = make(otel)
    call = tel.inference("openai", request_model="m")
    tel.fail(call, Error(message="bad", type="custom.type"))
    tel.stop(call)
    tel.fail(call, ValueError("again"))
    span = otel.span("chat m")
    assert span.status.status_code == trace.StatusCode.ERROR
    assert span.attributes["error.type"] == "custom.type"


def test_suspend_restores_the_callers_context(otel: Any) -> None:
    tel = make(otel)
    before = trace.get_current_span()
    call = tel.inference("openai", request_model="m")
    assert trace.get_current_span() is call.span
    call.inv.suspend()
    assert trace.get_current_span() is before
    call.inv.record_stream_chunk()
    tel.stop(call)
    assert "gen_ai.response.time_to_first_chunk" in otel.span("chat m").attributes


def test_fetch_response_and_embedding_spans(otel: Any) -> None:
    tel = make(otel)
    fetch = tel.fetch_response("openai", response_id="resp_1", server_address="h", server_port=1)
    tel.stop(fetch)
    emb = tel.embedding("openai", request_model="e")
    emb.inv.input_tokens = 5
    tel.stop(emb)
    names = sorted(s.name for s in otel.spans())
    assert names == ["embeddings e", "fetch_response"]
    assert otel.span("fetch_response").attributes["gen_ai.response.id"] == "resp_1"
