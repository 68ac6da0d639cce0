"""demo: `agent-otel demo` end to end in a subprocess — the app runs under opentelemetry-instrument against
the fake server, only agent-otel's instrumentors trace it, and the trace has the whole multi-agent tree."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent_otel.cli import demo
from agent_otel.cli.demo_script import DemoScript
from agent_otel.cli.model import SpanRecord, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.traces import scan
from agent_otel.testing.openai_server import RecordedRequest

EXPECTED_TREE = [
    (0, "invoke_workflow support_team"),
    (1, "invoke_agent triage"),
    (2, "chat gpt-4o-mini"),
    (2, "execute_tool transfer_to_researcher"),
    (1, "invoke_agent researcher"),
    (2, "chat gpt-4o-mini"),
    (2, "execute_tool search"),  # fails once (TimeoutError), retried by ToolRetryMiddleware
    (2, "execute_tool search"),
    (2, "chat gpt-4o-mini"),
    (1, "invoke_agent triage"),
    (2, "chat gpt-4o-mini"),
    (2, "execute_tool transfer_to_writer"),
    (1, "invoke_agent writer"),
    (2, "chat gpt-4o"),  # streamed
]


def load(path: Path) -> tuple[list[Trace], Diagnostics]:
    traces: list[Trace] = []

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        assert trace is not None
        traces.append(trace)

    diag = Diagnostics(str(path), stream=io.StringIO())
    scan(str(path), diag, on_trace, keep=lambda _: True)
    return traces, diag


def shape(trace: Trace) -> list[tuple[int, str]]:
    roots, children, _ = trace.tree()
    out: list[tuple[int, str]] = []

    def walk(span: SpanRecord, depth: int) -> None:
        out.append((depth, span.name))
        for kid in children.get(span.span_id, []):
            walk(kid, depth + 1)

    for root in roots:
        walk(root, 0)
    return out


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("NO_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "agent_otel.cli.main", "demo", "--html", "page.html"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return {"proc": proc, "dir": work}


def test_demo_succeeds_and_prints_the_tree(demo_run: dict[str, Any]) -> None:
    proc = demo_run["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "The app answered (5 model calls): Run your app under `opentelemetry-instrument`" in out
    assert "Trace " in out and "service agent-otel-demo" in out
    lines = out.splitlines()
    header = next(i for i, r in enumerate(lines) if r.startswith("  SPAN"))
    rows = lines[header + 1 : lines.index("", header)]
    assert len(rows) == len(EXPECTED_TREE)
    for row, (depth, name) in zip(rows, EXPECTED_TREE, strict=True):
        label = row[2:].lstrip("│├└─ ")
        assert label.startswith(name), (row, name)
        assert row[2:].index(label[0]) == 3 * depth  # indented by its depth in the tree
    (error_row,) = [r for r in out.splitlines() if r.startswith("✗ ")]
    assert "execute_tool search" in error_row and "ERROR TimeoutError" in error_row
    assert "search index timed out" not in out  # content capture is off: the type, not the message
    assert "\x1b[" not in out  # stdout is a pipe: no colour codes
    assert "The spans are in agent-otel-demo.jsonl (OTLP JSON lines)" in out
    assert "agent-otel: wrote page.html (1 trace)" in proc.stderr


def test_trace_file_has_the_whole_multi_agent_tree(demo_run: dict[str, Any]) -> None:
    path = demo_run["dir"] / "agent-otel-demo.jsonl"
    traces, diag = load(path)
    assert diag.total == 0, diag.messages
    (trace,) = traces
    assert shape(trace) == EXPECTED_TREE
    spans = trace.spans
    # only agent-otel's instrumentors traced the app (others are disabled for the demo)
    assert {s.scope.split(".instrumentation.")[0] for s in spans} == {"agent_otel"}
    assert {s.service for s in spans} == {"agent-otel-demo"}
    chats = [s for s in spans if s.operation == "chat"]
    assert [s.agent for s in sorted(chats, key=lambda s: s.start_ns)] == [
        "triage", "researcher", "researcher", "triage", "writer",
    ]  # fmt: skip
    assert all(s.input_tokens and s.output_tokens and s.cost and s.cost > 0 for s in chats)
    (failed,) = [s for s in spans if s.is_error]
    assert failed.name == "execute_tool search" and failed.error_type == "TimeoutError"
    assert failed.agent == "researcher"
    s = trace.summary
    assert s.input_tokens == sum(c.input_tokens or 0 for c in chats)
    assert s.cost == pytest.approx(sum(c.cost or 0 for c in chats))


def test_demo_queries_and_html(demo_run: dict[str, Any]) -> None:
    work = demo_run["dir"]
    proc = subprocess.run(
        [sys.executable, "-m", "agent_otel.cli.main", "query", "agents", "agent-otel-demo.jsonl", "--json"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["agent"]: r for r in json.loads(proc.stdout)["agents"]}
    assert set(rows) == {"triage", "researcher", "writer"}
    assert rows["triage"]["invocations"] == 2 and rows["triage"]["inference_calls"] == 2
    assert rows["researcher"]["tool_calls"] == 2 and rows["researcher"]["errors"] == 1
    assert (
        rows["writer"]["inference_calls"] == 1 and rows["writer"]["cost"] > rows["triage"]["cost"]
    )  # gpt-4o
    page = (work / "page.html").read_text(encoding="utf-8")
    assert "invoke_workflow support_team" in page and "http://" not in page.split("<script id=")[0]


def test_demo_script_plays_each_agent_from_the_request() -> None:
    script = DemoScript(latency=0.0)

    def ask(tools: list[str], messages: list[dict[str, Any]]) -> dict[str, Any]:
        body = {
            "model": "gpt-4o-mini",
            "messages": messages,
            "tools": [{"type": "function", "function": {"name": t}} for t in tools],
        }
        reply = script(RecordedRequest("POST", "/v1/chat/completions", {}, {}, body))
        assert reply is not None
        return json.loads(reply.body)["choices"][0]["message"]

    user = [{"role": "user", "content": "q"}]
    first = ask(["transfer_to_researcher", "transfer_to_writer"], user)
    assert first["tool_calls"][0]["function"]["name"] == "transfer_to_researcher"
    handed = [*user, {"role": "assistant", "tool_calls": first["tool_calls"]},
              {"role": "tool", "tool_call_id": first["tool_calls"][0]["id"], "content": "ok"}]  # fmt: skip
    search = ask(["search"], handed)
    assert search["tool_calls"][0]["function"]["name"] == "search"
    result = {"role": "tool", "tool_call_id": search["tool_calls"][0]["id"], "content": "- found"}
    searched = [*handed, {"role": "assistant", "tool_calls": search["tool_calls"]}, result]
    assert ask(["search"], searched)["content"].startswith("Findings:")
    assert (
        ask(["transfer_to_researcher", "transfer_to_writer"], searched)["tool_calls"][0]["function"]["name"]
        == "transfer_to_writer"
    )
    assert ask([], searched)["content"].startswith("Run your app")
    assert script.calls == ["triage", "researcher", "researcher", "triage", "writer"]
    # not a chat request: left to the server's defaults
    assert script(RecordedRequest("POST", "/v1/embeddings", {}, {}, {"input": "x"})) is None


def test_other_instrumentors_are_disabled_and_user_settings_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "requests")
    monkeypatch.setenv("OPENAI_API_BASE", "https://elsewhere.example/v1")
    monkeypatch.setattr(demo, "other_instrumentors", lambda: ["openai", "requests"])
    env = demo.demo_env("http://127.0.0.1:1/v1", Path("/tmp/x.jsonl"), capture_content=False)
    assert env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] == "requests,openai"
    assert "OPENAI_API_BASE" not in env and env["OPENAI_BASE_URL"] == "http://127.0.0.1:1/v1"
    assert (
        env["OTEL_TRACES_EXPORTER"] == "agent_otel_jsonl" and env["AGENT_OTEL_JSONL_PATH"] == "/tmp/x.jsonl"
    )
    assert env["OTEL_METRICS_EXPORTER"] == "none" and env["OTEL_LOGS_EXPORTER"] == "none"
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" not in env  # private by default
    content = demo.demo_env("http://x/v1", Path("/tmp/x.jsonl"), capture_content=True)
    assert content["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] == "SPAN_ONLY"


def test_instrument_command_is_the_real_script() -> None:
    (script,) = demo.instrument_command()
    assert (
        Path(script).name == "opentelemetry-instrument" and Path(script).parent == Path(sys.executable).parent
    )
    assert demo.missing_requirements() == []
