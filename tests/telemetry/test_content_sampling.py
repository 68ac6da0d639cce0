"""Content sampling (telemetry/content_sampling.py): AGENT_OTEL_CONTENT_SAMPLING_RATIO records content for
that fraction of traces, decided by trace id, so a trace has all of its content or none; spans, metrics
and the call are unaffected, and a trace without content records no failure message either."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from content_support import observe
from leaks import assert_not_recorded

from agent_otel import manual
from agent_otel.telemetry.content_sampling import ContentSampler
from agent_otel.testing import FakeOpenAIServer, Reply

__all__ = ["observe"]

RATIO_ENV = "AGENT_OTEL_CONTENT_SAMPLING_RATIO"
CONTENT_KEYS = ("gen_ai.input.messages", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result")


def test_decision_follows_the_trace_id_and_smaller_ratios_keep_a_subset() -> None:
    low, high = ContentSampler(0.1), ContentSampler(0.6)
    ids = [(i * 0x9E3779B97F4A7C15_1234567890ABCDEF) % (1 << 128) for i in range(1, 2000)]
    kept_low = {t for t in ids if low.keep(t)}
    kept_high = {t for t in ids if high.keep(t)}
    assert kept_low <= kept_high
    assert 0.05 < len(kept_low) / len(ids) < 0.15 and 0.5 < len(kept_high) / len(ids) < 0.7
    assert all(high.keep(t) == ((t & ((1 << 64) - 1)) < 0.6 * 2**64) for t in ids[:50])


def test_ratio_zero_keeps_spans_and_usage_but_records_no_content(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_AND_EVENT", env={RATIO_ENV: "0"})
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "PRIVATE-42"}])
    span = otel.span("chat gpt-4o-mini")
    assert span.attributes["gen_ai.usage.input_tokens"] > 0
    assert "gen_ai.input.messages" not in span.attributes
    assert_not_recorded(otel, ["PRIVATE-42"])


def test_each_trace_has_all_of_its_content_or_none(otel: Any, observe: Any) -> None:
    observe("SPAN_ONLY", openai=False, manual_api=True, content_sampling_ratio=0.5)
    for i in range(40):
        with manual.agent("a") as agent:
            agent.set_input_messages([f"task {i}"])
            with manual.tool("t") as tool:
                tool.set_arguments({"i": i})
                tool.set_result(i)
    by_trace: dict[int, list[bool]] = {}
    for span in otel.spans():
        has = any(k in span.attributes for k in CONTENT_KEYS)
        by_trace.setdefault(span.context.trace_id, []).append(has)
    sampler = ContentSampler(0.5)
    for trace_id, flags in by_trace.items():
        assert flags == [sampler.keep(trace_id)] * len(flags)
    decisions = {flags[0] for flags in by_trace.values()}
    assert decisions == {True, False}


def test_operation_in_a_trace_without_content_reads_none(otel: Any, observe: Any) -> None:
    observe("SPAN_ONLY", openai=False, manual_api=True, content_sampling_ratio=0.5)
    sampler = ContentSampler(0.5)
    seen = set()
    for _ in range(30):
        with manual.agent("outer") as agent, manual.tool("inner") as tool:
            keep = sampler.keep(agent.span.get_span_context().trace_id)
            assert tool.capture_content is keep  # the adapter is not even asked to read it
            seen.add(keep)
    assert seen == {True, False}


def test_failure_in_a_trace_without_content_records_type_and_code_only(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_ONLY", content_sampling_ratio=0.0)
    server.enqueue(Reply.error(400, "bad prompt: 'PRIVATE-PROMPT-7'", code="invalid_value"))
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "PRIVATE-PROMPT-7"}]
        )
    span = otel.span("chat gpt-4o-mini")
    assert span.status.description == "openai.BadRequestError: HTTP 400, code invalid_value"
    assert_not_recorded(otel, ["PRIVATE-PROMPT-7"])
