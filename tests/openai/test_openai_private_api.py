"""Tripwires: the private openai behaviour we rely on. Each fails loudly if openai changes it.

- `BaseClient._calculate_retry_timeout` (retry hook, `_retries.py`): exists, and is called once per
  retried attempt from inside the `except` block that caught the failure.
- `X-Stainless-Raw-Response` (`_operation.RAW_RESPONSE_HEADER`): "true" for `with_raw_response`, "stream"
  for `with_streaming_response`, seen by the resource method we wrap.
- `LegacyAPIResponse.parse()` caches its result (we parse early; the caller must get the same object).
- `Stream.response.is_closed` (how an abandoned-looking stream that was closed is told apart).
- `resource._client.base_url` with `.host`/`.port`/`.scheme`, the very object of `_client._base_url`
  (`_server.py` reads the attribute: openai 3.x's property imports a module on every read).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import openai
from openai_support import USER

from agent_otel.instrumentation.openai._operation import RAW_RESPONSE_HEADER
from agent_otel.instrumentation.openai._retries import TARGET
from agent_otel.testing import Reply

CHAT = {"model": "gpt-4o-mini", "messages": USER}


def test_retry_hook_exists_and_is_called_once_per_retry_inside_the_except(
    client: Any, server: Any, monkeypatch: Any
) -> None:
    module = importlib.import_module(TARGET[0])
    owner_name, method = TARGET[1].split(".")
    owner = getattr(module, owner_name)
    original = vars(owner)[method]
    calls: list[Any] = []

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(sys.exc_info()[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, spy)
    server.enqueue(Reply.error(429, "a", retry_after_ms=1), Reply.disconnect())
    client.with_options(max_retries=2).chat.completions.create(**CHAT)
    assert len(calls) == 2
    assert getattr(getattr(calls[0], "response", None), "status_code", None) == 429
    assert calls[1] is not None and "RemoteProtocolError" in type(calls[1]).__name__


def test_raw_response_header_protocol(client: Any, monkeypatch: Any) -> None:
    from openai.resources.chat.completions import Completions

    seen: list[Any] = []
    original = vars(Completions)["create"]

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((kwargs.get("extra_headers") or {}).get(RAW_RESPONSE_HEADER))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Completions, "create", spy)
    fresh = client.with_options()  # with_raw_response is cached per resource: use a new client
    fresh.chat.completions.with_raw_response.create(**CHAT)
    with fresh.chat.completions.with_streaming_response.create(**CHAT):
        pass
    fresh.chat.completions.create(**CHAT)
    assert seen == ["true", "stream", None]


def test_legacy_parse_is_cached(client: Any) -> None:
    raw = client.chat.completions.with_raw_response.create(**CHAT)
    assert raw.parse() is raw.parse()


def test_stream_exposes_its_http_response_closed_state(client: Any) -> None:
    stream = client.chat.completions.create(**CHAT, stream=True)
    assert stream.response.is_closed is False
    stream.close()
    assert stream.response.is_closed is True


def test_base_url_shape(client: Any) -> None:
    url = client.chat.completions._client.base_url
    assert client.chat.completions._client._base_url is url
    assert url.host == "127.0.0.1" and isinstance(url.port, int) and url.scheme == "http"
    default = openai.OpenAI(api_key="k", base_url="https://api.openai.com/v1")
    assert default.base_url.port is None and default.base_url.scheme == "https"
