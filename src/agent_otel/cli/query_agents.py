"""`agent-otel query agents`: per `gen_ai.agent.name`, invocations, time, calls, errors, tokens and cost.

Tokens come from non-invocation spans and cost from `gen_ai.usage.cost.amount`, so nothing is counted
twice (the roll-ups on agent and workflow spans are never added). One row is kept per agent name.
A span of a trace kept by tail sampling only by ratio counts 1 / ratio times (`sampling_weight`), so the
numbers estimate what ran rather than what was kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from agent_otel.cli import units
from agent_otel.cli.model import INFERENCE_OPERATIONS, SpanRecord
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.report import emit, emit_json, ignore, table
from agent_otel.cli.traces import scan
from agent_otel.telemetry import semconv as sc

NO_AGENT = "(no agent)"


@dataclass
class AgentStats:
    name: str
    weighted: bool = False
    """Some spans counted more than once (tail sampling by ratio): the numbers are estimates."""
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
        w = span.sampling_weight
        if w != 1:
            self.weighted = True
        self.spans += w
        if op == sc.OP_INVOKE_AGENT:
            self.invocations += w
            self.duration_ns += span.duration_ns * w
        elif op in INFERENCE_OPERATIONS:
            self.inference_calls += w
        elif op == sc.OP_EXECUTE_TOOL:
            self.tool_calls += w
        if span.is_error:
            self.errors += w
        tin, tout = span.own_tokens
        self.input_tokens += tin * w
        self.output_tokens += tout * w
        cost = span.cost
        if cost is not None:
            self.cost += cost * w
            self.currencies.add(span.currency)

    def as_json(self) -> dict[str, Any]:
        return {
            "agent": None if self.name == NO_AGENT else self.name,
            "invocations": round(self.invocations),
            "duration_s": self.duration_ns / 1e9,
            "spans": round(self.spans),
            "inference_calls": round(self.inference_calls),
            "tool_calls": round(self.tool_calls),
            "errors": round(self.errors),
            "input_tokens": round(self.input_tokens),
            "output_tokens": round(self.output_tokens),
            "estimated": self.weighted,
            "cost": self.cost if self.currencies else None,
            "currency": "/".join(sorted(self.currencies)) or None,
        }


class AgentsResult(NamedTuple):
    rows: list[AgentStats]
    """Sorted by time spent; the spans outside any agent last, if they hold model or tool calls."""
    span_count: int
    trace_count: int


def agents(path: str, diagnostics: Diagnostics) -> AgentsResult:
    stats: dict[str, AgentStats] = {}

    def on_span(span: SpanRecord) -> None:
        name = span.agent or NO_AGENT
        row = stats.get(name)
        if row is None:
            row = stats[name] = AgentStats(name)
        row.add(span)

    assembler = scan(path, diagnostics, ignore, on_span=on_span)
    rows = [r for r in stats.values() if r.name != NO_AGENT]
    rows.sort(key=lambda r: (-r.duration_ns, -r.cost, r.name))
    outside = stats.get(NO_AGENT)
    if outside is not None and (outside.inference_calls or outside.tool_calls):
        rows.append(outside)
    return AgentsResult(rows, assembler.span_count, assembler.trace_count)


def print_agents(result: AgentsResult, stdout: IO[str], as_json: bool) -> None:
    rows, span_count, trace_count = result.rows, result.span_count, result.trace_count
    if as_json:
        emit_json(stdout, {"spans": span_count, "traces": trace_count, "agents": [r.as_json() for r in rows]})
        return
    if not rows:
        emit(stdout, [f"No agent spans (gen_ai.agent.name) among {units.plural(span_count, 'span')}."])
        return
    body = []
    for r in rows:
        body.append(
            [
                r.name,
                units.count(round(r.invocations)),
                units.duration(r.duration_ns) if r.invocations else "-",
                units.count(round(r.spans)),
                units.count(round(r.inference_calls)),
                units.count(round(r.tool_calls)),
                units.count(round(r.errors)),
                units.count(round(r.input_tokens)),
                units.count(round(r.output_tokens)),
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
    if any(r.weighted for r in rows):
        lines.append(
            "Estimates: spans of traces kept by tail sampling at ratio r (agent_otel.sampling.ratio) count "
            "1/r times."
        )
    emit(stdout, lines)
