"""Log records follow their trace's decision; exact keep/drop under threads, asyncio and a burst of 10,000
concurrent traces."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from sampling_support import Pipeline

from agent_otel.telemetry.sampling import TailSamplingPolicy, ratio_keeps


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


def emit(p: Pipeline, name: str, **attributes: object) -> None:
    p.logger.emit(event_name=name, attributes=attributes, context=context_api.get_current())


def test_log_records_follow_their_traces_decision(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=0.0)
    with p.tracer.start_as_current_span("quiet"):
        emit(p, "gen_ai.client.inference.operation.details", n=1)
    with p.tracer.start_as_current_span("failing") as failing:
        emit(p, "gen_ai.client.inference.operation.details", n=2)
        assert p.logs() == []  # held back with the trace's spans
        failing.set_status(Status(StatusCode.ERROR))
    with trace.use_span(failing):
        emit(p, "gen_ai.client.operation.exception", n=3)  # after the decision: follows it (kept)
    emit(p, "no trace", n=4)  # no trace id: passes through
    assert sorted(r.attributes["n"] for r in p.logs()) == [2, 3, 4]


def test_log_records_of_a_ratio_kept_trace_lose_content_when_ratio_content_is_off(
    pipelines: list[Pipeline],
) -> None:
    p = new(pipelines, ratio=1.0, ratio_content=False)
    with p.tracer.start_as_current_span("chat"):
        emit(p, "gen_ai.client.inference.operation.details", **{"gen_ai.input.messages": "[..]", "k": 1})
    (record,) = p.logs()
    assert dict(record.attributes) == {"k": 1}


def expected_kept(ids: dict[int, bool], ratio: float) -> set[int]:
    return {t for t, failed in ids.items() if failed or ratio_keeps(t, ratio)}


def test_threads_keep_and_drop_exactly(pipelines: list[Pipeline]) -> None:
    p = new(pipelines, ratio=0.25)
    ids: dict[int, bool] = {}
    lock = threading.Lock()

    def one_trace(i: int) -> None:
        with p.tracer.start_as_current_span("invoke_workflow w") as root:
            ctx = context_api.get_current()
            with ThreadPoolExecutor(2) as pool:  # children on other threads, ending in any order
                for j in range(3):
                    pool.submit(child, ctx, fail=(i % 17 == 0 and j == 2))
        with lock:
            ids[root.get_span_context().trace_id] = i % 17 == 0

    def child(ctx: context_api.Context, fail: bool) -> None:
        with p.tracer.start_as_current_span("tool", context=ctx) as span:
            if fail:
                span.set_status(Status(StatusCode.ERROR))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one_trace, range(400)))
    assert p.kept() == expected_kept(ids, 0.25)
    assert set(p.spans_per_trace().values()) == {4}
    assert p.sampler.stats()["buffered_items"] == 0 and p.sampler.stats()["pending_traces"] == 0


async def test_burst_of_10000_concurrent_asyncio_traces_keeps_and_drops_exactly(
    pipelines: list[Pipeline],
) -> None:
    p = new(pipelines, ratio=0.1, max_traces=20_000)
    ids: dict[int, bool] = {}
    started = asyncio.Event()
    open_now = 0
    peak = 0

    async def one_trace(i: int) -> None:
        nonlocal open_now, peak
        with p.tracer.start_as_current_span("invoke_agent a") as root:
            open_now += 1
            peak = max(peak, open_now)
            if open_now == 10_000:
                started.set()
            await started.wait()  # every trace is open at once
            with p.tracer.start_as_current_span("chat") as span:
                emit(p, "details", i=i)
                await asyncio.sleep(0)
                if i % 97 == 0:
                    span.set_status(Status(StatusCode.ERROR))
            open_now -= 1
        ids[root.get_span_context().trace_id] = i % 97 == 0

    await asyncio.gather(*(one_trace(i) for i in range(10_000)))
    assert peak == 10_000
    kept = expected_kept(ids, 0.1)
    assert p.kept() == kept
    assert set(p.spans_per_trace().values()) == {2}  # whole traces, every span exactly once
    assert len(p.logs()) == len(kept)
    stats = p.sampler.stats()
    assert stats["buffered_items"] == 0 and stats["pending_traces"] == 0
    decided = stats["decisions"]
    assert decided[(True, "error", "policy")] == sum(ids.values())
    assert sum(decided.values()) == 10_000
