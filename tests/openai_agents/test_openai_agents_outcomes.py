"""What the app saw is what the spans say: a model error fails the agent and the workflow, a tool that
raises fails only its tool span, a cancelled run leaves nothing open and nothing attached; content only
with capture on; the SDK's own export on or its tracing off."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import openai
import pytest
from agents import Agent, RunConfig, Runner, function_tool, set_tracing_disabled
from agents.tracing import add_trace_processor, set_trace_processors
from agents.tracing.processor_interface import TracingExporter
from agents.tracing.processors import BatchTraceProcessor
from agents_support import CHAT, HANDOFF_TREE, OpenSpans, nothing_attached, tree
from apps import APIS, SETTINGS, Api, handoff_app, model_for, run, unscripted
from openai import AsyncOpenAI
from opentelemetry.trace import StatusCode

from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.openai_server import (
    RecordedRequest,
    Reply,
    request_instructions,
    tool_history,
    turn_reply,
)

pytestmark = pytest.mark.parametrize("api", APIS)


def _tool_app(api: Api, client: AsyncOpenAI, tool: Any) -> tuple[Agent[Any], Any]:
    """An agent that calls `tool` once, then answers with the tool's output."""
    agent = Agent(
        name="Worker",
        instructions="[worker] Use the tool.",
        tools=[tool],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def responder(request: RecordedRequest) -> Reply:
        if "[worker]" not in (request_instructions(request) or ""):
            return unscripted(request)
        done = [t.output for t in tool_history(request) if t.output is not None]
        if not done:
            return turn_reply(request, tool_calls=[{"id": "call_1", "name": tool.name, "arguments": {}}])
        return turn_reply(request, f"done: {done[0]}")

    return agent, responder


async def test_model_error_fails_chat_agent_and_workflow_with_the_raised_type(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = lambda request: Reply.error(400, "bad request")

    with pytest.raises(openai.BadRequestError):
        await run(app)

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow Customer service"),
        (1, "invoke_agent Triage agent"),
        (2, CHAT),
    ]
    for span in spans:
        assert span.status.status_code is StatusCode.ERROR, span.name
        assert span.attributes["error.type"] == "openai.BadRequestError"
    assert nothing_attached()


async def test_tool_that_raises_fails_its_tool_span_only(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    @function_tool
    def explode() -> str:
        """Always fails."""
        raise ValueError("boom")

    agent, server.responder = _tool_app(api, client, explode)

    result = await Runner.run(agent, "go")

    assert str(result.final_output).startswith("done: ")  # the SDK told the model, the run went on
    tool = otel.span("execute_tool explode")
    assert tool.status.status_code is StatusCode.ERROR
    assert tool.attributes["error.type"] == "_OTHER"
    assert otel.span("invoke_agent Worker").status.status_code is StatusCode.UNSET
    assert otel.span("invoke_workflow Agent workflow").status.status_code is StatusCode.UNSET


async def test_cancelled_run_leaves_no_span_open_and_nothing_attached(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    watcher = OpenSpans()
    otel.tracer_provider.add_span_processor(watcher)
    started = asyncio.Event()

    @function_tool
    async def wait_forever() -> str:
        """Never returns."""
        started.set()
        await asyncio.Event().wait()
        return "never"

    agent, server.responder = _tool_app(api, client, wait_forever)
    task = asyncio.create_task(Runner.run(agent, "go"))
    await started.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task

    assert watcher.names() == []  # every span of the run has ended when the cancellation reached us
    names = {s.name for s in otel.spans()}
    assert {"invoke_workflow Agent workflow", "invoke_agent Worker", "execute_tool wait_forever"} <= names
    for name in ("invoke_agent Worker", "invoke_workflow Agent workflow", "execute_tool wait_forever"):
        assert otel.span(name).attributes["error.type"] == "asyncio.exceptions.CancelledError"
    assert nothing_attached()


async def test_tool_arguments_and_result_recorded_only_with_content_capture(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, content: None, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    await run(app)

    tool = otel.span("execute_tool get_weather").attributes
    assert json.loads(tool["gen_ai.tool.call.arguments"]) == {"city": "Madrid"}
    assert tool["gen_ai.tool.call.result"] == "sunny, 25C in Madrid"
    # (SDKs that do not pass the agent to the tool context, like 0.3.3, give no description)
    assert tool.get("gen_ai.tool.description", "Get the current weather for a city.") == (
        "Get the current weather for a city."
    )


async def test_tool_arguments_recorded_even_when_the_sdk_hides_sensitive_data(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, content: None, traced: Any
) -> None:
    app = handoff_app(api, client)
    app.run_config = RunConfig(
        workflow_name="Customer service", group_id="conv-42", trace_include_sensitive_data=False
    )
    server.responder = app.responder

    await run(app)

    arguments = otel.span("execute_tool get_weather").attributes["gen_ai.tool.call.arguments"]
    assert json.loads(arguments) == {"city": "Madrid"}


class _Collected(TracingExporter):  # type: ignore[misc]
    def __init__(self) -> None:
        self.items: list[Any] = []

    def export(self, items: list[Any]) -> None:
        self.items.extend(items)


async def test_sdk_export_left_on_still_gets_everything_and_we_emit_the_same_trace(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, instrument: Any
) -> None:
    exporter = _Collected()
    batch = BatchTraceProcessor(exporter)  # the SDK's own exporting processor, to a local exporter
    add_trace_processor(batch)
    try:
        instrument()
        app = handoff_app(api, client)
        server.responder = app.responder
        await run(app)
        batch.force_flush()
    finally:
        batch.shutdown()
        set_trace_processors([])

    assert tree(otel.spans()) == HANDOFF_TREE
    kinds = [getattr(getattr(item, "span_data", None), "type", "trace") for item in exporter.items]
    assert kinds.count("agent") == 2 and kinds.count("trace") == 1


async def test_disable_openai_trace_export_replaces_the_sdk_processors_while_instrumented(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, instrument: Any
) -> None:
    from agent_otel.instrumentation.openai_agents import _sdk

    exporter = _Collected()
    batch = BatchTraceProcessor(exporter)
    add_trace_processor(batch)
    try:
        instrumentor = instrument(disable_openai_trace_export=True)
        assert _sdk.registered_processors() == (instrumentor.processor,)
        app = handoff_app(api, client)
        server.responder = app.responder
        await run(app)
        instrumentor.uninstrument()
        assert _sdk.registered_processors() == (batch,)
        batch.force_flush()
    finally:
        batch.shutdown()
        set_trace_processors([])

    assert exporter.items == []
    assert tree(otel.spans()) == HANDOFF_TREE


async def test_sdk_tracing_disabled_leaves_the_model_calls_traced_and_nothing_broken(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder
    set_tracing_disabled(True)
    try:
        result = await run(app)
    finally:
        set_tracing_disabled(False)

    assert result.final_output == app.expected_output
    assert [name for _, name in tree(otel.spans())] == [CHAT] * 3
    assert nothing_attached()


def test_guardrail_decided_later_keeps_the_end_time_of_when_it_stopped(otel: Any, api: Api) -> None:
    """The core piece behind tripped guardrails: `stop_clock()` then `fail()` from another callback."""
    from agents import InputGuardrailTripwireTriggered

    from agent_otel.telemetry.core import Telemetry

    tel = Telemetry(scope_name="test", tracer_provider=otel.tracer_provider)
    op = tel.guardrail("math_guardrail")
    op.stop_clock()
    stopped_by = time.time_ns()

    op.fail(InputGuardrailTripwireTriggered.__new__(InputGuardrailTripwireTriggered))

    span = otel.span("apply_guardrail math_guardrail")
    assert span.end_time <= stopped_by
    assert span.status.status_code is StatusCode.ERROR


async def test_tool_still_stopping_after_the_run_was_cancelled_has_its_span_ended_with_the_run(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    watcher = OpenSpans()
    otel.tracer_provider.add_span_processor(watcher)
    started, released = asyncio.Event(), asyncio.Event()

    @function_tool
    async def slow_to_stop() -> str:
        """Finishes its clean-up after the run was cancelled (newer SDKs do not wait for it)."""
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            for _ in range(10_000):  # bounded: SDKs that wait for their tools' clean-up must not hang
                if released.is_set():
                    break
                await asyncio.sleep(0)
            raise
        return "never"

    agent, server.responder = _tool_app(api, client, slow_to_stop)
    open_when_the_run_ended: list[list[str]] = []

    def run_ended(_: asyncio.Task[Any]) -> None:
        open_when_the_run_ended.append(watcher.names())
        released.set()

    task = asyncio.create_task(Runner.run(agent, "go"))
    task.add_done_callback(run_ended)
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(20):  # let the tool's task finish its clean-up
        await asyncio.sleep(0)

    assert open_when_the_run_ended == [[]]
    assert otel.span("execute_tool slow_to_stop").attributes["error.type"] == (
        "asyncio.exceptions.CancelledError"
    )
    assert nothing_attached()
