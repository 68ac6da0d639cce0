"""OpenTelemetry GenAI instrumentation of the `openai` client (openai >= 1.66, httpx and httpx2).

    from agent_otel.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()          # or: opentelemetry-instrument python app.py

Covers `chat.completions.create/parse` (and the `.stream()` helper), `responses.create/parse/retrieve`
(and `.stream()`, and the beta Responses resource where it exists), `embeddings.create` and legacy
`completions.create`, sync and async, plain, streamed, `with_raw_response` and
`with_streaming_response`, for `OpenAI`, `AsyncOpenAI`, `AzureOpenAI` and any OpenAI-compatible server.
Spans, metrics and content are the core's (`agent_otel.telemetry`); see `_operation.py` for how a call
is followed to its end, `_request.py`/`_response.py` for what is recorded, `_retries.py` for retries.

Patching is deferred: `instrument()` imports nothing from openai. Each openai module we patch is
patched when it is first imported (a wrapt post-import hook; at once if it already is), so an app pays
only for the openai resources it uses: openai imports `resources.beta.responses` and friends lazily, and
importing them eagerly would cost hundreds of milliseconds at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

import wrapt

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.safety import report

__all__ = ["OpenAIInstrumentor"]


class _Installation:
    """One `instrument()`: its import hooks stay registered for good (wrapt cannot remove them), so
    each checks that the installation that registered it is still the live one."""

    __slots__ = ("alive", "hooked")

    def __init__(self) -> None:
        self.alive = True
        self.hooked: set[str] = set()


class OpenAIInstrumentor(AgentOtelInstrumentor):  # type: ignore[misc]
    """Instruments the openai client. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "openai"
    dependencies = ("openai >= 1.66.0",)
    scope_name = "agent_otel.instrumentation.openai"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "patched"):
            self.patched: list[str] = []
            self.servers: Any = None
            self.stream_types: tuple[type, ...] = ()
            self._installation: _Installation | None = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        installation = self._installation = _Installation()
        self.patched = []

        def on_openai(module: Any) -> None:
            if installation.alive:
                try:
                    self._on_openai(module, patcher, installation)
                except Exception as exc:
                    report("agent_otel.instrumentation.openai.install", exc)

        wrapt.register_post_import_hook(on_openai, "openai")

    def _on_openai(self, openai: Any, patcher: Patcher, installation: _Installation) -> None:
        from agent_otel.instrumentation.openai._blocks import patch_targets as block_targets
        from agent_otel.instrumentation.openai._patches import TARGETS, wrapper_for
        from agent_otel.instrumentation.openai._retries import TARGET as RETRY_TARGET
        from agent_otel.instrumentation.openai._retries import retry_wrapper
        from agent_otel.instrumentation.openai._server import ServerResolver

        azure = importlib.import_module("openai.lib.azure")
        self.stream_types = (openai.Stream, openai.AsyncStream)
        self.servers = ServerResolver((azure.AzureOpenAI, azure.AsyncAzureOpenAI))
        by_module: dict[str, list[tuple[str, Any]]] = {}
        for module_name, path, kind, is_async in TARGETS:
            wrapper = wrapper_for(self, kind, is_async, parses=path.endswith(".parse"))
            by_module.setdefault(module_name, []).append((path, wrapper))
        by_module.setdefault(RETRY_TARGET[0], []).append((RETRY_TARGET[1], retry_wrapper(self)))
        for module_name, path, wrapper in block_targets(self):
            by_module.setdefault(module_name, []).append((path, wrapper))
        for module_name, targets in by_module.items():
            wrapt.register_post_import_hook(
                self._patch_hook(module_name, targets, patcher, installation), module_name
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
                    if patcher.wrap(module, path, wrapper):
                        self.patched.append(f"{module_name}:{path}")
                except Exception as exc:
                    report("agent_otel.instrumentation.openai.patch", exc)

        return hook

    def _remove(self, **kwargs: Any) -> None:
        if self._installation is not None:
            self._installation.alive = False
            self._installation = None
        self.patched = []
