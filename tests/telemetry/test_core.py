"""The telemetry core (`telemetry/core.py`, `model_call.py`, `model_paths.py`): which path a model call
takes, and what each path emits, driven through the interface every adapter uses."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.context import attach, detach
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, StatusCode, TraceFlags
from opentelemetry.util.genai.handler import TelemetryHandler

from agent_otel.config import Settings
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.facts import AgentFacts, ModelRequest, ProviderError
from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.model_paths import NestedCall, NullCall, UnsampledCall
from agent_otel.telemetry.recorded import RecordedCall
from agent_otel.version import __version__


def make(otel: Any, **kw: Any) -> Telemetry:
    return Telemetry(scope_name="test.core", settings=kw.pop("settings", Settings()), **otel.providers, **kw)


def parent(sampled: bool) -> Any:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    return trace.set_span_in_context(NonRecordingSpan(SpanContext(0x1234, 0x99, True, flags)))


def chat(tel: Telemetry, model: str = "m", **kw: Any) -> ModelCall:
    return tel.model_call(ModelRequest("openai", "chat", model), **kw)


def test_skip_span_follows_parent_based_sampling(otel: Any) -> None:
    tel = make(otel)  # the SDK default sampler: ParentBased(ALWAYS_ON)
    assert tel.skip_span() is False
    assert tel.skip_span(parent(sampled=False)) is True
    assert tel.skip_span(parent(sampled=True)) is False


def test_skip_span_with_always_off_and_always_on(otel: Any) -> None:
    off = Telemetry(scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ALWAYS_OFF))
    assert off.skip_span() is True
    root_off = Telemetry(
        scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    )
    assert root_off.skip_span() is True
    assert root_off.skip_span(parent(sampled=True)) is False
    on = Telemetry(scope_name="t", settings=Settings(), tracer_provider=TracerProvider(sampler=ALWAYS_ON))
    assert on.skip_span(parent(sampled=False)) is False  # ALWAYS_ON ignores the parent


def test_the_path_is_chosen_once_at_the_start(otel: Any) -> None:
    tel = make(otel)
    assert isinstance(chat(tel, attach=False), RecordedCall)
    assert isinstance(chat(tel, context=parent(False), attach=False), UnsampledCall)
    off = make(otel, settings=Settings(unsampled_metrics=False))
    quiet = chat(off, context=parent(False), attach=False)
    assert type(quiet) is NullCall  # nothing to record and no agent to roll up into
    outer = chat(tel)
    assert isinstance(chat(tel), NestedCall)
    outer.end()


class CountingReader:
    """A response reader and stream accumulator that only counts how often the core runs it."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    def read(self, response: Any, result: Any, content: Any) -> None:
        self.runs.append("read")

    def read_usage(self, response: Any, result: Any) -> None:
        self.runs.append("read_usage")

    def on_chunk(self, chunk: Any) -> None:
        self.runs.append("on_chunk")

    def finish(self, response: Any, content: Any) -> None:
        self.runs.append("finish")


def test_a_call_with_nothing_to_record_runs_no_reader_and_no_accumulator(otel: Any) -> None:
    off = make(otel, settings=Settings(unsampled_metrics=False))
    reader = CountingReader()
    plain = chat(off, context=parent(False), attach=False)
    plain.read_response(reader, object())
    plain.end()
    streamed = chat(off, context=parent(False), attach=False)
    streamed.end_stream("exhausted", None, reader)
    assert reader.runs == []
    assert plain.ended and streamed.ended


def test_a_recorded_call_starts_with_every_request_attribute(otel: Any) -> None:
    tel = make(otel)
    request = ModelRequest("openai", "chat", "m", "h", 1, temperature=0.5, seed=3)
    request.attributes["openai.api.type"] = "chat_completions"
    call = tel.model_call(request, attach=False)
    call.response.usage.input, call.response.usage.output = 3, 4
    call.end()
    span = otel.span("chat m")
    assert span.kind is trace.SpanKind.CLIENT
    attrs = dict(span.attributes)
    assert attrs["gen_ai.request.temperature"] == 0.5 and attrs["gen_ai.request.seed"] == 3
    assert attrs["openai.api.type"] == "chat_completions"
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (3, 4)


