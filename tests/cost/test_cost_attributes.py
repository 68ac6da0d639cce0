"""Cost on spans and metrics, through the telemetry core exactly as the adapters fill it.

Inference spans carry `gen_ai.usage.cost.{amount,currency,source}` (semantic-conventions-genai PR #443),
agent and workflow spans carry the total beneath them under `agent_otel.usage.cost.*` (never the #443
names, so backends summing inference spans don't count twice), and `gen_ai.client.operation.cost` is
recorded per priced call. Expected values are hand-computed from the shipped prices (USD per 1M tokens).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.context import attach, detach
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

from agent_otel.config import Settings
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.cost import ModelPrice
from agent_otel.telemetry.facts import AgentFacts, ModelRequest, WorkflowFacts
from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.model_paths import NestedCall
from agent_otel.telemetry.operations import Operation

COST = "gen_ai.usage.cost.amount"
CURRENCY = "gen_ai.usage.cost.currency"
SOURCE = "gen_ai.usage.cost.source"
TOTAL = "agent_otel.usage.cost.total_amount"
TOTAL_CURRENCY = "agent_otel.usage.cost.currency"


def make(otel: Any, settings: Settings | None = None, **kwargs: Any) -> Telemetry:
    return Telemetry(
        scope_name="tests.cost",
        settings=settings or Settings(),
        tracer_provider=otel.tracer_provider,
        meter_provider=otel.meter_provider,
        logger_provider=otel.logger_provider,
        **kwargs,
    )


FIELDS = {
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_read_input_tokens": "cache_read",
    "cache_write_input_tokens": "cache_write",
    "thinking_tokens": "reasoning",
}


def inference(tel: Telemetry, model: str, provider: str = "openai", operation: str = "chat") -> ModelCall:
    return tel.model_call(ModelRequest(provider, operation, model))


def fill(call: ModelCall, **usage: Any) -> None:
    for field, value in usage.items():
        if field == "response_model_name":
            call.response.model = value
        else:
            setattr(call.response.usage, FIELDS[field], value)


def chat(tel: Telemetry, provider: str, model: str, **usage: Any) -> None:
    call = inference(tel, model, provider)
    fill(call, **usage)
    call.end()


class Scoped:
    """An agent or workflow operation made current (adapters pass its context explicitly)."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.token = attach(op.context)

    def end(self) -> None:
        detach(self.token)
        self.op.end()


def cost_points(otel: Any) -> list[Any]:
    return otel.metrics().get("gen_ai.client.operation.cost", [])


def test_openai_chat_span_cost_with_cached_input(otel: Any) -> None:
    tel = make(otel)
    # As the openai adapter fills it: prompt_tokens 2000 incl. 1536 cached, completion 100.
    chat(
        tel,
        "openai",
        "gpt-4o",
        response_model_name="gpt-4o-2024-08-06",
        input_tokens=2000,
        cache_read_input_tokens=1536,
        output_tokens=100,
    )
    attrs = otel.span("chat gpt-4o").attributes
    # 464 * 2.50 + 1536 * 1.25 + 100 * 10.00 = 4080 micro-dollars.
    assert attrs[COST] == pytest.approx(0.00408, abs=1e-12)
    assert attrs[CURRENCY] == "USD"
    assert attrs[SOURCE] == "local"
    (point,) = cost_points(otel)
    assert point.sum == pytest.approx(0.00408, abs=1e-12)
    assert point.count == 1
    assert dict(point.attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.cost.currency": "USD",
    }


def test_openai_reasoning_tokens_billed_as_output(otel: Any) -> None:
    tel = make(otel)
    chat(tel, "openai", "o4-mini", input_tokens=300, output_tokens=1200, thinking_tokens=1000)
    # 300 * 1.10 + 1200 * 4.40 = 5610 micro-dollars (reasoning is part of the output, at the output price).
    assert otel.span("chat o4-mini").attributes[COST] == pytest.approx(0.00561, abs=1e-12)


def test_anthropic_cache_writes_at_the_cache_write_price(otel: Any) -> None:
    tel = make(otel)
    # GenAI input_tokens = 100 fresh + 2000 cache read + 1000 cache write.
    chat(
        tel,
        "anthropic",
        "claude-sonnet-4-20250514",
        input_tokens=3100,
        cache_read_input_tokens=2000,
        cache_write_input_tokens=1000,
        output_tokens=50,
    )
    # 100 * 3 + 2000 * 0.30 + 1000 * 3.75 + 50 * 15 = 5400 micro-dollars.
    span = otel.span("chat claude-sonnet-4-20250514")
    assert span.attributes[COST] == pytest.approx(0.0054, abs=1e-12)


