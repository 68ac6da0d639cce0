"""A malformed carrier starts a new trace and logs; it never raises into the app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace

from agent_otel import propagation
from agent_otel.propagation import continue_trace, extract_context, extract_link, inject_context, linked_span

VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class ExplodingMapping(dict):  # type: ignore[type-arg]
    def get(self, key: Any, default: Any = None) -> Any:
        raise RuntimeError("carrier exploded")

    def items(self) -> Any:
        raise RuntimeError("carrier exploded")


class ExplodingAttribute:
    @property
    def metadata(self) -> Any:
        raise RuntimeError("property exploded")


MALFORMED = {
    "garbage traceparent": {"traceparent": "garbage"},
    "wrong version": {"traceparent": "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    "all-zero trace id": {"traceparent": "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
    "truncated": {"traceparent": VALID[:30]},
    "int traceparent": {"traceparent": 12345},
    "dict traceparent": {"traceparent": {"nested": VALID}},
    "list of ints": {"traceparent": [1, 2]},
    "huge value": {"traceparent": "0" * 100_000},
    "huge baggage": {"traceparent": VALID.replace("b7ad", "aaaa"), "baggage": "k=" + "v" * 20_000},
    "nested not a mapping": {"trace_context": "traceparent=" + VALID},
    "int": 42,
    "string": "traceparent: " + VALID,
    "bytes": VALID.encode(),
    "list of junk": [1, "two", None],
    "object": object(),
    "exploding mapping": ExplodingMapping(traceparent=VALID),
    "exploding attribute": ExplodingAttribute(),
}
MISSING = {
    "None": None,
    "empty dict": {},
    "no propagation keys": {"task": "x", "headers": {"content-type": "json"}},
    "None value": {"traceparent": None},
    "empty list": [],
}


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    propagation._warned.clear()
    yield
    propagation._warned.clear()


def started_in(otel: Any, carrier: Any, **kwargs: Any) -> Any:
    """Start a span under continue_trace(carrier) while a local span is current; return it."""
    tracer = otel.tracer_provider.get_tracer("tests")
    with (
        tracer.start_as_current_span("local"),
        continue_trace(carrier, **kwargs),
        tracer.start_as_current_span("work"),
    ):
        pass
    return otel.span("work"), otel.span("local")


@pytest.mark.parametrize("carrier", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_carrier_starts_a_new_trace_and_warns(
    otel: Any, carrier: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="agent_otel.propagation"):
        work, local = started_in(otel, carrier)
    assert work.parent is None
    assert work.context.trace_id != local.context.trace_id
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "agent_otel.propagation"
    ]
    assert len(warnings) == 1
    assert "starting a new trace" in warnings[0].getMessage()


@pytest.mark.parametrize("carrier", list(MISSING.values()), ids=list(MISSING))
def test_missing_context_starts_a_new_trace_quietly(
    otel: Any, carrier: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="agent_otel.propagation"):
        work, local = started_in(otel, carrier)
    assert work.parent is None
    assert work.context.trace_id != local.context.trace_id
    records = [r for r in caplog.records if r.name == "agent_otel.propagation"]
    assert records and all(r.levelno == logging.DEBUG for r in records)


def test_a_key_that_is_missing_or_wrong(otel: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="agent_otel.propagation"):
        work, _ = started_in(otel, {"traceparent": VALID}, key="trace_context")
        assert work.parent is None
        otel.span_exporter.clear()
        work, _ = started_in(otel, {"trace_context": 7}, key="trace_context")
        assert work.parent is None
    assert any(r.levelno == logging.WARNING for r in caplog.records)


def test_the_same_problem_warns_once_then_logs_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="agent_otel.propagation"):
        for _ in range(3):
            extract_context({"traceparent": "garbage"})
    levels = [r.levelno for r in caplog.records if r.name == "agent_otel.propagation"]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG]


def test_linked_span_and_extract_link_with_malformed_carriers(otel: Any) -> None:
    tracer_provider = otel.tracer_provider
    for carrier in [*MALFORMED.values(), *MISSING.values()]:
        assert extract_link(carrier) is None
        with linked_span(carrier, "job", tracer_provider=tracer_provider):
            pass
    for span in otel.spans():
        assert span.parent is None and not span.links
        assert "agent_otel.link.reason" not in span.attributes


@pytest.mark.parametrize(
    "carrier", [(1, 2), frozenset({"traceparent"}), "a string", {"trace_context": "not a mapping"}]
)
def test_inject_into_something_that_cannot_take_it_never_raises(
    otel: Any, carrier: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")
    with caplog.at_level(logging.WARNING, logger="agent_otel.propagation"), tracer.start_as_current_span("s"):
        assert inject_context(carrier, key="trace_context") is carrier
    assert "cannot inject" in caplog.text


def test_extraction_leaves_the_callers_context_alone(otel: Any) -> None:
    tracer = otel.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("local") as local:
        extract_context({"traceparent": "garbage"})
        extract_context(None)
        assert trace.get_current_span() is local


def test_remembered_warnings_are_bounded() -> None:
    class Unique(dict):  # type: ignore[type-arg]
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

        def items(self) -> Any:
            raise RuntimeError(f"distinct failure {self.n}")

    for n in range(400):
        extract_context(Unique(n))
    assert len(propagation._warned) <= 256
