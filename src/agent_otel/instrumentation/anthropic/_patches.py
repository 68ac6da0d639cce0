"""What we patch in anthropic, and the wrappers for the calls that make a request directly.

Every target is a class (or module) attribute, wrapped with wrapt through `Patcher` (originals restored
by identity). A target missing from the installed anthropic is skipped quietly.

- `Messages.create` / `AsyncMessages.create`, first-party and beta: every plain call, `stream=True`,
  `with_raw_response.create` and `with_streaming_response.create` pass through them.
- `parse` (anthropic >= 1.0, first-party and beta): posts directly, bypassing `create`.
- Bedrock's and Vertex's beta `Messages` copy those functions at import (`create = FirstParty.create`),
  so their class attributes are wrapped too, unless the copy already is our wrapper (the module was
  imported after the first-party one was patched).
- `stream()` (the helper) does not call `create`: see `_blocks.py`. The retry hook: `_retries.py`. The
  native-span hook (anthropic >= 2): `_native.py`.

Each wrapper checks that the instrumentor is active and instrumentation not suppressed, then calls the
wrapped function outside any guard: its result or exception reaches the caller untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation.anthropic._operation import CURRENT, start

MESSAGES = "anthropic.resources.messages.messages"
BETA_MESSAGES = "anthropic.resources.beta.messages.messages"
BEDROCK_BETA = "anthropic.lib.bedrock._beta_messages"
VERTEX_BETA = "anthropic.lib.vertex._beta_messages"

# (module, "Class.method", is_async)
TARGETS: tuple[tuple[str, str, bool], ...] = tuple(
    (module, f"{cls}.{method}", cls.startswith("Async"))
    for module in (MESSAGES, BETA_MESSAGES, BEDROCK_BETA, VERTEX_BETA)
    for cls in ("Messages", "AsyncMessages")
    for method in ("create", "parse")
)


def sync_wrapper(owner: Any) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return wrapped(*args, **kwargs)
        op = start(owner, False, instance, kwargs)
        if op is None:
            return wrapped(*args, **kwargs)
        token = CURRENT.set(op)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            CURRENT.reset(token)
            op.fail(exc)
            raise
        CURRENT.reset(token)
        return op.finish(result)

    return wrapper


def async_wrapper(owner: Any) -> Callable[..., Any]:
    async def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not owner.active or not is_instrumentation_enabled():
            return await wrapped(*args, **kwargs)
        op = start(owner, True, instance, kwargs)
        if op is None:
            return await wrapped(*args, **kwargs)
        token = CURRENT.set(op)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            CURRENT.reset(token)
            op.fail(exc)
            raise
        CURRENT.reset(token)
        return op.finish(result)

    return wrapper


def wrapper_for(owner: Any, is_async: bool) -> Callable[..., Any]:
    return async_wrapper(owner) if is_async else sync_wrapper(owner)
