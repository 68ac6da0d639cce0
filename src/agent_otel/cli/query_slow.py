"""`agent-otel query slow`: traces whose duration is above a percentile of all trace durations.

p99 by default, with linear interpolation between ranks (numpy's default), slowest first. Keeps one
number per trace plus the `--limit` slowest summaries. A trace kept by tail sampling only by ratio counts
1 / ratio times (`TraceSummary.weight`): the percentile is that of the traces that ran, not of the file.
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


def weighted_percentile(pairs: Sequence[tuple[float, float]], p: float) -> float:
    """`percentile` of the population in which each (value, weight), sorted by value, appears `weight`
    times (positions are continuous for fractional weights); equal to `percentile` when every weight is 1."""
    total = sum(w for _, w in pairs)
    if len(pairs) == 1:
        return float(pairs[0][0])
    rank = (total - 1) * p / 100.0
    low = int(rank)

    def at(position: float) -> float:
        cumulative = 0.0
        for value, weight in pairs:
            cumulative += weight
            if cumulative > position:
                return value
        return pairs[-1][0]

    below, above = at(low), at(min(low + 1, total - 1))
    return float(below + (above - below) * (rank - low))


@dataclass
class SlowResult:
    percentile: float
    threshold_ns: float | None
    trace_count: int
    slow_count: int
    slowest: list[TraceSummary]
    represented: float = 0
    """Traces the file stands for (each ratio-kept trace counted 1 / ratio times)."""
    slow_represented: float = 0


def slow(path: str, diagnostics: Diagnostics, pct: float, limit: int) -> SlowResult:
    durations = array("d")
    weights = array("d")
    top: list[RankedSummary] = []  # min-heap by duration: the `limit` slowest
    seq = 0

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal seq
        durations.append(summary.duration_ns)
        weights.append(summary.weight)
        seq += 1
        item = RankedSummary(summary.duration_ns, seq, summary)
        if limit <= 0 or len(top) < limit:
            heapq.heappush(top, item)
        elif item.key > top[0].key:
            heapq.heapreplace(top, item)

    scan(path, diagnostics, on_trace)
    if not durations:
        return SlowResult(pct, None, 0, 0, [])
    if all(w == 1 for w in weights):
        threshold = percentile(sorted(durations), pct)
    else:
        threshold = weighted_percentile(sorted(zip(durations, weights, strict=True)), pct)
    slow_count = sum(1 for d in durations if d > threshold)
    slow_represented = sum(w for d, w in zip(durations, weights, strict=True) if d > threshold)
    by_duration = sorted(top, key=lambda t: (-t.key, t.seq))
    slowest = [t.summary for t in by_duration if t.key > threshold]
    return SlowResult(pct, threshold, len(durations), slow_count, slowest, sum(weights), slow_represented)


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
                "traces_represented": round(result.represented, 3),
                "slow_traces_represented": round(result.slow_represented, 3),
                "slow": [trace_json(s) for s in result.slowest],
            },
        )
        return
    if result.threshold_ns is None:
        emit(stdout, ["No traces."])
        return
    sampled = ""
    if result.represented != result.trace_count:
        sampled = f" (standing for ~{units.count(round(result.represented))}: tail-sampled traces weighted)"
    head = (
        f"{label} of {units.count(result.trace_count)} trace durations{sampled}: "
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
