"""Next to the official `opentelemetry-instrumentation-genai-openai-agents`, whichever is instrumented
first: ours wins (README), one workflow/agent/tool span each, and the official one is back as it was once
ours is uninstrumented."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from agents_support import HANDOFF_TREE, nothing_attached, tree
from apps import handoff_app, run
from openai import AsyncOpenAI
from opentelemetry.instrumentation.genai.openai_agents import OpenAIAgentsInstrumentor as Official

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor, _sdk
from agent_otel.testing import FakeOpenAIServer

OFFICIAL_SCOPE = "opentelemetry.instrumentation.genai.openai_agents"


@pytest.fixture(params=["official_first", "ours_first"])
def both(request: Any, otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIAgentsInstrumentor]:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    ours, theirs, chat = OpenAIAgentsInstrumentor(), Official(), OpenAIInstrumentor()
    chat.instrument(**otel.providers)
    first, second = (theirs, ours) if request.param == "official_first" else (ours, theirs)
    first.instrument(**otel.providers)
    second.instrument(**otel.providers)
    yield ours
    ours.uninstrument()
    theirs.uninstrument()
    chat.uninstrument()


async def test_with_the_official_instrumentor_each_span_appears_once_ours(
    server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, both: OpenAIAgentsInstrumentor
) -> None:
    app = handoff_app("chat", client)
    server.responder = app.responder

    await run(app)

    spans = otel.spans()
    assert tree(spans) == HANDOFF_TREE
    assert OFFICIAL_SCOPE not in {s.instrumentation_scope.name for s in spans}
    assert nothing_attached()


async def test_official_instrumentor_works_again_after_ours_is_uninstrumented(
    server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any, both: OpenAIAgentsInstrumentor
) -> None:
    app = handoff_app("chat", client)
    server.responder = app.responder
    both.uninstrument()
    assert both.processor is None and all(
        type(p).__module__.startswith(OFFICIAL_SCOPE) for p in _sdk.registered_processors()
    )

    await run(app)

    official = [s for s in otel.spans() if s.instrumentation_scope.name == OFFICIAL_SCOPE]
    assert [s.name for s in official].count("invoke_workflow Customer service") == 1
    assert nothing_attached()
