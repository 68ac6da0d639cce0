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
patched when first imported (a wrapt post-import hook; at once if it already is).
"""

from __future__ import annotations

from typing import Any

import wrapt

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.native import NativeSpans
from agent_otel.telemetry.safety import report

__all__ = ["AnthropicInstrumentor"]


class _Installation:
    __slots__ = ("alive", "hooked")

    def __init__(self) -> None:
        self.alive = True
        self.hooked: set[str] = set()


class AnthropicInstrumentor(AgentOtelInstrumentor):  # type: ignore[misc]
    """Instruments the anthropic client. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "anthropic"
    dependencies = ("anthropic >= 0.51.0",)
    scope_name = "agent_otel.instrumentation.anthropic"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "patched"):
            self.patched: list[str] = []
            self.servers: Any = None
            self.stream_types: tuple[type, ...] = ()
            self.native = NativeSpans("anthropic")
            self.request_reader: Any = None
            self._installation: _Installation | None = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        installation = self._installation = _Installation()
        self.patched = []
        self.native = NativeSpans("anthropic", telemetry.settings.replace_native_spans)

        def on_anthropic(module: Any) -> None:
            if installation.alive:
                try:
                    self._on_anthropic(module, patcher, installation)
                except Exception as exc:
                    report("agent_otel.instrumentation.anthropic.install", exc)

        wrapt.register_post_import_hook(on_anthropic, "anthropic")

    def _on_anthropic(self, anthropic: Any, patcher: Patcher, installation: _Installation) -> None:
        from agent_otel.instrumentation.anthropic import _blocks, _native, _retries
        from agent_otel.instrumentation.anthropic._client import ServerResolver
        from agent_otel.instrumentation.anthropic._patches import TARGETS, wrapper_for
        from agent_otel.instrumentation.anthropic._request import messages

        self.stream_types = (anthropic.Stream, anthropic.AsyncStream)
        self.servers = ServerResolver()
        self.request_reader = messages
        by_module: dict[str, list[tuple[str, Any]]] = {}
        targets: list[tuple[str, str, Any]] = [
            (module, path, wrapper_for(self, is_async)) for module, path, is_async in TARGETS
        ]
        targets += _blocks.patch_targets(self)
        targets += _retries.patch_targets(self)
        targets.append((*_native.TARGET, _native.span_wrapper(self)))
        for module_name, path, wrapper in targets:
            by_module.setdefault(module_name, []).append((path, wrapper))
        for module_name, paths in by_module.items():
            wrapt.register_post_import_hook(
                self._patch_hook(module_name, paths, patcher, installation), module_name
            )

    def _patch_hook(
        self, module_name: str, targets: list[tuple[str, Any]], patcher: Patcher, installation: _Installation
    ) -> Any:
        def hook(module: Any) -> None:
            if not installation.alive or module_name in installation.hooked:
                return
            installation.hooked.add(module_name)
            for path, wrapper in targets:
                try:
                    if _already_wrapped(module, path):
                        continue  # a copy of a function we patched (Bedrock/Vertex beta `create = ...`)
                    if patcher.wrap(module, path, wrapper):
                        self.patched.append(f"{module_name}:{path}")
                except Exception as exc:
                    report("agent_otel.instrumentation.anthropic.patch", exc)

        return hook

    def _remove(self, **kwargs: Any) -> None:
        if self._installation is not None:
            self._installation.alive = False
            self._installation = None
        self.patched = []


def _already_wrapped(module: Any, path: str) -> bool:
    owner: Any = module
    *parents, attr = path.split(".")
    for name in parents:
        owner = getattr(owner, name, None)
        if owner is None:
            return False
    value = vars(owner).get(attr) if hasattr(owner, "__dict__") else None
    return isinstance(value, wrapt.ObjectProxy)
