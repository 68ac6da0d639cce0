"""Fixtures for the LangChain/LangGraph instrumentor tests: the instrumentor on the `otel` providers, and
content capture. Helpers live in lc_support.py.

tests/langchain has no __init__.py (a package named `langchain` would shadow the real one), so this file
is imported as the top-level module `conftest`; it re-exports `tree` so `from conftest import tree`
elsewhere in the suite keeps working whichever conftest was imported last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lc_support import tree

from agent_otel.instrumentation.langchain import LangChainInstrumentor

__all__ = ["tree"]


@pytest.fixture
def instrument(otel: Any) -> Iterator[Any]:
    """`instrument(**options)` -> the instrumented LangChainInstrumentor; undone at teardown."""
    instrumentor = LangChainInstrumentor()
    used: list[bool] = []

    def start(**options: Any) -> LangChainInstrumentor:
        instrumentor.instrument(**{**otel.providers, **options})
        used.append(True)
        return instrumentor

    yield start
    if used:
        instrumentor.uninstrument()


@pytest.fixture
def lc(instrument: Any) -> LangChainInstrumentor:
    """The instrumentor, on with default settings."""
    return instrument()


@pytest.fixture
def content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Content capture on (read by util-genai when the instrumentor builds its telemetry)."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
