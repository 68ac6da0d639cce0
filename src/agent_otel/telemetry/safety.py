"""Keeping instrumentation faults out of the host application.

Every piece of our code that runs inside a user's call runs under `guard()` or `guarded`: an exception
raised by *our* code is logged (once per distinct call site and exception type, then at DEBUG) and
swallowed. Exceptions raised by the user's code or the instrumented library are never caught here: the
wrappers call the wrapped function outside any guard.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

logger = logging.getLogger("agent_otel")

_P = ParamSpec("_P")
_R = TypeVar("_R")

_seen: set[tuple[str, type[BaseException]]] = set()
_seen_lock = threading.Lock()


def report(where: str, exc: BaseException) -> None:
    """Log a fault in our own code: a warning with the traceback the first time, DEBUG after that."""
    key = (where, type(exc))
    with _seen_lock:
        first = key not in _seen
        if first:
            _seen.add(key)
    if first:
        logger.warning("agent-otel: instrumentation error in %s (ignored)", where, exc_info=exc)
    else:
        logger.debug("agent-otel: instrumentation error in %s (ignored)", where, exc_info=exc)


class guard:  # lower case: used like a function, `with guard(where):`
    """Run a block of instrumentation code; log and swallow any `Exception` it raises.

    A class rather than a `@contextmanager` generator: it runs on every callback's hot path, and costs a
    fraction of a generator-based one."""

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if isinstance(exc, Exception):
            report(self.where, exc)
            return True
        return False


def guarded(default: Any = None) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorator form of `guard`: on a fault, log it and return `default`."""

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        where = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                report(where, exc)
                return default  # type: ignore[no-any-return]

        return wrapper

    return decorate
