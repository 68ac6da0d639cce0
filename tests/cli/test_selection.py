"""selection: the traces `view` renders — the most recent ones, by id prefix, within a memory cap."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.selection import collect_traces

from .builders import agent_trace, line, write


def ids(selection: object) -> list[int]:
    return [int(t.summary.trace_id, 16) for t in selection.traces]  # type: ignore[attr-defined]


def test_most_recent_by_start_time_not_by_file_order(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t, offset_ms=t * 1000)) for t in (3, 1, 2, 5, 4)])
    selection = collect_traces(str(path), Diagnostics(str(path)), limit=2)
    assert ids(selection) == [4, 5] and selection.total_traces == 5 and selection.matched == 5
    assert selection.notes == []
    assert [len(t.spans) for t in selection.traces] == [11, 11]


def test_stdin_is_read_once_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t, offset_ms=t * 1000)) for t in (1, 2, 3)])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    selection = collect_traces("-", Diagnostics("-"), limit=2)
    assert ids(selection) == [1, 2]
    assert selection.notes == ["showing the first 2 of 3 traces (stdin can be read only once)"]


def test_trace_prefix_and_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t)) for t in (0x10, 0x11, 0x20)])
    prefix = f"{0x10:032x}"[:31]  # matches 0x10 and 0x11, not 0x20
    selection = collect_traces(str(path), Diagnostics(str(path)), trace_prefix=prefix)
    assert ids(selection) == [0x10, 0x11] and selection.matched == 2


def test_rendering_memory_cap_is_said(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", [line(agent_trace(t, offset_ms=t * 1000)) for t in range(1, 6)])
    selection = collect_traces(str(path), Diagnostics(str(path)), limit=0, max_kept_spans=25)
    assert [len(t.spans) for t in selection.traces] == [11, 11, 3]  # the third hit the cap mid-trace
    assert selection.traces[2].dropped_spans == 8
    assert selection.notes == [
        "2 more traces were not loaded: rendering holds at most 25 spans (pick traces with --trace ID or a "
        "smaller --limit)"
    ]
