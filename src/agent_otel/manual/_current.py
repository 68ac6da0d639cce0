"""Which manual operation is current: a per-context stack, and making an operation current for a while."""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any, NamedTuple

from opentelemetry.context import attach, detach

from agent_otel.manual._operations import Operation
from agent_otel.telemetry.safety import report


class _Frame(NamedTuple):
    """One manual operation open in this context."""

    spec: Any  # the _Spec that opened it
    operation: Operation
    context_token: Any  # from opentelemetry.context.attach, None if attaching failed


class _Entered(NamedTuple):
    """What `_enter` did, for `_leave` to undo."""

    context_token: Any
    stack_token: Token[tuple[_Frame, ...]]


# The manual operations open in this context, innermost last.
_active: ContextVar[tuple[_Frame, ...]] = ContextVar("agent_otel.manual.active", default=())


def current_operation() -> Operation | None:
    """The innermost manual operation running in this context (inside a decorated function too)."""
    stack = _active.get()
    return stack[-1].operation if stack else None


def _enter(spec: Any, op: Operation) -> _Entered | None:
    """Make `op` current: attach its context and push it. Undone by `_leave`, in the same frame."""
    try:
        token = attach(op.context)
        return _Entered(token, _active.set((*_active.get(), _Frame(spec, op, token))))
    except Exception as exc:
        report("agent_otel.manual.enter", exc)
        return None


def _leave(entered: _Entered | None) -> None:
    if entered is None:
        return
    try:
        _active.reset(entered.stack_token)
    except Exception:
        pass
    detach(entered.context_token)


def _is_control_flow(error: BaseException) -> bool:
    """Exceptions that end an operation without it failing."""
    if isinstance(error, GeneratorExit):
        return True
    # LangGraph's interrupts and handoffs (langgraph.errors.GraphBubbleUp): control flow, not errors.
    return any(
        cls.__name__ == "GraphBubbleUp" and cls.__module__.startswith("langgraph")
        for cls in type(error).__mro__
    )
