"""anthropic >= 2 traces itself: the hook that lets our span replace its span (telemetry/native.py).

`SyncAPIClient.request()` / `AsyncAPIClient.request()` start the SDK's span with
`anthropic._base_client.start_api_call_span(...)` (imported there by name); `None` means "no span".
While a call we observe is in progress (`_operation.CURRENT`) and its policy is to replace
(`Operation.replace_native`), the hook returns `native.stand_in()`: a non-recording span with the
current span's context (ours; or, for a call nested in another inference, that one's). The SDK then
records nothing, still injects that trace context into its requests when its own propagation setting
is on (`ANTHROPIC_OPEN_TELEMETRY_PROPAGATION`, `open_telemetry={"propagation": ...}`), and its
`finish_api_call_span` writes to a span that records nothing. Calls we do not observe (`count_tokens`,
batches, models) keep the SDK's spans. anthropic < 2 has no such function: nothing is patched.
"""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.anthropic._operation import CURRENT
from agent_otel.telemetry import native
from agent_otel.telemetry.safety import report

TARGET = ("anthropic._base_client", "start_api_call_span")


def span_wrapper(owner: Any) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        op = CURRENT.get()
        if op is None or not op.replace_native or not owner.active:
            return wrapped(*args, **kwargs)
        try:
            return native.stand_in()
        except Exception as exc:
            report("agent_otel.instrumentation.anthropic.native", exc)
            return wrapped(*args, **kwargs)

    return wrapper
