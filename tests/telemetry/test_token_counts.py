"""Only sane token counts are recorded (telemetry/values.py): non-negative ints within int64, never
bools, NaN or infinities; the rest are dropped before they reach a span attribute or a histogram."""

from __future__ import annotations

import math
from typing import Any

import openai
import pytest

from agent_otel import manual
from agent_otel.testing import FakeOpenAIServer, Reply
from agent_otel.testing.openai_server import chat_completion

INT64_MAX = 2**63 - 1
BAD_COUNTS = [2**70, -1, float("nan"), float("inf"), True]
USAGE_ATTRIBUTES = ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens")


def _token_points(otel: Any) -> list[Any]:
    return list(otel.metrics().get("gen_ai.client.token.usage", []))


def _assert_sane_histogram(otel: Any, expected_counts: set[int]) -> None:
    points = _token_points(otel)
    for point in points:
        assert not math.isnan(point.sum) and 0 <= point.min <= point.max <= INT64_MAX, point
    assert {int(p.sum) for p in points} == expected_counts


# JSON `true` is not here: the openai SDK's own parsing already turns it into the int 1.
@pytest.mark.parametrize("bad", BAD_COUNTS[:4], ids=repr)
def test_insane_openai_token_counts_are_not_recorded(
    otel: Any, instrument: Any, server: FakeOpenAIServer, bad: Any
) -> None:
    instrument()
    usage = {"prompt_tokens": bad, "completion_tokens": 7, "total_tokens": 7}
    server.enqueue(Reply.json(chat_completion(usage=usage)))
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])

    attrs = otel.span("chat gpt-4o-mini").attributes
    assert "gen_ai.usage.input_tokens" not in attrs
    assert attrs["gen_ai.usage.output_tokens"] == 7
    _assert_sane_histogram(otel, {7})


@pytest.mark.parametrize("bad", BAD_COUNTS, ids=repr)
def test_insane_manual_token_counts_are_not_recorded(
    otel: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, bad: Any
) -> None:
    manual.configure(**otel.providers)
    try:
        with manual.inference("acme", "acme-1") as call:
            call.record_usage(input_tokens=bad, output_tokens=5, reasoning_tokens=bad)
    finally:
        manual.reset()
    attrs = otel.span("chat acme-1").attributes
    assert "gen_ai.usage.input_tokens" not in attrs
    assert "gen_ai.usage.reasoning.output_tokens" not in attrs
    assert attrs["gen_ai.usage.output_tokens"] == 5
    _assert_sane_histogram(otel, {5})
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


def test_insane_unsampled_token_counts_are_not_recorded(otel: Any) -> None:
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    from agent_otel.telemetry.core import Telemetry
    from agent_otel.telemetry.facts import ModelRequest
    from agent_otel.telemetry.model_paths import UnsampledCall

    tel = Telemetry(scope_name="test", **otel.providers)
    parent = trace.set_span_in_context(NonRecordingSpan(SpanContext(1, 2, True, TraceFlags(0))))
    for insane_input, output in ((2**70, -1), (True, 3)):
        call = tel.model_call(ModelRequest("openai", "chat", "m"), context=parent, attach=False)
        assert isinstance(call, UnsampledCall)
        call.response.usage.input, call.response.usage.output = insane_input, output
        call.end()
    _assert_sane_histogram(otel, {3})


def test_sane_counts_including_int64_max_are_kept(otel: Any) -> None:
    manual.configure(**otel.providers)
    try:
        with manual.inference("acme", "acme-1") as call:
            call.record_usage(input_tokens=INT64_MAX, output_tokens=0)
    finally:
        manual.reset()
    attrs = otel.span("chat acme-1").attributes
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (INT64_MAX, 0)
