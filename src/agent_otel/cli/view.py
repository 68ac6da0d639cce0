"""`agent-otel view FILE`: each trace as a tree in the terminal.

One row per span: the span name (operation and target) in its tree, agent, model, duration, a bar
placing the span on the trace's time line, tokens (input→output), cost and status. Failed spans are
marked with `✗` in the left margin and the word ERROR (and drawn red when colour is on), so they stand
out with or without colour. Totals written on agent and workflow spans are prefixed with `Σ`.

Which traces (`selection`): the most recent `--limit` by start time, or `--trace ID`. At most
`--max-spans` rows are drawn per trace and what is left out is said.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import IO

from agent_otel.cli import units
from agent_otel.cli.model import SpanRecord, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.selection import DEFAULT_LIMIT, Selection, collect_traces
from agent_otel.telemetry import semconv as sc

DEFAULT_MAX_SPANS = 300


class Style:
    """Glyphs and ANSI colours for one output stream."""

    RESET = "\x1b[0m"
    CODES = {
        "red": "\x1b[31m",
        "bold_red": "\x1b[1;31m",
        "dim": "\x1b[2m",
        "bold": "\x1b[1m",
        "cyan": "\x1b[36m",
        "yellow": "\x1b[33m",
        "magenta": "\x1b[35m",
        "blue": "\x1b[34m",
        "green": "\x1b[32m",
    }

    def __init__(self, color: bool, unicode: bool) -> None:
        self.color = color
        self.unicode = unicode
        if unicode:
            self.tee, self.elbow, self.pipe, self.blank = "├─ ", "└─ ", "│  ", "   "
            self.error_mark, self.orphan_mark, self.sigma, self.arrow = "✗", "⚠", "Σ", "→"
            self.full, self.partials, self.thin = "█", " ▏▎▍▌▋▊▉", "▏"
            self.ellipsis = "…"
        else:
            self.tee, self.elbow, self.pipe, self.blank = "|- ", "`- ", "|  ", "   "
            self.error_mark, self.orphan_mark, self.sigma, self.arrow = "X", "!", "=", ">"
            self.full, self.partials, self.thin = "#", "        ", "|"
            self.ellipsis = "~"

    def paint(self, text: str, colour: str | None) -> str:
        if not self.color or not colour or not text.strip():
            return text
        return f"{self.CODES[colour]}{text}{self.RESET}"


def style_for(stream: IO[str], color: str = "auto") -> Style:
    """Colour when `stream` is a terminal (or `color='always'`), unless NO_COLOR is set; Unicode glyphs
    when the stream's encoding can write them."""
    if color == "always":
        use_color = True
    elif color == "never":
        use_color = False
    else:
        isatty = getattr(stream, "isatty", None)
        use_color = (
            bool(isatty and isatty()) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        )
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "█▏├─│✗⚠Σ→·…µ".encode(encoding)
        unicode = True
    except (UnicodeEncodeError, LookupError):
        unicode = False
    return Style(use_color, unicode)


_OP_COLOUR = {
    "chat": "cyan",
    "text_completion": "cyan",
    "generate_content": "cyan",
    "embeddings": "cyan",
    "execute_tool": "yellow",
    "invoke_agent": "magenta",
    "invoke_workflow": "blue",
}


def _fit(text: str, width: int, style: Style) -> str:
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + style.ellipsis


def bar(span: SpanRecord, t0: int, total: int, width: int, style: Style) -> str:
    """The span's place on the trace time line, `width` cells wide (eighth-cell precision at the end)."""
    if total <= 0:
        return style.full * width if span.duration_ns >= 0 else " " * width
    start = (span.start_ns - t0) / total * width
    end = (span.end_ns - t0) / total * width
    start = min(max(start, 0.0), float(width))
    end = min(max(end, start), float(width))
    first = min(int(start), width - 1)
    cells = [" "] * width
    if end - start < 1:
        cells[first] = style.thin
        return "".join(cells)
    whole_end = int(end)
    for i in range(first, min(whole_end, width)):
        cells[i] = style.full
    remainder = int((end - whole_end) * 8)
    if whole_end < width and remainder and style.partials[remainder].strip():
        cells[whole_end] = style.partials[remainder]
    return "".join(cells)


def _tokens(span: SpanRecord, style: Style) -> str:
    tin, tout = span.input_tokens, span.output_tokens
    if tin is None and tout is None:
        return ""
    text = f"{units.count(tin or 0)}{style.arrow}{units.count(tout or 0)}"
    return f"{style.sigma}{text}" if span.is_invocation else text


def _cost(span: SpanRecord, style: Style) -> str:
    if span.cost is not None:
        return units.cost(span.cost, [span.currency])
    if span.cost_total is not None and span.is_invocation:
        return style.sigma + units.cost(span.cost_total, [span.currency])
    return ""


