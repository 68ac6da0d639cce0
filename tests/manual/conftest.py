"""The manual API pointed at the test's in-memory providers (and put back afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent_otel import manual


@pytest.fixture
def tel(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Content capture off (the default); `otel` receives everything the manual API emits."""
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    manual.configure(**otel.providers)
    yield otel
    manual.reset()


@pytest.fixture
def tel_content(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Content capture on (SPAN_ONLY)."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    manual.configure(**otel.providers)
    yield otel
    manual.reset()
