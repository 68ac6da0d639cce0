"""main: the `agent-otel` command line — subcommands, options, exit statuses, the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_otel.cli.main import main

from .builders import agent_trace, line, write


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    return write(tmp_path / "t.jsonl", [line(agent_trace())])


def test_query_accepts_the_question_before_or_after_the_file(
    trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "agents", str(trace_file), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["query", str(trace_file), "agents", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert [r["agent"] for r in first["agents"]] == ["writer", "researcher", "triage"]


def test_percentile_option_accepts_p_prefix(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "slow", str(trace_file), "--percentile", "p95", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["percentile"] == 95.0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "slowest", "f.jsonl"], "unknown question 'slowest'"),
        (["query", "slow", "f.jsonl", "--percentile", "101"], "between 0 and 100"),
        (["query", "slow", "f.jsonl", "--percentile", "high"], "not a percentile"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "demo" in out and "view" in out and "query" in out


def test_view_reads_stdin(trace_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agent_otel.cli.main", "view", "-", "--color", "never"],
        input=trace_file.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "invoke_workflow support_team" in proc.stdout.decode()
        and "1 trace, 11 spans in -" in proc.stdout.decode()
    )


def test_console_script_is_installed(trace_file: Path) -> None:
    script = Path(sys.executable).parent / "agent-otel"
    proc = subprocess.run([str(script), "query", "errors", str(trace_file)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 trace has errors" in proc.stdout


def test_view_into_a_closed_pipe_exits_quietly(trace_file: Path) -> None:
    # `agent-otel view f | head`: stdout's reader is gone (EPIPE; Python ignores SIGPIPE).
    code = (
        "import os, sys; r, w = os.pipe(); os.close(r); os.dup2(w, 1); "
        "from agent_otel.cli.main import main; sys.exit(main(['view', sys.argv[1]]))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(trace_file)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