def _status(span: SpanRecord, style: Style) -> str:
    """ERROR with its type and message; else what else is worth knowing (handoff, interrupt, retries)."""
    notes = []
    attrs = span.attributes
    target = attrs.get(sc.AGENT_OTEL_HANDOFF_TARGET)
    if target:
        notes.append(f"handoff {style.arrow} {target}")
    if attrs.get(sc.AGENT_OTEL_INTERRUPTED):
        notes.append("interrupted")
    retries = attrs.get(sc.AGENT_OTEL_RETRY_COUNT)
    if isinstance(retries, int) and retries > 0:
        notes.append(f"{retries} retr{'y' if retries == 1 else 'ies'}")
    stream_end = attrs.get(sc.AGENT_OTEL_STREAM_END)
    if stream_end:
        notes.append(f"stream {stream_end}")
    if span.is_error:
        detail = span.error_type or ""
        if span.status_message and span.status_message != detail:
            detail = f"{detail}: {span.status_message}" if detail else span.status_message
        return " ".join([f"ERROR {detail}".strip(), *(f"({n})" for n in notes)])
    if span.status_code == 1:
        notes.insert(0, "ok")
    return ", ".join(notes)


def summary_line(summary: TraceSummary, style: Style) -> str:
    parts = [units.duration(summary.duration_ns), units.plural(summary.span_count, "span")]
    if summary.input_tokens or summary.output_tokens:
        total = summary.input_tokens + summary.output_tokens
        parts.append(
            f"{units.count(total)} tokens ({units.count(summary.input_tokens)} in / "
            f"{units.count(summary.output_tokens)} out)"
        )
    if summary.currencies:
        parts.append(units.cost(summary.cost, summary.currencies))
    if summary.error_count:
        errors = f"{summary.error_count} error" + ("s" if summary.error_count > 1 else "")
        parts.append(style.paint(f"{style.error_mark} {errors}", "bold_red"))
    return " · ".join(parts) if style.unicode else " | ".join(parts)


def render_trace(trace: Trace, style: Style, width: int, max_spans: int = DEFAULT_MAX_SPANS) -> list[str]:
    """The lines for one trace: a header, column titles, one row per span (at most `max_spans`)."""
    s = trace.summary
    dot = " · " if style.unicode else " | "
    header = [f"Trace {s.trace_id}", s.root_name]
    if s.service:
        header.append(f"service {s.service}")
    header.append(units.timestamp(s.start_ns))
    lines = [style.paint(dot.join(header), "bold"), "  " + summary_line(s, style)]

    roots, children, orphans = trace.tree()
    rows: list[tuple[SpanRecord, str]] = []
    visited: set[str] = set()

    def walk(span: SpanRecord, prefix: str, last: bool, top: bool) -> None:
        visited.add(span.span_id)
        connector = "" if top else (style.elbow if last else style.tee)
        rows.append((span, prefix + connector))
        kids = children.get(span.span_id, [])
        child_prefix = "" if top else prefix + (style.blank if last else style.pipe)
        for i, kid in enumerate(kids):
            if kid.span_id not in visited:
                walk(kid, child_prefix, i == len(kids) - 1, False)

    for root in roots:
        walk(root, "", True, True)
    for span in trace.spans:  # spans in a parent cycle: never reached from a root
        if span.span_id not in visited:
            walk(span, "", True, True)

    shown = rows[:max_spans] if max_spans > 0 else rows
    names = [
        prefix + span.name + (" (parent missing)" if span.span_id in orphans else "")
        for span, prefix in shown
    ]
    agents = [span.agent or "" for span, _ in shown]
    models = [span.model or "" for span, _ in shown]
    tokens = [_tokens(span, style) for span, _ in shown]
    costs = [_cost(span, style) for span, _ in shown]
    durations = [units.duration(span.duration_ns) for span, _ in shown]

    name_w = min(max([len(n) for n in names] + [4]), 48)
    agent_w = min(max([len(a) for a in agents] + [5]), 16)
    model_w = min(max([len(m) for m in models] + [5]), 24)
    dur_w = max([len(d) for d in durations] + [8])
    tok_w = max([len(t) for t in tokens] + [6])
    cost_w = max([len(c) for c in costs] + [4])
    fixed = 2 + name_w + 2 + agent_w + 2 + model_w + 2 + dur_w + 2 + 2 + 2 + tok_w + 2 + cost_w + 2 + 12
    bar_w = max(16, min(40, width - fixed))
    edge_l, edge_r = ("▕", "▏") if style.unicode else ("|", "|")

    title = (
        f"  {'SPAN':<{name_w}}  {'AGENT':<{agent_w}}  {'MODEL':<{model_w}}  {'DURATION':>{dur_w}}  "
        f" {'TIMELINE':<{bar_w}}   {'TOKENS':>{tok_w}}  {'COST':>{cost_w}}  STATUS"
    )
    lines.append(style.paint(title.rstrip(), "dim"))
    t0, total = s.start_ns, s.duration_ns
    for i, (span, _) in enumerate(shown):
        error = span.is_error
        gutter = (
            style.error_mark if error else (style.orphan_mark if span.span_id in orphans else " ")
        ) + " "
        name = _fit(names[i], name_w, style)
        cells = bar(span, t0, total, bar_w, style)
        colour = "red" if error else _OP_COLOUR.get(span.operation or "", "green")
        status = _status(span, style)
        row_colour = "red" if error else None
        parts = [
            style.paint(gutter, "bold_red" if error else None),
            style.paint(f"{name:<{name_w}}", "bold_red" if error else None),
            "  ",
            style.paint(f"{_fit(agents[i], agent_w, style):<{agent_w}}", row_colour),
            "  ",
            style.paint(f"{_fit(models[i], model_w, style):<{model_w}}", row_colour),
            "  ",
            style.paint(f"{durations[i]:>{dur_w}}", row_colour),
            "  ",
            style.paint(edge_l, "dim"),
            style.paint(cells, colour),
            style.paint(edge_r, "dim"),
            "  ",
            style.paint(f"{tokens[i]:>{tok_w}}", "dim" if span.is_invocation else row_colour),
            "  ",
            style.paint(f"{costs[i]:>{cost_w}}", "dim" if span.is_invocation else row_colour),
            "  ",
            style.paint(status, "bold_red" if error else "dim"),
        ]
        lines.append("".join(parts).rstrip())
    hidden = len(rows) - len(shown)
    if hidden > 0:
        lines.append(
            style.paint(
                f"  {style.ellipsis} {hidden} more spans not shown (--max-spans {max_spans}; "
                "or --html for the whole trace)",
                "dim",
            )
        )
    if trace.dropped_spans:
        lines.append(
            style.paint(
                f"  {style.ellipsis} {trace.dropped_spans} spans of this trace were not loaded "
                "(memory cap for rendering reached)",
                "dim",
            )
        )
    return lines


