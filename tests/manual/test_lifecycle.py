"""configure / reset / disabled, and faults in our own code never reaching the user's."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry import trace

from agent_otel import manual
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.operations import Operation as CoreOperation


@pytest.fixture(autouse=True)
def _reset() -> Any:
    yield
    manual.reset()


def test_disabled_runs_the_code_and_records_nothing(otel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_OTEL_ENABLED", "false")
    manual.reset()
    assert manual.telemetry() is None

    @manual.tool
    def add(a: int, b: int) -> int:
        return a + b

    assert add(1, 2) == 3
    with manual.agent("a") as op:
        assert op.span is trace.INVALID_SPAN
        op.set_attribute("x", 1)
        op.add_usage(1, 1, 1.0)  # type: ignore[attr-defined]
        assert op.usage == manual.Usage(0, 0, None, None)  # type: ignore[attr-defined]
    manual.record_inference("openai", "gpt-4o", input_tokens=1)
    assert otel.spans() == []


def test_configure_enabled_false(otel: Any) -> None:
    manual.configure(tracer_provider=otel.tracer_provider, enabled=False)
    with manual.agent("a"):
        pass
    assert otel.spans() == []


def test_cost_can_be_turned_off(otel: Any) -> None:
    manual.configure(**otel.providers, cost=False)
    manual.record_inference("openai", "gpt-4o", input_tokens=1000, output_tokens=1000)
    assert "gen_ai.usage.cost.amount" not in otel.span("chat gpt-4o").attributes


def test_configure_prices(otel: Any) -> None:
    manual.configure(**otel.providers, prices={"house-model": {"input": 2.0, "output": 4.0}})
    manual.record_inference("custom", "house-model", input_tokens=1000, output_tokens=1000)
    assert otel.span("chat house-model").attributes["gen_ai.usage.cost.amount"] == pytest.approx(0.006)


def test_the_telemetry_is_built_once_on_first_use(otel: Any) -> None:
    manual.reset()
    first = manual.telemetry()
    assert isinstance(first, Telemetry)
    assert manual.telemetry() is first


def test_a_fault_starting_the_span_is_logged_and_the_code_runs(
    tel: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("facade bug")

    monkeypatch.setattr(Telemetry, "agent", broken)

    @manual.agent("a")
    def work() -> str:
        return "ok"

    with caplog.at_level(logging.WARNING, logger="agent_otel"):
        assert work() == "ok"
        with manual.agent("b") as op:
            assert op.span is trace.INVALID_SPAN
    assert tel.spans() == []
    assert "agent_otel.manual.agent" in caplog.text


def test_a_fault_ending_the_span_is_logged_and_the_result_returned(
    tel: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Any) -> None:
        raise RuntimeError("stop bug")

    monkeypatch.setattr(CoreOperation, "end", broken)

    @manual.tool
    def work() -> str:
        return "ok"

    with caplog.at_level(logging.WARNING, logger="agent_otel"):
        assert work() == "ok"
    assert "agent_otel.manual.tool" in caplog.text
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_a_configuration_that_cannot_be_built_disables_quietly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("cannot build")

    monkeypatch.setattr(Telemetry, "__init__", broken)
    with caplog.at_level(logging.WARNING, logger="agent_otel"):
        manual.configure()
    assert manual.telemetry() is None
    with manual.agent("a") as op:
        assert op.span is trace.INVALID_SPAN
    assert "agent_otel.manual.configure" in caplog.text
