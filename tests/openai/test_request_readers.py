"""Unit tests of the request readers (`_request.py`): openai keyword arguments -> request facts."""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.openai import _request
from agent_otel.telemetry.facts import Content, ModelRequest


def read(reader: Any, kwargs: dict[str, Any], capture: bool = False, provider: str = "openai") -> Any:
    request = ModelRequest(provider, "chat", kwargs.get("model"))
    content = Content() if capture else None
    reader(request, kwargs, content)
    return request, content


def test_chat_parameters_are_typed_not_trusted() -> None:
    request, content = read(
        _request.chat,
        {
            "model": "m",
            "temperature": 0.3,
            "top_p": True,  # a bool is not a number
            "max_completion_tokens": 50,
            "max_tokens": 10,
            "seed": 1,
            "n": 2,
            "stop": "END",
            "reasoning_effort": "low",
            "response_format": {"type": "json_schema"},
            "service_tier": "flex",
            "stream": True,
        },
    )
    assert (request.temperature, request.top_p, request.max_tokens, request.seed) == (0.3, None, 50, 1)
    assert (request.choice_count, request.stop_sequences, request.reasoning_level) == (2, ["END"], "low")
    assert (request.output_type, request.stream) == ("json", True)
    assert request.attributes == {"openai.request.service_tier": "flex"}
    assert content is None


def test_service_tier_only_for_openai_itself() -> None:
    request, _ = read(_request.chat, {"model": "m", "service_tier": "flex"}, provider="azure.ai.openai")
    assert request.attributes == {}


def test_extra_body_wins_over_keyword_arguments() -> None:
    request, _ = read(_request.chat, {"model": "m", "temperature": 0.1, "extra_body": {"temperature": 0.9}})
    assert request.temperature == 0.9


def test_chat_content_only_with_capture_and_iterators_are_not_consumed() -> None:
    messages = iter([{"role": "user", "content": "hi"}])
    kwargs: dict[str, Any] = {"model": "m", "messages": messages}
    _, content = read(_request.chat, kwargs, capture=True)
    assert kwargs["messages"] is not messages  # swapped for a recorder the SDK consumes
    assert content.input_messages is None and content.deferred
    list(kwargs["messages"])
    for fill in content.deferred:
        fill(content)
    assert content.input_messages[0].role == "user"


def test_responses_request() -> None:
    request, content = read(
        _request.responses,
        {
            "model": "m",
            "max_output_tokens": 20,
            "reasoning": {"effort": "high"},
            "text": {"format": {"type": "text"}},
            "previous_response_id": "resp_0",
            "conversation": {"id": "conv_1"},
            "prompt": {"id": "pmpt", "version": "2", "variables": {"x": "y"}},
            "instructions": "be brief",
            "input": "hi",
        },
        capture=True,
    )
    assert (request.max_tokens, request.reasoning_level, request.output_type) == (20, "high", "text")
    assert (request.previous_response_id, request.conversation_id) == ("resp_0", "conv_1")
    assert (request.prompt_name, request.prompt_version) == ("pmpt", "2")
    assert content.prompt_variables == {"x": "y"}
    assert content.system_instructions[0].content == "be brief"
    assert content.input_messages[0].parts[0].content == "hi"


def test_completions_embeddings_fetch() -> None:
    request, content = read(
        _request.completions, {"model": "m", "max_tokens": 5, "prompt": "p"}, capture=True
    )
    assert request.max_tokens == 5 and content.input_messages[0].parts[0].content == "p"
    request, _ = read(_request.embeddings, {"model": "e", "encoding_format": "base64"})
    assert request.encoding_formats == ["base64"]
    request, _ = read(_request.fetch, {"starting_after": 7})
    assert request.stream_cursor == "7"