def render(selection: Selection, style: Style, width: int, max_spans: int, source: str) -> str:
    out: list[str] = []
    for trace in selection.traces:
        out.extend(render_trace(trace, style, width, max_spans))
        out.append("")
    shown = len(selection.traces)
    spans = f"{units.plural(selection.total_spans, 'span')} in {source}"
    if selection.total_traces > shown:
        footer = f"{shown} of {selection.total_traces} traces shown (--limit N, --trace ID), {spans}"
    else:
        footer = f"{shown} trace{'s' if shown != 1 else ''}, {spans}"
    out.append(style.paint(footer, "dim"))
    out.extend(style.paint(note, "dim") for note in selection.notes)
    return "\n".join(out) + "\n"


def terminal_width() -> int:
    return max(80, shutil.get_terminal_size((120, 24)).columns)


def run(
    path: str,
    *,
    limit: int = DEFAULT_LIMIT,
    trace_prefix: str | None = None,
    max_spans: int = DEFAULT_MAX_SPANS,
    color: str = "auto",
    html_out: str | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    quiet_view: bool = False,
) -> int:
    """The `view` command; returns the exit status."""
    stdout = stdout or sys.stdout
    diagnostics = Diagnostics(path, stream=stderr)
    try:
        selection = collect_traces(path, diagnostics, limit=limit, trace_prefix=trace_prefix)
    except OSError as exc:
        print(f"agent-otel: cannot read {path}: {exc.strerror or exc}", file=stderr or sys.stderr)
        return 2
    diagnostics.finish()
    if not selection.traces:
        what = f"no trace matching {trace_prefix!r}" if trace_prefix else "no spans"
        print(f"agent-otel: {what} in {path}", file=stderr or sys.stderr)
        return 1
    if not quiet_view:
        stdout.write(render(selection, style_for(stdout, color), terminal_width(), max_spans, path))
        stdout.flush()
    if html_out:
        from agent_otel.cli import html

        try:
            html.write(html_out, selection, source=path)
        except OSError as exc:
            print(f"agent-otel: cannot write {html_out}: {exc.strerror or exc}", file=stderr or sys.stderr)
            return 2
        n = len(selection.traces)
        print(f"agent-otel: wrote {html_out} ({n} trace{'s' if n != 1 else ''})", file=stderr or sys.stderr)
    return 0
