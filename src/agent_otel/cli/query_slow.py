"""`agent-otel query slow`: traces whose duration is above a percentile of all trace durations.

p99 by default, with linear interpolation between ranks (numpy's default), slowest first. Keeps one
number per trace plus the `--limit` slowest summaries.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from agent_otel.cli import units
from agent_otel.cli.model import RankedSummary, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.report import emit, emit_json, table, trace_json
from agent_otel.cli.traces import scan


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method); `sorted_values` non-empty."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low))


@dataclass
class SlowResult:
    percentile: float
    threshold_ns: float | None
    trace_count: int
    slow_count: int
    slowest: list[TraceSummary]


def slow(path: str, diagnostics: Diagnostics, pct: float, limit: int) -> SlowResult:
    durations = array("d")
    top: list[RankedSummary] = []  # min-heap by duration: the `limit` slowest
    seq = 0

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal seq
        durations.append(summary.duration_ns)
        seq += 1
        item = RankedSummary(summary.duration_ns, seq, summary)
        if limit <= 0 or len(top) < limit:
            heapq.heappush(top, item)
        elif item.key > top[0].key:
            heapq.heapreplace(top, item)

    scan(path, diagnostics, on_trace)
    if not durations:
        return SlowResult(pct, None, 0, 0, [])
    ordered = sorted(durations)
    threshold = percentile(ordered, pct)
    slow_count = sum(1 for d in durations if d > threshold)
    by_duration = sorted(top, key=lambda t: (-t.key, t.seq))
    slowest = [t.summary for t in by_duration if t.key > threshold]
    return SlowResult(pct, threshold, len(durations), slow_count, slowest)


def _pct_label(pct: float) -> str:
    return f"p{pct:g}"


def print_slow(result: SlowResult, stdout: IO[str], as_json: bool) -> None:
    label = _pct_label(result.percentile)
    if as_json:
        emit_json(
            stdout,
            {
                "percentile": result.percentile,
                "threshold_s": None if result.threshold_ns is None else result.threshold_ns / 1e9,
                "traces": result.trace_count,
                "slow_traces": result.slow_count,
                "slow": [trace_json(s) for s in result.slowest],
            },
        )
        return
    if result.threshold_ns is None:
        emit(stdout, ["No traces."])
        return
    head = (
        f"{label} of {units.count(result.trace_count)} trace durations: "
        f"{units.duration(result.threshold_ns)}; "
        f"{units.plural(result.slow_count, 'trace is', 'traces are')} slower"
    )
    if not result.slow_count:
        emit(stdout, [head + "."])
        return
    if result.slow_count > len(result.slowest):
        head += f" (showing the {len(result.slowest)} slowest; --limit)"
    rows = [
        [
            s.trace_id,
            units.duration(s.duration_ns),
            s.root_name,
            units.timestamp(s.start_ns),
            units.count(s.span_count),
            units.count(s.error_count),
            units.count(s.input_tokens + s.output_tokens),
            units.cost(s.cost, s.currencies) if s.currencies else "-",
        ]
        for s in result.slowest
    ]
    lines = [head + ":", ""]
    lines += table(
        ["TRACE", "DURATION", "ROOT", "START", "SPANS", "ERRORS", "TOKENS", "COST"],
        rows,
        right=(1, 4, 5, 6, 7),
    )
    emit(stdout, lines)
