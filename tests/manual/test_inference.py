"""Model calls made without an instrumented client: chat spans with tokens, cost and the roll-up."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel import manual


def test_record_inference_gives_a_full_chat_span(tel: Any) -> None:
    with manual.agent("solo"):
        manual.record_inference(
            "openai",
            "gpt-4o",
            input_tokens=2000,
            output_tokens=300,
            cache_read_input_tokens=1000,
            reasoning_tokens=100,
            response_model="gpt-4o-2024-08-06",
            response_id="chatcmpl-1",
            finish_reasons=["stop"],
            server_address="api.openai.com",
            server_port=443,
        )
    span = tel.span("chat gpt-4o")
    assert span.kind is SpanKind.CLIENT
    attrs = span.attributes
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert attrs["gen_ai.response.id"] == "chatcmpl-1"
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert attrs["gen_ai.usage.input_tokens"] == 2000
    assert attrs["gen_ai.usage.output_tokens"] == 300
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 1000
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 100
    assert attrs["server.address"] == "api.openai.com"
    assert attrs["gen_ai.agent.name"] == "solo"
    # 1000 * 2.50 + 1000 * 1.25 + 300 * 10.00 = 6750 micro-dollars.
    assert attrs["gen_ai.usage.cost.amount"] == pytest.approx(0.00675, abs=1e-12)
    assert attrs["gen_ai.usage.cost.source"] == "local"
    assert tel.span("invoke_agent solo").attributes["agent_otel.usage.cost.total_amount"] == pytest.approx(
        0.00675, abs=1e-12
    )
    tokens = tel.metrics()["gen_ai.client.token.usage"]
    assert sorted(p.sum for p in tokens) == [300, 2000]


def test_inference_context_manager_and_decorator(tel: Any) -> None:
    with manual.inference("anthropic", "claude-3-5-haiku-20241022", operation="chat") as call:
        call.record_usage(1000, 100, cache_write_input_tokens=800)
        call.set_response(model="claude-3-5-haiku-20241022", finish_reasons=["end_turn"])

    @manual.inference("openai", "gpt-4o-mini")
    def ask(question: str) -> str:
        op = manual.current_operation()
        assert isinstance(op, manual.InferenceOperation)
        op.record_usage(input_tokens=100, output_tokens=10)
        return "answer"

    assert ask("q") == "answer"
    # 200 * 0.80 + 800 * 1.00 + 100 * 4.00 = 1360 micro-dollars.
    haiku = tel.span("chat claude-3-5-haiku-20241022").attributes
    assert haiku["gen_ai.usage.cost.amount"] == pytest.approx(0.00136, abs=1e-12)
    assert haiku["gen_ai.usage.cache_write.input_tokens"] == 800
    # 100 * 0.15 + 10 * 0.60 = 21 micro-dollars.
    assert tel.span("chat gpt-4o-mini").attributes["gen_ai.usage.cost.amount"] == pytest.approx(
        0.000021, abs=1e-12
    )


def test_failed_call(tel: Any) -> None:
    manual.record_inference("openai", "gpt-4o", error=TimeoutError("slow"))
    span = tel.span("chat gpt-4o")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "TimeoutError"
    assert "gen_ai.usage.cost.amount" not in span.attributes  # no usage, no cost


def test_an_unknown_model_has_tokens_but_no_cost(tel: Any) -> None:
    manual.record_inference("ollama", "llama3:8b", input_tokens=10, output_tokens=10)
    attrs = tel.span("chat llama3:8b").attributes
    assert attrs["gen_ai.usage.input_tokens"] == 10
    assert not any(k.startswith("gen_ai.usage.cost") for k in attrs)


def test_a_call_inside_a_manual_inference_merges_into_it(tel: Any) -> None:
    """An instrumented client call inside `inference()` (here a second one) adds no second span."""
    with manual.inference("openai", "gpt-4o") as outer:
        manual.record_inference("openai", "gpt-4o", input_tokens=1000, output_tokens=500)
    (span,) = tel.spans()
    assert span.attributes["gen_ai.usage.input_tokens"] == 1000
    assert span.attributes["gen_ai.usage.cost.amount"] == pytest.approx(0.0075, abs=1e-12)
    assert outer.span.get_span_context() == span.get_span_context()


def test_bad_usage_values_are_ignored_not_raised(tel: Any) -> None:
    with manual.inference("openai", "gpt-4o") as call:
        call.record_usage(input_tokens="many", output_tokens=-5)  # type: ignore[arg-type]
    attrs = tel.span("chat gpt-4o").attributes
    assert "gen_ai.usage.input_tokens" not in attrs
    assert "gen_ai.usage.output_tokens" not in attrs
