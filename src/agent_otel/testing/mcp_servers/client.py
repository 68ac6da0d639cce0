"""A client for the test MCP server (`weather`): connects over stdio (the server as a subprocess) or
streamable HTTP and runs one fixed scenario with the real `mcp` ClientSession (1.x and 2.x).

    python -m agent_otel.testing.mcp_servers.client stdio [--server-prefix opentelemetry-instrument]
                                                          [--server-env KEY=VALUE ...]
    python -m agent_otel.testing.mcp_servers.client http http://127.0.0.1:PORT/mcp

prints the `ScenarioResult` as one JSON object on stdout. The scenario, in order: initialize (request, then
the `notifications/initialized` notification), tools/list, tools/call `get_weather` (ok), `get_alerts`
(`isError`), `broken_tool` (raises on the server: `isError` too), resources/read, prompts/get `forecast`,
prompts/get of a missing prompt (a JSON-RPC error), the `notifications/roots/list_changed` notification,
then tools/call `notifications_seen`. It has no tracing code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from agent_otel.testing.mcp_servers.constants import (
    CITIES,
    MISSING_PROMPT,
    PROMPT_NAME,
    RESOURCE_URI,
    SERVER_MODULE,
)

# The scenario's notification reaches the server asynchronously: ask a few times before giving up.
_SEEN_POLLS = 40
_SEEN_POLL_INTERVAL = 0.05


@dataclass
class ToolOutcome:
    text: str
    is_error: bool


@dataclass
class ScenarioResult:
    """What the client saw; JSON-serialisable with `dataclasses.asdict`."""

    protocol_version: str = ""
    server_name: str = ""
    tools: list[str] = field(default_factory=list)
    calls: dict[str, ToolOutcome] = field(default_factory=dict)
    resource_text: str = ""
    prompt_text: str = ""
    missing_prompt_error: dict[str, Any] = field(default_factory=dict)
    notifications_seen: list[str] = field(default_factory=list)
    session_id: str | None = None

    @classmethod
    def from_json(cls, text: str) -> ScenarioResult:
        """The result the client command printed."""
        data = json.loads(text)
        calls = {name: ToolOutcome(**outcome) for name, outcome in data.pop("calls").items()}
        return cls(calls=calls, **data)


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def _call(session: ClientSession, name: str, arguments: dict[str, Any]) -> ToolOutcome:
    result: Any = await session.call_tool(name, arguments)
    return ToolOutcome(_text(result), bool(getattr(result, "isError", getattr(result, "is_error", False))))


async def run_scenario(session: ClientSession) -> ScenarioResult:
    """Run the fixed scenario on an entered, not yet initialized, session."""
    init: Any = await session.initialize()
    out = ScenarioResult(
        protocol_version=str(getattr(init, "protocolVersion", getattr(init, "protocol_version", ""))),
        server_name=init.serverInfo.name if hasattr(init, "serverInfo") else init.server_info.name,
    )
    out.tools = sorted(tool.name for tool in (await session.list_tools()).tools)
    out.calls["get_weather"] = await _call(session, "get_weather", {"city": CITIES[0]})
    out.calls["get_alerts"] = await _call(session, "get_alerts", {"city": CITIES[1]})
    out.calls["broken_tool"] = await _call(session, "broken_tool", {})
    resource = await session.read_resource(RESOURCE_URI)  # type: ignore[arg-type]  # str is accepted
    out.resource_text = "".join(getattr(c, "text", "") for c in resource.contents)
    prompt = await session.get_prompt(PROMPT_NAME, {"city": CITIES[2]})
    out.prompt_text = "".join(getattr(m.content, "text", "") for m in prompt.messages)
    try:
        await session.get_prompt(MISSING_PROMPT, {})
    except Exception as exc:  # McpError (1.x) / MCPError (2.x): a JSON-RPC error response
        error = getattr(exc, "error", None)
        out.missing_prompt_error = {"code": getattr(error, "code", None), "message": str(exc)}
    with warnings.catch_warnings():  # mcp 2.x: roots are deprecated as of protocol 2026-07-28 (SEP-2577)
        warnings.simplefilter("ignore")
        await session.send_roots_list_changed()
    for _ in range(_SEEN_POLLS):
        seen: Any = await session.call_tool("notifications_seen", {})
        structured = getattr(seen, "structuredContent", getattr(seen, "structured_content", None))
        out.notifications_seen = list((structured or {}).get("result", []))
        if "notifications/roots/list_changed" in out.notifications_seen:
            break
        await anyio.sleep(_SEEN_POLL_INTERVAL)
    return out


def server_parameters(
    prefix: Sequence[str] = (), env: dict[str, str] | None = None, python: str = sys.executable
) -> StdioServerParameters:
    """How to start the weather server over stdio: `[*prefix] python -m ...weather`, with this process's
    environment plus `env` (the SDK would otherwise pass only a few safe variables)."""
    command = [*prefix, python, "-m", SERVER_MODULE, "--transport", "stdio"]
    return StdioServerParameters(command=command[0], args=command[1:], env={**os.environ, **(env or {})})


@asynccontextmanager
async def stdio_session(params: StdioServerParameters) -> AsyncIterator[ClientSession]:
    """A session with the server as a subprocess; the SDK ends the process when the block exits."""
    async with stdio_client(params) as streams, ClientSession(streams[0], streams[1]) as session:
        yield session


@asynccontextmanager
async def http_session(url: str) -> AsyncIterator[tuple[ClientSession, Any]]:
    """A session over streamable HTTP, with the transport's session-id getter (None on mcp 2.x)."""
    from mcp.client import streamable_http

    connect: Any = getattr(streamable_http, "streamable_http_client", None)
    if connect is None:  # mcp < 1.24 only has the older spelling
        connect = streamable_http.streamablehttp_client
    async with connect(url) as streams, ClientSession(streams[0], streams[1]) as session:
        yield session, (streams[2] if len(streams) > 2 else None)


async def run_stdio(params: StdioServerParameters) -> ScenarioResult:
    async with stdio_session(params) as session:
        return await run_scenario(session)


async def run_http(url: str) -> ScenarioResult:
    async with http_session(url) as (session, get_session_id):
        result = await run_scenario(session)
        result.session_id = get_session_id() if get_session_id is not None else None
        return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="transport", required=True)
    stdio = sub.add_parser("stdio")
    stdio.add_argument("--server-prefix", action="append", default=[], help="command words before python")
    stdio.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE")
    http = sub.add_parser("http")
    http.add_argument("url")
    args = parser.parse_args(argv)
    if args.transport == "stdio":
        env = dict(item.split("=", 1) for item in args.server_env)
        result = anyio.run(run_stdio, server_parameters(args.server_prefix, env))
    else:
        result = anyio.run(run_http, args.url)
    print(json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
