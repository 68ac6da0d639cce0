"""view: the trace tree in the terminal — rows, bars, totals, errors that stand out, caps said out loud."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from agent_otel.cli import view
from agent_otel.cli.model import SpanRecord
from agent_otel.cli.view import Style, bar

from .builders import agent_trace, line, span, write

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Tty(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def run_view(path: Path, stdout: io.StringIO | None = None, **kw: object) -> tuple[int, str, str]:
    out = stdout if stdout is not None else io.StringIO()
    err = io.StringIO()
    status = view.run(str(path), stdout=out, stderr=err, **kw)  # type: ignore[arg-type]
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_tree_rows_in_order_with_agent_model_tokens_cost(tmp_path: Path) -> None:
    status, out, err = run_view(write(tmp_path / "t.jsonl", [line(agent_trace())]))
    assert status == 0 and err == ""
    rows = [
        r for r in out.splitlines() if "│" in r or "├─" in r or "└─" in r or r.startswith("  invoke_workflow")
    ]
    names = [re.split(r"\s{2,}", r[2:].replace("│", " ").replace("├─", " ").replace("└─", " ").strip())[0]
             for r in rows]  # fmt: skip
    assert names == [
        "invoke_workflow support_team",
        "invoke_agent triage",
        "chat gpt-4o-mini",
        "execute_tool transfer_to_researcher",
        "invoke_agent researcher",
        "chat gpt-4o-mini",
        "execute_tool search",
        "execute_tool search",
        "chat gpt-4o-mini",
        "invoke_agent writer",
        "chat gpt-4o",
    ]
    writer_chat = rows[-1]
    assert "└─ chat gpt-4o" in writer_chat and "writer" in writer_chat and "400→40" in writer_chat
    assert "$0.004000" in writer_chat and "50 ms" in writer_chat
    workflow = rows[0]
    assert "Σ1,000→100" in workflow and "Σ$9.99" in workflow  # roll-ups are marked, not added
    # the trace summary adds only model calls
    assert "100 ms · 11 spans · 1,100 tokens (1,000 in / 100 out) · $0.0100 · ✗ 1 error" in out


def test_error_row_stands_out_without_colour(tmp_path: Path) -> None:
    _, out, _ = run_view(write(tmp_path / "t.jsonl", [line(agent_trace())]))
    assert "\x1b[" not in out  # not a terminal: no escape codes
    (error_row,) = [r for r in out.splitlines() if r.startswith("✗ ")]
    assert "execute_tool search" in error_row and "ERROR TimeoutError: search timed out" in error_row
    assert sum(1 for r in out.splitlines() if r.startswith("✗")) == 1


def test_error_row_is_red_on_a_terminal(tmp_path: Path) -> None:
    _, out, _ = run_view(write(tmp_path / "t.jsonl", [line(agent_trace())]), stdout=Tty())
    error_rows = [r for r in out.splitlines() if "ERROR TimeoutError" in r]
    assert len(error_rows) == 1 and "\x1b[1;31m✗" in error_rows[0]
    ok_rows = [r for r in out.splitlines() if "execute_tool transfer" in r]
    assert "\x1b[31m" not in ok_rows[0] and "\x1b[1;31m" not in ok_rows[0]


def test_no_color_env_and_never_flag_turn_colour_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace())])
    assert "\x1b[" not in run_view(path, stdout=Tty(), color="never")[1]
    assert "\x1b[" in run_view(path, color="always")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_view(path, stdout=Tty())[1]


def test_ascii_output_when_the_terminal_cannot_write_unicode(tmp_path: Path) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    status = view.run(
        str(write(tmp_path / "t.jsonl", [line(agent_trace())])), stdout=out, stderr=io.StringIO()
    )
    out.flush()
    text = out.buffer.getvalue().decode("ascii")  # would raise if anything non-ASCII was written
    assert status == 0 and "`- chat gpt-4o" in text and "\nX " in text


def test_bar_places_the_span_on_the_trace_time_line() -> None:
    style = Style(color=False, unicode=True)

    def rec(start: int, end: int) -> SpanRecord:
        return SpanRecord("t", "s", None, "n", start, end)

    assert bar(rec(0, 100), 0, 100, 10, style) == "█" * 10
    assert bar(rec(50, 100), 0, 100, 10, style) == " " * 5 + "█" * 5
    assert bar(rec(0, 25), 0, 100, 10, style) == "██▌" + " " * 7
    assert bar(rec(90, 91), 0, 100, 10, style) == " " * 9 + "▏"  # too short for a cell: a thin mark


def test_max_spans_caps_rows_and_says_so(tmp_path: Path) -> None:
    _, out, _ = run_view(write(tmp_path / "t.jsonl", [line(agent_trace())]), max_spans=4)
    assert "execute_tool transfer_to_researcher" in out and "invoke_agent researcher" not in out
    assert "… 7 more spans not shown (--max-spans 4; or --html for the whole trace)" in out


def test_limit_shows_the_most_recent_traces(tmp_path: Path) -> None:
    traces = [line(agent_trace(t, offset_ms=t * 1000)) for t in (3, 1, 2, 5, 4)]  # file order != time order
    _, out, _ = run_view(write(tmp_path / "t.jsonl", traces), limit=2)
    ids = re.findall(r"^Trace ([0-9a-f]{32})", out, flags=re.M)
    assert ids == [f"{4:032x}", f"{5:032x}"]  # the two latest, in time order
    assert "2 of 5 traces shown (--limit N, --trace ID), 55 spans" in out


def test_trace_prefix_selects_a_trace(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t)) for t in (1, 2)])
    _, out, _ = run_view(path, trace_prefix=f"{2:032x}")
    assert re.findall(r"^Trace ([0-9a-f]{32})", out, flags=re.M) == [f"{2:032x}"]
    status, _, err = run_view(path, trace_prefix="ffff")
    assert status == 1 and "no trace matching 'ffff'" in err


def test_bad_lines_are_named_on_stderr_and_the_tree_still_shows(tmp_path: Path) -> None:
    lost = span(1, 555, "orphan tool", 5, 6, parent=4242)
    path = write(
        tmp_path / "t.jsonl",
        [line(agent_trace()[:6]), '{"resourceSpans": [', line([*agent_trace()[6:], lost])],
    )
    status, out, err = run_view(path)
    assert status == 0
    assert f"{path}:2: truncated JSON" in err
    assert f"{path}:3: span 'orphan tool'" in err and "which is not in the file; shown as a root" in err
    assert "⚠ orphan tool (parent missing)" in out
    assert "invoke_workflow support_team" in out


def test_missing_and_empty_files(tmp_path: Path) -> None:
    status, _, err = run_view(tmp_path / "nope.jsonl")
    assert status == 2 and "cannot read" in err and "No such file" in err
    status, _, err = run_view(write(tmp_path / "empty.jsonl", []))
    assert status == 1 and "no spans in" in err
