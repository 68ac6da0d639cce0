"""`agent-otel view FILE --html OUT.html`: a self-contained waterfall page.

One HTML file with inline CSS and JavaScript and the spans embedded as JSON: no network resources (no
fonts, CDNs or images), so it opens anywhere, offline. It shows, per trace: a summary (duration, spans,
tokens, cost, errors), a time axis, and a collapsible span tree whose bars sit on that axis, coloured
by operation (model calls, tools, agents, workflows) with failed spans in red. Hovering a row shows its
numbers; clicking it shows every attribute, event and link of the span. Several traces get a list to
pick from.

The page itself (markup, CSS, JavaScript) is the template `waterfall.html` next to this module; the data
replaces its `__DATA__` marker.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import json
from importlib import resources
from typing import Any

from agent_otel.cli import units
from agent_otel.cli.model import KIND_NAMES, SpanRecord, Trace
from agent_otel.cli.selection import Selection
from agent_otel.version import __version__

MAX_SPANS_PER_TRACE = 10_000
MAX_VALUE_CHARS = 20_000


def _value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"… ({len(value) - MAX_VALUE_CHARS} more characters)"
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    return value


def _attrs(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in attributes.items()}


def _span_doc(span: SpanRecord, index: int, parent: int, depth: int, t0: int, orphan: bool) -> dict[str, Any]:
    tin, tout = span.input_tokens, span.output_tokens
    return {
        "i": index,
        "p": parent,
        "d": depth,
        "n": span.name,
        "id": span.span_id,
        "pid": span.parent_id,
        "op": span.operation,
        "ag": span.agent,
        "mo": span.model,
        "s": (span.start_ns - t0) / 1e6,
        "du": span.duration_ns / 1e6,
        "ti": tin,
        "to": tout,
        "r": span.is_invocation,
        "c": span.cost,
        "ct": span.cost_total if span.is_invocation else None,
        "cur": span.currency,
        "st": span.status_code,
        "sm": span.status_message,
        "e": span.is_error,
        "et": span.error_type,
        "k": KIND_NAMES.get(span.kind, str(span.kind)),
        "sc": span.scope,
        "ln": span.line,
        "o": orphan,
        "a": _attrs(span.attributes),
        "ev": [{"n": e.name, "t": (e.time_ns - t0) / 1e6, "a": _attrs(e.attributes)} for e in span.events],
        "lk": [
            {"trace": lk.get("trace_id"), "span": lk.get("span_id"), "a": lk.get("attributes")}
            for lk in span.links
        ],
    }


def trace_doc(trace: Trace) -> dict[str, Any]:
    """A trace as the page's JavaScript reads it: summary plus spans in tree (depth-first) order."""
    s = trace.summary
    roots, children, orphans = trace.tree()
    rows: list[dict[str, Any]] = []
    visited: set[str] = set()

    def walk(span: SpanRecord, parent: int, depth: int) -> None:
        # Iterative: a deep trace must not hit Python's recursion limit.
        stack = [(span, parent, depth)]
        while stack:
            node, par, dep = stack.pop()
            if node.span_id in visited:
                continue
            visited.add(node.span_id)
            index = len(rows)
            rows.append(_span_doc(node, index, par, dep, s.start_ns, node.span_id in orphans))
            for kid in reversed(children.get(node.span_id, [])):
                stack.append((kid, index, dep + 1))

    for root in [*roots, *trace.spans]:
        if root.span_id not in visited:
            walk(root, -1, 0)
    hidden = max(0, len(rows) - MAX_SPANS_PER_TRACE)
    resource = trace.spans[0].resource if trace.spans else {}
    return {
        "id": s.trace_id,
        "root": s.root_name,
        "service": s.service,
        "start": units.timestamp(s.start_ns),
        "duration": s.duration_ns / 1e6,
        "spans": s.span_count,
        "errors": s.error_count,
        "tin": s.input_tokens,
        "tout": s.output_tokens,
        "cost": units.cost(s.cost, s.currencies) if s.currencies else None,
        "hidden": hidden + trace.dropped_spans,
        "resource": _attrs(resource),
        "rows": rows[:MAX_SPANS_PER_TRACE],
    }


def render(selection: Selection, source: str) -> str:
    data = {
        "source": source,
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "totalTraces": selection.total_traces,
        "totalSpans": selection.total_spans,
        "notes": selection.notes,
        "traces": [trace_doc(t) for t in selection.traces],
    }
    # JSON inside <script>: escape '<' so no string can close the element or open a comment.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).replace("<", "\\u003c")
    title = _html.escape(
        f"agent-otel · {selection.traces[0].summary.root_name}" if selection.traces else "agent-otel"
    )
    template = resources.files("agent_otel.cli").joinpath("waterfall.html").read_text(encoding="utf-8")
    return template.replace("__TITLE__", title).replace("__DATA__", payload)


def write(path: str, selection: Selection, source: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(selection, source))
