"""OpenTelemetry GenAI instrumentation of the `anthropic` client (anthropic >= 0.51, httpx and httpx2).

    from agent_otel.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument()       # or: opentelemetry-instrument python app.py

Covers `messages.create` (plain and `stream=True`), the `messages.stream()` helper, `messages.parse`
(anthropic >= 1.0) and the same on `beta.messages`, sync and async, plain, `with_raw_response` and
`with_streaming_response`, for `Anthropic`, `AsyncAnthropic`, `AnthropicBedrock` (`aws.bedrock`),
`AnthropicVertex` (`gcp.vertex_ai`) and Anthropic-compatible servers behind `base_url`. Spans, metrics
and content are the core's (`agent_otel.telemetry`). `_operation.py` follows a call to its end,
`_request.py` / `_response.py` / `_stream.py` / `_content.py` say what is recorded (the token
arithmetic is in `_response.py`), `_blocks.py` covers the SDK's `with` blocks, `_retries.py` retries,
and `_native.py` the SDK's own spans (anthropic >= 2; policy in telemetry/native.py).

Patching is deferred, as for openai: `instrument()` imports nothing from anthropic; each module is
patched when first imported (a wrapt post-import hook; at once if it already is; `_lazy.py`).
"""

from __future__ import annotations

from typing import Any

import wrapt

from agent_otel.instrumentation._lazy import LazyPatchingInstrumentor, Targets
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.native import NativeSpans

__all__ = ["AnthropicInstrumentor"]


class AnthropicInstrumentor(LazyPatchingInstrumentor):  # type: ignore[misc]
    """Instruments the anthropic client. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "anthropic"
    dependencies = ("anthropic >= 0.51.0",)
    scope_name = "agent_otel.instrumentation.anthropic"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "native"):
            self.servers: Any = None
            self.stream_types: tuple[type, ...] = ()
            self.native = NativeSpans("anthropic")
            self.request_reader: Any = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        self.native = NativeSpans("anthropic", telemetry.settings.replace_native_spans)
        super()._install(telemetry, patcher, **kwargs)

    def _on_library(self, anthropic: Any) -> Targets:
        from agent_otel.instrumentation.anthropic import _blocks, _native, _retries
        from agent_otel.instrumentation.anthropic._client import ServerResolver
        from agent_otel.instrumentation.anthropic._patches import TARGETS, wrapper_for
        from agent_otel.instrumentation.anthropic._request import messages

        self.stream_types = (anthropic.Stream, anthropic.AsyncStream)
        self.servers = ServerResolver()
        self.request_reader = messages
        by_module: Targets = {}
        targets: list[tuple[str, str, Any]] = [
            (module, path, wrapper_for(self, is_async)) for module, path, is_async in TARGETS
        ]
        targets += _blocks.patch_targets(self)
        targets += _retries.patch_targets(self)
        targets.append((*_native.TARGET, _native.span_wrapper(self)))
        for module_name, path, wrapper in targets:
            by_module.setdefault(module_name, []).append((path, wrapper))
        return by_module

    def _handled(self, module: Any, path: Any) -> bool:
        # a copy of a function we patched (Bedrock/Vertex beta `create = ...`)
        return _already_wrapped(module, path)


def _already_wrapped(module: Any, path: str) -> bool:
    owner: Any = module
    *parents, attr = path.split(".")
    for name in parents:
        owner = getattr(owner, name, None)
        if owner is None:
            return False
    value = vars(owner).get(attr) if hasattr(owner, "__dict__") else None
    return isinstance(value, wrapt.ObjectProxy)
