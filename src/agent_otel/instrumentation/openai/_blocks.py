"""openai's own `with` blocks that make a call on entry: the block, not the stream, decides the span's end.

`with client.chat.completions.stream(...) as s:` (and `responses.stream()`, sync and async) makes the
request in the manager's `__enter__` and closes the HTTP response in its `__exit__`, which our stream
proxy never sees (the helper iterates the proxy from a generator of its own that a `break` does not
close). `with client.<api>.with_streaming_response.create(...) as r:` does the same with a raw response.
So we wrap those `__enter__`/`__exit__` methods (and their async twins; the generic wrappers are in
`_client/blocks.py`):

- `__enter__`: while it runs, `ENTERING` holds a slot; the call it makes (`_operation.start`) registers
  there and is marked `held`: from then on a success (exhausted, closed, parsed) is only noted;
- `__exit__`: after openai's own exit, `op.on_block_exit(error)` ends the span: ERROR with the exception
  that left the block (the app's, or one the helper raised into the app), else OK ("closed" when the
  stream was left before its end).

Where openai keeps the block's response is private, so the operation is looked up by the manager
object itself (a `WeakKeyDictionary`); a `weakref.finalize` on what `__enter__` returned ends the span if
the block is never exited.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation._client.blocks import entering_wrapper
from agent_otel.instrumentation._client.blocks import exit_wrapper as block_exit_wrapper
from agent_otel.instrumentation.openai._operation import ENTERING, Operation
from agent_otel.telemetry.safety import report

_STREAMING = "openai.lib.streaming.chat._completions"
_RESPONSES = "openai.lib.streaming.responses._responses"
_RAW = "openai._response"

# (module, class, is_async)
TARGETS: tuple[tuple[str, str, bool], ...] = (
    (_STREAMING, "ChatCompletionStreamManager", False),
    (_STREAMING, "AsyncChatCompletionStreamManager", True),
    (_RESPONSES, "ResponseStreamManager", False),
    (_RESPONSES, "AsyncResponseStreamManager", True),
    (_RAW, "ResponseContextManager", False),
    (_RAW, "AsyncResponseContextManager", True),
)

_BLOCKS: weakref.WeakKeyDictionary[Any, Operation] = weakref.WeakKeyDictionary()
_WHERE = "agent_otel.instrumentation.openai.blocks"


def _entered(instance: Any, slot: list[Operation], result: Any) -> None:
    if not slot:
        return
    op = slot[0]
    try:
        _BLOCKS[instance] = op
        weakref.finalize(result, op.on_block_exit, None)
    except Exception as exc:  # not weak-referenceable: the block cannot decide, the stream does
        report(_WHERE, exc)
        op.held = False


def _exited(instance: Any, error: BaseException | None) -> None:
    op = _BLOCKS.pop(instance, None)
    if op is not None:
        op.on_block_exit(error)


def enter_wrapper(owner: Any, is_async: bool) -> Callable[..., Any]:
    return entering_wrapper(owner, is_async, ENTERING, _entered)


def exit_wrapper(is_async: bool) -> Callable[..., Any]:
    return block_exit_wrapper(is_async, _exited)


def patch_targets(owner: Any) -> list[tuple[str, str, Any]]:
    """(module, "Class.method", wrapper) for every block method."""
    out: list[tuple[str, str, Any]] = []
    for module, cls, is_async in TARGETS:
        enter, exit_ = ("__aenter__", "__aexit__") if is_async else ("__enter__", "__exit__")
        out.append((module, f"{cls}.{enter}", enter_wrapper(owner, is_async)))
        out.append((module, f"{cls}.{exit_}", exit_wrapper(is_async)))
    return out
