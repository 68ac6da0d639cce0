"""One trace across the MCP boundary, with real processes: the example's agent process (client) and the
weather server process, over stdio (the server is the client's subprocess) and over streamable HTTP (a
server on 127.0.0.1 with OpenTelemetry's ASGI middleware), each instrumented zero-code by
`opentelemetry-instrument` and exporting to its own JSON-lines file. Both files are read back."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_support import CLIENT_KIND, MCP_MAJOR, SERVER_KIND, by_request, load, mcp_spans, run_example

from agent_otel.cli.model import SpanRecord
from agent_otel.testing.mcp_servers import CITIES, MISSING_PROMPT, weather_text

STATUS_ERROR = 2
NOTIFICATIONS = ("notifications/initialized", "notifications/roots/list_changed")


def _run(tmp_path_factory: pytest.TempPathFactory, transport: str, **env: str) -> dict[str, Any]:
    out = tmp_path_factory.mktemp(f"mcp-{transport}")
    summary = run_example(out, transport, **env)
    return {"summary": summary, "client": load(out / "client.jsonl"), "server": load(out / "server.jsonl")}


@pytest.fixture(scope="module")
def stdio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(tmp_path_factory, "stdio", AGENT_OTEL_MCP_BAGGAGE="true")


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(tmp_path_factory, "http")


@pytest.fixture(params=["stdio", "http"])
def run(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def test_the_agent_saw_the_servers_answers_unchanged(run: dict[str, Any]) -> None:
    result = run["summary"]["result"]
    assert result["calls"]["get_weather"] == {"text": weather_text(CITIES[0]), "is_error": False}
    assert result["calls"]["get_alerts"]["is_error"] is True
    assert result["notifications_seen"] == ["notifications/roots/list_changed"]
    assert MISSING_PROMPT in result["missing_prompt_error"]["message"]


def test_client_and_server_spans_are_one_trace_under_the_agent(run: dict[str, Any]) -> None:
    trace_id = run["summary"]["trace_id"]
    client, server = mcp_spans(run["client"]), mcp_spans(run["server"])
    (agent,) = [s for s in run["client"] if s.name == "invoke_agent weather-agent"]
    assert agent.trace_id == trace_id
    assert {s.trace_id for s in client + server} == {trace_id}
    assert {s.parent_id for s in client} == {agent.span_id}
    assert {s.kind for s in client} == {CLIENT_KIND} and {s.kind for s in server} == {SERVER_KIND}


def test_every_server_span_is_a_child_of_its_client_span(run: dict[str, Any]) -> None:
    client, server = by_request(run["client"]), by_request(run["server"])
    assert set(server) == set(client)  # every request and notification, initialize included
    for key, span in server.items():
        assert span.parent_id == client[key].span_id, key
        assert span.parent_remote is True
        assert span.name == client[key].name


def test_notifications_carry_the_context_both_ways(run: dict[str, Any]) -> None:
    client, server = by_request(run["client"]), by_request(run["server"])
    for method in NOTIFICATIONS:
        sent, received = client[(method, None)], server[(method, None)]
        assert sent.name == received.name == method
        assert received.parent_id == sent.span_id
        assert "jsonrpc.request.id" not in received.attributes


def _one(spans: list[SpanRecord], name: str) -> SpanRecord:
    (span,) = [s for s in spans if s.name == name]
    return span


def test_tools_call_spans_follow_the_mcp_conventions(run: dict[str, Any]) -> None:
    for side in ("client", "server"):
        ok = _one(run[side], "tools/call get_weather")
        assert ok.attributes["mcp.method.name"] == "tools/call"
        assert ok.attributes["gen_ai.operation.name"] == "execute_tool"
        assert ok.attributes["gen_ai.tool.name"] == "get_weather"
        assert ok.attributes["mcp.protocol.version"] == run["summary"]["result"]["protocol_version"]
        assert ok.attributes["jsonrpc.request.id"].isdigit()
        assert ok.status_code != STATUS_ERROR and "error.type" not in ok.attributes
        resource = _one(run[side], "resources/read")
        assert resource.attributes["mcp.resource.uri"] == "weather://cities"
        assert _one(run[side], "prompts/get forecast").attributes["gen_ai.prompt.name"] == "forecast"
        assert "gen_ai.operation.name" not in resource.attributes


def test_is_error_results_are_tool_errors_on_both_sides(run: dict[str, Any]) -> None:
    for side in ("client", "server"):
        for tool in ("get_alerts", "broken_tool"):
            span = _one(run[side], f"tools/call {tool}")
            assert span.attributes["error.type"] == "tool_error"
            assert span.status_code == STATUS_ERROR


def test_a_json_rpc_error_is_its_code_and_the_handlers_exception_on_the_server(run: dict[str, Any]) -> None:
    client = _one(run["client"], f"prompts/get {MISSING_PROMPT}")
    assert client.attributes["error.type"] == client.attributes["rpc.response.status_code"] == "0"
    server = _one(run["server"], f"prompts/get {MISSING_PROMPT}")
    if MCP_MAJOR == 1:  # the lowlevel server turned the exception into the error it answers with
        assert server.attributes["error.type"] == server.attributes["rpc.response.status_code"] == "0"
    else:  # mcp 2.x's middleware sees the handler's exception itself (the SDK's own spans say the same)
        assert server.attributes["error.type"] == "ValueError"
        assert [e.name for e in server.events] == ["exception"]
    for span in (client, server):
        assert span.status_code == STATUS_ERROR
        assert MISSING_PROMPT not in span.status_message  # content capture is off: the code or type only


def test_stdio_is_a_pipe_without_a_server_address(stdio: dict[str, Any]) -> None:
    for span in mcp_spans(stdio["client"]) + mcp_spans(stdio["server"]):
        assert span.attributes["network.transport"] == "pipe"
        assert not {"server.address", "client.address", "mcp.session.id"} & set(span.attributes)


def test_http_spans_have_the_session_transport_and_peer(http: dict[str, Any]) -> None:
    client, server = mcp_spans(http["client"]), mcp_spans(http["server"])
    port = client[0].attributes["server.port"]
    for span in client:
        assert span.attributes["server.address"] == "127.0.0.1" and span.attributes["server.port"] == port
    for span in client + server:
        assert (span.attributes["network.transport"], span.attributes["network.protocol.name"]) == (
            "tcp",
            "http",
        )
    for span in server:
        assert span.attributes["client.address"] == "127.0.0.1"
    session_ids = {span.attributes["mcp.session.id"] for span in server}
    assert len(session_ids) == 1
    if MCP_MAJOR == 1:  # mcp 1.x's client transport tells the session id (2.x's does not)
        assert session_ids == {http["summary"]["result"]["session_id"]}
        for span in client:
            if span.name != "initialize":  # the client learns it from the answer
                assert span.attributes["mcp.session.id"] in session_ids, span.name


def test_http_server_request_spans_link_the_http_server_span(http: dict[str, Any]) -> None:
    http_spans = {s.span_id: s for s in http["server"] if s.kind == SERVER_KIND and s.name == "POST /mcp"}
    requests = [s for s in mcp_spans(http["server"]) if "jsonrpc.request.id" in s.attributes]
    assert len(requests) >= 9
    for span in requests:  # a notification reaches the handler without its HTTP request: no link
        (link,) = span.links
        assert http_spans[link["span_id"]].trace_id != span.trace_id  # the HTTP request's own trace


def test_caller_identity_travels_as_baggage_only_when_enabled(
    stdio: dict[str, Any], http: dict[str, Any]
) -> None:
    for span in mcp_spans(stdio["server"]):
        assert span.attributes["gen_ai.agent.name"] == "weather-agent"
        assert span.attributes["gen_ai.conversation.id"] == "conversation-1"
    for span in mcp_spans(http["server"]):
        assert "gen_ai.agent.name" not in span.attributes
    for span in mcp_spans(http["client"]):  # the client's own spans always name their agent
        assert span.attributes["gen_ai.agent.name"] == "weather-agent"


def test_one_span_per_message_whoever_else_traces_it(run: dict[str, Any]) -> None:
    """mcp 2.x traces itself (scope `mcp-python-sdk`): ours replace its spans, never add a second layer."""
    for side in ("client", "server"):
        spans = run[side]
        assert not [s for s in spans if s.scope == "mcp-python-sdk"]
        ours = mcp_spans(spans)
        assert {s.scope for s in ours} == {"agent_otel.instrumentation.mcp"}
        keys = [(s.attributes["mcp.method.name"], s.attributes.get("jsonrpc.request.id")) for s in ours]
        assert len(keys) == len(set(keys))
