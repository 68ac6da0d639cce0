"""Plain-text tables and JSON documents shared by the `query` answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any

from agent_otel.cli import units
from agent_otel.cli.model import Trace, TraceSummary


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


def trace_json(s: TraceSummary) -> dict[str, Any]:
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


def emit(stdout: IO[str], lines: list[str]) -> None:
    stdout.write("\n".join(lines) + "\n")


def emit_json(stdout: IO[str], doc: dict[str, Any]) -> None:
    stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def ignore(summary: TraceSummary, trace: Trace | None) -> None:
    """A trace callback for scans that only look at spans."""
    return None
