"""One trace per run of the SDK README's apps (real openai-agents, fake OpenAI server), with the Chat
Completions and the Responses model: workflow > agents > our one chat span per model call (agent name,
tokens, cost) and tools; handoffs, agents as tools, parallel tools, MCP tools, guardrails; `run`,
`run_sync` and `run_streamed`."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from agents import InputGuardrailTripwireTriggered, RunConfig, trace
from agents.tool_context import ToolContext
from agents_support import CHAT, HANDOFF_TREE, nothing_attached, spans_named, tree
from apps import (
    APIS,
    BLOCKING_GUARDRAILS,
    Api,
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
from opentelemetry.trace import StatusCode

from agent_otel.testing import DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, FakeOpenAIServer

pytestmark = pytest.mark.parametrize("api", APIS)

AGENT_IN_TOOL_CONTEXT = "agent" in inspect.signature(ToolContext.from_agent_context).parameters
SCOPES = {"agent_otel.instrumentation.openai_agents", "agent_otel.instrumentation.openai"}


def _attrs(otel: Any, name: str) -> dict[str, Any]:
    return dict(otel.span(name).attributes)


async def test_handoff_run_is_one_trace_workflow_agents_chat_and_tools(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    spans = otel.spans()
    assert tree(spans) == HANDOFF_TREE
    assert len({s.context.trace_id for s in spans}) == 1
    assert {s.instrumentation_scope.name for s in spans} == SCOPES
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)
    assert nothing_attached()


async def test_chat_spans_carry_their_agent_name_conversation_and_roll_up_into_agents(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    await run(app)

    spans = otel.spans()
    chats = spans_named(spans, CHAT)
    assert len(chats) == len(server.requests) == 3  # exactly one span per model call
    by_id = {s.context.span_id: s for s in spans}
    for chat in chats:
        agent = by_id[chat.parent.span_id]
        assert chat.attributes["gen_ai.agent.name"] == agent.attributes["gen_ai.agent.name"]
        assert chat.attributes["gen_ai.conversation.id"] == "conv-42"
        assert chat.attributes["gen_ai.usage.input_tokens"] == DEFAULT_INPUT_TOKENS
        assert chat.attributes["gen_ai.usage.cost.amount"] > 0
    spanish = _attrs(otel, "invoke_agent Spanish agent")
    assert spanish["gen_ai.usage.input_tokens"] == 2 * DEFAULT_INPUT_TOKENS
    assert spanish["gen_ai.usage.output_tokens"] == 2 * DEFAULT_OUTPUT_TOKENS
    workflow = _attrs(otel, "invoke_workflow Customer service")
    assert workflow["gen_ai.workflow.name"] == "Customer service"
    assert workflow["gen_ai.conversation.id"] == "conv-42"
    assert workflow["gen_ai.usage.input_tokens"] == 3 * DEFAULT_INPUT_TOKENS
    assert workflow["agent_otel.usage.cost.total_amount"] == pytest.approx(
        sum(c.attributes["gen_ai.usage.cost.amount"] for c in chats)
    )


async def test_handoff_is_a_tool_span_with_its_target_on_it_and_on_the_source_agent(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    await run(app)

    handoff = _attrs(otel, "execute_tool transfer_to_spanish_agent")
    assert handoff["gen_ai.tool.name"] == "transfer_to_spanish_agent"
    assert handoff["gen_ai.tool.call.id"] == "call_handoff"
    assert handoff["agent_otel.handoff.target"] == "Spanish agent"
    assert handoff["gen_ai.agent.name"] == "Triage agent"
    assert _attrs(otel, "invoke_agent Triage agent")["agent_otel.handoff.target"] == "Spanish agent"
    assert "agent_otel.handoff.target" not in _attrs(otel, "invoke_agent Spanish agent")


async def test_function_tool_span_has_call_id_type_and_no_content_by_default(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    await run(app)

    tool = _attrs(otel, "execute_tool get_weather")
    assert tool["gen_ai.tool.call.id"] == "call_weather"
    assert tool["gen_ai.tool.type"] == "function"
    assert tool["gen_ai.agent.name"] == "Spanish agent"
    assert "gen_ai.tool.call.arguments" not in tool and "gen_ai.tool.call.result" not in tool
    if AGENT_IN_TOOL_CONTEXT:  # the description comes from the agent's tools (0.3.3 does not pass it)
        assert tool["gen_ai.tool.description"] == "Get the current weather for a city."


def test_run_sync_gives_the_same_single_trace(
    api: Api, server: FakeOpenAIServer, sync_client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, sync_client)
    server.responder = app.responder

    result = run_sync(app)

    assert result.final_output == app.expected_output
    assert tree(otel.spans()) == HANDOFF_TREE
    assert len({s.context.trace_id for s in otel.spans()}) == 1
    assert nothing_attached()


async def test_run_streamed_gives_the_same_single_trace_with_streamed_chat_spans(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = handoff_app(api, client)
    server.responder = app.responder

    streamed = await run_streamed(app)

    assert "".join(streamed.text_deltas) == app.expected_output
    spans = otel.spans()
    assert tree(spans) == HANDOFF_TREE
    chats = spans_named(spans, CHAT)
    assert all(c.attributes["gen_ai.request.stream"] is True for c in chats)
    assert _attrs(otel, "invoke_workflow Customer service")["gen_ai.usage.input_tokens"] == (
        3 * DEFAULT_INPUT_TOKENS
    )
    assert nothing_attached()


async def test_agent_as_tool_nests_the_inner_agent_under_the_tool_span(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = agent_as_tool_app(api, client)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    assert tree(otel.spans()) == [
        (0, "invoke_workflow Agent workflow"),
        (1, "invoke_agent Orchestrator"),
        (2, CHAT),
        (2, "execute_tool translate_to_french"),
        (3, "invoke_agent French translator"),
        (4, CHAT),
        (2, CHAT),
    ]
    inner_chat = [
        s for s in spans_named(otel.spans(), CHAT) if s.attributes["gen_ai.agent.name"] == "French translator"
    ]
    assert len(inner_chat) == 1
    tool = _attrs(otel, "execute_tool translate_to_french")
    assert tool["gen_ai.tool.call.id"] == "call_translate"
    assert tool["gen_ai.agent.name"] == "Orchestrator"
    # The orchestrator's totals include its inner agent's model call.
    assert _attrs(otel, "invoke_agent Orchestrator")["gen_ai.usage.input_tokens"] == 3 * DEFAULT_INPUT_TOKENS


async def test_parallel_tool_calls_are_sibling_tool_spans_under_the_agent(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = parallel_tools_app(api, client)
    server.responder = app.responder

    await run(app)

    assert tree(otel.spans()) == [
        (0, "invoke_workflow Agent workflow"),
        (1, "invoke_agent Weather agent"),
        (2, CHAT),
        (2, "execute_tool get_weather"),
        (2, "execute_tool get_weather"),
        (2, CHAT),
    ]
    tools = spans_named(otel.spans(), "execute_tool get_weather")
    assert sorted(t.attributes["gen_ai.tool.call.id"] for t in tools) == ["call_paris", "call_tokyo"]
    assert nothing_attached()


async def test_mcp_server_tool_is_a_tool_span_under_the_agent(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    async with mcp_weather_server() as mcp:
        app = mcp_app(api, client, mcp)
        server.responder = app.responder
        result = await run(app)

    assert result.final_output == app.expected_output
    ours = [s for s in otel.spans() if s.instrumentation_scope.name in SCOPES]
    assert tree(ours) == [
        (0, "invoke_workflow Agent workflow"),
        (1, "invoke_agent MCP weather agent"),
        (2, CHAT),
        (2, "execute_tool get_weather"),
        (2, CHAT),
    ]
    assert _attrs(otel, "execute_tool get_weather")["gen_ai.tool.call.id"] == "call_mcp"


async def test_tripped_guardrail_is_error_with_the_run_and_its_agent_nests_under_it(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = guardrail_app(api, client, trip=True)
    server.responder = app.responder

    with pytest.raises(InputGuardrailTripwireTriggered):
        await run(app)

    tripwire = "agents.exceptions.InputGuardrailTripwireTriggered"
    guardrail = otel.span("apply_guardrail math_guardrail")
    assert guardrail.attributes["agent_otel.guardrail.triggered"] is True
    assert guardrail.attributes["gen_ai.agent.name"] == "Math tutor"
    assert guardrail.status.status_code is StatusCode.ERROR
    assert guardrail.attributes["error.type"] == tripwire
    inner = otel.span("invoke_agent Guardrail check")
    assert inner.parent.span_id == guardrail.context.span_id
    assert inner.status.status_code is StatusCode.UNSET
    for name in ("invoke_agent Math tutor", "invoke_workflow Agent workflow"):
        assert otel.span(name).status.status_code is StatusCode.ERROR
        assert otel.span(name).attributes["error.type"] == tripwire
    assert guardrail.end_time <= otel.span("invoke_agent Math tutor").end_time
    assert nothing_attached()


async def test_guardrail_that_passes_is_recorded_ok(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = guardrail_app(api, client, trip=False, parallel=not BLOCKING_GUARDRAILS)
    server.responder = app.responder

    result = await run(app)

    assert result.final_output == app.expected_output
    guardrail = otel.span("apply_guardrail math_guardrail")
    assert guardrail.attributes["agent_otel.guardrail.triggered"] is False
    assert all(s.status.status_code is StatusCode.UNSET for s in otel.spans())


async def test_user_span_and_explicit_sdk_trace_parent_the_workflow(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = parallel_tools_app(api, client)
    server.responder = app.responder
    tracer = otel.tracer_provider.get_tracer("user")

    with tracer.start_as_current_span("request"), trace("Batch", group_id="batch-7"):
        await run(app)
        await run(app)

    shape = tree(otel.spans())
    assert shape[:2] == [(0, "request"), (1, "invoke_workflow Batch")]
    assert [name for depth, name in shape if depth == 2] == ["invoke_agent Weather agent"] * 2
    assert _attrs(otel, "invoke_workflow Batch")["gen_ai.conversation.id"] == "batch-7"
    assert all(c.attributes["gen_ai.conversation.id"] == "batch-7" for c in spans_named(otel.spans(), CHAT))
    assert nothing_attached()


async def test_workflow_name_from_run_config(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, traced: Any
) -> None:
    app = parallel_tools_app(api, client)
    app.run_config = RunConfig(workflow_name="Weather desk")
    server.responder = app.responder

    await run(app)

    assert tree(otel.spans())[0] == (0, "invoke_workflow Weather desk")
    assert "gen_ai.conversation.id" not in _attrs(otel, "invoke_workflow Weather desk")


async def test_every_attribute_emitted_is_semconv_or_documented(
    api: Api, server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, content: None, traced: Any
) -> None:
    from test_attribute_names import SEMCONV, SEMCONV_PREFIXES, documented_as_ours, emitted

    for app in (handoff_app(api, client), guardrail_app(api, client, trip=True)):
        server.responder = app.responder
        try:
            await run(app)
        except InputGuardrailTripwireTriggered:
            pass

    names = emitted(otel)
    assert {"agent_otel.guardrail.triggered", "agent_otel.handoff.target"} <= names["span"]
    ours = documented_as_ours()
    undocumented = {
        f"{where}: {name}"
        for where, found in names.items()
        for name in found
        if name not in SEMCONV and name not in ours and not name.startswith(SEMCONV_PREFIXES)
    }
    assert undocumented == set()
