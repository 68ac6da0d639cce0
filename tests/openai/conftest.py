"""Fixtures for the openai instrumentor tests: a fake OpenAI server, clients, and the instrumentor.

The same tests run against the newest openai (httpx2) and the oldest supported one (openai 1.66, httpx),
so nothing here assumes either HTTP library: `http_lib()` is whichever one openai uses. Features an
openai version lacks are parametrized by presence (see `features`), never skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai_support import CONTENT_ENV, Features

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer


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


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # openai's backoff constants (not our code): connection errors and timeouts carry no Retry-After.
    monkeypatch.setattr("openai._base_client.INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr("openai._base_client.MAX_RETRY_DELAY", 0.002)


@pytest.fixture
def client(server: FakeOpenAIServer) -> Iterator[openai.OpenAI]:
    c = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    yield c
    c.close()


@pytest.fixture
def aclient(server: FakeOpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)


def _instrument(otel: Any, monkeypatch: pytest.MonkeyPatch, content: str | None, **kwargs: Any) -> Any:
    if content is None:
        monkeypatch.delenv(CONTENT_ENV, raising=False)
    else:
        monkeypatch.setenv(CONTENT_ENV, content)
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(**otel.providers, **kwargs)
    return instrumentor


@pytest.fixture
def instrument(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`instrument(content=None, **kwargs)`: instrument with the test's providers; undone afterwards."""
    used: list[Any] = []

    def do(content: str | None = None, **kwargs: Any) -> Any:
        inst = _instrument(otel, monkeypatch, content, **kwargs)
        used.append(inst)
        return inst

    yield do
    for inst in used:
        if inst.is_instrumented_by_opentelemetry:
            inst.uninstrument()


@pytest.fixture
def instrumented(instrument: Any) -> Any:
    """Instrumented with content capture off (the default)."""
    return instrument()


@pytest.fixture
def captured(instrument: Any) -> Any:
    """Instrumented with content capture on (SPAN_ONLY)."""
    return instrument("SPAN_ONLY")


@pytest.fixture(scope="session")
def features() -> Features:
    return Features()
