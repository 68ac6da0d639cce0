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
importing them eagerly would cost hundreds of milliseconds at start-up (the skeleton: `_lazy.py`).
"""

from __future__ import annotations

import importlib
from typing import Any

from agent_otel.instrumentation._lazy import LazyPatchingInstrumentor, Targets

__all__ = ["OpenAIInstrumentor"]


class OpenAIInstrumentor(LazyPatchingInstrumentor):  # type: ignore[misc]
    """Instruments the openai client. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "openai"
    dependencies = ("openai >= 1.66.0",)
    scope_name = "agent_otel.instrumentation.openai"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "servers"):
            self.servers: Any = None
            self.stream_types: tuple[type, ...] = ()

    def _on_library(self, openai: Any) -> Targets:
        from agent_otel.instrumentation.openai._blocks import patch_targets as block_targets
        from agent_otel.instrumentation.openai._patches import TARGETS, wrapper_for
        from agent_otel.instrumentation.openai._retries import TARGET as RETRY_TARGET
        from agent_otel.instrumentation.openai._retries import retry_wrapper
        from agent_otel.instrumentation.openai._server import ServerResolver

        azure = importlib.import_module("openai.lib.azure")
        self.stream_types = (openai.Stream, openai.AsyncStream)
        self.servers = ServerResolver((azure.AzureOpenAI, azure.AsyncAzureOpenAI))
        by_module: Targets = {}
        for module_name, path, kind, is_async in TARGETS:
            wrapper = wrapper_for(self, kind, is_async, parses=path.endswith(".parse"))
            by_module.setdefault(module_name, []).append((path, wrapper))
        by_module.setdefault(RETRY_TARGET[0], []).append((RETRY_TARGET[1], retry_wrapper(self)))
        for module_name, path, wrapper in block_targets(self):
            by_module.setdefault(module_name, []).append((path, wrapper))
        return by_module
