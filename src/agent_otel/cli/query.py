"""`agent-otel query {slow,agents,errors} FILE`: the questions traces exist for, as a table or JSON.

- `slow`: traces whose duration is above a percentile of all trace durations (p99 by default; linear
  interpolation between ranks, as numpy's default), slowest first.
- `agents`: per `gen_ai.agent.name`: invocations and the total time spent in them (`invoke_agent` spans),
  spans attributed to the agent, model and tool calls, errors, tokens and cost. Tokens come from
  non-invocation spans and cost from `gen_ai.usage.cost.amount`, so nothing is counted twice (the
  roll-ups on agent and workflow spans are never added).
- `errors`: traces with at least one failed span; for each, the first span to fail (the earliest end,
  where the error started) and its path from the root.

Memory: `agents` keeps one row per agent name, `slow` one number per trace plus the `--limit` slowest
summaries, `errors` the `--limit` most recent failing traces; the file itself is streamed.
"""

from __future__ import annotations

import heapq
import json
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from agent_otel.cli import units
from agent_otel.cli.model import INFERENCE_OPERATIONS, SpanRecord, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.traces import scan
from agent_otel.telemetry import semconv as sc

NO_AGENT = "(no agent)"
PATH_SEPARATOR = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"  # between span names of an error's path


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Plain-text columns; indexes in `right` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = [
            (cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])) for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method); `sorted_values` non-empty."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low))


def _trace_json(s: TraceSummary) -> dict[str, Any]:
    return {
        "trace_id": s.trace_id,
        "root": s.root_name,
        "service": s.service,
        "start": units.iso(s.start_ns),
        "duration_s": s.duration_ns / 1e9,
        "spans": s.span_count,
        "errors": s.error_count,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "cost": s.cost if s.currencies else None,
        "currency": "/".join(s.currencies) or None,
    }


def _emit(stdout: IO[str], lines: list[str]) -> None:
    stdout.write("\n".join(lines) + "\n")


def _emit_json(stdout: IO[str], doc: dict[str, Any]) -> None:
    stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _ignore(summary: TraceSummary, trace: Trace | None) -> None:
    return None


# --- agents -----------------------------------------------------------------------------------------


@dataclass
class AgentStats:
    name: str
    invocations: int = 0
    duration_ns: int = 0
    spans: int = 0
    inference_calls: int = 0
    tool_calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    currencies: set[str] = field(default_factory=set)

    def add(self, span: SpanRecord) -> None:
        op = span.operation
        self.spans += 1
        if op == sc.OP_INVOKE_AGENT:
            self.invocations += 1
            self.duration_ns += span.duration_ns
        elif op in INFERENCE_OPERATIONS:
            self.inference_calls += 1
        elif op == sc.OP_EXECUTE_TOOL:
            self.tool_calls += 1
        if span.is_error:
            self.errors += 1
        tin, tout = span.own_tokens
        self.input_tokens += tin
        self.output_tokens += tout
        cost = span.cost
        if cost is not None:
            self.cost += cost
            self.currencies.add(span.currency)

    def as_json(self) -> dict[str, Any]:
        return {
            "agent": None if self.name == NO_AGENT else self.name,
            "invocations": self.invocations,
            "duration_s": self.duration_ns / 1e9,
            "spans": self.spans,
            "inference_calls": self.inference_calls,
            "tool_calls": self.tool_calls,
            "errors": self.errors,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost": self.cost if self.currencies else None,
            "currency": "/".join(sorted(self.currencies)) or None,
        }


def agents(path: str, diagnostics: Diagnostics) -> tuple[list[AgentStats], int, int]:
    """(rows sorted by time spent, spans read, traces read)."""
    stats: dict[str, AgentStats] = {}

    def on_span(span: SpanRecord) -> None:
        name = span.agent or NO_AGENT
        row = stats.get(name)
        if row is None:
            row = stats[name] = AgentStats(name)
        row.add(span)

    assembler = scan(path, diagnostics, _ignore, on_span=on_span)
    rows = [r for r in stats.values() if r.name != NO_AGENT]
    rows.sort(key=lambda r: (-r.duration_ns, -r.cost, r.name))
    outside = stats.get(NO_AGENT)
    if outside is not None and (outside.inference_calls or outside.tool_calls):
        rows.append(outside)
    return rows, assembler.span_count, assembler.trace_count


def print_agents(
    rows: list[AgentStats], span_count: int, trace_count: int, stdout: IO[str], as_json: bool
) -> None:
    if as_json:
        _emit_json(
            stdout, {"spans": span_count, "traces": trace_count, "agents": [r.as_json() for r in rows]}
        )
        return
    if not rows:
        _emit(stdout, [f"No agent spans (gen_ai.agent.name) among {units.plural(span_count, 'span')}."])
        return
    body = []
    for r in rows:
        body.append(
            [
                r.name,
                units.count(r.invocations),
                units.duration(r.duration_ns) if r.invocations else "-",
                units.count(r.spans),
                units.count(r.inference_calls),
                units.count(r.tool_calls),
                units.count(r.errors),
                units.count(r.input_tokens),
                units.count(r.output_tokens),
                units.cost(r.cost, r.currencies) if r.currencies else "-",
            ]
        )
    headers = [
        "AGENT",
        "RUNS",
        "TIME",
        "SPANS",
        "LLM CALLS",
        "TOOL CALLS",
        "ERRORS",
        "IN TOKENS",
        "OUT TOKENS",
    ]
    lines = table([*headers, "COST"], body, right=range(1, 10))
    lines.append("")
    lines.append(
        f"{units.plural(len([r for r in rows if r.name != NO_AGENT]), 'agent')} in "
        f"{units.plural(trace_count, 'trace')} ({units.plural(span_count, 'span')}). "
        "TIME is the total duration of the agent's invoke_agent spans; tokens and cost are those of its "
        "model calls."
    )
    _emit(stdout, lines)


