"""The MCP instrumentor in one process (mcp 1.x): the real weather server and `ClientSession` connected by
the SDK's in-memory transport, real OTel SDK providers. What the process tests cannot see from outside:
metrics, uninstrument, a framework's execute_tool span around an MCP call (LangChain with
langchain-mcp-adapters), and another instrumentation's span for the same message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp.shared.memory import create_connected_server_and_client_session
from opentelemetry.trace import SpanKind

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.mcp import McpInstrumentor
from agent_otel.testing.mcp_servers import CITIES, weather_text
from agent_otel.testing.mcp_servers.weather import build_server


@pytest.fixture
def instrumented(otel: Any) -> Iterator[McpInstrumentor]:
    instrumentor = McpInstrumentor()
    instrumentor.instrument(**otel.providers)
    try:
        yield instrumentor
    finally:
        instrumentor.uninstrument()


async def _scenario() -> None:
    async with create_connected_server_and_client_session(build_server()._mcp_server) as session:
        await session.call_tool("get_weather", {"city": CITIES[0]})
        await session.call_tool("get_alerts", {"city": CITIES[0]})
        await session.send_roots_list_changed()
        await session.call_tool("notifications_seen", {})  # the notification is handled by then


async def test_operation_and_session_duration_metrics_have_low_cardinality_attributes(
    otel: Any, instrumented: McpInstrumentor
) -> None:
    await _scenario()
    metrics = otel.metrics()
    for name in ("mcp.client.operation.duration", "mcp.server.operation.duration"):
        points = {
            (
                p.attributes["mcp.method.name"],
                p.attributes.get("gen_ai.tool.name"),
                p.attributes.get("error.type"),
            )
            for p in metrics[name]
        }
        assert ("tools/call", "get_weather", None) in points
        assert ("tools/call", "get_alerts", "tool_error") in points
        assert ("notifications/roots/list_changed", None, None) in points
        for point in metrics[name]:
            assert not {"jsonrpc.request.id", "mcp.session.id", "mcp.resource.uri"} & set(point.attributes)
    assert metrics["mcp.client.session.duration"] and metrics["mcp.server.session.duration"]


async def test_uninstrument_restores_every_patched_attribute_and_stops_tracing(otel: Any) -> None:
    instrumentor = McpInstrumentor()
    instrumentor.instrument(**otel.providers)
    await _scenario()
    targets = instrumentor._patcher.targets
    assert len(targets) >= 10
    instrumentor.uninstrument()
    for owner, attr, original in targets:
        assert vars(owner)[attr] is original
    before = len(otel.spans())
    await _scenario()
    assert len(otel.spans()) == before


async def test_framework_tool_span_gets_the_mcp_attributes_and_parents_the_mcp_spans(
    otel: Any, instrumented: McpInstrumentor
) -> None:
    from langchain_mcp_adapters.tools import load_mcp_tools

    langchain = LangChainInstrumentor()
    langchain.instrument(**otel.providers)
    try:
        async with create_connected_server_and_client_session(build_server()._mcp_server) as session:
            tools = {t.name: t for t in await load_mcp_tools(session)}
            call = {"name": "get_weather", "args": {"city": CITIES[0]}, "id": "call_1", "type": "tool_call"}
            message = await tools["get_weather"].ainvoke(call)
    finally:
        langchain.uninstrument()
    assert weather_text(CITIES[0]) in str(message.content)
    spans = otel.spans()
    (framework,) = [s for s in spans if s.name == "execute_tool get_weather"]  # one tool span, not two
    calls = [s for s in spans if s.name == "tools/call get_weather"]
    client = next(s for s in calls if s.kind == SpanKind.CLIENT)
    server = next(s for s in calls if s.kind == SpanKind.SERVER)
    assert client.parent.span_id == framework.context.span_id
    assert server.parent.span_id == client.context.span_id
    assert framework.attributes["mcp.method.name"] == "tools/call"
    assert framework.attributes["mcp.protocol.version"] == client.attributes["mcp.protocol.version"]
    assert framework.attributes["gen_ai.operation.name"] == "execute_tool"
    assert "gen_ai.operation.name" not in client.attributes  # one execute_tool span per call
    assert client.attributes["gen_ai.tool.name"] == "get_weather"


async def test_a_span_another_instrumentation_made_for_the_message_is_enriched_not_duplicated(
    otel: Any, instrumented: McpInstrumentor
) -> None:
    tracer = otel.tracer_provider.get_tracer("fastmcp")  # as FastMCP's own client span would be
    async with create_connected_server_and_client_session(build_server()._mcp_server) as session:
        with tracer.start_as_current_span(
            "tools/call get_weather",
            kind=SpanKind.CLIENT,
            attributes={"mcp.method.name": "tools/call"},
        ):
            await session.call_tool("get_weather", {"city": CITIES[0]})
    clients = [s for s in otel.spans() if s.name == "tools/call get_weather" and s.kind == SpanKind.CLIENT]
    (client,) = clients
    assert client.instrumentation_scope.name == "fastmcp"
    assert client.attributes["gen_ai.tool.name"] == "get_weather"
    assert client.attributes["jsonrpc.request.id"] == "1"
    server = next(s for s in otel.spans() if s.name == "tools/call get_weather" and s.kind == SpanKind.SERVER)
    assert server.parent.span_id == client.context.span_id


async def test_every_attribute_name_is_a_semantic_convention_name(
    otel: Any, instrumented: McpInstrumentor
) -> None:
    from opentelemetry.semconv._incubating.attributes import (
        client_attributes,
        exception_attributes,
        gen_ai_attributes,
        jsonrpc_attributes,
        mcp_attributes,
        network_attributes,
        rpc_attributes,
        server_attributes,
    )
    from opentelemetry.semconv.attributes import error_attributes

    modules = (
        client_attributes,
        exception_attributes,
        gen_ai_attributes,
        jsonrpc_attributes,
        mcp_attributes,
        network_attributes,
        rpc_attributes,
        server_attributes,
        error_attributes,
    )
    known = {v for m in modules for k, v in vars(m).items() if k.isupper() and isinstance(v, str)}

    async def scenario() -> None:
        async with create_connected_server_and_client_session(build_server()._mcp_server) as session:
            await session.call_tool("get_alerts", {"city": CITIES[0]})
            await session.read_resource("weather://cities")  # type: ignore[arg-type]
            try:
                await session.get_prompt("no_such_prompt", {})
            except Exception:
                pass

    await scenario()
    emitted = {k for s in otel.spans() for k in (s.attributes or {})}
    emitted |= {k for points in otel.metrics().values() for p in points for k in p.attributes}
    assert emitted and emitted <= known, emitted - known
