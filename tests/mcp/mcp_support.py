"""Helpers for the MCP tests that run real processes under `opentelemetry-instrument`: a clean environment
exporting to a JSON-lines file, the example's command, and the spans of a file (as `agent-otel` reads them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path
from typing import Any

from agent_otel.cli.model import SpanRecord
from agent_otel.cli.reader import Diagnostics, read_spans

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mcp" / "weather_agent.py"
INSTRUMENT = str(Path(sys.executable).with_name("opentelemetry-instrument"))
MCP_MAJOR = int(version("mcp").split(".", 1)[0])
SERVER_KIND, CLIENT_KIND = 2, 3  # OTLP span kinds


def zero_code_env(traces: Path, service: str, **extra: str) -> dict[str, str]:
    """A fresh shell's environment for `opentelemetry-instrument`: spans to `traces` (agent_otel_jsonl),
    only agent-otel's MCP instrumentor on (the others cost start-up time and are not under test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENT_OTEL_"))}
    others = sorted({ep.name for ep in entry_points(group="opentelemetry_instrumentor")} - {"agent_otel_mcp"})
    env.update(
        OTEL_TRACES_EXPORTER="agent_otel_jsonl",
        OTEL_METRICS_EXPORTER="none",
        OTEL_LOGS_EXPORTER="none",
        OTEL_SERVICE_NAME=service,
        OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=",".join(others),
        AGENT_OTEL_JSONL_PATH=str(traces),
    )
    env.update(extra)
    return env


def load(path: Path) -> list[SpanRecord]:
    with path.open("rb") as f:
        return list(read_spans(f, Diagnostics(str(path))))


def run_example(out: Path, transport: str, one_file: bool = False, **env: str) -> dict[str, Any]:
    """Run examples/mcp/weather_agent.py zero-code; the client's spans go to `client.jsonl` and the
    server's to `server.jsonl` (or both to `traces.jsonl`). Returns its printed summary."""
    client_file = out / ("traces.jsonl" if one_file else "client.jsonl")
    command = [INSTRUMENT, sys.executable, str(EXAMPLE), "--transport", transport]
    if not one_file:
        command += ["--server-traces", str(out / "server.jsonl")]
    done = subprocess.run(
        command,
        env=zero_code_env(client_file, "weather-agent", **env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def mcp_spans(spans: list[SpanRecord]) -> list[SpanRecord]:
    return [s for s in spans if "mcp.method.name" in s.attributes]


def by_request(spans: list[SpanRecord]) -> dict[tuple[str, str | None], SpanRecord]:
    """MCP spans by (method, request id); notifications by (method, None) (one of each in the scenario)."""
    return {
        (s.attributes["mcp.method.name"], s.attributes.get("jsonrpc.request.id")): s for s in mcp_spans(spans)
    }
