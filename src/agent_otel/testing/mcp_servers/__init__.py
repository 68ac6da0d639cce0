"""A real MCP server and client for tests and examples: the `mcp` SDK on both sides, real processes, no
network beyond 127.0.0.1, no tracing code (instrument them from outside, e.g. `opentelemetry-instrument`).

Importing this package needs only the standard library; `weather` and `client` need `mcp` (1.x or 2.x,
`pip install agent-otel[mcp]`).

- `weather`: the server (FastMCP on mcp 1.x, MCPServer on 2.x), `python -m
  agent_otel.testing.mcp_servers.weather [--transport stdio|http] [--port N]`. Tools `get_weather(city)`
  -> `weather_text(city)`; `get_alerts(city)` -> `isError` result `ALERTS_ERROR_TEXT`; `broken_tool()`
  raises `ValueError(BROKEN_TOOL_MESSAGE)` (the SDK answers with an `isError` result, not a JSON-RPC
  error); `notifications_seen()` -> the client notification methods received. Resource `weather://cities`
  (JSON list `CITIES`), prompt `forecast(city)`. A missing prompt is a JSON-RPC error.
- `client`: `run_stdio(server_parameters(prefix, env))`, `run_http(url)`, or `python -m
  agent_otel.testing.mcp_servers.client stdio|http URL` (prints the `ScenarioResult` as JSON).
- `launch.http_server(prefix=(), env=None)`: a context manager running the server over streamable HTTP
  in a subprocess on a free port; yields `HttpServerProcess(url, process)`, always stops it (closing its
  stdin first, so the server exits normally and atexit flushes run).

A zero-code run of both sides, each exporting to its own file::

    with http_server(prefix=["opentelemetry-instrument"], env={...server OTEL_* ...}) as srv:
        subprocess.run(["opentelemetry-instrument", sys.executable, "-m", CLIENT_MODULE, "http", srv.url],
                       env={...client OTEL_* ...}, check=True)
    # stdio: the client starts the server itself:
    subprocess.run(["opentelemetry-instrument", sys.executable, "-m", CLIENT_MODULE, "stdio",
                    "--server-prefix", "opentelemetry-instrument", "--server-env", "KEY=VALUE", ...])
"""

from __future__ import annotations

from agent_otel.testing.mcp_servers.constants import (
    ALERTS_ERROR_TEXT,
    BROKEN_TOOL_MESSAGE,
    CITIES,
    CLIENT_MODULE,
    MISSING_PROMPT,
    PROMPT_NAME,
    RESOURCE_URI,
    SERVER_MODULE,
    SERVER_NAME,
    TOOL_NAMES,
    weather_text,
)
from agent_otel.testing.mcp_servers.launch import HttpServerProcess, http_server, stop_process

__all__ = [
    "ALERTS_ERROR_TEXT",
    "BROKEN_TOOL_MESSAGE",
    "CITIES",
    "CLIENT_MODULE",
    "MISSING_PROMPT",
    "PROMPT_NAME",
    "RESOURCE_URI",
    "SERVER_MODULE",
    "SERVER_NAME",
    "TOOL_NAMES",
    "HttpServerProcess",
    "http_server",
    "stop_process",
    "weather_text",
]
