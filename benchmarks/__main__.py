"""Run every benchmark: `python -m benchmarks` (or `./dev bench`). Not part of the test suite.

Each benchmark runs in its own process so that one's instrumentation cannot affect another's baseline.
Pass benchmark names to run a subset: `python -m benchmarks openai_overhead`.
"""

from __future__ import annotations

import subprocess
import sys

ALL = ("startup", "openai_overhead", "langgraph_overhead")


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    status = 0
    for name in names:
        print(f"=== benchmarks.{name}", flush=True)
        status |= subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
