"""Peers that cannot share agent-otel's venv, run in a venv of their own, driven from the benchmark.

The contrib `opentelemetry-instrumentation-openai-v2` 2.4b0 needs util-genai <= 1.1b0 (see
requirements/bench-openai-v2.txt), agent-otel needs >= 1.3b0. So it runs in `.venv/bench-peers/openai-v2`
(created on first use with uv, the same openai / httpx2 / OpenTelemetry versions as this venv), in a
long-lived worker process that the benchmark drives block by block over a pipe (JSON lines): while one
process measures, the other waits on the pipe, so the peer's blocks interleave with ours in the same run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
# Installed in the side venv at the versions this venv has, so both sides measure the same libraries.
SHARED = ("openai", "httpx2", "httpx", "opentelemetry-api", "opentelemetry-sdk", "wrapt")


def side_python(name: str) -> Path | None:
    """The python of the side venv for peer `name` (requirements/bench-<name>.txt), created or updated
    when its requirements changed; None (and a note why) when it cannot be made."""
    requirements = ROOT / "requirements" / f"bench-{name}.txt"
    venv = Path(sys.prefix) / "bench-peers" / name
    python = venv / "bin" / "python"
    pins = []
    for dist in SHARED:
        try:
            pins.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    want = hashlib.sha256((requirements.read_text() + "\n".join(pins)).encode()).hexdigest()[:16]
    stamp = venv / ".bench-installed"
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    uv = Path(sys.executable).with_name("uv")
    uv_cmd = str(uv) if uv.exists() else shutil.which("uv")
    if uv_cmd is None:
        print(f"  (no uv to create the {name} venv: that peer is skipped)", file=sys.stderr)
        return None
    print(f"  creating {venv} for {name} ...", file=sys.stderr, flush=True)
    try:
        if not python.exists():
            subprocess.run([uv_cmd, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
        subprocess.run(
            [uv_cmd, "pip", "install", "-q", "-p", str(python), "-r", str(requirements), *pins], check=True
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  (could not install {name}: {exc}; that peer is skipped)", file=sys.stderr)
        return None
    stamp.write_text(want)
    return python


def worker_env() -> dict[str, str]:
    """The side process imports `benchmarks` and `agent_otel.testing` (stdlib only) from the tree; the
    rest of agent-otel is neither installed nor imported there."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT), str(ROOT / "src")])
    return env


class Worker:
    """A benchmark module's `--worker` loop running under another python."""

    def __init__(self, python: Path, module: str) -> None:
        self.proc = subprocess.Popen(
            [str(python), "-m", module, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=worker_env(),
        )

    def call(self, **message: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker exited ({self.proc.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"benchmark worker: {reply['error']}")
        return reply["ok"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.call(op="quit")
            except (RuntimeError, OSError, ValueError):
                pass
            self.proc.wait(timeout=30)


def serve(handle: Callable[[dict[str, Any]], Any]) -> int:
    """The worker side: one JSON reply per JSON request line, until `{"op": "quit"}`. The replies own
    stdout; anything else printed goes to stderr."""
    replies: IO[str] = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("op") == "quit":
            replies.write(json.dumps({"ok": None}) + "\n")
            replies.flush()
            break
        try:
            reply: dict[str, Any] = {"ok": handle(message)}
        except Exception as exc:  # reported to the driver, which stops
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0
