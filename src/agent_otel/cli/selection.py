"""Choosing the traces to render (`view`, `view --html`) without holding the whole file.

By default the `limit` most recent traces by start time: the first read keeps the first `limit` traces
and remembers the start of the most recent ones (a small heap); when those differ, a second read keeps
exactly them (stdin cannot be read twice: it shows the first ones and says so). `--trace ID` keeps the
traces whose id starts with ID. Kept spans are capped (`max_kept_spans`) and the traces left out for
that reason are counted in a note.
"""

from __future__ import annotations

import heapq
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from agent_otel.cli import units
from agent_otel.cli.model import Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.traces import scan

DEFAULT_LIMIT = 10


@dataclass
class Selection:
    """The traces chosen for rendering and how many the file holds."""

    traces: list[Trace]
    total_traces: int
    total_spans: int
    matched: int
    notes: list[str] = field(default_factory=list)


def collect_traces(
    path: str,
    diagnostics: Diagnostics,
    limit: int = DEFAULT_LIMIT,
    trace_prefix: str | None = None,
    max_kept_spans: int = 20_000,
) -> Selection:
    """Read `path` and keep the traces to render: those whose id starts with `trace_prefix`, else the
    `limit` most recent by start time (`limit` <= 0: all, up to `max_kept_spans` spans)."""
    unlimited = limit <= 0
    kept: list[Trace] = []
    recent: list[tuple[int, str]] = []  # min-heap of (start, trace id): the `limit` most recent
    matched = 0
    opened = 0

    def keep_first(trace_id: str) -> bool:
        nonlocal opened
        if trace_prefix is not None and not trace_id.startswith(trace_prefix):
            return False
        if not unlimited and opened >= limit:
            return False
        opened += 1
        return True

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal matched
        if trace is not None:
            kept.append(trace)
        if trace_prefix is not None and not summary.trace_id.startswith(trace_prefix):
            return
        matched += 1
        if unlimited:
            return
        item = (summary.start_ns, summary.trace_id)
        if len(recent) < limit:
            heapq.heappush(recent, item)
        elif item > recent[0]:
            heapq.heapreplace(recent, item)

    assembler = scan(path, diagnostics, on_trace, keep=keep_first, max_kept_spans=max_kept_spans)
    unkept = assembler.unkept_traces
    notes: list[str] = []
    wanted = {trace_id for _, trace_id in recent}
    if not unlimited and matched > len(kept) and wanted != {t.summary.trace_id for t in kept}:
        if path == "-":
            notes.append(f"showing the first {len(kept)} of {matched} traces (stdin can be read only once)")
        else:
            # Second read: keep the most recent traces instead of the first ones.
            kept = []
            quiet = Diagnostics(diagnostics.source, stream=io.StringIO(), max_messages=0)
            unkept = scan(
                path, quiet, _collect_into(kept), keep=wanted.__contains__, max_kept_spans=max_kept_spans
            ).unkept_traces
    if unkept:
        notes.append(
            f"{unkept} more traces were not loaded: rendering holds at most {units.count(max_kept_spans)} "
            "spans (pick traces with --trace ID or a smaller --limit)"
        )
    kept.sort(key=lambda t: t.summary.start_ns)
    return Selection(kept, assembler.trace_count, assembler.span_count, matched, notes)


def _collect_into(out: list[Trace]) -> Callable[[TraceSummary, Trace | None], None]:
    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        if trace is not None:
            out.append(trace)

    return on_trace