# --- slow -------------------------------------------------------------------------------------------


@dataclass
class SlowResult:
    percentile: float
    threshold_ns: float | None
    trace_count: int
    slow_count: int
    slowest: list[TraceSummary]


def slow(path: str, diagnostics: Diagnostics, pct: float, limit: int) -> SlowResult:
    durations = array("d")
    top: list[tuple[int, int, TraceSummary]] = []  # min-heap of (duration, seq, summary)
    seq = 0

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal seq
        durations.append(summary.duration_ns)
        seq += 1
        item = (summary.duration_ns, seq, summary)
        if limit <= 0 or len(top) < limit:
            heapq.heappush(top, item)
        elif item[0] > top[0][0]:
            heapq.heapreplace(top, item)

    scan(path, diagnostics, on_trace)
    if not durations:
        return SlowResult(pct, None, 0, 0, [])
    ordered = sorted(durations)
    threshold = percentile(ordered, pct)
    slow_count = sum(1 for d in durations if d > threshold)
    slowest = [s for d, _, s in sorted(top, key=lambda t: (-t[0], t[1])) if d > threshold]
    return SlowResult(pct, threshold, len(durations), slow_count, slowest)


def _pct_label(pct: float) -> str:
    return f"p{pct:g}"


def print_slow(result: SlowResult, stdout: IO[str], as_json: bool) -> None:
    label = _pct_label(result.percentile)
    if as_json:
        _emit_json(
            stdout,
            {
                "percentile": result.percentile,
                "threshold_s": None if result.threshold_ns is None else result.threshold_ns / 1e9,
                "traces": result.trace_count,
                "slow_traces": result.slow_count,
                "slow": [_trace_json(s) for s in result.slowest],
            },
        )
        return
    if result.threshold_ns is None:
        _emit(stdout, ["No traces."])
        return
    head = (
        f"{label} of {units.count(result.trace_count)} trace durations: "
        f"{units.duration(result.threshold_ns)}; "
        f"{units.plural(result.slow_count, 'trace is', 'traces are')} slower"
    )
    if not result.slow_count:
        _emit(stdout, [head + "."])
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
    _emit(stdout, lines)


# --- errors -----------------------------------------------------------------------------------------


@dataclass
class ErrorsResult:
    trace_count: int
    error_traces: int
    shown: list[TraceSummary]


def errors(path: str, diagnostics: Diagnostics, limit: int) -> ErrorsResult:
    recent: list[tuple[int, int, TraceSummary]] = []  # min-heap by start: the `limit` most recent
    failing = 0

    def on_trace(summary: TraceSummary, trace: Trace | None) -> None:
        nonlocal failing
        if not summary.error_count:
            return
        failing += 1
        item = (summary.start_ns, failing, summary)
        if limit <= 0 or len(recent) < limit:
            heapq.heappush(recent, item)
        elif item[:2] > recent[0][:2]:
            heapq.heapreplace(recent, item)

    assembler = scan(path, diagnostics, on_trace)
    shown = [s for _, _, s in sorted(recent, key=lambda t: (t[0], t[1]))]
    return ErrorsResult(assembler.trace_count, failing, shown)


def _error_json(s: TraceSummary) -> dict[str, Any]:
    doc = _trace_json(s)
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


def print_errors(result: ErrorsResult, stdout: IO[str], as_json: bool, unicode: bool = True) -> None:
    if as_json:
        _emit_json(
            stdout,
            {
                "traces": result.trace_count,
                "error_traces": result.error_traces,
                "errors": [_error_json(s) for s in result.shown],
            },
        )
        return
    if not result.error_traces:
        _emit(stdout, [f"No errors in {units.plural(result.trace_count, 'trace')}."])
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
    _emit(stdout, lines)


def run(
    what: str,
    path: str,
    *,
    as_json: bool = False,
    pct: float = 99.0,
    limit: int = 20,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """The `query` command; returns the exit status."""
    stdout = stdout or sys.stdout
    diagnostics = Diagnostics(path, stream=stderr)
    try:
        if what == "agents":
            rows, spans, traces = agents(path, diagnostics)
            diagnostics.finish()
            print_agents(rows, spans, traces, stdout, as_json)
        elif what == "slow":
            slow_result = slow(path, diagnostics, pct, limit)
            diagnostics.finish()
            print_slow(slow_result, stdout, as_json)
        elif what == "errors":
            errors_result = errors(path, diagnostics, limit)
            diagnostics.finish()
            encoding = getattr(stdout, "encoding", None) or "utf-8"
            try:
                PATH_SEPARATOR.encode(encoding)
                unicode = True
            except (UnicodeEncodeError, LookupError):
                unicode = False
            print_errors(errors_result, stdout, as_json, unicode)
        else:  # pragma: no cover - argparse restricts the choices
            raise ValueError(what)
    except OSError as exc:
        print(f"agent-otel: cannot read {path}: {exc.strerror or exc}", file=stderr or sys.stderr)
        return 2
    return 0
