"""Start-up cost of agent-otel's openai instrumentation: `python -m benchmarks.startup`.

Each measurement runs in a fresh interpreter (no warm imports), N times, and reports the median CPU time
of the measured statements (process time: less sensitive than wall time to other load on the machine):

- baseline:          `import openai`
- ours alone:        `import agent_otel.instrumentation.openai; OpenAIInstrumentor().instrument()`
- ours + openai:     the same, then `import openai` (the post-import hook patches what openai imported)
- the OTel stack:    openai plus what any util-genai based instrumentor needs and `opentelemetry-instrument`
                     has loaded before calling one (SDK, BaseInstrumentor, util-genai, wrapt); then ours
- the official `opentelemetry-instrumentation-genai-openai` instrumentor, for comparison

"Added on top of the OTel stack" is agent-otel's own cost; the budget is 25 ms. "Added to a bare openai
app" also counts the OpenTelemetry libraries themselves. Every patched module
of openai that the app has not imported yet is patched later, when it is (see the instrumentor's
docstring), so that cost is paid only by apps that use those resources, and would be paid by openai's
own lazy import anyway.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

BASELINE = "import openai"
OURS = "from agent_otel.instrumentation.openai import OpenAIInstrumentor; OpenAIInstrumentor().instrument()"
BOTH = OURS + "; import openai"
# What any util-genai based instrumentor loads (the official one too), and opentelemetry-instrument has
# already loaded before it calls an instrumentor: the SDK, BaseInstrumentor, util-genai, wrapt.
OTEL_STACK = (
    "import openai, wrapt, opentelemetry.sdk.trace, opentelemetry.sdk.metrics, "
    "opentelemetry.instrumentation.instrumentor, opentelemetry.util.genai.handler"
)
STACK_AND_OURS = OTEL_STACK + "; " + OURS
OFFICIAL = (
    "from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor; "
    "OpenAIInstrumentor().instrument(); import openai"
)

TEMPLATE = "import time; _t = time.process_time(); {code}; print(time.process_time() - _t)"


def _env(pycache: str) -> dict[str, str]:
    """Bytecode cached, as in a real install: an environment with PYTHONDONTWRITEBYTECODE would otherwise
    recompile openai (and us) from source in every fresh interpreter. The cache lives outside the tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def measure(code: str, runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", TEMPLATE.format(code=code)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]) * 1000.0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-official", dest="official", action="store_false", help="skip the official package"
    )
    args = parser.parse_args(argv)
    # Interleave the cases so machine load drifts affect all of them alike.
    cases = {
        "baseline: import openai": BASELINE,
        "ours alone (no openai)": OURS,
        "ours + import openai": BOTH,
        "otel stack + openai": OTEL_STACK,
        "otel stack + openai + ours": STACK_AND_OURS,
    }
    if args.official:
        cases["official genai-openai + openai"] = OFFICIAL
    env = _env(os.path.join(tempfile.gettempdir(), "agent_otel_bench_pycache"))
    for code in cases.values():  # warm the bytecode cache
        measure(code, 1, env)
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, code in cases.items():
            results[name].extend(measure(code, 1, env))
    med = {name: statistics.median(values) for name, values in results.items()}
    print(f"start-up CPU time, median of {args.runs} fresh interpreters each (ms):")
    for name, value in med.items():
        print(f"  {name:<34} {value:8.1f}")
    bare = med["ours + import openai"] - med["baseline: import openai"]
    print(f"  {'added to a bare openai app':<34} {bare:8.1f}")
    ours_only = med["otel stack + openai + ours"] - med["otel stack + openai"]
    print(f"  {'added on top of the OTel stack':<34} {ours_only:8.1f}   (budget 25 ms)")
    if args.official:
        official = med["official genai-openai + openai"] - med["baseline: import openai"]
        print(f"  {'official genai-openai adds':<34} {official:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
