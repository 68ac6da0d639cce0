"""Start-up cost of the openai instrumentation beside its peers: `python -m benchmarks.startup`.

What an app pays to import an openai instrumentor and call its `instrument()`, once openai (and the
resources every instrumentor patches: chat completions, Responses, embeddings) is imported. Each
measurement is one fresh interpreter that imports openai and those modules first, untimed, then times
`from <package> import OpenAIInstrumentor; OpenAIInstrumentor().instrument()` in process CPU time
(less sensitive than wall time to other load on the machine). The modes alternate, N runs each; reported:
the medians. The instrumentor's own imports (OpenTelemetry API, util-genai, wrapt, ...) are part of the
cost, as they are for an app; the SDK set-up is not (the app pays it whichever instrumentor it uses).

Modes: agent-otel; the official `opentelemetry-instrumentation-genai-openai`; the contrib
`opentelemetry-instrumentation-openai-v2`, from its own venv (see _peers.py). agent-otel runs from its
editable install, a plain path entry in site-packages (no import hook), which imports as a wheel does.
Bytecode is cached, as in a real install. Budget (issue 9): no more than the fastest peer's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import Row, summary_row
from benchmarks._peers import side_python, worker_env

PRELOAD = "import openai, " + ", ".join(
    f"openai.resources.{m}" for m in ("chat.completions", "responses", "embeddings")
)
TEMPLATE = PRELOAD + "; import time; _t = time.process_time(); {code}; print(time.process_time() - _t)"
INSTRUMENT = "from {module} import OpenAIInstrumentor; OpenAIInstrumentor().instrument()"
OURS = "agent-otel"
# mode -> (module, the side venv it needs, or None for this one)
MODES: dict[str, tuple[str, str | None]] = {
    OURS: ("agent_otel.instrumentation.openai", None),
    "genai-openai": ("opentelemetry.instrumentation.genai.openai", None),
    "openai-v2": ("opentelemetry.instrumentation.openai_v2", "openai-v2"),
}


def _env(pycache: str) -> dict[str, str]:
    """Bytecode cached, as in a real install: an environment with PYTHONDONTWRITEBYTECODE would otherwise
    recompile openai (and us) from source in every fresh interpreter. The cache lives outside the tree."""
    env = {k: v for k, v in worker_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def measure(python: str, module: str, env: dict[str, str]) -> float | None:
    """ms of CPU time to import and instrument, in a fresh interpreter; None if it cannot run there."""
    code = TEMPLATE.format(code=INSTRUMENT.format(module=module))
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return None
    return float(out.stdout.strip().splitlines()[-1]) * 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="fresh interpreters per mode (default 10)")
    parser.add_argument("--quick", action="store_true", help="a short run (3 per mode)")
    parser.add_argument("--no-side-peers", action="store_true", help="skip peers that need their own venv")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 10)
    env = _env(os.path.join(tempfile.gettempdir(), "agent_otel_bench_pycache"))
    pythons: dict[str, str] = {}
    for mode, (module, side) in MODES.items():
        python: Path | str | None = sys.executable
        if side is not None:
            python = None if args.no_side_peers else side_python(side)
        if python is not None and measure(str(python), module, env) is not None:  # also warms the cache
            pythons[mode] = str(python)
    if OURS not in pythons:
        print("agent-otel's OpenAIInstrumentor cannot be imported and instrumented", file=sys.stderr)
        return 1
    results: dict[str, list[float]] = {mode: [] for mode in pythons}
    for _ in range(runs):  # interleaved, so machine load drifts affect every mode alike
        for mode, python in pythons.items():
            value = measure(python, MODES[mode][0], env)
            if value is not None:
                results[mode].append(value)
    med = {mode: statistics.median(values) for mode, values in results.items() if values}
    print(f"import + instrument() after `{PRELOAD}`,\nCPU time, median of {runs} fresh interpreters (ms):")
    for mode, value in med.items():
        where = "" if pythons[mode] == sys.executable else f"   ({Path(pythons[mode]).parent.parent})"
        print(f"  {mode:<14} {value:8.1f}{where}")
    peers = {m: v for m, v in med.items() if m != OURS}
    peer = min(peers, key=lambda m: peers[m]) if peers else "no peer"
    value = peers.get(peer)
    ours = med[OURS]
    met = None if value is None else ours <= value
    summary_row(Row("import + instrument", ours, value, peer, "ms", "<= 1x peer", met))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
