"""examples/mcp: the agent process and the MCP server process write one trace file, which `agent-otel view`
shows as one tree: each server span beneath the client span of the same message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mcp_support import load, run_example


def test_agent_otel_view_shows_the_two_processes_as_one_tree(tmp_path: Path) -> None:
    summary = run_example(tmp_path, "stdio", one_file=True)
    spans = load(tmp_path / "traces.jsonl")
    assert {s.trace_id for s in spans} == {summary["trace_id"]}
    assert {s.resource.get("service.name") for s in spans} == {"weather-agent", "weather-server"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent_otel.cli.main",
            "view",
            str(tmp_path / "traces.jsonl"),
            "--color",
            "never",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = []  # (depth, span name) of each row, after the ✗ column
    for line in done.stdout.splitlines()[3:]:
        found = re.match(r"([│├└─ ]*)(\S.*?)(?:\s{2,}|$)", line[2:])
        if found:
            rows.append((len(found.group(1)) // 3, found.group(2)))
    assert rows[:5] == [
        (0, "invoke_agent weather-agent"),
        (1, "initialize"),
        (2, "initialize"),
        (1, "notifications/initialized"),
        (2, "notifications/initialized"),
    ]
    index = rows.index((1, "tools/call get_weather"))
    assert rows[index + 1] == (2, "tools/call get_weather")
    assert f"1 trace, {len(spans)} spans" in done.stdout
