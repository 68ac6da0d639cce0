"""Retried attempts, made visible on the span of the call that covers them all.

openai retries 408/409/429/5xx responses, timeouts and connection errors inside one `create()` call, and
exposes no public per-attempt hook. We wrap the private `BaseClient._calculate_retry_timeout`
(openai/_base_client.py): every openai version we support (1.66 through 3.x, sync and async clients
alike) calls it exactly once per failed attempt that will be retried, right before sleeping, from inside
the `except` block that caught the failure. So it tells us the delay (its return value) and, through
`sys.exc_info()`, what failed: the HTTP status error (its status code) or the transport exception (its
type). The alternatives, `_sleep_for_retry` (openai >= 1.7x only) and `_send_request` plus the
`x-stainless-retry-count` header, are version-dependent. tests/openai/test_openai_private_api.py fails
loudly if the hook disappears or stops being called.

Each failed attempt adds a span event `agent_otel.retry` (`agent_otel.attempt` = the failed attempt's
number, 1 for the first; `agent_otel.attempt.status_code` or `agent_otel.attempt.error.type`;
`agent_otel.retry.delay_s`) unless AGENT_OTEL_RETRY_EVENTS=false, and sets `agent_otel.retry.count`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai._operation import CURRENT
from agent_otel.telemetry.safety import report

TARGET = ("openai._base_client", "BaseClient._calculate_retry_timeout")


def retry_wrapper(owner: Any) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        delay = wrapped(*args, **kwargs)
        op = CURRENT.get()
        if op is not None and owner.active:
            try:
                op.on_retry(delay, sys.exc_info()[1])
            except Exception as exc:
                report("agent_otel.instrumentation.openai.retry", exc)
        return delay

    return wrapper
