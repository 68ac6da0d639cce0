"""When a trace is decided: late children, background work after the root, remote-parent roots, the
memory bounds (counted evictions), the decision wait, force_flush and shutdown."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, StatusCode, TraceFlags
from sampling_support import Pipeline

from agent_otel.telemetry.sampling import TailSamplingPolicy

REASON = "agent_otel.sampling.reason"
TRACES = "agent_otel.sampling.traces"


@pytest.fixture
def pipelines() -> Iterator[list[Pipeline]]:
    made: list[Pipeline] = []
    yield made
    for p in made:
        p.close()


def new(pipelines: list[Pipeline], **policy: object) -> Pipeline:
    p = Pipeline(TailSamplingPolicy(**policy))  # type: ignore[arg-type]
    pipelines.append(p)
    return p


def test_child_ending_after_the_root_is_buffered_and_its_error_keeps_the_trace(
    pipelines: list[Pipeline],
) -> None:
    p = new(pipelines, ratio=0.0)
    root = p.tracer.start_span("invoke_agent a")
    child = p.tracer.start_span("execute_tool t", context=trace.set_span_in_context(root))
    root.end()  # the root ends first: the trace is not finished while its child runs
    assert p.spans() == [] and p.sampler.stats()["pending_traces"] == 1
    child.set_status(Status(StatusCode.ERROR))
    child.end()
    assert sorted(s.name for s in p.spans()) == ["execute_tool t", "invoke_agent a"]


def test_quiet_child_ending_after_the_root_of_a_dropped_trace_is_not_exported(
    pipelines: list[Pipeline],
) -> None:
    p = new(pipelines, ratio=0.0)
    root = p.tracer.start_span("invoke_agent a")
    child = p.tracer.start_span("chat", context=trace.set_span_in_context(root))
    root.end()
    child.end()
    assert p.spans() == []
    assert p.sampler.stats()["pending_traces"] == 0 and p.sampler.stats()["buffered_items"] == 0


def test_background_work_started_after_the_root_follows_the_decision(pipelines: list[Pipeline]) -> None:
    dropped, kept = new(pipelines, ratio=0.0), new(pipelines, ratio=1.0)
    for p in (dropped, kept):
        with p.tracer.start_as_current_span("invoke_workflow w") as root:
            pass
        ctx = trace.set_span_in_context(root)  # e.g. a fire-and-forget task holding the root's context
        with p.tracer.start_as_current_span("background", context=ctx) as bg:
            bg.set_status(Status(StatusCode.ERROR))  # too late: the trace was decided when the root ended
    assert dropped.spans() == []
    assert dropped.sampler.stats()["late_spans"] == {True: 0, False: 1}
    assert sorted((s.name, s.attributes[REASON]) for s in kept.spans()) == [
        ("background", "ratio"),
        ("invoke_workflow w", "ratio"),
    ]


def test_background_error_within_the_decision_wait_rescues_the_trace(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=0.0, decision_wait_s=2.0)
    with p.tracer.start_as_current_span("invoke_workflow w") as root:
        pass
    p.clock.advance(1)
    p.sampler.sweep()
    with p.tracer.start_as_current_span("background", context=trace.set_span_in_context(root)) as bg:
        bg.set_status(Status(StatusCode.ERROR))
    assert {(s.name, s.attributes[REASON]) for s in p.spans()} == {
        ("invoke_workflow w", "error"),
        ("background", "error"),
    }
    with p.tracer.start_as_current_span("invoke_workflow quiet"):
        pass
    p.sampler.sweep()
    assert p.sampler.stats()["pending_traces"] == 1  # waiting
    p.clock.advance(2.5)
    p.sampler.sweep()
    assert p.sampler.stats()["pending_traces"] == 0 and len(p.spans()) == 2  # decided: dropped


def test_span_with_a_remote_parent_opens_a_tail_sampled_trace(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=0.0, rates={"tools/call get_weather": 1.0})
    remote = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    ctx = trace.set_span_in_context(NonRecordingSpan(remote))
    with (
        p.tracer.start_as_current_span("tools/call search", context=ctx, kind=trace.SpanKind.SERVER),
        p.tracer.start_as_current_span("execute_tool search"),
    ):
        pass
    assert p.spans() == []  # an MCP server's quiet part: sampled out like any other trace
    failing = SpanContext(0xABE, 0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    token = context_api.attach(trace.set_span_in_context(NonRecordingSpan(failing)))
    try:
        with p.tracer.start_as_current_span("tools/call search") as server:
            server.set_status(Status(StatusCode.ERROR))
    finally:
        context_api.detach(token)
    assert [s.name for s in p.spans()] == ["tools/call search"]
    remote2 = SpanContext(0xABD, 0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    ctx2 = trace.set_span_in_context(NonRecordingSpan(remote2))
    with p.tracer.start_as_current_span("tools/call get_weather", context=ctx2):
        pass  # the remote-parent root names the workflow: its rate (1.0) applies
    assert [s.attributes[REASON] for s in p.spans() if s.context.trace_id == 0xABD] == ["ratio"]


def test_max_traces_decides_the_oldest_by_ratio_counts_and_warns(
    pipelines: list[Pipeline], caplog: pytest.LogCaptureFixture
) -> None:
    p = new(pipelines, ratio=1.0, max_traces=3)
    roots = []
    for i in range(4):
        root = p.tracer.start_span(f"run {i}")
        with p.tracer.start_as_current_span("step", context=trace.set_span_in_context(root)):
            pass
        roots.append(root)
    assert [s.name for s in p.spans()] == ["step"]  # run 0 was evicted: decided now (kept at ratio 1)
    assert p.sampler.stats()["pending_traces"] == 3
    roots[0].end()  # its late root follows the decision
    assert sorted(s.name for s in p.spans()) == ["run 0", "step"]
    points = p.metric_points(TRACES)
    key = (
        ("agent_otel.sampling.decision", "keep"),
        ("agent_otel.sampling.reason", "ratio"),
        ("agent_otel.sampling.trigger", "max_traces"),
    )
    assert points[key] == 1
    assert any("max_traces" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    for root in roots[1:]:
        root.end()


def test_evicted_trace_dropped_by_ratio_drops_its_late_spans(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=0.0, max_traces=1)
    first = p.tracer.start_span("run 0")
    second = p.tracer.start_span("run 1")  # evicts run 0: dropped by ratio
    with p.tracer.start_as_current_span("late", context=trace.set_span_in_context(first)) as late:
        late.set_status(Status(StatusCode.ERROR))
    first.end()
    second.end()
    assert p.spans() == []
    assert p.sampler.stats()["decisions"][(False, "ratio", "max_traces")] == 1


def test_max_spans_per_trace_decides_the_trace_early(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=1.0, max_spans_per_trace=3)
    with p.tracer.start_as_current_span("root"):
        for i in range(5):
            with p.tracer.start_as_current_span(f"step {i}"):
                pass
        assert len(p.spans()) == 5  # the third decided it (kept at ratio 1); steps 3 and 4 streamed
    assert len(p.spans()) == 6
    assert p.sampler.stats()["decisions"] == {(True, "ratio", "max_spans_per_trace"): 1}


def test_max_trace_age_decides_a_trace_whose_span_never_ends(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=1.0, slow_s=None, max_trace_age_s=600)
    root = p.tracer.start_span("interrupted run")
    with p.tracer.start_as_current_span("step", context=trace.set_span_in_context(root)):
        pass
    p.clock.advance(601)
    p.sampler.sweep()
    assert [s.name for s in p.spans()] == ["step"]
    assert p.sampler.stats()["decisions"] == {(True, "ratio", "max_trace_age"): 1}
    root.end()


@pytest.mark.parametrize("how", ["force_flush", "shutdown"])
def test_force_flush_and_shutdown_decide_pending_traces(pipelines: list[Pipeline], how: str) -> None:
    p = new(pipelines, ratio=1.0)
    root = p.tracer.start_span("still running")
    with p.tracer.start_as_current_span("done", context=trace.set_span_in_context(root)):
        pass
    getattr(p.provider, how)()
    assert [s.name for s in p.spans()] == ["done"]
    assert p.sampler.stats()["pending_traces"] == 0 and p.sampler.stats()["buffered_items"] == 0
    root.end()
    if how == "force_flush":
        assert sorted(s.name for s in p.spans()) == ["done", "still running"]
