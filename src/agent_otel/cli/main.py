"""`agent-otel`: the command line (argparse), dispatching to `view`, `query` and `demo`.

    agent-otel demo [--out FILE] [--html OUT.html] [--no-view]
    agent-otel view FILE [--html OUT.html] [--trace ID] [--limit N] [--max-spans N] [--color WHEN]
    agent-otel query {slow,agents,errors} FILE [--json] [--percentile P] [--limit N]

FILE is an OTLP JSON-lines trace file ('-' reads stdin). Problems in the file go to stderr as
`FILE:LINE: message`; the rest of the file is still used.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from agent_otel.version import __version__

QUERIES = ("slow", "agents", "errors")


def _percentile(text: str) -> float:
    value = text.strip().lower().removeprefix("p")
    try:
        pct = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentile: {text!r} (use e.g. 99, 95 or p99.9)")
    if not 0 <= pct <= 100:
        raise argparse.ArgumentTypeError(f"a percentile is between 0 and 100, not {text!r}")
    return pct


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-otel",
        description="See and query the traces agent-otel records: OTLP JSON-lines files, no backend needed.",
    )
    parser.add_argument("--version", action="version", version=f"agent-otel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run a small multi-agent LangGraph app against a local fake model and show its trace",
        description="Run a triage/researcher/writer LangGraph app under opentelemetry-instrument against "
        "a deterministic OpenAI-compatible server on 127.0.0.1, write its spans to a trace file "
        "and show them. No network, no API key.",
    )
    demo.add_argument(
        "--out",
        metavar="FILE",
        default="agent-otel-demo.jsonl",
        help="trace file to write, replaced if present [default: agent-otel-demo.jsonl]",
    )
    demo.add_argument("--html", metavar="OUT.html", help="also write the HTML waterfall page")
    demo.add_argument("--no-view", action="store_true", help="do not print the trace tree")
    demo.add_argument(
        "--capture-content",
        action="store_true",
        help="record prompts and completions on the spans (off by default, as in production)",
    )
    demo.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output: auto (when a terminal, unless NO_COLOR is set), always or never",
    )

    view = sub.add_parser(
        "view",
        help="show traces as trees in the terminal (and as an HTML waterfall with --html)",
        description="Show the traces of FILE as trees: per span the operation, agent, model, duration "
        "with a time-line bar, tokens, cost and status. Errors are marked with ✗ (and red on a terminal).",
    )
    view.add_argument("file", metavar="FILE", help="OTLP JSON-lines trace file ('-' for stdin)")
    view.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML waterfall page")
    view.add_argument("--trace", metavar="ID", help="show the traces whose id starts with ID")
    view.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=10,
        help="how many traces (the most recent; 0 = all) [default: 10]",
    )
    view.add_argument(
        "--max-spans", type=int, metavar="N", default=300, help="rows drawn per trace [default: 300]"
    )
    view.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output: auto (when a terminal, unless NO_COLOR is set), always or never",
    )

    query = sub.add_parser(
        "query",
        help="slow traces, per-agent totals, failing traces",
        description="slow: traces above a duration percentile. agents: span count, time, tokens and cost "
        "per agent. errors: traces with a failed span, its path from the root.",
    )
    query.add_argument("what", metavar="{slow,agents,errors}", help="the question")
    query.add_argument("file", metavar="FILE", help="OTLP JSON-lines trace file ('-' for stdin)")
    query.add_argument("--json", action="store_true", help="machine-readable output")
    query.add_argument(
        "--percentile",
        type=_percentile,
        metavar="P",
        default=99.0,
        help="slow: the percentile, e.g. 95 or p99.9 [default: 99]",
    )
    query.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=20,
        help="slow/errors: traces listed (0 = all) [default: 20]",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "view":
            from agent_otel.cli import view

            return view.run(
                args.file,
                limit=args.limit,
                trace_prefix=args.trace.lower() if args.trace else None,
                max_spans=args.max_spans,
                color=args.color,
                html_out=args.html,
            )
        if args.command == "query":
            what, path = args.what, args.file
            if what not in QUERIES and path in QUERIES:  # `query FILE agents` works too
                what, path = path, what
            if what not in QUERIES:
                parser.error(f"query: unknown question {what!r} (choose from {', '.join(QUERIES)})")
            from agent_otel.cli import query

            return query.run(what, path, as_json=args.json, pct=args.percentile, limit=args.limit)
        if args.command == "demo":
            from agent_otel.cli import demo

            return demo.run(
                out=args.out,
                html_out=args.html,
                show=not args.no_view,
                capture_content=args.capture_content,
                color=args.color,
            )
        parser.print_help()
        return 2
    except BrokenPipeError:  # `agent-otel view big.jsonl | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
