"""Unit tests of the stream accumulators (`_chat_stream.py`, `_responses_stream.py`)."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionChunk

from agent_otel.instrumentation.openai._chat_stream import ChatStreamState
from agent_otel.instrumentation.openai._responses_stream import ResponsesStreamState
from agent_otel.telemetry.facts import Content, ModelRequest, ModelResponse
from agent_otel.telemetry.model_call import ModelCall


class Call(ModelCall):
    """A model call that remembers the chunk ticks it was given."""

    __slots__ = ("ticks",)

    def __init__(self, capture: bool = False) -> None:
        super().__init__(ModelRequest("openai"), None, Content() if capture else None)
        self.ticks: list[str | None] = []

    def chunk(self, model: str | None = None) -> None:
        self.ticks.append(model)


def chunk(**fields: Any) -> ChatCompletionChunk:
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m-1", "choices": []}
    body.update(fields)
    return ChatCompletionChunk.model_validate(body)


def test_chat_stream_ticks_the_first_chunk_with_its_model_and_finishes_once() -> None:
    call = Call(capture=True)
    state = ChatStreamState(call, is_openai=True)
    state.on_chunk(chunk(choices=[{"index": 0, "delta": {"role": "assistant", "content": "he"}}]))
    state.on_chunk(chunk(choices=[{"index": 0, "delta": {"content": "llo"}, "finish_reason": "tool_calls"}]))
    state.on_chunk(chunk(usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}))
    assert call.ticks == ["m-1"]  # per-chunk timing is off: only the first chunk
    response = ModelResponse()
    assert state.finish(response, call.content) is None
    assert (response.id, response.model, response.finish_reasons) == ("c1", "m-1", ["tool_call"])
    assert (response.usage.input, response.usage.output, state.count) == (3, 2, 3)
    assert call.content is not None and call.content.output_messages[0].parts[0].content == "hello"


def test_chat_stream_without_capture_keeps_no_text() -> None:
    state = ChatStreamState(Call(), is_openai=False)
    state.on_chunk(chunk(choices=[{"index": 0, "delta": {"content": "secret"}}]))
    assert state.texts is None


class Event:
    def __init__(self, type: str, **fields: Any) -> None:
        self.type = type
        self.__dict__.update(fields)


class Resp:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def test_responses_stream_reports_an_error_event_in_band() -> None:
    call = Call()
    state = ResponsesStreamState(call, is_openai=True)
    state.on_chunk(Event("response.created", response=Resp(id="resp_1", model="gpt-4o")))
    state.on_chunk(Event("error", code="server_error", message="boom"))
    assert call.ticks == ["gpt-4o"]
    response = ModelResponse()
    error = state.finish(response, None)
    assert error is not None and (error.type, error.message) == ("server_error", "boom")
    assert (response.id, response.model) == ("resp_1", "gpt-4o")


def test_responses_stream_ignores_events_it_cannot_read() -> None:
    state = ResponsesStreamState(Call(), is_openai=True)
    state.on_chunk(object())
    state.on_chunk(Event("response.output_text.delta", delta="x"))
    assert state.count == 2 and state.finish(ModelResponse(), None) is None
