"""Fixtures for the anthropic instrumentor tests: the fake Anthropic server, clients, the instrumentor.

The same tests run against the newest anthropic (httpx2, native tracing) and the oldest supported one
(0.51, httpx): nothing here assumes either HTTP library.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic_support import CONTENT_ENV

from agent_otel.instrumentation.anthropic import AnthropicInstrumentor
from agent_otel.testing import FakeAnthropicServer


@pytest.fixture(scope="session")
def server() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def srv(server: FakeAnthropicServer) -> FakeAnthropicServer:
    """The name tests/anthropic/test_anthropic_fake_server.py uses."""
    return server


@pytest.fixture(autouse=True)
def _fresh_server(server: FakeAnthropicServer) -> Iterator[None]:
    server.reset()
    server.responder = None
    yield
    server.reset()
    server.responder = None


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # anthropic's backoff constants (not our code): connection errors carry no retry-after.
    monkeypatch.setattr("anthropic._base_client.INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr("anthropic._base_client.MAX_RETRY_DELAY", 0.002)


@pytest.fixture
def client(server: FakeAnthropicServer) -> Iterator[anthropic.Anthropic]:
    c = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-test-key-123456", max_retries=0)
    yield c
    c.close()


@pytest.fixture
def aclient(server: FakeAnthropicServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=server.base_url, api_key="sk-ant-test-key-123456", max_retries=0)


@pytest.fixture
def instrument(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`instrument(content=None, **kwargs)`: instrument with the test's providers; undone afterwards."""
    used: list[Any] = []

    def do(content: str | None = None, **kwargs: Any) -> Any:
        if content is None:
            monkeypatch.delenv(CONTENT_ENV, raising=False)
        else:
            monkeypatch.setenv(CONTENT_ENV, content)
        inst = AnthropicInstrumentor()
        inst.instrument(**otel.providers, **kwargs)
        used.append(inst)
        return inst

    yield do
    for inst in used:
        if inst.is_instrumented_by_opentelemetry:
            inst.uninstrument()


@pytest.fixture
def instrumented(instrument: Any) -> Any:
    return instrument()


@pytest.fixture
def captured(instrument: Any) -> Any:
    return instrument("SPAN_ONLY")
