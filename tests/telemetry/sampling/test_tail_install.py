"""`AGENT_OTEL_SAMPLING=tail` through the real instrumentors: the sampler goes in front of the processors
already configured (idempotently, whichever instrumentor runs first), metrics stay exact, log events
follow; the SDK internals the installer and the fast span copy rely on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import openai
import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NoOpTracerProvider, Status, StatusCode

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.telemetry.sampling import TailSamplingLogRecordProcessor, TailSamplingSpanProcessor
from agent_otel.telemetry.sampling._sdk import attribute_dict
from agent_otel.telemetry.sampling.export import kept_span
from agent_otel.telemetry.sampling.install import install, installed
from agent_otel.testing import FakeOpenAIServer, Reply

USER = [{"role": "user", "content": "hi"}]


def test_sampling_tail_keeps_the_failing_call_samples_the_rest_and_metrics_stay_exact(
    otel: Any, server: FakeOpenAIServer, instrument: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_OTEL_SAMPLING", "tail")
    monkeypatch.setenv("AGENT_OTEL_SAMPLING_RATIO", "0")
    instrument(content="EVENT_ONLY", openai=True, langchain=True)
    sampler = installed(otel.tracer_provider)
    assert isinstance(sampler, TailSamplingSpanProcessor)
    assert otel.tracer_provider._active_span_processor._span_processors == (sampler,)  # one, not two
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
    for _ in range(5):
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    server.enqueue(Reply.error(400, "bad model", code="bad_model"))
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="nope", messages=USER)
    (span,) = otel.spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["agent_otel.sampling.reason"] == "error"
    durations = otel.metrics()["gen_ai.client.operation.duration"]
    assert sum(point.count for point in durations) == 6  # recorded before sampling: exact
    names = [getattr(r, "log_record", r).event_name for r in otel.logs()]
    # The five quiet calls' content events were dropped with their traces; the failing call's are kept.
    assert sorted(names) == ["gen_ai.client.inference.operation.details", "gen_ai.client.operation.exception"]


def test_install_is_idempotent_and_keeps_the_processors_and_their_order() -> None:
    provider = TracerProvider()
    first, second = InMemorySpanExporter(), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(first))
    provider.add_span_processor(SimpleSpanProcessor(second))
    logger_provider = LoggerProvider()
    sampler = install(tracer_provider=provider, logger_provider=logger_provider)
    assert install(tracer_provider=provider, logger_provider=logger_provider) is sampler
    assert provider._active_span_processor._span_processors == (sampler,)
    (log_sampler,) = logger_provider._multi_log_record_processor._log_record_processors
    assert isinstance(log_sampler, TailSamplingLogRecordProcessor)
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("failing") as span:
        span.set_status(Status(StatusCode.ERROR))
    assert (
        [s.name for s in first.get_finished_spans()]
        == ["failing"]
        == [s.name for s in second.get_finished_spans()]
    )
    provider.shutdown()


def test_instrument_without_an_sdk_provider_warns_and_traces_as_before(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AGENT_OTEL_SAMPLING", "tail")
    inst = OpenAIInstrumentor()
    inst.instrument(tracer_provider=NoOpTracerProvider())
    try:
        assert inst.is_instrumented_by_opentelemetry
        assert any(
            "tail sampling needs" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
        )
    finally:
        inst.uninstrument()


def test_sdk_private_processor_lists_the_installer_relies_on() -> None:
    """Contract: the SDK's providers keep their processors in a tuple guarded by a lock, iterated on every
    span and record. If this fails, install.py needs another way in front of the exporting processors."""
    multi = TracerProvider()._active_span_processor
    assert isinstance(multi._span_processors, tuple) and hasattr(multi._lock, "acquire")
    logs = LoggerProvider()._multi_log_record_processor
    assert isinstance(logs._log_record_processors, tuple) and hasattr(logs._lock, "acquire")


def test_fast_span_copy_and_attribute_reads_match_the_public_api() -> None:
    """Contract for _sdk.py: the fast paths give what the public properties give."""
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("s", attributes={"a": 1, "b": [1, 2]}) as live:
        live.add_event("e", {"x": 1})
    (original,) = exporter.get_finished_spans()
    assert type(original) is ReadableSpan
    assert attribute_dict(original) == dict(original.attributes)
    kept = kept_span(original, {"k": "v"})
    public = [
        "name",
        "context",
        "parent",
        "resource",
        "events",
        "links",
        "kind",
        "status",
        "start_time",
        "end_time",
        "instrumentation_scope",
        "dropped_attributes",
        "dropped_events",
        "dropped_links",
    ]
    for name in public:
        assert getattr(kept, name) == getattr(original, name), name
    assert dict(kept.attributes) == {**original.attributes, "k": "v"}
    assert "k" not in original.attributes  # the original is not changed
    assert kept.to_json()  # the console exporter's path works on the copy
    provider.shutdown()


def test_langchain_instrumentor_alone_installs_the_sampler(
    otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_OTEL_SAMPLING", "tail")
    inst = LangChainInstrumentor()
    inst.instrument(**otel.providers)
    try:
        assert isinstance(installed(otel.tracer_provider), TailSamplingSpanProcessor)
    finally:
        inst.uninstrument()
