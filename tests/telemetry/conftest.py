"""Fixtures for the core tests that drive real clients: a FakeOpenAIServer and the instrumentors on the
test's providers. (No __init__.py here: this module is the top-level `conftest`; import nothing from it.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh_server(request: pytest.FixtureRequest) -> Iterator[None]:
    srv = request.getfixturevalue("server") if "server" in request.fixturenames else None
    if srv is not None:
        srv.reset()
        srv.responder = None
    yield
    if srv is not None:
        srv.reset()
        srv.responder = None


@pytest.fixture
def instrument(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`instrument(content=None, openai=True, langchain=False)`: the instrumentors, undone afterwards."""
    used: list[Any] = []

    def start(content: str | None = None, openai: bool = True, langchain: bool = False) -> None:
        if content is None:
            monkeypatch.delenv(CONTENT_ENV, raising=False)
        else:
            monkeypatch.setenv(CONTENT_ENV, content)
        for wanted, cls in ((openai, OpenAIInstrumentor), (langchain, LangChainInstrumentor)):
            if wanted:
                inst = cls()
                inst.instrument(**otel.providers)
                used.append(inst)

    yield start
    for inst in reversed(used):
        if inst.is_instrumented_by_opentelemetry:
            inst.uninstrument()
