"""Builders of OTLP JSON trace lines for the CLI tests: spans as plain dicts, lines as the exporter writes.

`span(...)` returns an OTLP/JSON span; `line(spans)` one ExportTraceServiceRequest line; `agent_trace()`
a realistic multi-agent trace (workflow → agents → model calls and tools, one failing tool) whose
totals the tests know.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

T0 = 1_800_000_000_000_000_000  # ns
MS = 1_000_000


def any_value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    return {"stringValue": str(v)}


def span(
    trace: int,
    sid: int,
    name: str,
    start_ms: float,
    end_ms: float,
    parent: int | None = None,
    error: str | None = None,
    message: str = "",
    **attrs: Any,
) -> dict[str, Any]:
    """A span of trace number `trace` with span number `sid` (ids derived from the numbers)."""
    attributes = {k.replace("__", "."): v for k, v in attrs.items()}
    if error:
        attributes["error.type"] = error
    out: dict[str, Any] = {
        "traceId": f"{trace:032x}",
        "spanId": f"{sid:016x}",
        "name": name,
        "kind": 1,
        "startTimeUnixNano": str(T0 + int(start_ms * MS)),
        "endTimeUnixNano": str(T0 + int(end_ms * MS)),
        "attributes": [{"key": k, "value": any_value(v)} for k, v in attributes.items()],
        "status": {"code": 2, "message": message} if error else {},
    }
    if parent is not None:
        out["parentSpanId"] = f"{parent:016x}"
    return out


def line(spans: Iterable[dict[str, Any]], service: str = "test-app") -> str:
    return json.dumps(
        {
            "resourceSpans": [
                {
                    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                    "scopeSpans": [{"scope": {"name": "agent_otel"}, "spans": list(spans)}],
                }
            ]
        }
    )


def write(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    return path


def chat(
    trace: int,
    sid: int,
    parent: int,
    agent: str,
    start: float,
    end: float,
    tin: int,
    tout: int,
    cost: float,
    model: str = "gpt-4o-mini",
) -> dict[str, Any]:
    return span(
        trace, sid, f"chat {model}", start, end, parent,
        gen_ai__operation__name="chat", gen_ai__request__model=model, gen_ai__agent__name=agent,
        gen_ai__usage__input_tokens=tin, gen_ai__usage__output_tokens=tout,
        gen_ai__usage__cost__amount=cost, gen_ai__usage__cost__currency="USD",
    )  # fmt: skip


def agent_trace(trace: int = 1, offset_ms: float = 0.0, fail: bool = True) -> list[dict[str, Any]]:
    """workflow(1) → triage(2){chat(3), tool transfer(4)} → researcher(5){chat(6), search(7, fails),
    search(8), chat(9)} → writer(10){chat(11)}. Spans in export order (children first).

    Totals: tokens in 100+200+300+400 = 1000, out 10+20+30+40 = 100 (roll-ups on agent/workflow spans
    are decoys that must not be added); cost 0.001+0.002+0.003+0.004 = 0.010 (the roll-up
    agent_otel.usage.cost.total_amount=9.99 on the workflow span must not be added either).
    """
    o = offset_ms
    b = trace * 100
    spans = [
        chat(trace, b + 3, b + 2, "triage", o + 1, o + 11, 100, 10, 0.001),
        span(trace, b + 4, "execute_tool transfer_to_researcher", o + 11, o + 12, b + 2,
             gen_ai__operation__name="execute_tool", gen_ai__agent__name="triage"),
        span(trace, b + 2, "invoke_agent triage", o + 0.5, o + 12.5, b + 1,
             gen_ai__operation__name="invoke_agent", gen_ai__agent__name="triage",
             gen_ai__usage__input_tokens=100, gen_ai__usage__output_tokens=10),
        chat(trace, b + 6, b + 5, "researcher", o + 13, o + 23, 200, 20, 0.002),
        span(trace, b + 7, "execute_tool search", o + 23, o + 33, b + 5,
             error="TimeoutError" if fail else None, message="search timed out" if fail else "",
             gen_ai__operation__name="execute_tool", gen_ai__agent__name="researcher"),
        span(trace, b + 8, "execute_tool search", o + 33, o + 35, b + 5,
             gen_ai__operation__name="execute_tool", gen_ai__agent__name="researcher"),
        chat(trace, b + 9, b + 5, "researcher", o + 35, o + 45, 300, 30, 0.003),
        span(trace, b + 5, "invoke_agent researcher", o + 12.5, o + 45.5, b + 1,
             gen_ai__operation__name="invoke_agent", gen_ai__agent__name="researcher",
             gen_ai__usage__input_tokens=500, gen_ai__usage__output_tokens=50),
        chat(trace, b + 11, b + 10, "writer", o + 46, o + 96, 400, 40, 0.004, model="gpt-4o"),
        span(trace, b + 10, "invoke_agent writer", o + 45.5, o + 99, b + 1,
             gen_ai__operation__name="invoke_agent", gen_ai__agent__name="writer"),
        span(trace, b + 1, "invoke_workflow support_team", o, o + 100,
             gen_ai__operation__name="invoke_workflow", gen_ai__usage__input_tokens=1000,
             gen_ai__usage__output_tokens=100, agent_otel__usage__cost__total_amount=9.99),
    ]  # fmt: skip
    return spans
