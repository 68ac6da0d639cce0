"""OpenTelemetry GenAI instrumentation of the `openai` client (openai >= 1.66, httpx and httpx2).

    from agent_otel.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()          # or: opentelemetry-instrument python app.py

Covers `chat.completions.create/parse` (and the `.stream()` helper), `responses.create/parse/retrieve`
(and `.stream()`, and the beta Responses resource where it exists), `embeddings.create` and legacy
`completions.create`, sync and async, plain, streamed, `with_raw_response` and
`with_streaming_response`, for `OpenAI`, `AsyncOpenAI`, `AzureOpenAI` and any OpenAI-compatible server.
Spans, metrics and content go through `agent_otel.telemetry.genai`; see `_operation.py` for how a call
is followed to its end, `_request.py`/`_response.py` for what is recorded, `_retries.py` for retries.

Importing this module does not import openai; `instrument()` does.
"""

from __future__ import annotations

import importlib
from typing import Any

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.genai import GenAITelemetry

__all__ = ["OpenAIInstrumentor"]


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

    def _install(self, telemetry: GenAITelemetry, patcher: Patcher, **kwargs: Any) -> None:
        from agent_otel.instrumentation.openai._patches import TARGETS, wrapper_for
        from agent_otel.instrumentation.openai._retries import TARGET as RETRY_TARGET
        from agent_otel.instrumentation.openai._retries import retry_wrapper
        from agent_otel.instrumentation.openai._server import ServerResolver

        openai = importlib.import_module("openai")
        azure = importlib.import_module("openai.lib.azure")
        self.stream_types = (openai.Stream, openai.AsyncStream)
        self.servers = ServerResolver((azure.AzureOpenAI, azure.AsyncAzureOpenAI))
        self.patched = []
        for module, path, kind, is_async in TARGETS:
            if patcher.wrap(module, path, wrapper_for(self, kind, is_async)):
                self.patched.append(f"{module}:{path}")
        if patcher.wrap(RETRY_TARGET[0], RETRY_TARGET[1], retry_wrapper(self)):
            self.patched.append(f"{RETRY_TARGET[0]}:{RETRY_TARGET[1]}")

    def _remove(self, **kwargs: Any) -> None:
        self.patched = []
