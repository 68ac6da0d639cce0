"""Size budgets (telemetry/content_budget.py): every content attribute fits its budget, stays valid JSON,
loses its oldest messages first and says what was cut; never above the SDK's own attribute limit.
Driven through the real openai client (FakeOpenAIServer), real LangChain tools, the manual API, and the
budget functions themselves."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from content_support import details_events, json_attr, observe
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent_otel import manual
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.telemetry import content_budget as budget
from agent_otel.testing import FakeOpenAIServer

__all__ = ["observe"]

MAX_ENV = "AGENT_OTEL_CONTENT_MAX_LENGTH"


def _conversation(count: int = 20, size: int = 2048) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are terse."}]
    for i in range(count):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"message {i:02d} " + ("lorem ipsum é " * size)[: size - 11]
        messages.append({"role": role, "content": text})
    return messages


def _shaped(count: int, size: int) -> list[dict[str, Any]]:
    return [
        {"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]}
        for m in _conversation(count, size)
    ]


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [p.get("content", "") for m in messages for p in m["parts"] if p.get("type") == "text"]


# ------------------------------------------------------------------ the budget functions


def test_oldest_messages_go_first_and_one_marker_counts_them() -> None:
    items = _shaped(20, 2048)
    kept, text, cut = budget.fit_messages(items, 10_000)
    assert cut and len(text) <= 10_000 and json.loads(text) == kept
    assert kept[0]["role"] == "system"  # leading system message kept
    marker = kept[1]
    assert marker["role"] == "agent_otel"
    (part,) = marker["parts"]
    assert part["type"] == "truncated"
    survivors = kept[2:]
    assert part["messages"] == 21 - 1 - len(survivors)
    assert part["characters"] == sum(len(budget.dumps(m)) for m in items[1 : 1 + part["messages"]])
    assert survivors == items[-len(survivors) :]  # the newest, whole and in order


def test_newest_message_alone_over_budget_has_its_longest_text_cut_with_a_marker() -> None:
    items = [{"role": "user", "parts": [{"type": "text", "content": "x" * 50_000}]}]
    _, text, cut = budget.fit_messages(items, 4_000)
    assert cut and len(text) <= 4_000
    (content,) = _texts(json.loads(text))
    assert content.startswith("xxxx") and content.endswith("chars]")
    assert "...[truncated " in content
    assert int(content.split("[truncated ")[1].split()[0]) == 50_000 - content.index("...[truncated")


@pytest.mark.parametrize("limit", [40, 90, 200, 1_000, 5_000, 20_000, 60_000])
def test_every_cut_value_is_valid_json_within_the_budget(limit: int) -> None:
    items = _shaped(20, 2048)
    cases = [
        budget.fit_messages(items, limit)[1],
        budget.fit_list([{"name": f"tool{i}", "description": "d" * 3000} for i in range(20)], limit)[1],
        budget.fit_value(json.dumps({"query": "q" * 40_000, "rows": list(range(3000))}), limit)[0],
        budget.fit_value({"a": ["y" * 9000] * 9, "b": {"c": "z" * 9000}}, limit)[0],
        budget.fit_value([{"k": "v" * 500}] * 200, limit)[0],
    ]
    for text in cases:
        assert len(text) <= limit, text[:80]
        json.loads(text)  # raises if the cut broke the JSON


def test_tool_arguments_given_as_json_text_stay_a_json_object_when_cut() -> None:
    arguments = json.dumps({"sql": "SELECT " + "col, " * 5000, "limit": 10})
    text, cut = budget.fit_value(arguments, 2_000)
    parsed = json.loads(text)
    assert cut and parsed["limit"] == 10 and parsed["sql"].startswith("SELECT col, ")


def test_plain_text_over_budget_is_cut_with_a_marker() -> None:
    text, cut = budget.fit_value("word " * 10_000, 1_000)
    assert cut and len(text) <= 1_000 and text.endswith("chars]")


def test_budget_defaults_to_64k_and_is_never_above_the_sdk_limit() -> None:
    assert budget.resolve_limit(None, None) == 65_536
    assert budget.resolve_limit(None, 5_000) == 5_000
    assert budget.resolve_limit(200_000, 100_000) == 100_000
    assert budget.resolve_limit(0, None) is None  # 0: no budget of ours
    assert budget.resolve_limit(0, 7_000) == 7_000


# ------------------------------------------------------------------ through the instrumentors


def test_openai_conversation_of_20_messages_fits_the_budget_as_valid_json(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe(env={MAX_ENV: "8000"})
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=_conversation())  # type: ignore[arg-type]
    span = otel.span("chat gpt-4o-mini")
    raw = span.attributes["gen_ai.input.messages"]
    assert len(raw) <= 8000
    messages = json.loads(raw)
    assert messages[-1]["parts"][0]["content"].startswith("message 19 ")  # the newest, whole
    assert messages[0]["role"] == "system" and messages[1]["role"] == "agent_otel"
    assert span.attributes["agent_otel.content.truncated"] is True
    (event,) = details_events(otel)
    assert len(json.dumps(list(event.attributes["gen_ai.input.messages"]), separators=(",", ":"))) <= 8100


def test_content_under_budget_is_unchanged_and_not_marked(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_ONLY")
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=_conversation(4, 100))  # type: ignore[arg-type]
    span = otel.span("chat gpt-4o-mini")
    assert len(json_attr(span, "gen_ai.input.messages")) == 5
    assert "agent_otel.content.truncated" not in span.attributes


def test_sdk_attribute_length_limit_no_longer_cuts_the_message_json_in_half(
    otel: Any, monkeypatch: pytest.MonkeyPatch, server: FakeOpenAIServer
) -> None:
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3000")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()  # reads the limit, as an app's provider would
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    inst = OpenAIInstrumentor()
    inst.instrument(tracer_provider=provider, meter_provider=otel.meter_provider)
    try:
        client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=_conversation())  # type: ignore[arg-type]
    finally:
        inst.uninstrument()
    (span,) = exporter.get_finished_spans()
    raw = span.attributes["gen_ai.input.messages"]
    assert len(raw) <= 3000
    assert json.loads(raw)[-1]["parts"][0]["content"].startswith("message 19")


def test_manual_tool_result_over_budget_is_cut_as_json_and_marked(otel: Any, observe: Any) -> None:
    observe("SPAN_ONLY", openai=False, manual_api=True, content_max_length=1500)
    with manual.tool("search") as tool:
        tool.set_arguments({"q": "otel"})
        tool.set_result({"hits": [{"title": f"doc {i}", "body": "b" * 400} for i in range(50)]})
    span = otel.span("execute_tool search")
    result = span.attributes["gen_ai.tool.call.result"]
    assert len(result) <= 1500 and json.loads(result)["hits"][0]["title"] == "doc 0"
    assert json.loads(span.attributes["gen_ai.tool.call.arguments"]) == {"q": "otel"}
    assert span.attributes["agent_otel.content.truncated"] is True


def test_langchain_tool_arguments_over_budget_stay_valid_json(otel: Any, observe: Any) -> None:
    from langchain_core.tools import tool

    observe("SPAN_ONLY", openai=False, langchain=True, env={MAX_ENV: "600"})

    @tool
    def summarize(text: str, style: str) -> str:
        """Summarizes a text."""
        return text[:10]

    summarize.invoke({"text": "t" * 5000, "style": "short"})
    span = otel.span("execute_tool summarize")
    arguments = span.attributes["gen_ai.tool.call.arguments"]
    assert len(arguments) <= 600 and json.loads(arguments)["style"] == "short"
