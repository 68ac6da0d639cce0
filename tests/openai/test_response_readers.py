"""Unit tests of the response readers (`_response.py`): openai response objects -> response facts."""

from __future__ import annotations

from typing import Any

from openai.types import CreateEmbeddingResponse
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from agent_otel.instrumentation.openai._response import READERS
from agent_otel.telemetry.facts import Content, ModelResponse
from agent_otel.testing import chat_completion

OPENAI, COMPATIBLE = 1, 0


def chat_result(**overrides: Any) -> ChatCompletion:
    body = chat_completion("hello", model="gpt-4o-mini-2024-07-18")
    body.update(overrides)
    return ChatCompletion.model_validate(body)


def test_chat_reader_reads_everything_and_content_only_when_given() -> None:
    result = chat_result(
        service_tier="default",
        system_fingerprint="fp_1",
        usage={
            "prompt_tokens": 20,
            "completion_tokens": 5,
            "total_tokens": 25,
            "prompt_tokens_details": {"cached_tokens": 8},
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    )
    response = ModelResponse()
    READERS["chat"][OPENAI].read(response, result, None)
    assert (response.model, response.finish_reasons) == ("gpt-4o-mini-2024-07-18", ["stop"])
    usage = response.usage
    assert (usage.input, usage.output, usage.cache_read, usage.reasoning) == (20, 5, 8, 2)
    assert response.metric_attributes == {"openai.response.service_tier": "default"}
    assert response.attributes == {"openai.response.system_fingerprint": "fp_1"}
    content = Content()
    READERS["chat"][OPENAI].read(ModelResponse(), result, content)
    assert content.output_messages[0].parts[0].content == "hello"


def test_a_compatible_server_gets_no_openai_attributes() -> None:
    response = ModelResponse()
    READERS["chat"][COMPATIBLE].read(response, chat_result(service_tier="default"), None)
    assert response.metric_attributes == {} and response.attributes == {}


def test_read_usage_reads_only_what_metrics_need() -> None:
    response = ModelResponse()
    READERS["chat"][OPENAI].read_usage(response, chat_result(service_tier="default"))
    assert response.model == "gpt-4o-mini-2024-07-18"
    assert response.usage.input is not None
    assert response.id is None and response.finish_reasons is None


def test_an_odd_field_costs_only_itself() -> None:
    result = ChatCompletion.construct(id="x", model="m", choices=5, usage=None)  # choices of a wrong type
    response = ModelResponse()
    READERS["chat"][OPENAI].read(response, result, Content())
    assert (response.id, response.model, response.finish_reasons) == ("x", "m", None)


def test_responses_and_fetch_readers() -> None:
    result = Response.construct(
        id="resp_1",
        model="gpt-4o",
        status="incomplete",
        incomplete_details={"reason": "max_output_tokens"},
        output=[],
        usage=None,
    )
    response = ModelResponse()
    READERS["responses"][OPENAI].read(response, result, None)
    assert (response.id, response.finish_reasons) == ("resp_1", ["length"])
    fetched = ModelResponse()
    READERS["fetch"][OPENAI].read(fetched, result, None)
    assert (fetched.status, fetched.id) == ("incomplete", None)  # the id is the request's


def test_embeddings_reader() -> None:
    result = CreateEmbeddingResponse.model_validate(
        {
            "object": "list",
            "model": "text-embedding-3-small",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
            "usage": {"prompt_tokens": 4, "total_tokens": 4},
        }
    )
    response = ModelResponse()
    READERS["embeddings"][COMPATIBLE].read(response, result, None)
    assert (response.model, response.dimension_count, response.usage.input) == (
        "text-embedding-3-small",
        3,
        4,
    )
