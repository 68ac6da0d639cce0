"""Raw responses read by the app itself (issue 8): a body read to its end is a success, and a
`with_raw_response.parse(...)` never runs the app's validation inside our code."""

from __future__ import annotations

import gc
import json
from typing import Any

import pydantic
from openai_support import USER, only_span
from opentelemetry.trace import StatusCode

from agent_otel.testing import Reply, response_object

STREAM = {"model": "gpt-4o-mini", "messages": USER, "stream": True}


def test_raw_stream_body_read_to_the_end_without_parse_is_a_success(
    client: Any, otel: Any, instrumented: Any
) -> None:
    raw = client.chat.completions.with_raw_response.create(**STREAM)
    lines = list(raw.http_response.iter_lines())
    assert any(line.startswith("data: ") for line in lines)
    del raw
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert "agent_otel.stream.end" not in span.attributes


def test_streaming_response_read_to_the_end_outside_a_with_block_is_a_success(
    client: Any, otel: Any, instrumented: Any
) -> None:
    response = client.chat.completions.with_streaming_response.create(**STREAM).__enter__()
    for _line in response.iter_lines():
        pass
    del response
    gc.collect()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET
    assert "error.type" not in span.attributes


class Strict(pydantic.BaseModel):
    answer: int


def test_raw_responses_parse_never_runs_the_callers_validation(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    body = response_object(
        "not json at all", id="resp_raw", model="gpt-4o-mini-2025-01-01", service_tier="flex"
    )
    server.enqueue(Reply.json(body))
    raw = client.responses.with_raw_response.parse(model="gpt-4o-mini", input="hi", text_format=Strict)
    span = only_span(otel)  # ended, although parse() would raise: it is the app's to run
    a = span.attributes
    assert span.status.status_code == StatusCode.UNSET
    assert a["gen_ai.response.id"] == "resp_raw"
    assert a["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"
    assert a["gen_ai.usage.input_tokens"] == 12 and a["gen_ai.usage.output_tokens"] == 5
    assert a["openai.response.service_tier"] == "flex"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert raw.http_response.json()["id"] == "resp_raw"


def test_raw_responses_parse_keeps_the_output_the_callers_validation_would_reject(
    client: Any, server: Any, otel: Any, captured: Any
) -> None:
    server.enqueue(Reply.json(response_object("not json at all", id="resp_out")))
    client.responses.with_raw_response.parse(model="gpt-4o-mini", input="hi", text_format=Strict)
    output = json.loads(only_span(otel).attributes["gen_ai.output.messages"])
    assert output[0]["parts"] == [{"type": "text", "content": "not json at all"}]
