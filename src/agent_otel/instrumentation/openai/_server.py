"""Who a call talks to: provider name, `server.address` and `server.port`, from the client object.

The provider is `azure.ai.openai` for `AzureOpenAI`/`AsyncAzureOpenAI` clients and `openai` for every
other client, including OpenAI-compatible servers reached through `base_url` (the conventions make the
provider the telemetry flavour, not the host). Address and port come from the client's `base_url`; a URL
without an explicit port gets the scheme's default (443 for https, 80 for http).

The answer is cached per (client class, `base_url` object): the hot path does one dict lookup. The URL is
read from the client's `_base_url` attribute, which the public `base_url` property returns (openai 3.x's
property imports a module on every read, ~1 µs); a client without it falls back to the property.
tests/openai/test_openai_private_api.py guards that they agree.
"""

from __future__ import annotations

from typing import Any

from agent_otel.telemetry import semconv as sc

_DEFAULT_PORTS = {"https": 443, "http": 80, "wss": 443, "ws": 80}
_MAX_CACHE = 256


class ServerInfo:
    """Provider and server of one client configuration, plus the metric attributes they imply."""

    __slots__ = ("_metric_cache", "address", "is_openai", "port", "provider")

    def __init__(self, provider: str, address: str | None, port: int | None) -> None:
        self.provider = provider
        self.address = address
        self.port = port
        self.is_openai = provider == sc.PROVIDER_OPENAI
        self._metric_cache: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}

    def metric_attributes(
        self, operation: str, request_model: str | None, response_model: str | None = None
    ) -> dict[str, Any]:
        """Metric attributes of the unsampled fast path. The returned dict is shared: do not modify it."""
        key = (operation, request_model, response_model)
        attrs = self._metric_cache.get(key)
        if attrs is not None:
            return attrs
        attrs = {sc.OPERATION_NAME: operation, sc.PROVIDER_NAME: self.provider}
        if request_model:
            attrs[sc.REQUEST_MODEL] = request_model
        if self.address is not None:
            attrs[sc.SERVER_ADDRESS] = self.address
        if self.port is not None:
            attrs[sc.SERVER_PORT] = self.port
        if response_model:
            attrs[sc.RESPONSE_MODEL] = response_model
        if len(self._metric_cache) >= _MAX_CACHE:
            self._metric_cache.clear()
        self._metric_cache[key] = attrs
        return attrs


UNKNOWN = ServerInfo(sc.PROVIDER_OPENAI, None, None)


class ServerResolver:
    """Maps a resource's client to its `ServerInfo`. `azure_classes` are the Azure client classes."""

    def __init__(self, azure_classes: tuple[type, ...] = ()) -> None:
        self._azure = azure_classes
        # id(base_url) -> (base_url, client class, info); the strong reference to base_url keeps the id valid.
        self._cache: dict[int, tuple[Any, type, ServerInfo]] = {}

    def for_resource(self, resource: Any) -> ServerInfo:
        client = getattr(resource, "_client", None)
        if client is None:
            return UNKNOWN
        url = getattr(client, "_base_url", None)
        if url is None:
            url = getattr(client, "base_url", None)
        entry = self._cache.get(id(url))
        cls = type(client)
        if entry is not None and entry[0] is url and entry[1] is cls:
            return entry[2]
        info = self._resolve(client, url)
        if len(self._cache) >= _MAX_CACHE:
            self._cache.clear()
        self._cache[id(url)] = (url, cls, info)
        return info

    def _resolve(self, client: Any, url: Any) -> ServerInfo:
        provider = sc.PROVIDER_AZURE_OPENAI if isinstance(client, self._azure) else sc.PROVIDER_OPENAI
        host = getattr(url, "host", None) or None
        port = getattr(url, "port", None)
        if port is None and host is not None:
            port = _DEFAULT_PORTS.get(str(getattr(url, "scheme", "") or "").lower())
        return ServerInfo(provider, host, port)
