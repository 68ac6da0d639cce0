"""Fixtures for the OpenAI Agents SDK tests: the SDK's own trace export off, a fake OpenAI server, a client.

The SDK exports its traces to OpenAI's backend by default (a `BatchTraceProcessor` registered on first
use). `set_trace_processors([])` replaces it for the whole session, so nothing is ever sent, while the
SDK's tracing itself stays on (an instrumentor registers its processor with `add_trace_processor`).
Tests that need the SDK's tracing off use `agents.set_tracing_disabled` (and restore it):
`OPENAI_AGENTS_DISABLE_TRACING` is read once, on the provider's first use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from agents import set_trace_processors
from openai import AsyncOpenAI

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
