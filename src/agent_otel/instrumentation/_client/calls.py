"""The wrapper of a client method that makes a request (openai's and anthropic's `create`, `parse`, ...).

It checks that the instrumentor is active and instrumentation not suppressed, asks the adapter to
`begin` an operation, then calls the wrapped function outside any guard: its result or exception
reaches the caller untouched. While the wrapped call runs, `current` holds the operation (for the retry
and native-span hooks); the operation's `finish(result)` / `fail(exc)` end it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from opentelemetry.instrumentation.utils import is_instrumentation_enabled


class CallOperation(Protocol):
    def finish(self, result: Any) -> Any: ...

    def fail(self, error: BaseException) -> None: ...


class Active(Protocol):
    active: bool


# begin(instance, args, kwargs): the operation of this call, or None to call straight through.
Begin = Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]
# finish(op, instance, result): what the caller gets; by default `op.finish(result)`.
Finish = Callable[[Any, Any, Any], Any]


def _finish(op: Any, instance: Any, result: Any) -> Any:
    return op.finish(result)


def call_wrapper(
    owner: Active,
    is_async: bool,
    current: ContextVar[Any],
    begin: Begin,
    finish: Finish = _finish,
    gated: bool = True,
) -> Callable[..., Any]:
    """`gated=False`: `begin` itself checks `owner.active` and suppression (it has bookkeeping to do)."""
    if is_async:

        async def awrapper(
            wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> Any:
            if gated and (not owner.active or not is_instrumentation_enabled()):
                return await wrapped(*args, **kwargs)
            op = begin(instance, args, kwargs)
            if op is None:
                return await wrapped(*args, **kwargs)
            token = current.set(op)
            try:
                result = await wrapped(*args, **kwargs)
            except BaseException as exc:
                current.reset(token)
                op.fail(exc)
                raise
            current.reset(token)
            return finish(op, instance, result)

        return awrapper

    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if gated and (not owner.active or not is_instrumentation_enabled()):
            return wrapped(*args, **kwargs)
        op = begin(instance, args, kwargs)
        if op is None:
            return wrapped(*args, **kwargs)
        token = current.set(op)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            current.reset(token)
            op.fail(exc)
            raise
        current.reset(token)
        return finish(op, instance, result)

    return wrapper
