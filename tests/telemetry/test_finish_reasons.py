"""One spelling of each finish reason on every path (telemetry/values.py): the conventions' values."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from agent_otel import manual
from agent_otel.testing import FakeOpenAIServer, Reply
from agent_otel.testing.openai_server import chat_completion

CALL = {"name": "get_weather", "arguments": {"city": "Paris"}}


def _reply() -> Reply:
    return Reply.json(chat_completion(None, tool_calls=[CALL]))  # finish_reason "tool_calls"


@pytest.mark.parametrize("content", [None, "SPAN_ONLY"])
def test_chat_openai_and_raw_client_report_the_same_finish_reasons(
    otel: Any, instrument: Any, server: FakeOpenAIServer, content: str | None
) -> None:
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    instrument(content, openai=True, langchain=True)
    server.enqueue(_reply(), _reply())
    messages = [{"role": "user", "content": "weather in Paris?"}]
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]
    raw = otel.spans()[-1]
    model = ChatOpenAI(model="gpt-4o-mini", api_key="test-key", base_url=server.base_url, max_retries=0)  # type: ignore[arg-type]
    model.invoke([HumanMessage("weather in Paris?")])
    via_langchain = otel.spans()[-1]

    assert raw.name == via_langchain.name == "chat gpt-4o-mini"
    assert raw is not via_langchain
    assert raw.attributes["gen_ai.response.finish_reasons"] == ("tool_call",)
    assert via_langchain.attributes["gen_ai.response.finish_reasons"] == ("tool_call",)


def test_manual_api_finish_reasons_use_the_conventions_spelling(otel: Any) -> None:
    manual.configure(**otel.providers)
    try:
        with manual.inference("anthropic", "claude-x") as call:
            call.set_response(finish_reasons=["tool_use", "end_turn", "max_tokens", "STOP", "paused"])
    finally:
        manual.reset()
    reasons = otel.span("chat claude-x").attributes["gen_ai.response.finish_reasons"]
    assert reasons == ("tool_call", "stop", "length", "stop", "paused")
