"""`OpenAIAgentsInstrumentor`: what instrument() installs and uninstrument() restores (by identity), the
deferred install (nothing imported until the app imports `agents`), re-instrumenting, the entry point."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from agents import ItemHelpers
from agents.tool_context import ToolContext
from agents_support import nothing_attached
from apps import handoff_app, run
from openai import AsyncOpenAI

from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor, _sdk
from agent_otel.testing import FakeOpenAIServer


def _originals() -> tuple[Any, Any]:
    return vars(ToolContext)["from_agent_context"], vars(ItemHelpers)["tool_call_output_item"]


async def test_uninstrument_restores_patches_by_identity_and_removes_the_processor(
    server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any
) -> None:
    before = _originals()
    instrumentor = OpenAIAgentsInstrumentor()
    instrumentor.instrument(**otel.providers)
    try:
        assert _sdk.registered_processors() == (instrumentor.processor,)
        assert all(now is not then for now, then in zip(_originals(), before, strict=True))
        instrumentor.instrument(**otel.providers)  # a second instrument() is a no-op
        assert _sdk.registered_processors() == (instrumentor.processor,)
    finally:
        instrumentor.uninstrument()
    assert all(now is then for now, then in zip(_originals(), before, strict=True))
    assert _sdk.registered_processors() == ()

    app = handoff_app("chat", client)
    server.responder = app.responder
    await run(app)
    assert otel.spans() == []
    assert nothing_attached()


async def test_reinstrument_after_uninstrument_traces_again(
    server: FakeOpenAIServer, client: AsyncOpenAI, otel: Any
) -> None:
    instrumentor = OpenAIAgentsInstrumentor()
    instrumentor.instrument(**otel.providers)
    instrumentor.uninstrument()
    instrumentor.instrument(**otel.providers)
    try:
        app = handoff_app("chat", client)
        server.responder = app.responder
        await run(app)
    finally:
        instrumentor.uninstrument()
    assert [s.name for s in otel.spans()].count("invoke_workflow Customer service") == 1


def test_entry_point_and_dependencies() -> None:
    instrumentor = OpenAIAgentsInstrumentor()
    assert tuple(instrumentor.instrumentation_dependencies()) == ("openai-agents >= 0.3.3",)
    (ep,) = [
        e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "agent_otel_openai_agents"
    ]
    assert ep.load() is OpenAIAgentsInstrumentor


def test_instrument_imports_nothing_until_the_app_imports_agents() -> None:
    code = """
import sys
from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor, _sdk
instrumentor = OpenAIAgentsInstrumentor()
instrumentor.instrument()
assert "agents" not in sys.modules, "instrument() imported agents"
import agents
assert instrumentor.processor is not None
assert instrumentor.processor in _sdk.registered_processors()
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"
