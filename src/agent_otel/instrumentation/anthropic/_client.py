"""Who a call talks to, the credentials to scrub, and the user's own tracing settings: all from the client.

- provider: `aws.bedrock` for `AnthropicBedrock` (and anthropic 2.x's Bedrock Mantle), `gcp.vertex_ai` for
  `AnthropicVertex`, `anthropic` for every other client, Anthropic-compatible servers behind `base_url`
  included (the conventions make the provider the telemetry flavour, not the host). anthropic >= 2 says
  it itself (`client._gen_ai_provider_name`); older clients are told apart by their base classes.
- `server.address` / `server.port`: the client's `base_url` (a URL without a port gets the scheme's).
- secrets (`credentials`): `api_key`, `auth_token` (sent as `Authorization: Bearer`), Bedrock's AWS keys
  and session token, Vertex's access token, the credential-like values of `default_headers` and
  `default_query`, the userinfo of `base_url`; resolved only when a call fails (telemetry/scrub.py).
- `native_choice`: whether the user explicitly asked for anthropic's own spans (anthropic >= 2): a
  `tracer_provider` or the `content` traces mode in the client's resolved `open_telemetry` option.
- `conversation_id`: the `conversation_id` of that option, which the SDK would have put on its span.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from agent_otel.telemetry import scrub

PROVIDER_ANTHROPIC = "anthropic"
PROVIDER_BEDROCK = "aws.bedrock"
PROVIDER_VERTEX = "gcp.vertex_ai"

_DEFAULT_PORTS = {"https": 443, "http": 80}
_PLAIN = ("api_key", "auth_token", "aws_secret_key", "aws_access_key", "aws_session_token", "access_token")
_PROVIDERS = {
    "aws.bedrock": PROVIDER_BEDROCK,
    "gcp.vertex_ai": PROVIDER_VERTEX,
    "anthropic": PROVIDER_ANTHROPIC,
}


class ServerInfo:
    __slots__ = ("address", "port", "provider")

    def __init__(self, provider: str, address: str | None, port: int | None) -> None:
        self.provider = provider
        self.address = address
        self.port = port


UNKNOWN = ServerInfo(PROVIDER_ANTHROPIC, None, None)


def _platform_classes() -> tuple[tuple[type, ...], tuple[type, ...]]:
    found: list[tuple[type, ...]] = []
    for module, name in (
        ("anthropic.lib.bedrock._client", "BaseBedrockClient"),
        ("anthropic.lib.vertex._client", "BaseVertexClient"),
    ):
        try:
            found.append((getattr(importlib.import_module(module), name),))
        except Exception:  # botocore/google-auth extras missing, or a layout we do not know
            found.append(())
    return found[0], found[1]


class ServerResolver:
    """Maps a resource's client to its `ServerInfo`, cached per (client class, `base_url` object)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Any, type, ServerInfo]] = {}
        self._classes: tuple[tuple[type, ...], tuple[type, ...]] | None = None

    def for_client(self, client: Any) -> ServerInfo:
        if client is None:
            return UNKNOWN
        url = getattr(client, "base_url", None)
        entry = self._cache.get(id(url))
        cls = type(client)
        if entry is not None and entry[0] is url and entry[1] is cls:
            return entry[2]
        info = ServerInfo(self._provider(client), *_address(url))
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[id(url)] = (url, cls, info)
        return info

    def _provider(self, client: Any) -> str:
        named = getattr(type(client), "_gen_ai_provider_name", None)
        if isinstance(named, str) and named in _PROVIDERS:
            return _PROVIDERS[named]
        if self._classes is None:
            self._classes = _platform_classes()
        bedrock, vertex = self._classes
        if bedrock and isinstance(client, bedrock):
            return PROVIDER_BEDROCK
        if vertex and isinstance(client, vertex):
            return PROVIDER_VERTEX
        return PROVIDER_ANTHROPIC


def _address(url: Any) -> tuple[str | None, int | None]:
    host = getattr(url, "host", None) or None
    port = getattr(url, "port", None)
    if port is None and host is not None:
        port = _DEFAULT_PORTS.get(str(getattr(url, "scheme", "") or "").lower())
    return (host if isinstance(host, str) else None), (port if type(port) is int else None)


def collect(client: Any) -> Iterator[str]:
    for name in _PLAIN:
        yield from scrub.credential(getattr(client, name, None))
    yield from scrub.header_values(getattr(client, "_custom_headers", None))
    yield from scrub.query_values(getattr(client, "_custom_query", None))
    yield from scrub.url_userinfo(getattr(client, "base_url", None))


def credentials(client: Any) -> scrub.SecretSource | None:
    if client is None:
        return None
    return lambda: collect(client)


def _traces_option(client: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    option = getattr(client, "_open_telemetry", None)  # anthropic >= 2: the resolved option
    if not isinstance(option, dict):
        return None, None
    traces = option.get("traces")
    return option, traces if isinstance(traces, dict) else None


def native_choice(client: Any) -> str | None:
    """The user's explicit request for anthropic's own spans, named for the log; None when there is none."""
    option, traces = _traces_option(client)
    if option is None or traces is None or traces.get("enabled") is False:
        return None
    if option.get("tracer_provider") is not None:
        return "the client's open_telemetry tracer_provider"
    if traces.get("content_mode") == "content":
        return "anthropic's content traces mode (ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE)"
    return None


def conversation_id(client: Any) -> str | None:
    option, _ = _traces_option(client)
    value = option.get("conversation_id") if option is not None else None
    return value if isinstance(value, str) and value else None
