"""Decorators on sync, async, generator and async generator functions: spans, parents, errors, metadata."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel import manual


class Boom(Exception):
    pass


def tracer(otel: Any) -> trace.Tracer:
    return otel.tracer_provider.get_tracer("tests.user")


def parent_of(otel: Any, name: str) -> str | None:
    span = otel.span(name)
    if span.parent is None:
        return None
    (parent,) = [s for s in otel.spans() if s.context.span_id == span.parent.span_id]
    return parent.name


# ------------------------------------------------------------------------------------ plain functions


def test_sync_agent_span_and_metadata_preserved(tel: Any) -> None:
    @manual.agent("planner", description="Plans the work")
    def plan(goal: str, *, depth: int = 1) -> str:
        """Plan it."""
        with tracer(tel).start_as_current_span("inside"):
            return goal.upper()

    assert plan("go", depth=2) == "GO"
    assert plan.__name__ == "plan" and plan.__doc__ == "Plan it."
    assert plan.__wrapped__.__name__ == "plan"  # type: ignore[attr-defined]
    assert str(inspect.signature(plan)) == "(goal: 'str', *, depth: 'int' = 1) -> 'str'"
    span = tel.span("invoke_agent planner")
    assert span.kind is SpanKind.INTERNAL
    assert span.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert span.attributes["gen_ai.agent.name"] == "planner"
    assert span.attributes["gen_ai.agent.description"] == "Plans the work"
    assert span.status.status_code is StatusCode.UNSET
    assert parent_of(tel, "inside") == "invoke_agent planner"
    assert trace.get_current_span() is trace.INVALID_SPAN  # nothing left attached


def test_bare_decorators_are_named_after_the_function(tel: Any) -> None:
    @manual.agent
    def triage() -> None:
        pass

    @manual.workflow
    def pipeline() -> None:
        triage()

    @manual.tool
    def lookup() -> int:
        return 1

    pipeline()
    assert lookup() == 1
    assert {s.name for s in tel.spans()} == {
        "invoke_agent triage",
        "invoke_workflow pipeline",
        "execute_tool lookup",
    }
    assert tel.span("invoke_workflow pipeline").attributes["gen_ai.workflow.name"] == "pipeline"
    assert parent_of(tel, "invoke_agent triage") == "invoke_workflow pipeline"


def test_tool_span_attributes(tel: Any) -> None:
    @manual.tool("web_search", description="Searches the web", tool_type="extension")
    def search(query: str) -> list[str]:
        return [query]

    with manual.agent("researcher"):
        search("otel")
    span = tel.span("execute_tool web_search")
    assert span.kind is SpanKind.INTERNAL
    assert span.attributes["gen_ai.tool.name"] == "web_search"
    assert span.attributes["gen_ai.tool.type"] == "extension"
    assert span.attributes["gen_ai.tool.description"] == "Searches the web"
    assert span.attributes["gen_ai.agent.name"] == "researcher"
    assert "gen_ai.tool.call.arguments" not in span.attributes  # content capture is off


def test_exception_passes_through_unchanged_and_marks_error(tel: Any) -> None:
    error = Boom("no")

    @manual.tool
    def explode() -> None:
        raise error

    with pytest.raises(Boom) as raised:
        explode()
    assert raised.value is error
    span = tel.span("execute_tool explode")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == span.attributes["error.type"]  # capture off: the type, not the text
    assert span.attributes["error.type"].endswith("Boom")
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_langgraph_control_flow_is_not_an_error(tel: Any) -> None:
    from langgraph.errors import GraphInterrupt

    interrupt = GraphInterrupt(())

    @manual.agent("approver")
    def approve() -> None:
        raise interrupt

    with pytest.raises(GraphInterrupt) as raised:
        approve()
    assert raised.value is interrupt
    span = tel.span("invoke_agent approver")
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes


def test_methods_and_non_callables(tel: Any) -> None:
    class Team:
        @manual.agent("member")
        def work(self, x: int) -> int:
            return x * 2

    assert Team().work(3) == 6
    assert tel.span("invoke_agent member").attributes["gen_ai.agent.name"] == "member"
    with pytest.raises(TypeError, match="decorates a function"):
        manual.tool("x")(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ async


async def test_async_agent_keeps_coroutine_nature_and_parents(tel: Any) -> None:
    @manual.agent("fetcher")
    async def fetch(n: int) -> int:
        await asyncio.sleep(0)
        with tracer(tel).start_as_current_span(f"work {n}"):
            await asyncio.sleep(0)
        return n

    assert inspect.iscoroutinefunction(fetch)
    assert await asyncio.gather(fetch(1), fetch(2)) == [1, 2]
    agents = [s for s in tel.spans() if s.name == "invoke_agent fetcher"]
    assert len(agents) == 2
    for n in (1, 2):
        work = tel.span(f"work {n}")
        assert work.parent.span_id in {a.context.span_id for a in agents}
    assert tel.span("work 1").parent.span_id != tel.span("work 2").parent.span_id


async def test_async_exception_passes_through(tel: Any) -> None:
    error = Boom("async")

    @manual.workflow("flow")
    async def flow() -> None:
        await asyncio.sleep(0)
        raise error

    with pytest.raises(Boom) as raised:
        await flow()
    assert raised.value is error
    assert tel.span("invoke_workflow flow").status.status_code is StatusCode.ERROR


async def test_a_sync_callable_returning_a_coroutine_lasts_until_awaited(tel: Any) -> None:
    async def body() -> str:
        with tracer(tel).start_as_current_span("awaited"):
            await asyncio.sleep(0)
        return "done"

    class Runner:
        def __call__(self) -> Any:
            return body()

    traced = manual.agent("runner")(Runner())
    pending = traced()
    assert tel.spans() == []  # not over before it has run
    assert await pending == "done"
    assert parent_of(tel, "awaited") == "invoke_agent runner"


# ------------------------------------------------------------------------------------ generators


def test_generator_span_covers_the_iteration(tel: Any) -> None:
    @manual.agent("streamer")
    def stream(n: int) -> Any:
        for i in range(n):
            with tracer(tel).start_as_current_span(f"step {i}"):
                pass
            yield i
        return "finished"

    assert inspect.isgeneratorfunction(stream)
    gen = stream(2)
    assert tel.spans() == []  # nothing starts before the first next()

    def consume() -> Any:
        result = yield from gen
        return result

    consumer = consume()
    assert next(consumer) == 0
    with tracer(tel).start_as_current_span("consumer code"):  # between items: not inside the agent
        pass
    assert next(consumer) == 1
    assert [s.name for s in tel.spans()] == ["step 0", "consumer code", "step 1"]
    with pytest.raises(StopIteration) as stop:
        next(consumer)
    assert stop.value.value == "finished"
    assert parent_of(tel, "step 0") == "invoke_agent streamer"
    assert parent_of(tel, "step 1") == "invoke_agent streamer"
    assert parent_of(tel, "consumer code") is None
    assert tel.span("invoke_agent streamer").status.status_code is StatusCode.UNSET


def test_generator_closed_early_ends_the_span_without_error(tel: Any) -> None:
    closed = []

    @manual.tool
    def numbers() -> Any:
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    for value in numbers():
        assert value == 1
        break
    assert closed == [True]
    span = tel.span("execute_tool numbers")
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.UNSET


def test_generator_exception_and_thrown_in_exceptions(tel: Any) -> None:
    error = Boom("mid-stream")

    @manual.agent("failing")
    def failing() -> Any:
        yield 1
        raise error

    gen = failing()
    next(gen)
    with pytest.raises(Boom) as raised:
        next(gen)
    assert raised.value is error
    assert tel.span("invoke_agent failing").status.status_code is StatusCode.ERROR

    @manual.agent("resilient")
    def resilient() -> Any:
        try:
            yield 1
        except KeyError:
            yield "recovered"

    gen = resilient()
    next(gen)
    assert gen.throw(KeyError("x")) == "recovered"
    gen.close()
    assert tel.span("invoke_agent resilient").status.status_code is StatusCode.UNSET


def test_generator_send_is_forwarded(tel: Any) -> None:
    @manual.agent("echo")
    def echo() -> Any:
        received = yield "ready"
        while True:
            received = yield f"got {received}"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send("a") == "got a"
    assert gen.send("b") == "got b"
    gen.close()
    assert tel.span("invoke_agent echo").end_time is not None


def test_never_iterated_generator_makes_no_span(tel: Any) -> None:
    @manual.agent("lazy")
    def lazy() -> Any:
        yield 1

    gen = lazy()
    del gen
    assert tel.spans() == []


async def test_async_generator_span_covers_the_iteration(tel: Any) -> None:
    @manual.agent("astreamer")
    async def astream(n: int) -> Any:
        for i in range(n):
            await asyncio.sleep(0)
            with tracer(tel).start_as_current_span(f"astep {i}"):
                pass
            yield i

    assert inspect.isasyncgenfunction(astream)
    got = []
    async for value in astream(3):
        with tracer(tel).start_as_current_span(f"consumer {value}"):
            pass
        got.append(value)
    assert got == [0, 1, 2]
    for i in range(3):
        assert parent_of(tel, f"astep {i}") == "invoke_agent astreamer"
        assert parent_of(tel, f"consumer {i}") is None
    assert tel.span("invoke_agent astreamer").status.status_code is StatusCode.UNSET


async def test_async_generator_closed_early_and_failing(tel: Any) -> None:
    @manual.tool
    async def ticks() -> Any:
        yield 1
        yield 2

    agen = ticks()
    assert await agen.__anext__() == 1
    await agen.aclose()
    assert tel.span("execute_tool ticks").status.status_code is StatusCode.UNSET

    error = Boom("async stream")

    @manual.tool
    async def broken() -> Any:
        yield 1
        raise error

    with pytest.raises(Boom) as raised:
        async for _ in broken():
            pass
    assert raised.value is error
    assert tel.span("execute_tool broken").status.status_code is StatusCode.ERROR


async def test_async_generator_athrow_is_forwarded(tel: Any) -> None:
    @manual.agent("acatcher")
    async def catcher() -> Any:
        try:
            yield 1
        except KeyError:
            yield "caught"

    agen = catcher()
    assert await agen.__anext__() == 1
    assert await agen.athrow(KeyError("k")) == "caught"
    await agen.aclose()
    assert tel.span("invoke_agent acatcher").status.status_code is StatusCode.UNSET


# ------------------------------------------------------------------------------------ current operation


def test_current_operation_inside_decorated_functions(tel: Any) -> None:
    assert manual.current_operation() is None

    @manual.tool("t")
    def t() -> str:
        op = manual.current_operation()
        assert isinstance(op, manual.ToolOperation)
        op.set_attribute("app.note", "from inside")
        return op.span.name  # type: ignore[attr-defined]

    assert t() == "execute_tool t"
    assert tel.span("execute_tool t").attributes["app.note"] == "from inside"
    assert manual.current_operation() is None
