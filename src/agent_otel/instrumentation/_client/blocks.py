"""The SDKs' `with` blocks that make a call on entry (openai's and anthropic's `.stream()` managers and
`with_streaming_response`'s `ResponseContextManager`): the generic `__enter__` / `__exit__` wrappers.

- `entering_wrapper`: while the wrapped `__enter__`/`__aenter__` runs, the adapter's `entering`
  context variable holds a slot; the call it makes registers there; then `entered(instance, slot,
  result)` lets the adapter remember the operation by the manager object;
- `exit_wrapper`: after the SDK's own `__exit__`/`__aexit__`, `exited(instance, error)` with the
  exception that left the block (or the one the exit raised), None when it was suppressed or none left.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from agent_otel.instrumentation._client.calls import Active

Entered = Callable[[Any, list[Any], Any], None]
Exited = Callable[[Any, "BaseException | None"], None]


def block_exc(args: tuple[Any, ...], kwargs: dict[str, Any]) -> BaseException | None:
    """The exception an `__exit__(exc_type, exc, tb)` call was given, if any."""
    exc = args[1] if len(args) > 1 else kwargs.get("exc")
    return exc if isinstance(exc, BaseException) else None


def entering_wrapper(
    owner: Active, is_async: bool, entering: ContextVar[Any], entered: Entered
) -> Callable[..., Any]:
    if is_async:

        async def aenter(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            if not owner.active:
                return await wrapped(*args, **kwargs)
            slot: list[Any] = []
            token = entering.set(slot)
            try:
                result = await wrapped(*args, **kwargs)
            finally:
                entering.reset(token)
            entered(instance, slot, result)
            return result

        return aenter

    def enter(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not owner.active:
            return wrapped(*args, **kwargs)
        slot: list[Any] = []
        token = entering.set(slot)
        try:
            result = wrapped(*args, **kwargs)
        finally:
            entering.reset(token)
        entered(instance, slot, result)
        return result

    return enter


def exit_wrapper(is_async: bool, exited: Exited) -> Callable[..., Any]:
    if is_async:

        async def aexit(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            try:
                suppressed = await wrapped(*args, **kwargs)
            except BaseException as raised:
                exited(instance, raised)
                raise
            exited(instance, None if suppressed else block_exc(args, kwargs))
            return suppressed

        return aexit

    def exit_(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            suppressed = wrapped(*args, **kwargs)
        except BaseException as raised:
            exited(instance, raised)
            raise
        exited(instance, None if suppressed else block_exc(args, kwargs))
        return suppressed

    return exit_