def test_unsampled_calls_land_in_the_recorded_calls_metric_streams(otel: Any) -> None:
    tel = make(otel)
    recorded = chat(tel, attach=False)
    recorded.response.usage.input, recorded.response.usage.output = 3, 4
    recorded.end()
    unsampled = chat(tel, context=parent(False), attach=False)
    unsampled.response.usage.input, unsampled.response.usage.output = 10, 20
    unsampled.end()
    metrics = otel.metrics()
    assert sum(p.count for p in metrics["gen_ai.client.operation.duration"]) == 2
    tokens = {(p.attributes["gen_ai.token.type"], p.sum) for p in metrics["gen_ai.client.token.usage"]}
    assert tokens == {("input", 13), ("output", 24)}
    assert [s.name for s in otel.spans()] == ["chat m"]


def test_our_instruments_are_util_genais_so_both_share_metric_streams(otel: Any, caplog: Any) -> None:
    """util-genai on the same meter records into the very same histograms: same name, unit, description
    and buckets (a difference would be a duplicate-instrument conflict, logged by the SDK)."""
    tel = make(otel)
    ours = chat(tel, attach=False)
    ours.response.usage.input = 5
    ours.end()
    handler = TelemetryHandler(
        **otel.providers, instrumentation_scope_name="test.core", instrumentation_scope_version=__version__
    )
    theirs = handler.inference("openai", request_model="m")
    theirs.input_tokens = 7
    theirs.stop()
    (duration,) = [m for m in _metrics(otel) if m.name == "gen_ai.client.operation.duration"]
    assert sum(p.count for p in duration.data.data_points) == 2
    bounds = {tuple(p.explicit_bounds) for p in duration.data.data_points}
    assert len(bounds) == 1
    assert not [r for r in caplog.records if "has been created already" in r.getMessage()]


def _metrics(otel: Any) -> list[Any]:
    data = otel.metric_reader.get_metrics_data()
    return [m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]


def test_inference_inside_inference_is_merged_into_one_span(otel: Any) -> None:
    tel = make(otel)
    outer = chat(tel, "outer")
    inner = chat(tel, "inner")
    assert isinstance(inner, NestedCall)
    inner.response.usage.output = 7
    inner.set_attribute("x.inner", "yes")
    inner.end()
    outer.end()
    span = otel.span("chat outer")
    assert span.attributes["gen_ai.usage.output_tokens"] == 7
    assert span.attributes["x.inner"] == "yes"
    assert span.attributes["gen_ai.request.model"] == "outer"  # the outer call's own facts win
    assert len(otel.spans()) == 1


def test_an_official_invocation_inside_ours_merges_into_our_span(otel: Any) -> None:
    tel = make(otel)
    ours = chat(tel, "gpt-4o")
    handler = TelemetryHandler(**otel.providers)
    inner = handler.inference("openai", request_model="gpt-4o", server_address="api.example", server_port=443)
    inner.input_tokens, inner.output_tokens, inner.response_model_name = 11, 2, "gpt-4o-2024-08-06"
    inner.stop()
    ours.end()
    (span,) = otel.spans()
    assert span.instrumentation_scope.name == "test.core"
    attrs = dict(span.attributes)
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (11, 2)
    assert attrs["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert attrs["server.address"] == "api.example"
    tokens = otel.metrics()["gen_ai.client.token.usage"]
    assert sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "input") == 11


def test_a_call_of_ours_inside_an_official_invocation_publishes_into_it(otel: Any) -> None:
    tel = make(otel)
    handler = TelemetryHandler(**otel.providers)
    theirs = handler.inference("openai", request_model="m")
    ours = chat(tel)
    assert isinstance(ours, NestedCall)
    ours.response.usage.input = 9
    ours.set_attribute("openai.api.type", "chat_completions")
    ours.end()
    theirs.stop()
    (span,) = otel.spans()
    assert span.attributes["gen_ai.usage.input_tokens"] == 9
    assert span.attributes["openai.api.type"] == "chat_completions"


def test_a_call_inside_an_unsampled_one_records_nothing_twice(otel: Any) -> None:
    tel = make(otel)
    outer = chat(tel, context=parent(False))
    inner = chat(tel)
    assert type(inner) is NullCall
    inner.response.usage.input = 100
    inner.end()
    outer.response.usage.input = 5
    outer.end()
    tokens = otel.metrics()["gen_ai.client.token.usage"]
    assert sum(p.sum for p in tokens) == 5


def test_endings_are_idempotent_and_never_raise(otel: Any) -> None:
    tel = make(otel)
    call = chat(tel, attach=False)
    call.fail(ProviderError("custom.type", "bad"))
    call.end()
    call.fail(ValueError("again"))
    call.end_stream("closed")
    span = otel.span("chat m")
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "custom.type"
    assert "agent_otel.stream.end" not in span.attributes


