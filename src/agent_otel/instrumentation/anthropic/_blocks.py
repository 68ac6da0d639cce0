"""anthropic's `with` blocks: the `messages.stream()` helper, and `with_streaming_response`.

`messages.stream(...)` does not call `create`: it returns a `MessageStreamManager` whose `__enter__`
makes the request (sync: lazily there; async: `stream()` builds the `_post` coroutine and
`__aenter__` awaits it) and whose `__exit__` closes the response. So:

- `stream()` (first-party, beta, Bedrock/Vertex beta) is wrapped only to remember its arguments, keyed
  by the manager it returns (a `WeakKeyDictionary`); no span yet (a manager never entered makes no call);
- the manager's `__enter__`/`__aenter__` starts the call (one span, `gen_ai.request.stream` true) while
  the request is made, then puts our stream proxy under the `MessageStream` it returns (its
  `_raw_stream`, read lazily by the helper's generator) and marks the call `held`: how the stream ended
  first (read to the end, closed) is only noted;
- `__exit__`/`__aexit__` ends the call once: ERROR with the exception that left the block, if any, else
  OK ("closed" when the stream was left before its end).

`with client.messages.with_streaming_response.create(...) as r:` goes through `create` inside the SDK's
`ResponseContextManager.__enter__`: the call registers in `ENTERING`, and an exception leaving the block
is noted (`block_error`) before the SDK's `__exit__` closes the response (which ends the call).

The generic enter/exit wrappers are shared with openai: `_client/calls.py`, `_client/blocks.py`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation._client.blocks import block_exc, entering_wrapper, exit_wrapper
from agent_otel.instrumentation._client.calls import call_wrapper
from agent_otel.instrumentation.anthropic._operation import CURRENT, ENTERING, Operation, start
from agent_otel.telemetry.safety import report

_STREAMING = "anthropic.lib.streaming._messages"
_BETA_STREAMING = "anthropic.lib.streaming._beta_messages"
_RESPONSE = "anthropic._response"
_WHERE = "agent_otel.instrumentation.anthropic.blocks"

# manager -> (is_async, resource, kwargs) until entered; then manager -> its Operation.
_PENDING: weakref.WeakKeyDictionary[Any, tuple[bool, Any, dict[str, Any]]] = weakref.WeakKeyDictionary()
_ENTERED: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def stream_wrapper(owner: Any, is_async: bool) -> Callable[..., Any]:
    def wrapper(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        manager = wrapped(*args, **kwargs)
        if owner.active:
            try:
                _PENDING[manager] = (is_async, instance, dict(kwargs))
            except Exception as exc:
                report(_WHERE, exc)
        return manager

    return wrapper


def _begin(owner: Any, manager: Any) -> Operation | None:
    pending = _PENDING.pop(manager, None)
    if pending is None or not owner.active or not is_instrumentation_enabled():
        return None
    is_async, resource, kwargs = pending
    return start(owner, is_async, resource, kwargs, stream=True)


def _entered(op: Operation, manager: Any, message_stream: Any) -> None:
    try:
        op.held = True  # from now on the block decides the end
        _ENTERED[manager] = op
        raw = getattr(message_stream, "_raw_stream", None)
        if raw is None:
            op.call.suspend()  # no stream to follow: the block's exit ends the call
            return
        message_stream._raw_stream = op.wrap_stream(raw)
    except Exception as exc:
        report(_WHERE, exc)
        op.end_block(None)


def _exited(manager: Any, error: BaseException | None) -> None:
    op = _ENTERED.pop(manager, None)
    if isinstance(op, Operation):
        op.end_block(error)


def manager_enter(owner: Any, is_async: bool) -> Callable[..., Any]:
    def begin(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Operation | None:
        return _begin(owner, instance)

    def finish(op: Operation, instance: Any, result: Any) -> Any:
        _entered(op, instance, result)
        return result

    return call_wrapper(owner, is_async, CURRENT, begin, finish, gated=False)


def manager_exit(is_async: bool) -> Callable[..., Any]:
    return exit_wrapper(is_async, _exited)


# ---------------------------------------------------------------------- with_streaming_response


def _response_entered(instance: Any, slot: list[Operation], result: Any) -> None:
    if slot:
        try:
            _ENTERED[instance] = slot[0]
        except Exception as exc:
            report(_WHERE, exc)


def response_enter(owner: Any, is_async: bool) -> Callable[..., Any]:
    return entering_wrapper(owner, is_async, ENTERING, _response_entered)


def response_exit(is_async: bool) -> Callable[..., Any]:
    def note(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        op = _ENTERED.pop(instance, None)
        error = block_exc(args, kwargs)
        if isinstance(op, Operation) and error is not None:
            op.block_error = error

    if is_async:

        async def aexit(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            note(instance, args, kwargs)
            return await wrapped(*args, **kwargs)

        return aexit

    def exit_(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        note(instance, args, kwargs)
        return wrapped(*args, **kwargs)

    return exit_


def patch_targets(owner: Any) -> list[tuple[str, str, Any]]:
    """(module, "Class.attribute", wrapper) for the helpers and blocks."""
    from agent_otel.instrumentation.anthropic._patches import (
        BEDROCK_BETA,
        BETA_MESSAGES,
        MESSAGES,
        VERTEX_BETA,
    )

    out: list[tuple[str, str, Any]] = []
    for module in (MESSAGES, BETA_MESSAGES, BEDROCK_BETA, VERTEX_BETA):
        out.append((module, "Messages.stream", stream_wrapper(owner, False)))
        out.append((module, "AsyncMessages.stream", stream_wrapper(owner, True)))
    for module, sync_cls, async_cls in (
        (_STREAMING, "MessageStreamManager", "AsyncMessageStreamManager"),
        (_BETA_STREAMING, "BetaMessageStreamManager", "BetaAsyncMessageStreamManager"),
    ):
        out.append((module, f"{sync_cls}.__enter__", manager_enter(owner, False)))
        out.append((module, f"{sync_cls}.__exit__", manager_exit(False)))
        out.append((module, f"{async_cls}.__aenter__", manager_enter(owner, True)))
        out.append((module, f"{async_cls}.__aexit__", manager_exit(True)))
    out.append((_RESPONSE, "ResponseContextManager.__enter__", response_enter(owner, False)))
    out.append((_RESPONSE, "ResponseContextManager.__exit__", response_exit(False)))
    out.append((_RESPONSE, "AsyncResponseContextManager.__aenter__", response_enter(owner, True)))
    out.append((_RESPONSE, "AsyncResponseContextManager.__aexit__", response_exit(True)))
    return out
