"""agent_otel.threads: the submitting context in ThreadPoolExecutor.submit, asyncio.to_thread and
loop.run_in_executor, on and off; reference counting; restoration by identity."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.context import attach as otel_attach
from opentelemetry.context import create_key, get_value, set_value
from opentelemetry.context import detach as otel_detach

from agent_otel import threads

ORIGINAL_SUBMIT = vars(ThreadPoolExecutor)["submit"]


def current_submit() -> Any:
    return vars(ThreadPoolExecutor)["submit"]


KEY = create_key("tests.threads.marker")


@pytest.fixture
def propagation() -> Iterator[None]:
    threads.install()
    try:
        yield
    finally:
        threads.uninstall()
    assert current_submit() is ORIGINAL_SUBMIT


@pytest.fixture(autouse=True)
def _balanced() -> Iterator[None]:
    assert not threads.installed()
    yield
    assert not threads.installed(), "a test left thread propagation installed"
    assert current_submit() is ORIGINAL_SUBMIT


def seen() -> tuple[int, Any, str]:
    """What a worker sees: the current span id, a context value, and its thread's name."""
    return (
        trace.get_current_span().get_span_context().span_id,
        get_value(KEY),
        threading.current_thread().name,
    )


def run_under_span(otel: Any, body: Any) -> tuple[int, Any]:
    tracer = otel.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("parent") as span:
        token = otel_attach(set_value(KEY, "marker"))
        try:
            return span.get_span_context().span_id, body()
        finally:
            otel_detach(token)


# ---------------------------------------------------------------------------- ThreadPoolExecutor.submit


def test_submit_without_propagation_loses_the_context(otel: Any) -> None:
    with ThreadPoolExecutor(1) as pool:
        _, (span_id, marker, thread) = run_under_span(otel, lambda: pool.submit(seen).result())
    assert thread != threading.current_thread().name
    assert span_id == 0 and marker is None


def test_submit_with_propagation_keeps_the_context(otel: Any, propagation: None) -> None:
    with ThreadPoolExecutor(1) as pool:
        parent_id, (span_id, marker, thread) = run_under_span(otel, lambda: pool.submit(seen).result())
    assert thread != threading.current_thread().name
    assert (span_id, marker) == (parent_id, "marker")


def test_map_and_subclasses_are_covered(otel: Any, propagation: None) -> None:
    class Named(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            return super().submit(fn, *args, **kwargs)

    with Named(2) as pool:
        parent_id, results = run_under_span(otel, lambda: list(pool.map(lambda _: seen(), range(4))))
    assert {(s, m) for s, m, _ in results} == {(parent_id, "marker")}


def test_spans_started_in_a_worker_are_children_of_the_submitter(otel: Any, propagation: None) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")

    def work() -> None:
        with tracer.start_as_current_span("in-worker"):
            pass

    with ThreadPoolExecutor(1) as pool, tracer.start_as_current_span("submitter") as parent:
        pool.submit(work).result()
    child = otel.span("in-worker")
    assert child.parent is not None and child.parent.span_id == parent.get_span_context().span_id
    assert child.context.trace_id == parent.get_span_context().trace_id


def test_the_context_does_not_leak_into_the_next_task(otel: Any, propagation: None) -> None:
    with ThreadPoolExecutor(1) as pool:
        run_under_span(otel, lambda: pool.submit(seen).result())
        span_id, marker, _ = pool.submit(seen).result()  # submitted outside any span, same worker
    assert (span_id, marker) == (0, None)


def test_arguments_results_and_exceptions_pass_through(propagation: None) -> None:
    error = ValueError("boom")

    def fail() -> None:
        raise error

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda a, b=0: a + b, 1, b=2).result() == 3
        with pytest.raises(ValueError) as raised:
            pool.submit(fail).result()
    assert raised.value is error


def test_a_fault_in_our_wrapper_still_submits_the_work(
    monkeypatch: pytest.MonkeyPatch, propagation: None, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("instrumentation bug")

    monkeypatch.setattr(threads, "get_current", broken)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: 42).result() == 42
    assert "agent_otel.threads.submit" in caplog.text


