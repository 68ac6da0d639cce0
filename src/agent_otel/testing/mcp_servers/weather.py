"""A small MCP server for tests and examples, on the real `mcp` SDK (FastMCP on 1.x, MCPServer on 2.x).

    python -m agent_otel.testing.mcp_servers.weather                          # stdio
    python -m agent_otel.testing.mcp_servers.weather --transport http --port 0

Over HTTP it serves streamable HTTP at `http://127.0.0.1:PORT/mcp` (`--otel-asgi`: inside OpenTelemetry's
ASGI middleware, so each HTTP request has a server span) and, once its socket listens, prints
one line `MCP_SERVER_READY <url>` on stdout (port 0, the default, binds a free port). The port may also
come from the environment variable `AGENT_OTEL_MCP_PORT`. It stops cleanly when its stdin closes
(`--no-stdin-stop` to serve until killed).

What it offers (see the package docstring for the exact texts):

- tools `get_weather(city)` (a normal result), `get_alerts(city)` (a result with `isError: true`) and
  `broken_tool()` (raises; the SDK turns that into an `isError` result too), plus `notifications_seen()`,
  the methods of the client notifications it has received so far;
- resource `weather://cities`, prompt `forecast(city)`.

It has no tracing code: instrument it from outside (`opentelemetry-instrument python -m ...`).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

import anyio
from mcp import types

from agent_otel.testing.mcp_servers.constants import (
    ALERTS_ERROR_TEXT,
    BROKEN_TOOL_MESSAGE,
    CITIES,
    HOST,
    HTTP_PATH,
    PORT_ENV,
    READY_PREFIX,
    SERVER_NAME,
    weather_text,
)

# The methods of the notifications the client sent that the server has seen (process-wide: one server).
_seen: list[str] = []


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return weather_text(city)


def get_alerts(city: str) -> types.CallToolResult:
    """Weather alerts for a city: the alert service is always down, so this is a tool error."""
    return types.CallToolResult.model_validate(
        {"content": [{"type": "text", "text": ALERTS_ERROR_TEXT}], "isError": True}
    )


def broken_tool() -> str:
    """A tool whose code raises."""
    raise ValueError(BROKEN_TOOL_MESSAGE)


def notifications_seen() -> list[str]:
    """The methods of the client notifications this server has received, oldest first."""
    return list(_seen)


def cities() -> str:
    """The cities the weather tools know."""
    return json.dumps(CITIES)


def forecast(city: str) -> str:
    """A prompt asking for a forecast."""
    return f"Write a one-line weather forecast for {city}."


async def _roots_changed(_notification: Any = None, *_args: Any) -> None:
    _seen.append("notifications/roots/list_changed")


def build_server() -> Any:
    """The server object of the installed `mcp` major, with the tools, resource and prompt registered."""
    try:
        from mcp.server.fastmcp import FastMCP  # mcp 1.x
    except ImportError:  # mcp 2.x renamed FastMCP to MCPServer and dropped mcp.server.fastmcp
        from mcp.server.mcpserver import MCPServer

        server: Any = MCPServer(SERVER_NAME, log_level="WARNING")
        server._lowlevel_server.add_notification_handler(
            "notifications/roots/list_changed", types.NotificationParams, _roots_changed
        )
    else:
        server = FastMCP(SERVER_NAME, host=HOST, log_level="WARNING")
        server._mcp_server.notification_handlers[types.RootsListChangedNotification] = _roots_changed
    tool: Callable[..., Any]
    for tool in (get_weather, get_alerts, broken_tool, notifications_seen):
        server.tool()(tool)
    server.resource("weather://cities", mime_type="application/json")(cities)
    server.prompt()(forecast)
    return server


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def asgi_app(server: Any, otel_asgi: bool = False) -> Any:
    """The server's streamable-HTTP ASGI app; with `otel_asgi`, inside OpenTelemetry's ASGI middleware
    (`opentelemetry-instrumentation-asgi`: an HTTP server span per request, as a web framework's
    instrumentation would make)."""
    app = server.streamable_http_app()
    if otel_asgi:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        app = OpenTelemetryMiddleware(app)
    return app


async def serve_http(server: Any, port: int, stop_on_stdin_eof: bool = True, otel_asgi: bool = False) -> None:
    """Serve streamable HTTP on 127.0.0.1:`port` (0: a free one) as the SDK's own `run` does (uvicorn on
    `streamable_http_app()`), on a socket bound first so the ready line carries the real port.

    Closing the server's stdin stops it cleanly: the process then exits normally, so atexit hooks (the
    OTel SDK's flush under `opentelemetry-instrument`) run. On SIGTERM uvicorn re-raises the signal after
    its shutdown, which kills the process before atexit: spans still in a batch processor would be lost."""
    import uvicorn

    sock = _listening_socket(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}{HTTP_PATH}"
    config = uvicorn.Config(asgi_app(server, otel_asgi), log_level="warning", lifespan="on")
    http = uvicorn.Server(config)

    async def stop_at_eof() -> None:
        await anyio.to_thread.run_sync(sys.stdin.read, abandon_on_cancel=True)
        http.should_exit = True

    async with anyio.create_task_group() as tg:
        if stop_on_stdin_eof:
            tg.start_soon(stop_at_eof)
        print(f"{READY_PREFIX} {url}", flush=True)
        await http.serve(sockets=[sock])
        tg.cancel_scope.cancel()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--port", type=int, default=int(os.environ.get(PORT_ENV) or 0))
    parser.add_argument("--no-stdin-stop", action="store_true", help="HTTP: do not stop when stdin closes")
    parser.add_argument("--otel-asgi", action="store_true", help="HTTP: an HTTP server span per request")
    args = parser.parse_args(argv)
    server = build_server()
    if args.transport == "stdio":
        server.run("stdio")
    else:
        anyio.run(serve_http, server, args.port, not args.no_stdin_stop, args.otel_asgi)


if __name__ == "__main__":
    sys.exit(main())
