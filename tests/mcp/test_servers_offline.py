"""The MCP test fixtures work, uninstrumented: the weather server as a real subprocess over stdio and over
streamable HTTP on 127.0.0.1, driven by the real `mcp` client, and the processes are always stopped.

These prove the fixtures the MCP instrumentation tests build on (agent_otel.testing.mcp_servers); they
run against whichever mcp major is installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

from agent_otel.testing.mcp_servers import (
    ALERTS_ERROR_TEXT,
    CITIES,
    CLIENT_MODULE,
    MISSING_PROMPT,
    SERVER_NAME,
    TOOL_NAMES,
    http_server,
    weather_text,
)
from agent_otel.testing.mcp_servers.client import ScenarioResult, run_http, run_stdio, server_parameters

MCP_MAJOR = int(version("mcp").split(".", 1)[0])


def check_scenario(result: ScenarioResult) -> None:
    assert result.server_name == SERVER_NAME
    assert result.protocol_version.startswith("20")
    assert result.tools == sorted(TOOL_NAMES)
    weather, alerts, broken = (result.calls[name] for name in ("get_weather", "get_alerts", "broken_tool"))
    assert (weather.text, weather.is_error) == (weather_text(CITIES[0]), False)
    assert (alerts.text, alerts.is_error) == (ALERTS_ERROR_TEXT, True)
    # The SDK turns the tool's exception into an isError result (mcp 2.x hides the exception's message).
    assert broken.is_error and broken.text.startswith("Error executing tool broken_tool")
    assert json.loads(result.resource_text) == CITIES
    assert result.prompt_text == f"Write a one-line weather forecast for {CITIES[2]}."
    assert MISSING_PROMPT in result.missing_prompt_error["message"]
    assert result.notifications_seen == ["notifications/roots/list_changed"]


async def test_stdio_server_subprocess_serves_tools_resource_prompt_and_notification() -> None:
    check_scenario(await run_stdio(server_parameters()))


async def test_http_server_subprocess_serves_the_scenario_and_exits_cleanly() -> None:
    with http_server() as server:
        assert server.url == f"http://127.0.0.1:{server.port}/mcp" and server.port > 0
        result = await run_http(server.url)
    check_scenario(result)
    # mcp 1.x's transport hands out the Mcp-Session-Id the server assigned; 2.x's has no getter.
    assert (result.session_id is not None and len(result.session_id) > 0) == (MCP_MAJOR == 1)
    # Stopped by closing its stdin: a normal exit (atexit hooks such as an exporter flush ran), not a kill.
    assert server.process.returncode == 0


def test_http_server_is_stopped_when_the_test_fails_inside() -> None:
    with pytest.raises(RuntimeError, match="test failed"), http_server() as server:
        assert server.process.poll() is None
        raise RuntimeError("test failed")
    assert server.process.returncode == 0


def test_client_command_runs_the_scenario_against_a_stdio_server_it_starts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", CLIENT_MODULE, "stdio"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    check_scenario(ScenarioResult.from_json(done.stdout))
