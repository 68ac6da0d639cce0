"""A 100,000-span file: `query agents` streams it and gets every total right (time printed, not asserted)."""

from __future__ import annotations

import io
import json
import resource
import time
from pathlib import Path

import pytest

from agent_otel.cli import query
from agent_otel.cli.main import main
from agent_otel.cli.reader import Diagnostics
from agent_otel.cli.traces import TraceAssembler

from .builders import line, span

AGENTS = ("triage", "researcher", "writer", "critic", "planner")
TRACES = 10_000  # ten spans each


def generate(path: Path) -> None:
    """Per trace: workflow → agent → 4 x (chat + tool); 10 traces per line, like batched exports."""
    with path.open("w", encoding="utf-8") as f:
        batch: list[dict] = []
        for t in range(1, TRACES + 1):
            agent = AGENTS[t % len(AGENTS)]
            base = t * 100
            batch.append(
                span(t, base + 1, "invoke_workflow team", 0, 100, gen_ai__operation__name="invoke_workflow")
            )
            batch.append(span(t, base + 2, f"invoke_agent {agent}", 1, 99, base + 1,
                              gen_ai__operation__name="invoke_agent", gen_ai__agent__name=agent,
                              gen_ai__usage__input_tokens=999_999))  # fmt: skip
            for k in range(4):
                batch.append(span(t, base + 10 + k, "chat gpt-4o-mini", 2 + k * 20, 12 + k * 20, base + 2,
                                  gen_ai__operation__name="chat", gen_ai__agent__name=agent,
                                  gen_ai__usage__input_tokens=100, gen_ai__usage__output_tokens=10,
                                  gen_ai__usage__cost__amount=0.0001))  # fmt: skip
                batch.append(span(t, base + 20 + k, "execute_tool search", 12 + k * 20, 20 + k * 20,
                                  base + 2, gen_ai__operation__name="execute_tool",
                                  gen_ai__agent__name=agent))  # fmt: skip
            if t % 10 == 0:
                f.write(line(batch) + "\n")
                batch = []


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "100k.jsonl"
    generate(path)
    return path


def test_query_agents_on_100k_spans(big_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    status = main(["query", "agents", str(big_file), "--json"])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    doc = json.loads(out)
    assert doc["spans"] == 100_000 and doc["traces"] == TRACES
    rows = {r["agent"]: r for r in doc["agents"]}
    assert set(rows) == set(AGENTS)
    for r in rows.values():
        n = TRACES // len(AGENTS)
        assert r["invocations"] == n and r["inference_calls"] == 4 * n and r["tool_calls"] == 4 * n
        assert (r["input_tokens"], r["output_tokens"]) == (400 * n, 40 * n)  # the 999,999 roll-up never added
        assert r["cost"] == pytest.approx(0.0004 * n)
        assert r["duration_s"] == pytest.approx(0.098 * n)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    with capsys.disabled():
        size_mb = big_file.stat().st_size / 1e6
        print(f"\n  query agents: 100,000 spans ({size_mb:.0f} MB) in {elapsed:.2f} s;", end=" ")
        print(f"peak RSS grew {growth_mb:.0f} MB")


def test_memory_holds_a_bounded_window_not_the_file(big_file: Path) -> None:
    # The same file through the assembler with a small window: traces are closed as the window fills,
    # so what is held stays under the budget however long the file is.
    seen: list[int] = []
    diag = Diagnostics(str(big_file), stream=io.StringIO())
    assembler = TraceAssembler(diag, lambda s, t: seen.append(s.span_count), max_open_spans=1_000)
    from agent_otel.cli.reader import read_spans

    with big_file.open("rb") as f:
        for record in read_spans(f, diag):
            assembler.add(record)
            assert assembler.open_spans <= 1_000 + 100
    assembler.finish()
    assert diag.total == 0  # ten-span traces never straddle the window: nothing reported late
    assert len(seen) == TRACES and set(seen) == {10}
    assert assembler.peak_open_spans <= 1_100


def test_slow_on_100k_spans(big_file: Path) -> None:
    started = time.perf_counter()
    result = query.slow(str(big_file), Diagnostics(str(big_file)), 99.0, 20)
    elapsed = time.perf_counter() - started
    assert result.trace_count == TRACES and result.slow_count == 0  # all traces last 100 ms
    print(f"\n  query slow: {TRACES:,} traces in {elapsed:.2f} s")
