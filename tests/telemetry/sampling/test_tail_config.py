"""AGENT_OTEL_SAMPLING* parsing (config.py) and the policy they build."""

from __future__ import annotations

import logging

import pytest

from agent_otel.config import sampling_from_env
from agent_otel.telemetry.sampling import TailSamplingPolicy


def test_sampling_variables_build_the_policy() -> None:
    env = {
        "AGENT_OTEL_SAMPLING": "tail",
        "AGENT_OTEL_SAMPLING_RATIO": "0.25",
        "AGENT_OTEL_SAMPLING_SLOW_S": "off",
        "AGENT_OTEL_SAMPLING_RATES": "invoke_workflow triage=0.05, billing = 1",
        "AGENT_OTEL_SAMPLING_TOKENS": "50000",
        "AGENT_OTEL_SAMPLING_COST": "0.5",
        "AGENT_OTEL_SAMPLING_RATIO_CONTENT": "false",
        "AGENT_OTEL_SAMPLING_MAX_TRACES": "200",
        "AGENT_OTEL_SAMPLING_MAX_SPANS_PER_TRACE": "50",
        "AGENT_OTEL_SAMPLING_MAX_TRACE_AGE_S": "3600",
        "AGENT_OTEL_SAMPLING_DECISION_WAIT_S": "2",
        "AGENT_OTEL_SAMPLING_DECISION_CACHE_SIZE": "1000",
    }
    wanted = sampling_from_env(env)
    assert wanted.tail
    policy = TailSamplingPolicy.from_options(wanted.options)
    assert policy == TailSamplingPolicy(
        ratio=0.25,
        slow_s=None,
        rates={"invoke_workflow triage": 0.05, "billing": 1.0},
        tokens=50000,
        cost=0.5,
        ratio_content=False,
        max_traces=200,
        max_spans_per_trace=50,
        max_trace_age_s=3600.0,
        decision_wait_s=2.0,
        decision_cache_size=1000,
    )


def test_invalid_sampling_values_warn_and_keep_the_defaults(caplog: pytest.LogCaptureFixture) -> None:
    env = {
        "AGENT_OTEL_SAMPLING": "tail",
        "AGENT_OTEL_SAMPLING_RATIO": "1.5",
        "AGENT_OTEL_SAMPLING_MAX_TRACES": "0",
        "AGENT_OTEL_SAMPLING_RATES": "good=0.5,bad,worse=2",
    }
    with caplog.at_level(logging.WARNING):
        policy = TailSamplingPolicy.from_options(sampling_from_env(env).options)
    assert policy == TailSamplingPolicy(rates={"good": 0.5})
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "AGENT_OTEL_SAMPLING_RATIO" in warned and "'bad'" in warned and "'worse=2'" in warned


def test_sampling_is_off_unless_tail_and_instrument_keywords_override() -> None:
    assert not sampling_from_env({}).tail
    assert not sampling_from_env({"AGENT_OTEL_SAMPLING": "none"}).tail
    wanted = sampling_from_env({"AGENT_OTEL_SAMPLING_RATIO": "0.3"}, sampling="tail", sampling_ratio=0.2)
    assert wanted.tail and wanted.options == {"ratio": 0.2}


def test_policy_rejects_ratios_outside_zero_one() -> None:
    with pytest.raises(ValueError, match="rates"):
        TailSamplingPolicy(rates={"w": 1.2})
