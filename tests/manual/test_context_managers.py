"""`with` and `async with`: the same spans as the decorators, re-entrant and safe across tasks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import StatusCode

from agent_otel import manual


class Boom(Exception):
    pass


def test_sync_context_manager(tel: Any) -> None:
    with manual.agent("writer", model="gpt-4o") as op:
        assert isinstance(op, manual.AgentOperation)
        assert op.span.is_recording()
        assert trace.get_current_span() is op.span
        op.set_attributes({"app.draft": 2})
    assert trace.get_current_span() is trace.INVALID_SPAN
    span = tel.span("invoke_agent writer")
    assert span.attributes["gen_ai.request.model"] == "gpt-4o"
    assert span.attributes["app.draft"] == 2
    assert span.end_time is not None


def test_exception_in_the_block_passes_through_and_marks_error(tel: Any) -> None:
    error = Boom("in block")
    with pytest.raises(Boom) as raised, manual.tool("risky"):
        raise error
    assert raised.value is error
    assert tel.span("execute_tool risky").status.status_code is StatusCode.ERROR
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_async_context_manager(tel: Any) -> None:
    async with manual.workflow("flow") as flow, manual.agent("inner") as inner:
        await asyncio.sleep(0)
        assert trace.get_current_span() is inner.span
    assert flow.span.end_time is not None  # type: ignore[attr-defined]
    inner_span = tel.span("invoke_agent inner")
    assert inner_span.parent.span_id == tel.span("invoke_workflow flow").context.span_id
    assert inner_span.attributes["gen_ai.agent.name"] == "inner"


def test_one_spec_object_reused_and_nested(tel: Any) -> None:
    step = manual.agent("step")
    with step as outer, step as inner:
        assert inner.span is not outer.span
    spans = [s for s in tel.spans() if s.name == "invoke_agent step"]
    assert len(spans) == 2
    inner_span, outer_span = spans  # the inner one ends first
    assert inner_span.parent.span_id == outer_span.context.span_id
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_one_spec_object_shared_by_concurrent_tasks(tel: Any) -> None:
    shared = manual.agent("shared")
    tracer = tel.tracer_provider.get_tracer("tests")
    release = asyncio.Event()

    async def task(name: str, wait: bool) -> None:
        async with shared:
            if wait:
                await release.wait()
            with tracer.start_as_current_span(name):
                pass
        if not wait:
            release.set()

    # "slow" enters first and leaves last: exits happen in the other order than enters.
    await asyncio.gather(task("slow", True), task("fast", False))
    agents = {s.context.span_id: s for s in tel.spans() if s.name == "invoke_agent shared"}
    assert len(agents) == 2
    slow, fast = tel.span("slow"), tel.span("fast")
    assert slow.parent.span_id in agents and fast.parent.span_id in agents
    assert slow.parent.span_id != fast.parent.span_id
    for agent in agents.values():
        assert agent.end_time is not None


def test_explicit_context_for_work_in_your_own_threads(tel: Any) -> None:
    import threading

    tracer = tel.tracer_provider.get_tracer("tests")
    with manual.agent("parallel") as op:
        worker = threading.Thread(target=lambda: tracer.start_span("thread work", context=op.context).end())
        worker.start()
        worker.join()
    assert tel.span("thread work").parent.span_id == tel.span("invoke_agent parallel").context.span_id


def test_usage_and_add_usage_for_remote_work(tel: Any) -> None:
    with manual.agent("coordinator") as coordinator:
        assert coordinator.usage == manual.Usage(0, 0, None, None)
        with manual.agent("local") as local:
            manual.record_inference("openai", "gpt-4o", input_tokens=1000, output_tokens=500)  # 0.0075
            local.add_usage(input_tokens=200, output_tokens=100, cost=0.5)  # a remote agent's report
        assert local.usage == manual.Usage(1200, 600, 0.5075, "USD")
        coordinator.add_usage(input_tokens=5)  # unpriced usage: tokens only
    assert coordinator.usage == manual.Usage(1205, 600, 0.5075, "USD")
    attrs = tel.span("invoke_agent coordinator").attributes
    assert attrs["gen_ai.usage.input_tokens"] == 1205
    assert attrs["agent_otel.usage.cost.total_amount"] == pytest.approx(0.5075)
