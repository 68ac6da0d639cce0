"""`LangChainInstrumentor` (`__init__.py`): what instrument() installs and uninstrument() restores (by
identity), double instrument, the enabled switch, the entry point, and that only langchain-core is
needed (the `langchain` package is never imported)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from typing import Any

import langchain_core.runnables.base
import langchain_core.runnables.config
import langchain_core.runnables.fallbacks
import langchain_core.tools.base
import langgraph._internal._runnable
from langchain_core.callbacks import CallbackManager
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import BaseLLM
from langchain_core.retrievers import BaseRetriever
from langchain_core.tracers import context as tracer_context
from langgraph.pregel.main import Pregel
from lc_support import ai, model

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.langchain._handler import OtelCallbackHandler

PATCHED = [
    (langchain_core.runnables.config, "set_config_context"),
    (langchain_core.runnables.base, "set_config_context"),
    (langchain_core.runnables.fallbacks, "set_config_context"),
    (langchain_core.tools.base, "set_config_context"),
    (langgraph._internal._runnable, "set_config_context"),
    (BaseChatModel, "_generate_with_cache"),
    (BaseChatModel, "_agenerate_with_cache"),
    (BaseChatModel, "stream"),
    (BaseChatModel, "astream"),
    (BaseLLM, "_generate_helper"),
    (BaseLLM, "_agenerate_helper"),
    (BaseLLM, "stream"),
    (BaseLLM, "astream"),
    (BaseRetriever, "invoke"),
    (BaseRetriever, "ainvoke"),
    (Pregel, "stream"),
    (Pregel, "astream"),
]


def snapshot() -> list[Any]:
    return [vars(owner)[name] for owner, name in PATCHED]


def handlers_of_a_new_manager() -> list[Any]:
    return CallbackManager.configure().handlers


def test_instrument_and_uninstrument_restore_everything_by_identity(otel: Any) -> None:
    originals = snapshot()
    hooks = list(tracer_context._configure_hooks)
    instrumentor = LangChainInstrumentor()

    instrumentor.instrument(**otel.providers)
    try:
        patched = snapshot()
        assert all(now is not before for now, before in zip(patched, originals, strict=True))
        assert len(tracer_context._configure_hooks) == len(hooks) + 1
        assert [type(h) for h in handlers_of_a_new_manager()] == [OtelCallbackHandler]
        # A second instrument() is a no-op: nothing patched twice, no second handler.
        instrumentor.instrument(**otel.providers)
        assert snapshot() == patched
        assert len(tracer_context._configure_hooks) == len(hooks) + 1
        assert len(handlers_of_a_new_manager()) == 1
        model(ai("x")).invoke("hi")
        assert len(otel.spans()) == 1
    finally:
        instrumentor.uninstrument()

    assert all(now is before for now, before in zip(snapshot(), originals, strict=True))
    assert tracer_context._configure_hooks == hooks
    assert all(a is b for a, b in zip(tracer_context._configure_hooks, hooks, strict=True))
    assert handlers_of_a_new_manager() == []
    model(ai("x")).invoke("hi")
    assert len(otel.spans()) == 1, "uninstrumented: no more spans"


def test_reinstrument_after_uninstrument(otel: Any) -> None:
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(**otel.providers)
    instrumentor.uninstrument()
    instrumentor.instrument(**otel.providers)
    try:
        model(ai("x")).invoke("hi")
        assert [s.name for s in otel.spans()] == ["chat fake-model"]
    finally:
        instrumentor.uninstrument()


def test_disabled_by_environment(otel: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("AGENT_OTEL_ENABLED", "false")
    originals = snapshot()
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(**otel.providers)
    try:
        assert snapshot() == originals
        model(ai("x")).invoke("hi")
        assert otel.spans() == []
    finally:
        instrumentor.uninstrument()


def test_dependencies_and_entry_point() -> None:
    instrumentor = LangChainInstrumentor()
    assert tuple(instrumentor.instrumentation_dependencies()) == ("langchain-core >= 1.2.0",)
    assert instrumentor.library_module == "langchain_core"
    (entry,) = [
        e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "agent_otel_langchain"
    ]
    assert entry.load() is LangChainInstrumentor


def test_needs_only_langchain_core_and_langgraph() -> None:
    """With the `langchain` package unimportable, a LangGraph app is still traced, and instrumenting
    never imports `langchain`."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["langchain"] = None  # as if not installed: any import of it fails
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from agent_otel.instrumentation.langchain import LangChainInstrumentor

        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        LangChainInstrumentor().instrument(tracer_provider=provider)
        from langchain_core.messages import AIMessage, HumanMessage
        from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
        from langgraph.graph import START, MessagesState, StateGraph

        llm = FakeMessagesListChatModel(responses=[AIMessage("hi")])
        graph = StateGraph(MessagesState)
        graph.add_node("talk", lambda s: {"messages": [llm.invoke(s["messages"])]})
        graph.add_edge(START, "talk")
        graph.compile(name="chat_app").invoke({"messages": [HumanMessage("hello")]})
        print(sorted(s.name for s in exporter.get_finished_spans()))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['chat FakeMessagesListChatModel', 'invoke_workflow chat_app']"
