"""Helpers shared by the anthropic instrumentor tests (fixtures are in conftest.py)."""

from __future__ import annotations

import importlib
import json
from typing import Any

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
USER = [{"role": "user", "content": "hello there"}]
MODEL = "claude-sonnet-4-5"
CALL = {"model": MODEL, "max_tokens": 64, "messages": USER}
KEY = "sk-ant-test-key-123456"


def only_span(otel: Any) -> Any:
    spans = otel.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def points(otel: Any, name: str) -> list[Any]:
    return otel.metrics().get(name, [])


def messages_attr(span: Any, key: str) -> Any:
    return json.loads(span.attributes[key])


def has_parse() -> bool:
    """`messages.parse` exists from anthropic 1.0 on."""
    from anthropic.resources.messages.messages import Messages

    return "parse" in vars(Messages)


def has_native_tracing() -> bool:
    """anthropic >= 2.0 starts spans of its own."""
    return hasattr(importlib.import_module("anthropic._base_client"), "start_api_call_span")