def test_response_model_is_priced_before_the_request_model(otel: Any) -> None:
    tel = make(otel)
    # The alias gpt-4o answered by the older, dearer snapshot: 1000 * 5 + 1000 * 15 = 20000 micro-dollars.
    chat(
        tel,
        "openai",
        "gpt-4o",
        response_model_name="gpt-4o-2024-05-13",
        input_tokens=1000,
        output_tokens=1000,
    )
    assert otel.span("chat gpt-4o").attributes[COST] == pytest.approx(0.02, abs=1e-12)


def test_embedding_cost(otel: Any) -> None:
    tel = make(otel)
    call = inference(tel, "text-embedding-3-small", operation="embeddings")
    call.response.usage.input = 50_000
    call.end()
    # 50000 * 0.02 = 1000 micro-dollars.
    assert otel.span("embeddings text-embedding-3-small").attributes[COST] == pytest.approx(0.001, abs=1e-12)
    (point,) = cost_points(otel)
    assert point.attributes["gen_ai.operation.name"] == "embeddings"


def test_unknown_model_gets_no_cost_attribute_never_zero(otel: Any) -> None:
    tel = make(otel)
    agent = Scoped(tel.agent(AgentFacts("solo")))
    chat(tel, "openai", "my-finetune", input_tokens=1000, output_tokens=10)
    agent.end()
    span = otel.span("chat my-finetune")
    assert span.attributes["gen_ai.usage.input_tokens"] == 1000
    for key in (COST, CURRENCY, SOURCE):
        assert key not in span.attributes
    agent_attrs = otel.span("invoke_agent solo").attributes
    assert agent_attrs["gen_ai.usage.input_tokens"] == 1000  # tokens still roll up
    assert TOTAL not in agent_attrs and TOTAL_CURRENCY not in agent_attrs
    assert cost_points(otel) == []


def test_agent_and_workflow_totals_use_a_separate_attribute(otel: Any) -> None:
    tel = make(otel)
    workflow = Scoped(tel.workflow(WorkflowFacts("pipeline")))
    agent = Scoped(tel.agent(AgentFacts("writer")))
    chat(tel, "openai", "gpt-4o", input_tokens=1000, output_tokens=500)  # 7500 micro-dollars
    chat(tel, "openai", "gpt-4o-mini", input_tokens=2000, output_tokens=1000)  # 300 + 600 = 900
    chat(tel, "openai", "unknown-model", input_tokens=10, output_tokens=10)  # tokens, no cost
    agent.end()
    workflow.end()
    agent_attrs = otel.span("invoke_agent writer").attributes
    workflow_attrs = otel.span("invoke_workflow pipeline").attributes
    for attrs in (agent_attrs, workflow_attrs):
        assert attrs[TOTAL] == pytest.approx(0.0084, abs=1e-12)
        assert attrs[TOTAL_CURRENCY] == "USD"
        assert attrs["gen_ai.usage.input_tokens"] == 3010
        assert attrs["gen_ai.usage.output_tokens"] == 1510
        assert COST not in attrs  # not the inference attribute: no double counting in backends
    summed = sum(s.attributes.get(COST, 0.0) for s in otel.spans())
    assert summed == pytest.approx(0.0084, abs=1e-12)
    assert sum(p.sum for p in cost_points(otel)) == pytest.approx(0.0084, abs=1e-12)


def test_nested_duplicate_inference_is_priced_once(otel: Any) -> None:
    """A LangChain chat span around an instrumented openai call: one span, one cost."""
    tel = make(otel)
    agent = Scoped(tel.agent(AgentFacts("a")))
    outer = inference(tel, "gpt-4o")  # the framework's chat span
    inner = inference(tel, "gpt-4o")  # the client's call inside it
    assert isinstance(inner, NestedCall)
    fill(inner, input_tokens=1000, output_tokens=500)
    inner.end()
    outer.end()
    agent.end()
    (span,) = [s for s in otel.spans() if s.name == "chat gpt-4o"]
    assert span.attributes[COST] == pytest.approx(0.0075, abs=1e-12)
    assert otel.span("invoke_agent a").attributes[TOTAL] == pytest.approx(0.0075, abs=1e-12)
    (point,) = cost_points(otel)
    assert point.sum == pytest.approx(0.0075, abs=1e-12)


def test_failed_call_with_usage_is_still_priced(otel: Any) -> None:
    tel = make(otel)
    call = inference(tel, "gpt-4o")
    call.response.usage.input = 1000
    call.fail(RuntimeError("stream cut"))
    attrs = otel.span("chat gpt-4o").attributes
    assert attrs["error.type"] == "RuntimeError"
    assert attrs[COST] == pytest.approx(0.0025, abs=1e-12)


