"""What we patch in openai, and the wrappers we patch it with.

Every target is a class attribute, wrapped with wrapt through `Patcher` (which restores the originals
by identity). A target that does not exist in the installed openai (an older or newer version) is
skipped quietly; `instrumentor.patched` lists what was patched.

- Chat Completions: `create` and `parse` (`parse` posts directly and bypasses `create`; the `.stream()`
  helper calls `create`, so it is covered without a second span). openai < 1.9x keeps `parse` on
  `openai.resources.beta.chat.completions` only.
- Responses: `create`, `parse` (bypasses `create`), `retrieve` (the `fetch_response` operation); the
  `.stream()` helper calls `create` or `retrieve`. Also the separate beta Responses class of recent openai.
- Embeddings `create`; legacy Completions `create`.
- The retry hook (`_retries.py`), and the `__enter__`/`__exit__` of openai's blocks that make a call
  (`.stream()` helpers, `with_streaming_response`; `_blocks.py`).

Each wrapper first checks that the instrumentor is active (a wrapper cached by `with_raw_response`
outlives `uninstrument()`) and that instrumentation is not suppressed, then calls the wrapped function
outside any guard: its result or exception reaches the caller untouched (`_client.calls.call_wrapper`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation._client.calls import call_wrapper
from agent_otel.instrumentation.openai import _request as request
from agent_otel.instrumentation.openai._endings import (
    KIND_CHAT,
    KIND_COMPLETIONS,
    KIND_EMBEDDINGS,
    KIND_FETCH,
    KIND_RESPONSES,
)
from agent_otel.instrumentation.openai._operation import CURRENT, Api, start
from agent_otel.instrumentation.openai._response import READERS
from agent_otel.telemetry import semconv as sc

_CHAT = "openai.resources.chat.completions"
_BETA_CHAT = "openai.resources.beta.chat.completions"
_RESPONSES = "openai.resources.responses.responses"
_BETA_RESPONSES = "openai.resources.beta.responses.responses"
_EMBEDDINGS = "openai.resources.embeddings"
_COMPLETIONS = "openai.resources.completions"


def _api(kind: str, is_async: bool, parses: bool = False) -> Api:
    readers = READERS[kind]
    if kind == KIND_CHAT:
        return Api(kind, sc.OP_CHAT, "chat_completions", request.chat, readers, is_async, parses)
    if kind == KIND_RESPONSES:
        return Api(kind, sc.OP_CHAT, "responses", request.responses, readers, is_async, parses)
    if kind == KIND_COMPLETIONS:
        return Api(kind, sc.OP_TEXT_COMPLETION, None, request.completions, readers, is_async)
    if kind == KIND_EMBEDDINGS:
        return Api(kind, sc.OP_EMBEDDINGS, None, request.embeddings, readers, is_async)
    return Api(kind, sc.OP_FETCH_RESPONSE, "responses", request.fetch, readers, is_async)


# (module, "Class.method", kind, is_async)
TARGETS: tuple[tuple[str, str, str, bool], ...] = (
    (_CHAT, "Completions.create", KIND_CHAT, False),
    (_CHAT, "AsyncCompletions.create", KIND_CHAT, True),
    (_CHAT, "Completions.parse", KIND_CHAT, False),
    (_CHAT, "AsyncCompletions.parse", KIND_CHAT, True),
    (_BETA_CHAT, "Completions.parse", KIND_CHAT, False),
    (_BETA_CHAT, "AsyncCompletions.parse", KIND_CHAT, True),
    (_RESPONSES, "Responses.create", KIND_RESPONSES, False),
    (_RESPONSES, "AsyncResponses.create", KIND_RESPONSES, True),
    (_RESPONSES, "Responses.parse", KIND_RESPONSES, False),
    (_RESPONSES, "AsyncResponses.parse", KIND_RESPONSES, True),
    (_RESPONSES, "Responses.retrieve", KIND_FETCH, False),
    (_RESPONSES, "AsyncResponses.retrieve", KIND_FETCH, True),
    (_BETA_RESPONSES, "Responses.create", KIND_RESPONSES, False),
    (_BETA_RESPONSES, "AsyncResponses.create", KIND_RESPONSES, True),
    (_BETA_RESPONSES, "Responses.parse", KIND_RESPONSES, False),
    (_BETA_RESPONSES, "AsyncResponses.parse", KIND_RESPONSES, True),
    (_BETA_RESPONSES, "Responses.retrieve", KIND_FETCH, False),
    (_BETA_RESPONSES, "AsyncResponses.retrieve", KIND_FETCH, True),
    (_EMBEDDINGS, "Embeddings.create", KIND_EMBEDDINGS, False),
    (_EMBEDDINGS, "AsyncEmbeddings.create", KIND_EMBEDDINGS, True),
    (_COMPLETIONS, "Completions.create", KIND_COMPLETIONS, False),
    (_COMPLETIONS, "AsyncCompletions.create", KIND_COMPLETIONS, True),
)


def wrapper_for(owner: Any, kind: str, is_async: bool, parses: bool = False) -> Callable[..., Any]:
    api = _api(kind, is_async, parses)

    def begin(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return start(owner, api, instance, args, kwargs)

    return call_wrapper(owner, is_async, CURRENT, begin)
