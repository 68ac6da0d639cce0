"""`agent-otel query errors`: traces with at least one failed span, the `--limit` most recent.

For each, the first span to fail (the earliest end, where the error started) and its path from the root.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import IO, Any

from agent_otel.cli import units
from agent_otel.cli.model import RankedSummary, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.report import emit, emit_json, table, trace_json
from agent_otel.cli.traces import scan

PATH_SEPARATOR = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"  # between span names of an error's path


@dataclass
class ErrorsResult:
    trace_count: int
    error_traces: int
    shown: list[TraceSummary]


def errors(path: str, diagnostics: Diagnostics, limit: int) -> ErrorsResult:
    recent: list[RankedSummary] = []  # min-heap by start: the `limit` most recent
    failing = 0

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal failing
        if not summary.error_count:
            return
        failing += 1
        item = RankedSummary(summary.start_ns, failing, summary)
        if limit <= 0 or len(recent) < limit:
            heapq.heappush(recent, item)
        elif (item.key, item.seq) > (recent[0].key, recent[0].seq):
            heapq.heapreplace(recent, item)

    assembler = scan(path, diagnostics, on_trace)
    shown = [t.summary for t in sorted(recent, key=lambda t: (t.key, t.seq))]
    return ErrorsResult(assembler.trace_count, failing, shown)


def _error_json(s: TraceSummary) -> dict[str, Any]:
    doc = trace_json(s)
    e = s.first_error
    doc["first_error"] = (
        None
        if e is None
        else {
            "span_id": e.span_id,
            "name": e.name,
            "error_type": e.error_type,
            "message": e.message or None,
            "path": e.path,
            "line": e.line,
        }
    )
    return doc


def can_encode_separator(stdout: IO[str]) -> bool:
    """Whether `stdout` can print `PATH_SEPARATOR` (else paths use ' > ')."""
    encoding = getattr(stdout, "encoding", None) or "utf-8"
    try:
        PATH_SEPARATOR.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def print_errors(result: ErrorsResult, stdout: IO[str], as_json: bool, unicode: bool = True) -> None:
    if as_json:
        emit_json(
            stdout,
            {
                "traces": result.trace_count,
                "error_traces": result.error_traces,
                "errors": [_error_json(s) for s in result.shown],
            },
        )
        return
    if not result.error_traces:
        emit(stdout, [f"No errors in {units.plural(result.trace_count, 'trace')}."])
        return
    sep = f" {PATH_SEPARATOR} " if unicode else " > "
    has = "has" if result.error_traces == 1 else "have"
    head = f"{units.count(result.error_traces)} of {units.plural(result.trace_count, 'trace')} {has} errors"
    if result.error_traces > len(result.shown):
        head += f" (showing the {len(result.shown)} most recent; --limit)"
    lines = [head + ":", ""]
    for s in result.shown:
        e = s.first_error
        rows = [
            [
                s.trace_id,
                units.timestamp(s.start_ns),
                units.duration(s.duration_ns),
                units.count(s.error_count),
                e.name if e else "?",
                (e.error_type or "-") if e else "-",
            ]
        ]
        block = table(
            ["TRACE", "START", "DURATION", "ERRORS", "FIRST ERROR", "ERROR TYPE"], rows, right=(2, 3)
        )
        lines += block if s is result.shown[0] else block[1:]
        if e is not None:
            lines.append(f"    path: {sep.join(e.path)}")
            if e.message:
                lines.append(f"    message: {e.message}")
            lines.append(f"    line {e.line} of the file, span {e.span_id}")
    emit(stdout, lines)
