"""An agent process that uses the tools of an MCP server process: one trace across both.

The agent (`invoke_agent weather-agent`, agent_otel.manual) talks to the weather MCP server
(agent_otel.testing.mcp_servers) over stdio (the server is its subprocess) or streamable HTTP (a server
process on 127.0.0.1): it lists the tools, calls three of them (one answers with `isError`), reads a
resource, gets a prompt (and a missing one: a JSON-RPC error) and sends a notification. Both processes
are instrumented zero-code; nothing here is tracing code besides the agent span.

    export OTEL_TRACES_EXPORTER=agent_otel_jsonl OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none
    export AGENT_OTEL_JSONL_PATH=mcp-traces.jsonl OTEL_SERVICE_NAME=weather-agent
    opentelemetry-instrument python examples/mcp/weather_agent.py --transport stdio   # or http
    agent-otel view mcp-traces.jsonl

The server runs under `opentelemetry-instrument` too, as service `weather-server`, and appends to the same
file (or `--server-traces FILE`). It prints the trace id and what the agent saw as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

import anyio
from opentelemetry import trace

from agent_otel import manual
from agent_otel.testing.mcp_servers import http_server
from agent_otel.testing.mcp_servers.client import run_http, run_stdio, server_parameters


def instrument_command() -> str:
    """`opentelemetry-instrument` next to this Python, else on the PATH."""
    beside = Path(sys.executable).with_name("opentelemetry-instrument")
    return (
        str(beside)
        if beside.exists()
        else (shutil.which("opentelemetry-instrument") or "opentelemetry-instrument")
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--server-traces", help="the server's trace file (default: AGENT_OTEL_JSONL_PATH)")
    parser.add_argument("--conversation", default="conversation-1")
    args = parser.parse_args(argv)
    server_env = {"OTEL_SERVICE_NAME": "weather-server"}
    if args.server_traces:
        server_env["AGENT_OTEL_JSONL_PATH"] = args.server_traces
    prefix = [instrument_command()]
    with manual.agent("weather-agent", conversation_id=args.conversation):
        trace_id = format(trace.get_current_span().get_span_context().trace_id, "032x")
        if args.transport == "stdio":
            result = anyio.run(run_stdio, server_parameters(prefix, server_env))
        else:
            # --otel-asgi: the server's HTTP requests get server spans, which its MCP spans link to.
            with http_server(prefix, {**os.environ, **server_env}, args=["--otel-asgi"]) as server:
                result = anyio.run(run_http, server.url)
    print(json.dumps({"trace_id": trace_id, "result": asdict(result)}), flush=True)


if __name__ == "__main__":
    main()
