"""Retried attempts, made visible on the span of the call that covers them all.

anthropic retries 408/409/429/5xx (529 overloaded included), timeouts and connection errors inside one
call. Every version from 0.51 to 2.x calls the private `SyncAPIClient._sleep_for_retry` /
`AsyncAPIClient._sleep_for_retry(*, retries_taken, max_retries, options, response)` once per retried
attempt, and it computes the delay with `_calculate_retry_timeout`. Unlike openai, in 2.x a status
retry happens outside the `except` block, so the cause is the `response` argument (its status code);
when it is None the attempt raised (a timeout, a dropped connection), and `sys.exc_info()` has it. We
wrap both methods: the delay is what `_calculate_retry_timeout` returned during that sleep.
tests/anthropic/test_anthropic_private_api.py fails loudly if the hooks disappear.

The call is found through our own contextvar (`_operation.CURRENT`): with anthropic's native tracing
on, the current span inside the SDK is not ours.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from agent_otel.instrumentation.anthropic._operation import CURRENT
from agent_otel.telemetry.safety import report

_BASE = "anthropic._base_client"
_DELAY: ContextVar[list[float] | None] = ContextVar("agent_otel_anthropic_retry_delay", default=None)


class RetriedStatus(Exception):
    """What failed an attempt the API answered with a retryable status (no exception was raised)."""

    def __init__(self, status_code: int) -> None:
        super().__init__(status_code)
        self.status_code = status_code


def _cause(kwargs: dict[str, Any]) -> BaseException | None:
    status = getattr(kwargs.get("response"), "status_code", None)
    if type(status) is int:
        return RetriedStatus(status)
    return sys.exc_info()[1]


def _report(owner: Any, cause: BaseException | None, slot: list[float]) -> None:
    op = CURRENT.get()
    if op is None or not owner.active:
        return
    try:
        op.on_retry(cause, slot[-1] if slot else None)
    except Exception as exc:
        report("agent_otel.instrumentation.anthropic.retry", exc)


def sleep_wrapper(owner: Any, is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def asleep(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            cause = _cause(kwargs)
            slot: list[float] = []
            token = _DELAY.set(slot)
            try:
                result = await wrapped(*args, **kwargs)
            finally:
                _DELAY.reset(token)
            _report(owner, cause, slot)
            return result

        return asleep

    def sleep(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        cause = _cause(kwargs)
        slot: list[float] = []
        token = _DELAY.set(slot)
        try:
            result = wrapped(*args, **kwargs)
        finally:
            _DELAY.reset(token)
        _report(owner, cause, slot)
        return result

    return sleep


def timeout_wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    delay = wrapped(*args, **kwargs)
    slot = _DELAY.get()
    if slot is not None and isinstance(delay, (int, float)):
        slot.append(float(delay))
    return delay


def patch_targets(owner: Any) -> list[tuple[str, str, Any]]:
    return [
        (_BASE, "SyncAPIClient._sleep_for_retry", sleep_wrapper(owner, False)),
        (_BASE, "AsyncAPIClient._sleep_for_retry", sleep_wrapper(owner, True)),
        (_BASE, "BaseClient._calculate_retry_timeout", timeout_wrapper),
    ]
