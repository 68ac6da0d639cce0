"""Helpers shared by the openai instrumentor tests (fixtures are in conftest.py)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
USER = [{"role": "user", "content": "hello there"}]


def http_lib() -> Any:
    """The HTTP library this openai is built on (httpx2 for openai >= 3, httpx before)."""
    base = importlib.import_module("openai._base_client")
    return getattr(base, "httpx2", None) or base.httpx


def only_span(otel: Any) -> Any:
    spans = otel.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def points(otel: Any, name: str) -> list[Any]:
    return otel.metrics().get(name, [])


class Features:
    """Which optional openai surfaces this openai version has."""

    def __init__(self) -> None:
        from openai.resources.chat.completions import Completions
        from openai.resources.responses.responses import Responses

        self.chat_parse = "parse" in vars(Completions)
        self.chat_stream_helper = "stream" in vars(Completions)
        beta_chat = _import("openai.resources.beta.chat.completions")
        self.beta_chat_parse = beta_chat is not None and "parse" in vars(beta_chat.Completions)
        self.responses_parse = "parse" in vars(Responses)
        self.beta_responses = _import("openai.resources.beta.responses.responses") is not None
        self.retrieve_stream = "stream" in inspect.signature(Responses.retrieve).parameters
        self.sleep_for_retry = "_sleep_for_retry" in vars(
            importlib.import_module("openai._base_client").SyncAPIClient
        )


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def chat_parse_method(client: Any) -> Any:
    """`chat.completions.parse` where it exists, else the beta one (openai < 1.9x)."""
    completions = client.chat.completions
    if hasattr(completions, "parse"):
        return completions.parse
    return client.beta.chat.completions.parse


def chat_stream_helper(client: Any) -> Any:
    completions = client.chat.completions
    if hasattr(completions, "stream"):
        return completions.stream
    return client.beta.chat.completions.stream
