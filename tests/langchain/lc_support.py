"""Helpers for the LangChain/LangGraph instrumentor tests: fake chat models that call tools (the only thing
mocked: the remote LLM), span-reading helpers, and `tree` from tests/conftest.py.

A module of its own (not conftest.py): tests/langchain has no __init__.py (a package named `langchain`
would shadow the real one), so its conftest is imported as a top-level `conftest` module.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from opentelemetry.sdk.trace import ReadableSpan


def _root_tree() -> Any:
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("agent_otel_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module.tree


tree = _root_tree()


_model_lock = threading.Lock()


class ToolFake(FakeMessagesListChatModel):
    """A fake chat model with a model name whose scripted replies may call tools (thread-safe)."""

    model_name: str = "fake-model"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        # As real integrations do: the tools travel as an invocation parameter, in OpenAI format.
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        with _model_lock:
            return super()._generate(*args, **kwargs)


def ai(
    content: str = "",
    *,
    calls: list[tuple[str, dict[str, Any], str]] | None = None,
    input_tokens: int = 10,
    output_tokens: int = 5,
    model: str = "fake-model-001",
    response_id: str = "resp-1",
) -> AIMessage:
    """An assistant reply with usage and response metadata, optionally calling tools (name, args, id)."""
    tool_calls = [{"name": name, "args": args, "id": call_id} for name, args, call_id in calls or []]
    return AIMessage(
        content,
        tool_calls=tool_calls,
        usage_metadata={
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
        response_metadata={
            "model_name": model,
            "finish_reason": "tool_calls" if tool_calls else "stop",
            "id": response_id,
        },
    )


def model(*replies: AIMessage, name: str = "fake-model") -> ToolFake:
    return ToolFake(responses=list(replies), model_name=name)


def bad_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings and errors that mean something went wrong: OpenTelemetry's "Failed to detach context",
    faults in our own code, and LangChain's "Error in <handler> callback"."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING
        and ("detach" in r.getMessage() or r.name.startswith("agent_otel") or "callback" in r.getMessage())
    ]


def by_name(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = by_name(spans, name)
    assert len(found) == 1, f"expected one {name!r}, got {[s.name for s in spans]}"
    return found[0]


def parent_of(spans: list[ReadableSpan], span: ReadableSpan) -> ReadableSpan | None:
    if span.parent is None:
        return None
    for s in spans:
        if s.context.span_id == span.parent.span_id:
            return s
    return None


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})
