"""The server side when the message's `_meta` has no usable context: a streamable-HTTP server process
instrumented zero-code, called by an uninstrumented client in this process (real `mcp` client).

- no context in `_meta` but a `traceparent` HTTP header (an HTTP client instrumentation's): the server
  span continues the header's trace;
- a malformed `_meta.traceparent`: ignored with one warning, the call answered as usual.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession
from mcp.client import streamable_http
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_support import INSTRUMENT, load, zero_code_env

from agent_otel.testing.mcp_servers import CITIES, http_server, weather_text

HEADER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
HEADER_SPAN = "00f067aa0ba902b7"
GARBAGE = "00-not-a-trace-context"


@asynccontextmanager
async def _connect(url: str, headers: dict[str, str] | None) -> AsyncIterator[Any]:
    if not hasattr(streamable_http, "streamable_http_client"):  # mcp < 1.24
        async with streamable_http.streamablehttp_client(url, headers=headers) as streams:
            yield streams
        return
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http.streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams


async def _call(url: str, headers: dict[str, str] | None = None, meta: dict[str, Any] | None = None) -> str:
    async with _connect(url, headers) as streams, ClientSession(streams[0], streams[1]) as s:
        await s.initialize()
        texts = []
        for _ in range(2):
            result = await s.call_tool("get_weather", {"city": CITIES[0]}, meta=meta)
            texts.append("".join(getattr(c, "text", "") for c in result.content))
        assert texts[0] == texts[1]
        return texts[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out: Path = tmp_path_factory.mktemp("mcp-fallbacks")
    env = zero_code_env(out / "server.jsonl", "weather-server")
    import anyio

    with http_server([INSTRUMENT], env) as server:
        header = anyio.run(_call, server.url, {"traceparent": f"00-{HEADER_TRACE}-{HEADER_SPAN}-01"})
        malformed = anyio.run(_call, server.url, None, {"traceparent": GARBAGE})
    return {"header": header, "malformed": malformed, "spans": load(out / "server.jsonl")}


def test_server_span_continues_the_http_traceparent_header_when_meta_has_none(served: dict[str, Any]) -> None:
    assert served["header"] == weather_text(CITIES[0])
    spans = [s for s in served["spans"] if s.name == "tools/call get_weather" and s.trace_id == HEADER_TRACE]
    assert len(spans) == 2
    for span in spans:
        assert span.parent_id == HEADER_SPAN and span.parent_remote is True


def test_malformed_meta_is_ignored_and_the_call_answered(served: dict[str, Any]) -> None:
    assert served["malformed"] == weather_text(CITIES[0])
    calls = [s for s in served["spans"] if s.name == "tools/call get_weather" and s.trace_id != HEADER_TRACE]
    assert len(calls) == 2
    for span in calls:  # a new trace: neither the garbage nor anything else became its parent
        assert span.parent_id is None
