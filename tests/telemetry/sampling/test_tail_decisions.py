"""What the tail sampler keeps and why: errors, slow, expensive, forced, per-workflow ratios, the trace-id
ratio (agreeing with the SDK's TraceIdRatioBased), and the attributes kept spans carry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import Decision, TraceIdRatioBased
from opentelemetry.trace import Status, StatusCode
from sampling_support import Pipeline

from agent_otel.telemetry.sampling import TailSamplingPolicy, force_keep

REASON = "agent_otel.sampling.reason"
RATIO = "agent_otel.sampling.ratio"


@pytest.fixture
def make() -> Iterator[type[Pipeline]]:
    made: list[Pipeline] = []

    def build(policy: TailSamplingPolicy | None = None, **kw: object) -> Pipeline:
        p = Pipeline(policy, **kw)  # type: ignore[arg-type]
        made.append(p)
        return p

    yield build  # type: ignore[misc]
    for p in made:
        p.close()


def run(
    p: Pipeline,
    name: str = "invoke_workflow flow",
    children: int = 2,
    fail: int | None = None,
    attrs: dict[str, object] | None = None,
) -> int:
    """One trace: a root and `children` children; child `fail` (or the root, fail=-1) fails."""
    with p.tracer.start_as_current_span(name, attributes=attrs) as root:
        for i in range(children):
            with p.tracer.start_as_current_span(f"child {i}") as child:
                if fail == i:
                    child.set_status(Status(StatusCode.ERROR, "boom"))
        if fail == -1:
            root.set_status(Status(StatusCode.ERROR, "boom"))
    return root.get_span_context().trace_id


def test_error_in_a_child_keeps_the_whole_trace_with_reason_error(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0))
    quiet = run(p)
    failing = run(p, fail=0)
    assert p.kept() == {failing}
    assert quiet not in p.kept()
    spans = p.spans()
    assert len(spans) == 3 and {s.attributes[REASON] for s in spans} == {"error"}
    assert all(RATIO not in s.attributes for s in spans)


def test_error_type_attribute_alone_keeps_the_trace(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0))
    with p.tracer.start_as_current_span("execute_tool search") as span:
        span.set_attribute("error.type", "tool_error")  # an MCP tool error: status stays UNSET
    assert p.kept() == {span.get_span_context().trace_id}


def test_last_span_error_rescues_the_whole_trace(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0))
    trace_id = run(p, children=5, fail=-1)  # five quiet children, then the root (the last span) fails
    assert p.spans_per_trace() == {trace_id: 6}
    assert {s.attributes[REASON] for s in p.spans()} == {"error"}


def test_quiet_traces_are_kept_by_trace_id_ratio_with_reason_and_ratio(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.5))
    ids = [run(p) for _ in range(40)]
    sdk = TraceIdRatioBased(0.5)
    expected = {t for t in ids if sdk.should_sample(None, t, "x").decision is Decision.RECORD_AND_SAMPLE}
    assert p.kept() == expected and 0 < len(expected) < 40
    assert all(s.attributes[REASON] == "ratio" and s.attributes[RATIO] == 0.5 for s in p.spans())


def test_ratio_agrees_with_the_sdk_over_10000_trace_ids_and_keeps_ten_percent(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.1))
    ids = []
    for _ in range(10_000):
        with p.tracer.start_as_current_span("run") as span:
            pass
        ids.append(span.get_span_context().trace_id)
    sdk = TraceIdRatioBased(0.1)
    expected = {t for t in ids if sdk.should_sample(None, t, "run").decision is Decision.RECORD_AND_SAMPLE}
    assert p.kept() == expected
    assert 910 <= len(expected) <= 1090  # 10% of 10,000 within three standard deviations (30)


def test_per_workflow_rates_by_root_span_name_and_workflow_name(make: type[Pipeline]) -> None:
    policy = TailSamplingPolicy(ratio=0.0, rates={"invoke_workflow rare": 1.0, "billing": 1.0})
    p = make(policy)
    rare = run(p, name="invoke_workflow rare")
    busy = run(p, name="invoke_workflow busy")
    named = run(p, name="POST /chat", attrs={"gen_ai.workflow.name": "billing"})
    assert p.kept() == {rare, named}
    assert busy not in p.kept()
    assert {s.attributes[RATIO] for s in p.spans()} == {1.0}


def test_span_ending_after_the_slow_threshold_keeps_the_trace(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0, slow_s=30))
    root = p.tracer.start_span("invoke_agent planner", start_time=1_000_000_000_000)
    with trace.use_span(root, end_on_exit=False):
        child = p.tracer.start_span("chat", start_time=1_000_000_000_000)
    child.end(end_time=1_000_000_000_000 + 31 * 10**9)
    root.end(end_time=1_000_000_000_000 + 32 * 10**9)
    assert p.spans_per_trace() == {root.get_span_context().trace_id: 2}
    assert {s.attributes[REASON] for s in p.spans()} == {"slow"}
    fast = run(p)
    assert fast not in p.kept()


def test_running_trace_past_the_slow_threshold_is_kept_at_once(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0, slow_s=30))
    with p.tracer.start_as_current_span("invoke_workflow long") as root:
        with p.tracer.start_as_current_span("step 1"):
            pass
        p.clock.advance(31)
        p.sampler.sweep()
        assert [s.name for s in p.spans()] == ["step 1"]  # kept while the root still runs
        with p.tracer.start_as_current_span("step 2"):
            pass
    assert p.spans_per_trace() == {root.get_span_context().trace_id: 3}
    assert {s.attributes[REASON] for s in p.spans()} == {"slow"}


def test_tokens_over_the_threshold_keep_the_trace_without_counting_roll_ups(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0, tokens=100))
    usage = {
        "gen_ai.operation.name": "chat",
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 10,
    }
    rollup = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 10,
    }
    with (
        p.tracer.start_as_current_span("invoke_agent cheap", attributes=rollup),
        p.tracer.start_as_current_span("chat", attributes=usage),
    ):
        pass
    assert p.kept() == set()  # 60 tokens: the agent's roll-up of the same 60 is not added
    with p.tracer.start_as_current_span("invoke_agent dear") as dear:
        for _ in range(2):
            with p.tracer.start_as_current_span("chat", attributes=usage):
                pass
    assert p.kept() == {dear.get_span_context().trace_id}
    assert {s.attributes[REASON] for s in p.spans()} == {"expensive"}


def test_cost_over_the_threshold_keeps_the_trace(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0, cost=0.5))
    with (
        p.tracer.start_as_current_span("invoke_agent dear") as root,
        p.tracer.start_as_current_span("chat", attributes={"gen_ai.usage.cost.amount": 0.75}),
    ):
        pass
    assert p.kept() == {root.get_span_context().trace_id}


def test_force_keep_keeps_a_trace_the_ratio_would_drop(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=0.0))
    with p.tracer.start_as_current_span("invoke_workflow flow") as root, p.tracer.start_as_current_span("c"):
        force_keep()
    assert p.spans_per_trace() == {root.get_span_context().trace_id: 2}
    assert {s.attributes[REASON] for s in p.spans()} == {"forced"}


def test_kept_spans_keep_everything_else_of_the_original(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=1.0))
    with p.tracer.start_as_current_span("root", attributes={"a": 1}) as root:
        root.add_event("e", {"k": "v"})
    (span,) = p.spans()
    assert dict(span.attributes) == {"a": 1, REASON: "ratio", RATIO: 1.0}
    assert span.context == root.get_span_context() and span.name == "root"
    assert [e.name for e in span.events] == ["e"] and span.end_time == root.end_time


def test_ratio_kept_traces_lose_content_when_ratio_content_is_off(make: type[Pipeline]) -> None:
    p = make(TailSamplingPolicy(ratio=1.0, ratio_content=False))
    content = {
        "gen_ai.input.messages": "[...]",
        "gen_ai.output.messages": "[...]",
        "agent_otel.content.truncated": True,
        "gen_ai.request.model": "m",
    }
    with p.tracer.start_as_current_span("chat", attributes=content):
        pass
    with p.tracer.start_as_current_span("chat", attributes=content) as failing:
        failing.set_status(Status(StatusCode.ERROR))
    by_reason = {s.attributes[REASON]: dict(s.attributes) for s in p.spans()}
    assert "gen_ai.input.messages" not in by_reason["ratio"]
    assert "agent_otel.content.truncated" not in by_reason["ratio"]  # no content, nothing was cut
    assert by_reason["ratio"]["gen_ai.request.model"] == "m"
    assert by_reason["error"]["gen_ai.input.messages"] == "[...]"  # full content where someone will debug
