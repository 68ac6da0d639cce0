"""The README-style apps (apps.py) run UNINSTRUMENTED on the real SDK against the fake server.

This proves the fakes drive the SDK correctly, with both the Chat Completions and the Responses model,
before any instrumentation is involved: a failure here is a fixture problem, not an instrumentor one.
"""

from __future__ import annotations

import asyncio

import pytest
from agents import InputGuardrailTripwireTriggered
from apps import (
    APIS,
    BLOCKING_GUARDRAILS,
    Api,
    HomeworkOutput,
    agent_as_tool_app,
    guardrail_app,
    handoff_app,
    mcp_app,
    mcp_weather_server,
    parallel_tools_app,
    run,
    run_streamed,
    run_sync,
)
from openai import AsyncOpenAI

from agent_otel.testing import DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, FakeOpenAIServer
from agent_otel.testing.openai_server import offered_tools, tool_history

pytestmark = pytest.mark.parametrize("api", APIS)


def _paths(server: FakeOpenAIServer) -> list[str]:
    return [r.path for r in server.requests]


def _endpoint(api: Api) -> str:
    return "/v1/chat/completions" if api == "chat" else "/v1/responses"


async def test_handoff_app_hands_off_then_calls_the_tool_then_answers(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    assert result.last_agent.name == "Spanish agent"
    assert app.tool_log == ["get_weather:Madrid"]
    assert _paths(server) == [_endpoint(api)] * 3  # triage, Spanish tool call, Spanish answer


def test_handoff_app_runs_with_run_sync(api: Api, server: FakeOpenAIServer) -> None:
    client = AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    app = handoff_app(api, client)
    server.responder = app.responder

    result = run_sync(app)

    assert result.final_output == app.expected_output
    assert app.tool_log == ["get_weather:Madrid"]


async def test_handoff_app_streams_text_deltas_that_make_the_final_output(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    streamed = await run_streamed(app)

    assert streamed.result.final_output == app.expected_output
    assert "".join(streamed.text_deltas) == app.expected_output
    assert "agent_updated_stream_event" in streamed.event_types  # the handoff, seen by the stream
    assert all(r.json["stream"] is True for r in server.requests)
    per_call = DEFAULT_INPUT_TOKENS + DEFAULT_OUTPUT_TOKENS
    assert streamed.result.context_wrapper.usage.total_tokens == 3 * per_call  # chat streams send usage too


async def test_agent_as_tool_app_runs_the_nested_agent_inside_the_tool_call(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = agent_as_tool_app(api, client)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    assert _paths(server) == [_endpoint(api)] * 3  # orchestrator, translator, orchestrator


# Blocking guardrails only where the SDK has them (parametrized by presence, never skipped).
@pytest.mark.parametrize(
    "parallel",
    [True, False] if BLOCKING_GUARDRAILS else [True],
    ids=["parallel", "blocking"][: 2 if BLOCKING_GUARDRAILS else 1],
)
async def test_guardrail_app_trips_on_homework(
    api: Api, parallel: bool, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = guardrail_app(api, client, trip=True, parallel=parallel)
    server.responder = app.responder

    with pytest.raises(InputGuardrailTripwireTriggered) as caught:
        await run(app)

    verdict = caught.value.guardrail_result.output.output_info
    assert isinstance(verdict, HomeworkOutput) and verdict.is_math_homework
    if not parallel:  # a blocking guardrail trips before the tutor's model is ever called
        assert len(server.requests) == 1


async def test_guardrail_app_lets_a_concept_question_through(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = guardrail_app(api, client, trip=False)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    assert len(result.input_guardrail_results) == 1
    assert not result.input_guardrail_results[0].output.tripwire_triggered


async def test_parallel_tools_app_runs_both_calls_of_one_turn(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    app = parallel_tools_app(api, client)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    assert sorted(app.tool_log) == ["end:Paris", "end:Tokyo", "start:Paris", "start:Tokyo"]
    assert len(server.requests) == 2  # one turn asked for both calls, one turn answered
    answered = {t.call_id: t.output for t in tool_history(server.requests[-1])}
    assert answered == {"call_paris": "sunny in Paris", "call_tokyo": "sunny in Tokyo"}


async def test_mcp_app_calls_the_mcp_server_tool(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI
) -> None:
    async with mcp_weather_server() as mcp:
        app = mcp_app(api, client, mcp)
        server.responder = app.responder

        result = await run(app)

    assert result.final_output == app.expected_output
    assert "get_weather" in offered_tools(server.requests[0])  # listed from the MCP server


async def test_apps_leave_no_task_running(api: Api, server: FakeOpenAIServer, client: AsyncOpenAI) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder
    before = asyncio.all_tasks()

    await run(app)
    await run_streamed(app)

    assert asyncio.all_tasks() == before
