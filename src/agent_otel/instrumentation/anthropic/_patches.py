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

Each wrapper is the shared `_client.calls.call_wrapper` (active and not suppressed, then the wrapped
function outside any guard: its result or exception reaches the caller untouched).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation._client.calls import call_wrapper
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


def wrapper_for(owner: Any, is_async: bool) -> Callable[..., Any]:
    def begin(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return start(owner, is_async, instance, kwargs)

    return call_wrapper(owner, is_async, CURRENT, begin)