def test_suspend_restores_the_callers_context(otel: Any) -> None:
    tel = make(otel)
    before = trace.get_current_span()
    call = chat(tel)
    assert trace.get_current_span() is call.span
    call.suspend()
    assert trace.get_current_span() is before
    call.chunk()
    call.end()
    attrs = otel.span("chat m").attributes
    assert "gen_ai.response.time_to_first_chunk" in attrs
    assert attrs["gen_ai.request.stream"] is True


def test_fetch_response_and_embedding_spans(otel: Any) -> None:
    tel = make(otel)
    request = ModelRequest(
        "openai", "fetch_response", server_address="h", server_port=1, response_id="resp_1"
    )
    fetch = tel.model_call(request, attach=False)
    fetch.response.status = "completed"
    fetch.end()
    emb = tel.model_call(ModelRequest("openai", "embeddings", "e"), attach=False)
    emb.response.usage.input = 5
    emb.response.dimension_count = 3
    emb.end()
    assert sorted(s.name for s in otel.spans()) == ["embeddings e", "fetch_response"]
    fetched = otel.span("fetch_response").attributes
    assert fetched["gen_ai.response.id"] == "resp_1" and fetched["gen_ai.response.status"] == "completed"
    assert "gen_ai.usage.input_tokens" not in fetched
    embedded = otel.span("embeddings e").attributes
    assert (embedded["gen_ai.usage.input_tokens"], embedded["gen_ai.embeddings.dimension.count"]) == (5, 3)
    tokens = otel.metrics()["gen_ai.client.token.usage"]
    assert [p.attributes["gen_ai.token.type"] for p in tokens] == ["input"]


def test_model_calls_inherit_the_conversation_of_their_agent(otel: Any) -> None:
    tel = make(otel)
    agent = tel.agent(AgentFacts("a", conversation_id="thread-1"))
    token = attach(agent.context)
    try:
        call = chat(tel, attach=False)
        call.end()
    finally:
        detach(token)
    agent.end()
    assert otel.span("chat m").attributes["gen_ai.conversation.id"] == "thread-1"
    assert otel.span("chat m").attributes["gen_ai.agent.name"] == "a"


@pytest.mark.parametrize("operation", ["chat", "embeddings"])
def test_a_fault_in_the_core_still_ends_the_span(
    otel: Any, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    from agent_otel.telemetry import recorded

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("core bug")

    monkeypatch.setattr(recorded.at, "response_attributes", broken)
    tel = make(otel)
    call = tel.model_call(ModelRequest("openai", operation, "m"), attach=False)
    call.fail(ValueError("the app's error"))
    (span,) = otel.spans()
    assert span.end_time is not None
    assert span.status.status_code == StatusCode.ERROR
    assert span.status.description == "ValueError"  # never the raw message


def test_a_completion_hook_gets_the_content_whatever_the_mode(
    otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent_otel.telemetry.messages import InputMessage, OutputMessage, TextPart

    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    seen: list[dict[str, Any]] = []

    class Hook:
        def on_completion(self, **kwargs: Any) -> None:
            seen.append(kwargs)

    tel = make(otel, completion_hook=Hook())
    call = chat(tel, attach=False)
    assert call.content is not None  # a hook makes the adapters read content
    call.content.input_messages = [InputMessage(role="user", parts=[TextPart(content="hi")])]
    call.content.output_messages = [OutputMessage(role="assistant", parts=[], finish_reason="stop")]
    call.end()
    (kwargs,) = seen
    assert kwargs["inputs"][0].parts[0].content == "hi" and kwargs["span"] is call.span
    assert "gen_ai.input.messages" not in otel.span("chat m").attributes  # NO_CONTENT: not on the span


def test_event_only_puts_content_on_the_details_event_not_the_span(
    otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent_otel.telemetry.messages import InputMessage, TextPart

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "EVENT_ONLY")
    tel = make(otel)
    call = chat(tel, attach=False)
    assert call.content is not None
    call.content.input_messages = [InputMessage(role="user", parts=[TextPart(content="hi")])]
    call.response.usage.input = 2
    call.end()
    assert "gen_ai.input.messages" not in otel.span("chat m").attributes
    (log,) = otel.logs()
    record = getattr(log, "log_record", log)
    assert record.event_name == "gen_ai.client.inference.operation.details"
    assert record.attributes["gen_ai.input.messages"][0]["parts"][0]["content"] == "hi"
    assert record.attributes["gen_ai.usage.input_tokens"] == 2