# ---------------------------------------------------------------------------- asyncio


async def test_to_thread_keeps_the_context_even_without_propagation(otel: Any) -> None:
    """asyncio.to_thread copies contextvars itself: nothing to patch (checked here)."""
    tracer = otel.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("parent") as span:
        span_id, _, thread = await asyncio.to_thread(seen)
    assert thread != threading.current_thread().name
    assert span_id == span.get_span_context().span_id


async def test_to_thread_with_propagation(otel: Any, propagation: None) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("parent") as span:
        span_id, _, _ = await asyncio.to_thread(seen)
    assert span_id == span.get_span_context().span_id


@pytest.mark.parametrize("executor", ["default", "own"])
async def test_run_in_executor_without_propagation_loses_the_context(otel: Any, executor: str) -> None:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(1) if executor == "own" else None
    tracer = otel.tracer_provider.get_tracer("tests")
    try:
        with tracer.start_as_current_span("parent"):
            span_id, _, thread = await loop.run_in_executor(pool, seen)
    finally:
        if pool is not None:
            pool.shutdown()
    assert thread != threading.current_thread().name
    assert span_id == 0


@pytest.mark.parametrize("executor", ["default", "own"])
async def test_run_in_executor_with_propagation(otel: Any, propagation: None, executor: str) -> None:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(1) if executor == "own" else None
    tracer = otel.tracer_provider.get_tracer("tests")
    try:
        with tracer.start_as_current_span("parent") as span:
            span_id, _, _ = await loop.run_in_executor(pool, seen)
    finally:
        if pool is not None:
            pool.shutdown()
    assert span_id == span.get_span_context().span_id


async def test_concurrent_tasks_each_keep_their_own_context(otel: Any, propagation: None) -> None:
    loop = asyncio.get_running_loop()
    tracer = otel.tracer_provider.get_tracer("tests")

    async def task(name: str) -> tuple[int, int]:
        with tracer.start_as_current_span(name) as span:
            await asyncio.sleep(0)
            span_id, _, _ = await loop.run_in_executor(None, seen)
            return span.get_span_context().span_id, span_id

    results = await asyncio.gather(*(task(f"t{i}") for i in range(8)))
    assert all(expected == got for expected, got in results)


# ---------------------------------------------------------------------------- install / uninstall


def test_install_is_reference_counted_and_restores_by_identity() -> None:
    threads.install()
    wrapped = current_submit()
    assert wrapped is not ORIGINAL_SUBMIT
    threads.install()
    assert current_submit() is wrapped  # not wrapped twice
    threads.uninstall()
    assert threads.installed() and current_submit() is wrapped
    threads.uninstall()
    assert not threads.installed()
    assert current_submit() is ORIGINAL_SUBMIT
    threads.uninstall()  # one too many: harmless
    assert current_submit() is ORIGINAL_SUBMIT


def test_a_wrapper_kept_after_uninstall_calls_straight_through(otel: Any) -> None:
    threads.install()
    kept = ThreadPoolExecutor.submit
    threads.uninstall()
    with ThreadPoolExecutor(1) as pool:
        _, (span_id, _, _) = run_under_span(otel, lambda: kept(pool, seen).result())
    assert span_id == 0


def test_langchains_own_context_executor_still_works(otel: Any, propagation: None) -> None:
    """langchain-core's ContextThreadPoolExecutor copies contextvars itself: both together are fine."""
    from langchain_core.runnables.config import ContextThreadPoolExecutor

    with ContextThreadPoolExecutor(1) as pool:
        parent_id, (span_id, marker, _) = run_under_span(otel, lambda: pool.submit(seen).result())
        assert (span_id, marker) == (parent_id, "marker")
        assert pool.submit(seen).result()[:2] == (0, None)


def test_install_never_raises(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("cannot patch")

    monkeypatch.setattr(threads._patcher, "wrap", broken)
    threads.install()
    assert not threads.installed()
    assert current_submit() is ORIGINAL_SUBMIT
    assert "agent_otel.threads.install" in caplog.text
