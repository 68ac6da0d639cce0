"""Provider and server: OpenAI, Azure OpenAI, and OpenAI-compatible servers reached through base_url."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai_support import USER, http_lib, only_span

from agent_otel.testing import mock_transport_handler


def _client_on(base_url: str, cls: Any = openai.OpenAI, **kwargs: Any) -> Any:
    lib = http_lib()
    transport = lib.MockTransport(mock_transport_handler())
    http_client = (
        lib.Client(transport=transport)
        if cls is not openai.AsyncOpenAI
        else lib.AsyncClient(transport=transport)
    )
    return cls(base_url=base_url, api_key="k", http_client=http_client, max_retries=0, **kwargs)


@pytest.mark.parametrize(
    ("base_url", "address", "port"),
    [
        ("https://api.openai.com/v1", "api.openai.com", 443),
        ("http://llm.internal/v1", "llm.internal", 80),
        ("https://gateway.example:8443/openai/v1", "gateway.example", 8443),
    ],
)
def test_server_address_and_default_ports(
    base_url: str, address: str, port: int, otel: Any, instrumented: Any
) -> None:
    client = _client_on(base_url)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    a = only_span(otel).attributes
    assert a["server.address"] == address
    assert a["server.port"] == port
    assert a["gen_ai.provider.name"] == "openai"  # a compatible server keeps the openai flavour


def test_base_url_changed_on_a_live_client_is_followed(otel: Any, instrumented: Any) -> None:
    client = _client_on("https://one.example/v1")
    client.chat.completions.create(model="m", messages=USER)
    client.base_url = "http://two.example:9000/v1/"
    client.chat.completions.create(model="m", messages=USER)
    first, second = otel.spans()
    assert (first.attributes["server.address"], first.attributes["server.port"]) == ("one.example", 443)
    assert (second.attributes["server.address"], second.attributes["server.port"]) == ("two.example", 9000)


def test_with_options_client_is_instrumented(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    client.with_options(timeout=5).chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert only_span(otel).attributes["server.port"] == server.port


def test_azure_provider_and_no_openai_attributes(server: Any, otel: Any, instrumented: Any) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=server.url,
        api_key="k",
        api_version="2024-10-21",
        azure_deployment="my-gpt",
        max_retries=0,
    )
    client.chat.completions.create(model="gpt-4o-mini", messages=USER, service_tier="flex")
    span = only_span(otel)
    a = span.attributes
    assert a["gen_ai.provider.name"] == "azure.ai.openai"
    assert a["server.address"] == "127.0.0.1" and a["server.port"] == server.port
    assert a["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"
    assert not [k for k in a if k.startswith("openai.")]
    assert "/openai/deployments/my-gpt/chat/completions" in server.requests[0].path


async def test_async_azure(server: Any, otel: Any, instrumented: Any) -> None:
    client = openai.AsyncAzureOpenAI(
        azure_endpoint=server.url, api_key="k", api_version="2024-10-21", max_retries=0
    )
    await client.embeddings.create(model="text-embedding-3-small", input="x")
    assert only_span(otel).attributes["gen_ai.provider.name"] == "azure.ai.openai"


def test_mock_transport_async_client(otel: Any, instrumented: Any) -> None:
    import asyncio

    client = _client_on("https://mock.example/v1", cls=openai.AsyncOpenAI)
    asyncio.run(client.chat.completions.create(model="m", messages=USER))
    assert only_span(otel).attributes["server.address"] == "mock.example"
