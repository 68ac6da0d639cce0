"""Carrying the OpenTelemetry context into thread pools.

Work submitted to `concurrent.futures.ThreadPoolExecutor` runs in a worker thread, in that thread's own
context: spans it starts become roots of new traces. `install()` wraps `ThreadPoolExecutor.submit` so
the submitted callable runs with the submitter's OpenTelemetry context attached (and detached again
afterwards, so nothing leaks into the worker's next task). That one patch covers the three ways user
code hands work to threads:

- `ThreadPoolExecutor.submit` and `.map` (which calls `submit`), including subclasses that call
  `super().submit`;
- `loop.run_in_executor(None | a ThreadPoolExecutor, fn)`: asyncio calls `executor.submit` from the
  awaiting task, whose context is the one we capture;
- `asyncio.to_thread`: already runs `fn` in a copy of the caller's `contextvars` context, so it needs no
  patch (it goes through `run_in_executor`, where the patch attaches the very same context again).

Only the OpenTelemetry context is carried (which includes agent-otel's agent scope and util-genai's
conversation id), never other `contextvars`. `ProcessPoolExecutor` is untouched: its callables must be
picklable and the process has its own context; see `agent_otel.propagation` for crossing processes.

`install()` and `uninstall()` are reference-counted (each instrumentor that wants propagation calls
`install()` once and `uninstall()` once); the last `uninstall()` puts the original `submit` back,
the very same function object. A wrapper that outlives `uninstall()` (a bound method someone kept)
calls straight through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from opentelemetry.context import Context, attach, detach, get_current

from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.safety import report

__all__ = ["install", "installed", "uninstall"]

_lock = threading.Lock()
_count = 0
_patcher = Patcher()


def install() -> None:
    """Start carrying the context into `ThreadPoolExecutor.submit` (first call patches; counted).

    Never raises: a patch that cannot be made is logged and leaves the executor alone (and uncounted).
    """
    global _count
    with _lock:
        try:
            if _count == 0 and not _patcher.wrap(ThreadPoolExecutor, "submit", _submit_wrapper):
                return
        except Exception as exc:
            report("agent_otel.threads.install", exc)
            return
        _count += 1


def uninstall() -> None:
    """Undo one `install()`; the last one restores the original `ThreadPoolExecutor.submit`."""
    global _count
    with _lock:
        if _count == 0:
            return
        _count -= 1
        if _count == 0:
            _patcher.restore()


def installed() -> bool:
    """True while at least one `install()` is in effect."""
    return _count > 0


def _bind(context: Context, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run_in_context(*args: Any, **kwargs: Any) -> Any:
        token = attach(context)
        try:
            return fn(*args, **kwargs)
        finally:
            detach(token)

    run_in_context.__wrapped__ = fn  # type: ignore[attr-defined]
    return run_in_context


def _submit_wrapper(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    if _count > 0 and args:
        try:
            args = (_bind(get_current(), args[0]), *args[1:])
        except Exception as exc:  # never keep the user's work from being submitted
            report("agent_otel.threads.submit", exc)
    return wrapped(*args, **kwargs)
