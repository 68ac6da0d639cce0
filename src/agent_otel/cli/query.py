"""`agent-otel query {slow,agents,errors} FILE`: the questions traces exist for, as a table or JSON.

- `slow` (`query_slow`): traces whose duration is above a percentile of all trace durations (p99 by
  default; linear interpolation between ranks, as numpy's default), slowest first.
- `agents` (`query_agents`): per `gen_ai.agent.name`: invocations and the total time spent in them
  (`invoke_agent` spans), spans attributed to the agent, model and tool calls, errors, tokens and cost.
  Tokens come from non-invocation spans and cost from `gen_ai.usage.cost.amount`, so nothing is counted
  twice (the roll-ups on agent and workflow spans are never added).
- `errors` (`query_errors`): traces with at least one failed span; for each, the first span to fail (the
  earliest end, where the error started) and its path from the root.

Memory: `agents` keeps one row per agent name, `slow` one number per trace plus the `--limit` slowest
summaries, `errors` the `--limit` most recent failing traces; the file itself is streamed.
"""

from __future__ import annotations

import sys
from typing import IO

from agent_otel.cli.query_agents import NO_AGENT, AgentsResult, AgentStats, agents, print_agents
from agent_otel.cli.query_errors import (
    PATH_SEPARATOR,
    ErrorsResult,
    can_encode_separator,
    errors,
    print_errors,
)
from agent_otel.cli.query_slow import SlowResult, percentile, print_slow, slow
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.report import table

__all__ = [
    "NO_AGENT",
    "PATH_SEPARATOR",
    "AgentStats",
    "AgentsResult",
    "ErrorsResult",
    "SlowResult",
    "agents",
    "errors",
    "percentile",
    "print_agents",
    "print_errors",
    "print_slow",
    "run",
    "slow",
    "table",
]


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
            agents_result = agents(path, diagnostics)
            diagnostics.finish()
            print_agents(agents_result, stdout, as_json)
        elif what == "slow":
            slow_result = slow(path, diagnostics, pct, limit)
            diagnostics.finish()
            print_slow(slow_result, stdout, as_json)
        elif what == "errors":
            errors_result = errors(path, diagnostics, limit)
            diagnostics.finish()
            print_errors(errors_result, stdout, as_json, can_encode_separator(stdout))
        else:  # pragma: no cover - argparse restricts the choices
            raise ValueError(what)
    except OSError as exc:
        print(f"agent-otel: cannot read {path}: {exc.strerror or exc}", file=stderr or sys.stderr)
        return 2
    return 0
