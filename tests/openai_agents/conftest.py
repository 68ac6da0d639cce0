"""Fixtures for the OpenAI Agents SDK tests: the SDK's own trace export off, a fake OpenAI server, a client.

The SDK exports its traces to OpenAI's backend by default (a `BatchTraceProcessor` registered on first
use). `set_trace_processors([])` replaces it for the whole session, so nothing is ever sent, while the
SDK's tracing itself stays on (an instrumentor registers its processor with `add_trace_processor`).
`instrument` / `traced` turn agent-otel's OpenAI and OpenAI Agents instrumentors on, on the `otel` providers.
Tests that need the SDK's tracing off use `agents.set_tracing_disabled` (and restore it):
`OPENAI_AGENTS_DISABLE_TRACING` is read once, on the provider's first use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from agents import set_trace_processors
from openai import AsyncOpenAI

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor
from agent_otel.testing import FakeOpenAIServer


@pytest.fixture(scope="session", autouse=True)
def _no_sdk_trace_export() -> None:
    set_trace_processors([])


@pytest.fixture(scope="session")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh_server(server: FakeOpenAIServer) -> Iterator[None]:
    server.reset()
    server.responder = None
    yield
    server.reset()
    server.responder = None


@pytest.fixture
async def client(server: FakeOpenAIServer) -> AsyncIterator[AsyncOpenAI]:
    c = AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    yield c
    await c.close()


@pytest.fixture
def instrument(otel: Any) -> Iterator[Callable[..., OpenAIAgentsInstrumentor]]:
    """`instrument(**options)`: agent-otel's OpenAI and OpenAI Agents instrumentors on the `otel`
    providers (the model calls are the OpenAI instrumentor's spans); undone at teardown."""
    agents_instrumentor, openai_instrumentor = OpenAIAgentsInstrumentor(), OpenAIInstrumentor()
    used: list[bool] = []

    def start(**options: Any) -> OpenAIAgentsInstrumentor:
        openai_instrumentor.instrument(**otel.providers)
        agents_instrumentor.instrument(**{**otel.providers, **options})
        used.append(True)
        return agents_instrumentor

    yield start
    if used:
        agents_instrumentor.uninstrument()
        openai_instrumentor.uninstrument()


@pytest.fixture
def traced(instrument: Callable[..., OpenAIAgentsInstrumentor]) -> OpenAIAgentsInstrumentor:
    """Both instrumentors on, default settings."""
    return instrument()


@pytest.fixture
def content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Content capture on (read when the instrumentors build their telemetry)."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")


@pytest.fixture
def sync_client(server: FakeOpenAIServer) -> AsyncOpenAI:
    """A client for `run_sync` (which runs on a loop of its own)."""
    return AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
