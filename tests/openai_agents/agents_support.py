"""Helpers for the OpenAI Agents instrumentor tests: expected trees, span lookups, an open-span watcher."""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor

from agent_otel.testing.trees import tree

__all__ = ["CHAT", "HANDOFF_TREE", "OpenSpans", "nothing_attached", "spans_named", "tree"]

CHAT = "chat gpt-4o-mini"

HANDOFF_TREE = [
    (0, "invoke_workflow Customer service"),
    (1, "invoke_agent Triage agent"),
    (2, CHAT),
    (2, "execute_tool transfer_to_spanish_agent"),
    (1, "invoke_agent Spanish agent"),
    (2, CHAT),
    (2, "execute_tool get_weather"),
    (2, CHAT),
]


def spans_named(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def nothing_attached() -> bool:
    """No span of ours (or anyone's) left current in the caller's context."""
    return not trace.get_current_span().get_span_context().is_valid


class OpenSpans(SpanProcessor):
    """Every span started on the provider and not yet ended (add it to `otel.tracer_provider`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open: dict[int, str] = {}

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        with self._lock:
            self.open[span.context.span_id] = span.name

    def on_end(self, span: ReadableSpan) -> None:
        with self._lock:
            self.open.pop(span.context.span_id, None)  # type: ignore[union-attr]

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self.open.values())
