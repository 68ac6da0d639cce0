"""The one stream-end policy (`ModelCall.end_stream`, `Operation.end_stream`), the same for every adapter:
exhausted -> OK (or the stream's in-band failure), closed -> OK + `agent_otel.stream.end=closed`,
abandoned -> ERROR `_OTHER` + `agent_otel.stream.end=abandoned`, error -> ERROR with the exception."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from agent_otel.config import Settings
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.facts import Content, ModelRequest, ModelResponse, ProviderError, ToolFacts
from agent_otel.telemetry.streams import END_ABANDONED, END_CLOSED, END_ERROR, END_EXHAUSTED

# how -> (status, error.type, agent_otel.stream.end)
POLICY = {
    END_EXHAUSTED: (StatusCode.UNSET, None, None),
    END_CLOSED: (StatusCode.UNSET, None, "closed"),
    END_ABANDONED: (StatusCode.ERROR, "_OTHER", "abandoned"),
    END_ERROR: (StatusCode.ERROR, "ConnectionError", None),
}


class Accumulator:
    """A minimal `facts.StreamAccumulator`."""

    def __init__(self, in_band: ProviderError | None = None) -> None:
        self.count = 3
        self.in_band = in_band

    def on_chunk(self, chunk: Any) -> None:
        self.count += 1

    def finish(self, response: ModelResponse, content: Content | None) -> ProviderError | None:
        response.usage.output = self.count
        return self.in_band


def make(otel: Any) -> Telemetry:
    return Telemetry(scope_name="test.streams", settings=Settings(), **otel.providers)


def check(span: Any, how: str) -> None:
    status, error_type, end = POLICY[how]
    assert span.status.status_code == status
    assert span.attributes.get("error.type") == error_type
    assert span.attributes.get("agent_otel.stream.end") == end


@pytest.mark.parametrize("how", list(POLICY))
def test_model_call_stream_endings_follow_the_policy(otel: Any, how: str) -> None:
    call = make(otel).model_call(ModelRequest("p", "chat", "m"), attach=False)
    call.end_stream(how, ConnectionError("reset") if how == END_ERROR else None, Accumulator())
    span = otel.span("chat m")
    check(span, how)
    assert span.attributes["agent_otel.stream.chunk_count"] == 3
    assert span.attributes["gen_ai.usage.output_tokens"] == 3


@pytest.mark.parametrize("how", list(POLICY))
def test_operation_stream_endings_follow_the_same_policy(otel: Any, how: str) -> None:
    op = make(otel).tool(ToolFacts("t"))
    op.end_stream(how, ConnectionError("reset") if how == END_ERROR else None)
    check(otel.span("execute_tool t"), how)


def test_an_in_band_failure_of_an_exhausted_stream_fails_the_call(otel: Any) -> None:
    call = make(otel).model_call(ModelRequest("p", "chat", "m"), attach=False)
    call.end_stream(END_EXHAUSTED, None, Accumulator(ProviderError("server_error", "boom")))
    span = otel.span("chat m")
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "server_error"
    assert span.status.description == "server_error"  # content off: the provider's message is not kept
