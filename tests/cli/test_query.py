"""query: slow traces above a percentile, per-agent totals counted once, failing traces with their path."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from agent_otel.cli import query

from .builders import agent_trace, line, span, write


def run_query(what: str, path: Path, **kw: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = query.run(what, str(path), stdout=out, stderr=err, **kw)
    return status, out.getvalue(), err.getvalue()


def as_json(what: str, path: Path, **kw: Any) -> dict[str, Any]:
    status, out, _ = run_query(what, path, as_json=True, **kw)
    assert status == 0
    return json.loads(out)


# --- agents ---------------------------------------------------------------------------------------


def test_agents_sums_model_calls_per_agent_and_never_adds_roll_ups(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.jsonl", [line(agent_trace(1)), line(agent_trace(2, offset_ms=500, fail=False))]
    )
    doc = as_json("agents", path)
    rows = {r["agent"]: r for r in doc["agents"]}
    assert doc["spans"] == 22 and doc["traces"] == 2
    assert list(rows) == ["writer", "researcher", "triage"]  # most time spent first
    r = rows["researcher"]
    assert r["invocations"] == 2 and r["duration_s"] == pytest.approx(2 * 0.033)
    assert r["spans"] == 2 * 5 and r["inference_calls"] == 4 and r["tool_calls"] == 4 and r["errors"] == 1
    # its own model calls (200+300 in each trace), not the 500 roll-up on its invoke_agent span
    assert (r["input_tokens"], r["output_tokens"]) == (1000, 100)
    assert r["cost"] == pytest.approx(2 * 0.005) and r["currency"] == "USD"
    assert rows["writer"]["cost"] == pytest.approx(0.008) and rows["writer"]["duration_s"] == pytest.approx(
        0.107
    )
    assert rows["triage"]["input_tokens"] == 200
    # the workflow's agent_otel.usage.cost.total_amount (9.99) appears nowhere
    assert sum(r["cost"] for r in doc["agents"]) == pytest.approx(0.020)


def test_agents_table(tmp_path: Path) -> None:
    status, out, err = run_query("agents", write(tmp_path / "t.jsonl", [line(agent_trace())]))
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == [
        "AGENT", "RUNS", "TIME", "SPANS", "LLM", "CALLS", "TOOL", "CALLS", "ERRORS", "IN", "TOKENS", "OUT",
        "TOKENS", "COST",
    ]  # fmt: skip
    assert lines[1].split() == ["writer", "1", "54", "ms", "2", "1", "0", "0", "400", "40", "$0.004000"]
    assert lines[2].split() == ["researcher", "1", "33", "ms", "5", "2", "2", "1", "500", "50", "$0.005000"]
    assert "3 agents in 1 trace (11 spans)" in out


def test_model_calls_outside_any_agent_get_their_own_row(tmp_path: Path) -> None:
    lone = span(9, 1, "chat gpt-4o", 0, 5, gen_ai__operation__name="chat", gen_ai__usage__input_tokens=7,
                gen_ai__usage__output_tokens=3, gen_ai__usage__cost__amount=0.5)  # fmt: skip
    doc = as_json("agents", write(tmp_path / "t.jsonl", [line(agent_trace()), line([lone])]))
    last = doc["agents"][-1]
    assert last["agent"] is None and last["inference_calls"] == 1 and last["input_tokens"] == 7
    assert last["cost"] == 0.5


def test_agents_without_agent_spans(tmp_path: Path) -> None:
    status, out, _ = run_query("agents", write(tmp_path / "t.jsonl", [line([span(1, 1, "GET /", 0, 1)])]))
    assert status == 0 and out.strip() == "No agent spans (gen_ai.agent.name) among 1 span."


# --- slow -----------------------------------------------------------------------------------------


def durations_file(tmp_path: Path, durations_ms: list[int]) -> Path:
    return write(
        tmp_path / "d.jsonl",
        [line([span(i + 1, 1, f"req {i + 1}", i * 1000, i * 1000 + d)]) for i, d in enumerate(durations_ms)],
    )


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert query.percentile(values, 99) == pytest.approx(99.01)
    assert query.percentile(values, 50) == pytest.approx(50.5)
    assert query.percentile([3.0], 99) == 3.0
    assert query.percentile([1.0, 2.0], 100) == 2.0


def test_slow_lists_traces_above_p99_slowest_first(tmp_path: Path) -> None:
    path = durations_file(tmp_path, [*range(1, 100), 5000])  # 100 traces: one outlier
    doc = as_json("slow", path)
    assert doc["traces"] == 100 and doc["slow_traces"] == 1
    assert doc["threshold_s"] == pytest.approx(0.14801)  # 99 ms + 1% of the way to 5 s
    (only,) = doc["slow"]
    assert only["root"] == "req 100" and only["duration_s"] == pytest.approx(5.0)


def test_slow_percentile_option_and_limit(tmp_path: Path) -> None:
    path = durations_file(tmp_path, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    doc = as_json("slow", path, pct=50.0, limit=3)
    assert doc["threshold_s"] == pytest.approx(0.055) and doc["slow_traces"] == 5
    assert [t["root"] for t in doc["slow"]] == ["req 10", "req 9", "req 8"]
    status, out, _ = run_query("slow", path, pct=50.0, limit=3)
    assert status == 0
    assert "p50 of 10 trace durations: 55 ms; 5 traces are slower (showing the 3 slowest; --limit):" in out
    assert out.splitlines()[2].split()[:2] == ["TRACE", "DURATION"]
    assert out.splitlines()[3].split()[1:3] == ["100", "ms"]


def test_slow_with_one_trace_finds_nothing_slower(tmp_path: Path) -> None:
    status, out, _ = run_query("slow", durations_file(tmp_path, [42]))
    assert status == 0 and out.strip() == "p99 of 1 trace durations: 42 ms; 0 traces are slower."


# --- errors ---------------------------------------------------------------------------------------


def test_errors_shows_first_error_and_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(1)), line(agent_trace(2, 500, fail=False))])
    doc = as_json("errors", path)
    assert doc["traces"] == 2 and doc["error_traces"] == 1
    (e,) = doc["errors"]
    assert e["trace_id"] == f"{1:032x}" and e["errors"] == 1
    first = e["first_error"]
    assert first["name"] == "execute_tool search" and first["error_type"] == "TimeoutError"
    assert first["message"] == "search timed out" and first["line"] == 1 and first["span_id"] == f"{107:016x}"
    assert first["path"] == ["invoke_workflow support_team", "invoke_agent researcher", "execute_tool search"]

    status, out, _ = run_query("errors", path)
    assert status == 0
    assert "1 of 2 traces has errors:" in out
    sep = f" {query.PATH_SEPARATOR} "
    assert f"path: invoke_workflow support_team{sep}invoke_agent researcher{sep}execute_tool search" in out
    assert "message: search timed out" in out and "TimeoutError" in out


def test_errors_with_a_missing_parent_marks_the_gap(tmp_path: Path) -> None:
    failing = span(3, 2, "execute_tool x", 0, 1, parent=77, error="ValueError")
    doc = as_json("errors", write(tmp_path / "t.jsonl", [line([failing])]))
    assert doc["errors"][0]["first_error"]["path"] == ["…", "execute_tool x"]


def test_no_errors(tmp_path: Path) -> None:
    status, out, _ = run_query("errors", write(tmp_path / "t.jsonl", [line(agent_trace(fail=False))]))
    assert status == 0 and out.strip() == "No errors in 1 trace."


def test_errors_limit_keeps_the_most_recent(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t, offset_ms=t * 1000)) for t in (4, 1, 3, 2)])
    doc = as_json("errors", path, limit=2)
    assert doc["error_traces"] == 4 and [e["trace_id"] for e in doc["errors"]] == [f"{3:032x}", f"{4:032x}"]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["agents", "slow", "errors"])
def test_bad_lines_are_named_and_the_rest_is_counted(tmp_path: Path, what: str) -> None:
    good = agent_trace()
    path = write(
        tmp_path / "t.jsonl", [line(good[:6]), "not json", line(good[6:]), '{"resourceSpans": [{"sc']
    )
    status, _, err = run_query(what, path, as_json=True)
    assert status == 0
    assert f"{path}:2: invalid JSON" in err and f"{path}:4: truncated JSON" in err
    doc = as_json(what, path)
    if what == "agents":
        assert doc["spans"] == 11
    elif what == "slow":
        assert doc["traces"] == 1
    else:
        assert doc["error_traces"] == 1


def test_unreadable_file(tmp_path: Path) -> None:
    status, out, err = run_query("agents", tmp_path / "missing.jsonl")
    assert status == 2 and out == "" and "cannot read" in err
