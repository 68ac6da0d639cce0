"""Run every benchmark: `python -m benchmarks [--quick] [NAME ...]` (or `./dev bench`). Not part of the tests.

Each benchmark runs in its own process so that one's instrumentation cannot affect another's baseline;
each measures agent-otel and its peers side by side in that process (and a peer that needs a venv of its
own in a worker beside it). The run ends with the summary: every budget of issue 9 beside the measured
value and the ratio to the fastest peer of the same run. `--quick`: a short, noisier run (about a minute).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchmarks._common import SUMMARY_ENV, read_rows, table

ALL = (
    "startup",
    "openai_overhead",
    "langgraph_overhead",
    "openai_agents_overhead",
    "tail_sampling",
    "content_budget",
)
SIDE_PEERS = ("startup", "openai_overhead")  # the benchmarks with a --no-side-peers flag


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"a subset of {', '.join(ALL)}")
    parser.add_argument("--quick", action="store_true", help="a short run (noisier)")
    parser.add_argument("--no-side-peers", action="store_true", help="skip peers that need their own venv")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in ALL]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(ALL)}")
    status = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.jsonl")
        env = {**os.environ, SUMMARY_ENV: summary}
        for name in args.names or ALL:
            flags = ["--quick"] if args.quick else []
            if args.no_side_peers and name in SIDE_PEERS:
                flags.append("--no-side-peers")
            print(f"=== benchmarks.{name}", flush=True)
            status |= subprocess.call([sys.executable, "-m", f"benchmarks.{name}", *flags], env=env)
            print(flush=True)
        rows = read_rows(summary)
    if rows:
        elapsed = time.monotonic() - started
        print(f"=== summary ({elapsed:.0f} s; ratio = agent-otel / the fastest peer of the same run)")
        print(table(rows))
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
