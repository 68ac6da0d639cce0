"""A framework's tool call over MCP, across processes: an OpenAI Agents SDK agent (real openai-agents, fake
OpenAI server) whose MCP server is the weather server, a stdio subprocess instrumented zero-code.

    execute_tool get_weather (the framework's)  ->  tools/call get_weather (MCP client, this process)
        ->  tools/call get_weather (MCP server, the other process)

One execute_tool span for the call (the MCP client span is the transport's), and the MCP attributes are on
the framework's span too. (LangChain's langchain-mcp-adapters: tests/mcp/test_mcp_in_process.py.)"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp_support import INSTRUMENT, SERVER_KIND, load, zero_code_env

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "openai_agents"))

from agents import set_trace_processors
from agents.mcp import MCPServerStdio
from apps import APIS, mcp_app, run
from openai import AsyncOpenAI
from opentelemetry.trace import SpanKind

from agent_otel.instrumentation.mcp import McpInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor
from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.mcp_servers.client import server_parameters


@pytest.fixture
def instrumented(otel: Any) -> Iterator[None]:
    set_trace_processors([])  # the SDK's own trace export: off, as in tests/openai_agents
    instrumentors = [OpenAIInstrumentor(), OpenAIAgentsInstrumentor(), McpInstrumentor()]
    for instrumentor in instrumentors:
        instrumentor.instrument(**otel.providers)
    try:
        yield
    finally:
        for instrumentor in instrumentors:
            instrumentor.uninstrument()


async def test_agents_sdk_tool_over_mcp_is_one_chain_across_processes(
    otel: Any, instrumented: None, tmp_path: Path
) -> None:
    server_file = tmp_path / "server.jsonl"
    params = server_parameters([INSTRUMENT], zero_code_env(server_file, "weather-server"))
    mcp = MCPServerStdio(
        name="weather", params={"command": params.command, "args": params.args, "env": params.env}
    )
    with FakeOpenAIServer() as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="test-key", max_retries=0)
        async with mcp:
            app = mcp_app(APIS[0], client, mcp)
            fake.responder = app.responder
            result = await run(app)
        await client.close()
    assert result.final_output == app.expected_output

    spans = otel.spans()
    (framework,) = [s for s in spans if s.name == "execute_tool get_weather"]
    (mcp_client,) = [s for s in spans if s.name == "tools/call get_weather"]
    assert mcp_client.kind == SpanKind.CLIENT
    assert mcp_client.parent.span_id == framework.context.span_id
    assert framework.attributes["mcp.method.name"] == "tools/call"
    assert "gen_ai.operation.name" not in mcp_client.attributes  # one execute_tool span per call
    assert framework.attributes["mcp.protocol.version"] == mcp_client.attributes["mcp.protocol.version"]
    assert framework.attributes["gen_ai.agent.name"] == mcp_client.attributes["gen_ai.agent.name"]
    (mcp_server,) = [s for s in load(server_file) if s.name == "tools/call get_weather"]
    assert mcp_server.kind == SERVER_KIND
    assert mcp_server.trace_id == format(framework.context.trace_id, "032x")
    assert mcp_server.parent_id == format(mcp_client.context.span_id, "016x")
