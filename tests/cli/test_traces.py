"""traces: spans grouped into trace summaries with bounded memory; orphans, duplicates, late spans named."""

from __future__ import annotations

import io
from pathlib import Path

from agent_otel.cli.model import Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.traces import scan

from .builders import agent_trace, line, span, write


def collect(path: Path, **kw: int) -> tuple[list[TraceSummary], list[Trace], Diagnostics, object]:
    summaries: list[TraceSummary] = []
    kept: list[Trace] = []

    def on_trace(s: TraceSummary, t: Trace | None) -> None:
        summaries.append(s)
        if t is not None:
            kept.append(t)

    diag = Diagnostics(str(path), stream=io.StringIO())
    assembler = scan(str(path), diag, on_trace, keep=lambda _: True, **kw)
    return summaries, kept, diag, assembler


def test_summary_counts_tokens_and_cost_once(tmp_path: Path) -> None:
    spans = agent_trace()
    path = write(tmp_path / "t.jsonl", [line(spans[:5]), line(spans[5:])])
    (s,), (t,), diag, _ = collect(path)
    assert diag.total == 0
    assert s.root_name == "invoke_workflow support_team" and s.service == "test-app"
    assert s.span_count == 11 and s.duration_ns == 100_000_000
    # roll-ups on agent/workflow spans (input 100/500/1000, cost 9.99) are not added
    assert (s.input_tokens, s.output_tokens) == (1000, 100)
    assert abs(s.cost - 0.010) < 1e-12 and s.currencies == ("USD",)
    assert s.error_count == 1 and len(t.spans) == 11


def test_first_error_is_the_earliest_to_fail_with_its_path(tmp_path: Path) -> None:
    spans = agent_trace()
    # the failure propagates: the researcher agent span fails too, but later
    researcher = next(s for s in spans if s["name"] == "invoke_agent researcher")
    researcher["status"] = {"code": 2, "message": "tool failed"}
    (s,), _, _, _ = collect(write(tmp_path / "t.jsonl", [line(spans)]))
    assert s.error_count == 2
    e = s.first_error
    assert e is not None and e.name == "execute_tool search" and e.error_type == "TimeoutError"
    assert e.message == "search timed out" and e.line == 1
    assert e.path == ["invoke_workflow support_team", "invoke_agent researcher", "execute_tool search"]


def test_span_whose_parent_never_arrived_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.jsonl",
        [line([span(1, 1, "root", 0, 10)]), line([span(1, 2, "lost child", 1, 2, parent=99)])],
    )
    (s,), (t,), diag, _ = collect(path)
    assert s.orphan_count == 1 and s.root_name == "root"
    text = diag.stream.getvalue()
    assert f"{path}:2: span 'lost child' ({2:016x}) of trace {1:032x} has parent {99:016x}" in text
    roots, _, orphans = t.tree()
    assert [r.name for r in roots] == ["root", "lost child"] and orphans == {f"{2:016x}"}


def test_duplicate_span_is_ignored_and_named(tmp_path: Path) -> None:
    trace = agent_trace()
    path = write(tmp_path / "t.jsonl", [line(trace), line(trace[:1])])  # the file got a batch twice
    (s,), _, diag, _ = collect(path)
    assert s.span_count == 11 and s.input_tokens == 1000
    assert f"{path}:2: span 'chat gpt-4o-mini'" in diag.stream.getvalue()
    assert "already appeared on line 1; this copy is ignored" in diag.stream.getvalue()


def test_open_spans_stay_bounded_and_late_spans_are_named(tmp_path: Path) -> None:
    lines = [line([span(t, t * 10 + i, f"s{i}", i, i + 1, parent=t * 10 if i else None) for i in range(5)])
             for t in range(1, 41)]  # fmt: skip
    late = line([span(1, 999, "straggler", 0, 1, parent=10)])
    path = write(tmp_path / "t.jsonl", [*lines, late])
    summaries, _, diag, assembler = collect(path, max_open_spans=20)
    assert assembler.peak_open_spans <= 20 + 5  # the budget plus the batch being added
    assert assembler.span_count == 201
    assert len(summaries) == 41  # the straggler's trace was closed already: counted separately
    assert sum(s.span_count for s in summaries) == 201
    assert f"{path}:41: span 'straggler' of trace {1:032x} arrived after that trace was closed" in (
        diag.stream.getvalue()
    )


def test_kept_spans_are_capped_and_the_rest_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(1)), line(agent_trace(2))])
    _, kept, _, _ = collect(path, max_kept_spans=15)
    assert [len(t.spans) for t in kept] == [11, 4]
    assert [t.dropped_spans for t in kept] == [0, 7]


def test_a_remote_parent_is_expected_to_be_missing(tmp_path: Path) -> None:
    server = span(1, 2, "POST /chat", 0, 10, parent=99)
    server["flags"] = 0x301  # sampled, parent known to be remote (another process's file)
    local_lost = span(1, 3, "lost", 1, 2, parent=98)
    local_lost["flags"] = 0x101  # parent local: it should have been here
    path = write(tmp_path / "t.jsonl", [line([server, local_lost])])
    (s,), (t,), diag, _ = collect(path)
    assert s.orphan_count == 1 and s.root_name == "POST /chat"
    assert diag.counts == {"missing parent": 1} and "span 'lost'" in diag.stream.getvalue()
    assert t.tree()[2] == {f"{3:016x}"}  # only the local orphan is flagged in the tree
