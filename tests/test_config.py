"""`agent_otel.config`: every environment variable is parsed in one place, documented in the README, and a
bad value never raises."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent_otel import config
from agent_otel.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
ENV_NAMES = sorted(v for k, v in vars(config).items() if k.startswith("ENV_") and isinstance(v, str))


def test_defaults() -> None:
    s = Settings.from_env({})
    assert (s.enabled, s.cost, s.retry_events, s.unsampled_metrics) == (True, True, True, True)
    assert s.propagate_threads is None and s.langgraph_node_spans is False
    assert s.stream_chunk_metrics == "summary" and s.pricing_file is None


@pytest.mark.parametrize("name", ENV_NAMES)
def test_every_variable_is_in_the_readme_table(name: str) -> None:
    assert f"| `{name}` |" in README


def test_environment_then_keyword_overrides() -> None:
    env = {
        "AGENT_OTEL_COST": "false",
        "AGENT_OTEL_PROPAGATE_THREADS": "YES",
        "AGENT_OTEL_STREAM_CHUNK_METRICS": "PER_CHUNK",
        "AGENT_OTEL_PRICING_FILE": "/tmp/prices.json",
    }
    s = Settings.from_env(env)
    assert (s.cost, s.propagate_threads, s.stream_chunk_metrics, s.pricing_file) == (
        False,
        True,
        "per_chunk",
        "/tmp/prices.json",
    )
    s = Settings.from_env(env, cost=True, propagate_threads=False, unknown_kwarg=1)
    assert (s.cost, s.propagate_threads) == (True, False)


@pytest.mark.parametrize(
    ("name", "raw"),
    [("AGENT_OTEL_ENABLED", "maybe"), ("AGENT_OTEL_STREAM_CHUNK_METRICS", "sometimes")],
)
def test_bad_values_warn_and_keep_the_default(name: str, raw: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="agent_otel.config"):
        s = Settings.from_env({name: raw})
    assert s == Settings.from_env({})
    assert name in caplog.text and raw in caplog.text


def test_jsonl_path() -> None:
    assert config.jsonl_path({}) == "agent-otel-traces.jsonl"
    assert config.jsonl_path({"AGENT_OTEL_JSONL_PATH": "x.jsonl"}) == "x.jsonl"