def test_cost_off_means_no_cost_anywhere(otel: Any) -> None:
    tel = make(otel, Settings.from_env({"AGENT_OTEL_COST": "false"}))
    agent = Scoped(tel.agent(AgentFacts("a")))
    chat(tel, "openai", "gpt-4o", input_tokens=1000, output_tokens=500)
    agent.end()
    for span in otel.spans():
        assert not any(k.startswith(("gen_ai.usage.cost", "agent_otel.usage.cost")) for k in span.attributes)
    assert cost_points(otel) == []


def test_pricing_file_from_the_environment(otel: Any, tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"models": {"house-model": {"input": 4.0, "output": 8.0}}}))
    tel = make(otel, Settings.from_env({"AGENT_OTEL_PRICING_FILE": str(path)}))
    chat(tel, "openai", "house-model", input_tokens=1000, output_tokens=1000)
    assert otel.span("chat house-model").attributes[COST] == pytest.approx(0.012, abs=1e-12)


def test_instrument_style_arguments_override_the_environment(otel: Any, tmp_path: Path) -> None:
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps({"models": {"house-model": {"input": 4.0, "output": 8.0}}}))
    arg_file = tmp_path / "arg.json"
    arg_file.write_text(json.dumps({"models": {"house-model": {"input": 1.0, "output": 2.0}}}))
    tel = make(
        otel,
        Settings.from_env({"AGENT_OTEL_PRICING_FILE": str(env_file)}),
        pricing_file=str(arg_file),
        price_overrides={"gpt-4o": ModelPrice(input=1.0, output=1.0, currency="EUR")},
    )
    chat(tel, "openai", "house-model", input_tokens=1000, output_tokens=1000)  # 1000 + 2000
    chat(tel, "openai", "gpt-4o", input_tokens=1000, output_tokens=1000)  # 1000 + 1000, in EUR
    assert otel.span("chat house-model").attributes[COST] == pytest.approx(0.003, abs=1e-12)
    gpt = otel.span("chat gpt-4o").attributes
    assert gpt[COST] == pytest.approx(0.002, abs=1e-12)
    assert gpt[CURRENCY] == "EUR"


def test_nested_call_details_are_priced_on_the_outer_span(otel: Any) -> None:
    """The inner (client) call knows the response model and cached tokens: the outer span uses them."""
    tel = make(otel)
    outer = inference(tel, "gpt-4o")
    inner = inference(tel, "gpt-4o")
    # no cached price for this snapshot: cached tokens at 5.00
    fill(inner, response_model_name="gpt-4o-2024-05-13", input_tokens=2000, cache_read_input_tokens=1000)
    fill(inner, output_tokens=100)
    inner.end()
    outer.end()
    # 2000 * 5 + 100 * 15 = 11500 micro-dollars (this snapshot has no cached-input discount).
    (span,) = otel.spans()
    assert span.attributes["gen_ai.response.model"] == "gpt-4o-2024-05-13"
    assert span.attributes[COST] == pytest.approx(0.0115, abs=1e-12)
    otel.span_exporter.clear()
    outer = inference(tel, "gpt-4o")
    inner = inference(tel, "gpt-4o")
    fill(inner, input_tokens=2000, cache_read_input_tokens=1000, output_tokens=100)
    inner.end()
    outer.end()
    # 1000 * 2.5 + 1000 * 1.25 + 100 * 10 = 4750 micro-dollars.
    (span,) = otel.spans()
    assert span.attributes[COST] == pytest.approx(0.00475, abs=1e-12)


def test_cost_metric_off_keeps_cost_on_spans_and_roll_ups_but_records_no_cost_histogram(otel: Any) -> None:
    tel = make(otel, Settings.from_env({"AGENT_OTEL_COST_METRIC": "false"}))
    agent = Scoped(tel.agent(AgentFacts("a")))
    chat(tel, "openai", "gpt-4o", input_tokens=1000, output_tokens=500)
    agent.end()
    # 1000 * 2.50 + 500 * 10.00 = 7500 micro-dollars, on the span and rolled up into the agent.
    assert otel.span("chat gpt-4o").attributes[COST] == pytest.approx(0.0075, abs=1e-12)
    assert otel.span("invoke_agent a").attributes[TOTAL] == pytest.approx(0.0075, abs=1e-12)
    assert cost_points(otel) == []
    assert "gen_ai.client.token.usage" in otel.metrics()


def test_cost_metric_off_applies_to_unsampled_calls_too(otel: Any) -> None:
    unsampled = set_span_in_context(NonRecordingSpan(SpanContext(1, 2, True, TraceFlags(0))))
    for value, recorded in (("false", 0), ("true", 1)):  # one metric stream: the counts accumulate
        tel = make(otel, Settings.from_env({"AGENT_OTEL_COST_METRIC": value}))
        call = tel.model_call(ModelRequest("openai", "chat", "gpt-4o"), context=unsampled, attach=False)
        fill(call, input_tokens=1000, output_tokens=500)
        call.end()
        assert sum(p.count for p in cost_points(otel)) == recorded
