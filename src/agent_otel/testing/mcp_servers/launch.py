"""Start the test MCP server over streamable HTTP as a real subprocess, and always stop it (stdlib only)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from agent_otel.testing.mcp_servers.constants import READY_PREFIX, SERVER_MODULE

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass
class HttpServerProcess:
    """A running HTTP server: its URL (`http://127.0.0.1:PORT/mcp`), process and what it printed."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # stdout lines before the ready line

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].split("/", 1)[0])


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def stop_process(process: subprocess.Popen[str], timeout: float = STOP_TIMEOUT) -> None:
    """Close its stdin (the server stops and exits normally: atexit hooks, such as the OTel SDK's flush,
    run), then SIGTERM, then SIGKILL if it hangs; always reaps it."""
    for step in (_close_stdin, subprocess.Popen.terminate, subprocess.Popen.kill):
        if process.poll() is not None:
            break
        step(process)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            continue
    if process.stdout is not None:
        process.stdout.close()


def _close_stdin(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None and not process.stdin.closed:
        try:
            process.stdin.close()
        except OSError:  # the pipe is already broken: the process is on its way out
            pass


@contextmanager
def http_server(
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    startup_timeout: float = STARTUP_TIMEOUT,
    args: Sequence[str] = (),
) -> Iterator[HttpServerProcess]:
    """Run `[*prefix] python -m ...weather --transport http --port 0` (e.g. prefix
    `["opentelemetry-instrument"]`) with this environment plus `env`; yield once it listens on its free
    port; stop it on exit, whatever happened (`stop_process`). Its stderr goes to this process's stderr.
    `args`: more server options (`["--otel-asgi"]`: an HTTP server span per request)."""
    command = [*prefix, python, "-m", SERVER_MODULE, "--transport", "http", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        before: list[str] = []
        while True:
            try:
                line = lines.get(timeout=startup_timeout)
            except queue.Empty:
                raise RuntimeError(f"MCP server did not start within {startup_timeout}s: {before}") from None
            if line is None:
                raise RuntimeError(f"MCP server exited ({process.wait()}) before it was ready: {before}")
            if line.startswith(READY_PREFIX + " "):
                break
            before.append(line)
        server = HttpServerProcess(url=line.split(" ", 1)[1].strip(), process=process, output=before)
        yield server
    finally:
        stop_process(process)
