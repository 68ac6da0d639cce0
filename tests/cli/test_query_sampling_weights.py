"""`agent-otel query` weights traces that agent-otel's tail sampler kept only by ratio by 1 / ratio, so
slow-run percentiles and per-agent counts estimate what ran, not what was kept."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from agent_otel.cli import query
from agent_otel.cli.query_slow import percentile, weighted_percentile

from .builders import line, span, write

RATIO_KEPT = {"agent_otel__sampling__reason": "ratio", "agent_otel__sampling__ratio": 0.1}
ERROR_KEPT = {"agent_otel__sampling__reason": "error"}


def run_json(what: str, path: Path, **kw: object) -> dict[str, object]:
    out = StringIO()
    assert query.run(what, str(path), as_json=True, stdout=out, stderr=StringIO(), **kw) == 0  # type: ignore[arg-type]
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_weighted_percentile_equals_the_percentile_of_the_expanded_population() -> None:
    pairs = [(1.0, 10), (2.0, 1), (5.0, 3), (9.0, 1)]
    expanded = sorted(v for v, w in pairs for _ in range(w))
    for p in (0, 10, 50, 90, 95, 99, 100):
        assert weighted_percentile(pairs, p) == percentile(expanded, p)
    assert weighted_percentile([(v, 1) for v in expanded], 90) == percentile(expanded, 90)


def test_slow_percentile_weights_ratio_kept_traces(tmp_path: Path) -> None:
    # What ran: 100 fast runs (10 ms) of which ratio 0.1 kept 10, and 5 slow failing runs (1 s), all kept.
    # Unweighted, half the file is slow and p90 would be ~1 s; weighted, p90 is 10 ms and the 5 are slow.
    fast = [span(i, i * 10, "invoke_workflow w", 0, 10, **RATIO_KEPT) for i in range(1, 11)]
    slow = [
        span(i, i * 10, "invoke_workflow w", 0, 1000, error="Timeout", **ERROR_KEPT) for i in range(11, 16)
    ]
    path = write(tmp_path / "t.jsonl", [line(fast + slow)])
    result = run_json("slow", path, pct=90.0)
    assert result["threshold_s"] == 0.01
    assert result["traces"] == 15 and result["traces_represented"] == 105
    assert result["slow_traces"] == 5 and result["slow_traces_represented"] == 5
    out = StringIO()
    query.run("slow", str(path), pct=90.0, stdout=out, stderr=StringIO())
    assert (
        "p90 of 15 trace durations (standing for ~105: tail-sampled traces weighted): 10 ms" in out.getvalue()
    )


def test_agents_counts_ratio_kept_traces_one_over_ratio_times(tmp_path: Path) -> None:
    spans = []
    for i in range(1, 4):  # three runs kept at ratio 0.1: they stand for 30
        spans.append(
            span(
                i,
                i * 10,
                "invoke_agent triage",
                0,
                10,
                gen_ai__operation__name="invoke_agent",
                gen_ai__agent__name="triage",
                **RATIO_KEPT,
            )
        )
        spans.append(
            span(
                i,
                i * 10 + 1,
                "chat m",
                1,
                9,
                i * 10,
                gen_ai__operation__name="chat",
                gen_ai__agent__name="triage",
                gen_ai__usage__input_tokens=7,
                **RATIO_KEPT,
            )
        )
    spans.append(
        span(
            9,
            90,
            "invoke_agent triage",
            0,
            10,
            gen_ai__operation__name="invoke_agent",
            gen_ai__agent__name="triage",
            error="Boom",
            **ERROR_KEPT,
        )
    )  # kept for its error: 1
    (row,) = run_json("agents", write(tmp_path / "t.jsonl", [line(spans)]))["agents"]  # type: ignore[misc]
    assert row["invocations"] == 31 and row["inference_calls"] == 30 and row["errors"] == 1
    assert row["input_tokens"] == 210 and row["estimated"] is True
    out = StringIO()
    query.run("agents", str(tmp_path / "t.jsonl"), stdout=out, stderr=StringIO())
    assert "Estimates: spans of traces kept by tail sampling" in out.getvalue()


def test_files_without_sampling_attributes_are_counted_as_before(tmp_path: Path) -> None:
    spans = [
        span(1, 10, "invoke_agent a", 0, 10, gen_ai__operation__name="invoke_agent", gen_ai__agent__name="a")
    ]
    (row,) = run_json("agents", write(tmp_path / "t.jsonl", [line(spans)]))["agents"]  # type: ignore[misc]
    assert row["invocations"] == 1 and row["estimated"] is False
