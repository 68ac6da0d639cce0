"""Helpers for the content-layer tests (budgets, blobs, redaction, content sampling): instrumentors built
with the test's providers and content options, undone afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent_otel import manual
from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
CONTENT_ATTRIBUTES = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions")


@pytest.fixture
def observe(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`observe(content="SPAN_AND_EVENT", openai=True, langchain=False, manual_api=False, env={}, **options)`:
    instrument with `options` passed to `instrument()` (and `manual.configure()`), `env` set first."""
    used: list[Any] = []
    configured = False

    def start(
        content: str | None = "SPAN_AND_EVENT",
        openai: bool = True,
        langchain: bool = False,
        manual_api: bool = False,
        env: dict[str, str] | None = None,
        **options: Any,
    ) -> None:
        nonlocal configured
        if content is None:
            monkeypatch.delenv(CONTENT_ENV, raising=False)
        else:
            monkeypatch.setenv(CONTENT_ENV, content)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        for wanted, cls in ((openai, OpenAIInstrumentor), (langchain, LangChainInstrumentor)):
            if wanted:
                inst = cls()
                inst.instrument(**otel.providers, **options)
                used.append(inst)
        if manual_api:
            manual.configure(**otel.providers, **options)
            configured = True

    yield start
    for inst in reversed(used):
        if inst.is_instrumented_by_opentelemetry:
            inst.uninstrument()
    if configured:
        manual.reset()


def json_attr(span: Any, key: str) -> Any:
    return json.loads(span.attributes[key])


def details_events(otel: Any) -> list[Any]:
    return [
        r.log_record
        for r in otel.logs()
        if r.log_record.event_name == "gen_ai.client.inference.operation.details"
    ]
