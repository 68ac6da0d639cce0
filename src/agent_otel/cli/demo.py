"""`agent-otel demo`: see what agent-otel records, within a minute, with no backend and no API key.

1. Start `FakeOpenAIServer` on 127.0.0.1 with `DemoScript` answering as each agent would.
2. Run `demo_app` (a LangGraph triage → researcher → writer app with no tracing code) in a subprocess
   under the real `opentelemetry-instrument` command, with OTEL_TRACES_EXPORTER=agent_otel_jsonl,
   AGENT_OTEL_JSONL_PATH=<--out>, metrics and logs exporters off, OPENAI_BASE_URL at the server.
   agent-otel's instrumentors (entry points `agent_otel_openai`, `agent_otel_langchain`) do the tracing;
   other installed instrumentors are disabled for the run (OTEL_PYTHON_DISABLED_INSTRUMENTATIONS).
3. Show the trace file with `view` (and write the HTML page with `--html`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO

from agent_otel.cli import view

_NEEDED = {
    "langchain": "langchain",
    "langchain_openai": "langchain-openai",
    "langgraph": "langgraph",
    "openai": "openai",
    "opentelemetry.sdk": "opentelemetry-sdk",
}
_INSTRUMENT_SHIM = (
    "import sys; from opentelemetry.instrumentation.auto_instrumentation import run; "
    "sys.argv[0] = 'opentelemetry-instrument'; sys.exit(run())"
)


def missing_requirements() -> list[str]:
    """Distributions the demo needs that are not installed."""
    missing = []
    for module, dist in _NEEDED.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(dist)
    if not list(entry_points(group="opentelemetry_configurator")):
        missing.append("opentelemetry-distro")  # without it opentelemetry-instrument sets up no SDK
    return missing


def instrument_command() -> list[str]:
    """`opentelemetry-instrument` next to this interpreter, else the same entry point run with `-c`."""
    here = Path(sys.executable).parent
    script = shutil.which("opentelemetry-instrument", path=str(here))
    if script:
        return [script]
    return [sys.executable, "-c", _INSTRUMENT_SHIM]


def other_instrumentors() -> list[str]:
    """Entry-point names of installed instrumentors that are not agent-otel's: the demo turns them off
    so that its trace shows what agent-otel records (and no duplicate spans from, e.g., another openai
    instrumentation)."""
    names = []
    for ep in entry_points(group="opentelemetry_instrumentor"):
        dist = getattr(ep, "dist", None)
        dist_name = (getattr(dist, "name", "") or "").replace("_", "-").lower()
        if dist_name != "agent-otel" and not ep.name.startswith("agent_otel"):
            names.append(ep.name)
    return sorted(set(names))


def demo_env(base_url: str, out: Path, capture_content: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OPENAI_API_BASE", None)  # langchain-openai would prefer it over OPENAI_BASE_URL
    disabled = [
        n.strip() for n in env.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "").split(",") if n.strip()
    ]
    disabled += [n for n in other_instrumentors() if n not in disabled]
    if disabled:
        env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = ",".join(disabled)
    env.update(
        {
            "OTEL_SERVICE_NAME": "agent-otel-demo",
            "OTEL_TRACES_EXPORTER": "agent_otel_jsonl",
            "AGENT_OTEL_JSONL_PATH": str(out),
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": "sk-demo-not-a-real-key",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if capture_content:
        env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_ONLY"
        env.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")
    return env


def _say(stream: IO[str], text: str = "") -> None:
    print(text, file=stream, flush=True)


def run(
    out: str = "agent-otel-demo.jsonl",
    html_out: str | None = None,
    show: bool = True,
    capture_content: bool = False,
    color: str = "auto",
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    timeout: float = 300.0,
) -> int:
    """The `demo` command; returns the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    missing = missing_requirements()
    if missing:
        _say(stderr, f"agent-otel demo needs {', '.join(missing)}: pip install 'agent-otel[demo]'")
        return 2

    from agent_otel.cli.demo_script import DemoScript
    from agent_otel.testing.openai_server import FakeOpenAIServer

    out_path = Path(out).resolve()
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.unlink(missing_ok=True)
    except OSError as exc:
        _say(stderr, f"agent-otel demo: cannot write {out}: {exc.strerror or exc}")
        return 2

    script = DemoScript()
    command = [*instrument_command(), sys.executable, "-m", "agent_otel.cli.demo_app"]
    with FakeOpenAIServer(responder=script) as server:
        _say(
            stdout,
            "agent-otel demo: a triage agent hands off to a researcher (with a search tool) and a writer.",
        )
        _say(stdout, f"Model: a scripted OpenAI-compatible server on {server.base_url} (no network, no key).")
        _say(stdout, "Running: opentelemetry-instrument python -m agent_otel.cli.demo_app")
        _say(stdout, f"         with OTEL_TRACES_EXPORTER=agent_otel_jsonl AGENT_OTEL_JSONL_PATH={out}")
        try:
            proc = subprocess.run(
                command,
                env=demo_env(server.base_url, out_path, capture_content),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            _say(stderr, f"agent-otel demo: the app did not finish within {timeout:.0f} s")
            return 1
    if proc.returncode != 0:
        _say(stderr, f"agent-otel demo: the app failed (exit status {proc.returncode}):")
        _say(stderr, "\n".join(proc.stderr.strip().splitlines()[-30:]))
        return 1
    answer = proc.stdout.strip()
    _say(
        stdout,
        f"The app answered ({len(script.calls)} model calls): "
        f"{answer[:160]}{'…' if len(answer) > 160 else ''}",
    )
    _say(stdout)
    if not out_path.exists() or out_path.stat().st_size == 0:
        _say(
            stderr,
            f"agent-otel demo: no spans were written to {out}. Are agent-otel's instrumentors installed",
        )
        _say(stderr, "(entry points agent_otel_openai, agent_otel_langchain) and opentelemetry-distro?")
        if proc.stderr.strip():
            _say(stderr, "\n".join(proc.stderr.strip().splitlines()[-15:]))
        return 1
    status = view.run(
        str(out_path), html_out=html_out, color=color, stdout=stdout, stderr=stderr, quiet_view=not show
    )
    if status != 0:
        return status
    try:
        shown = os.path.relpath(out_path)
    except ValueError:  # another drive (Windows)
        shown = str(out_path)
    if shown.startswith(".."):
        shown = str(out_path)
    _say(stdout)
    _say(stdout, f"The spans are in {shown} (OTLP JSON lines). Next:")
    if html_out:
        _say(stdout, f"  open {html_out} in a browser{' ' * max(1, 29 - len(html_out))}# the waterfall page")
    else:
        _say(stdout, f"  agent-otel view {shown} --html trace.html   # the waterfall, in a browser")
    _say(stdout, f"  agent-otel query agents {shown}              # time, tokens and cost per agent")
    _say(stdout, f"  agent-otel query errors {shown}              # failing traces and where they failed")
    return 0
