"""examples/multiprocess: an orchestrator process and a worker process over a TCP socket, one trace.

Runs the example as it would be run (its own processes, global providers, each exporting to its own
file), merges the two span files and checks the trace: same trace id, the worker's root spans parented
to the orchestrator's spans, agent names, and cost sums that include the worker's reported usage.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agent_otel.testing.trees import tree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multiprocess" / "orchestrator.py"

# gpt-4o: 1000 * 2.5 + 100 * 10 = 3500 µ$ (plan), 2000 * 2.5 + 400 * 10 = 9000 µ$ (report).
# gpt-4o-mini, per topic: 900 * 0.15 + 120 * 0.6 = 207 µ$.
WORKER_COST = 0.000207
TOTAL_COST = 0.0035 + 0.009 + 2 * WORKER_COST


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def as_span(record: dict[str, Any]) -> SimpleNamespace:
    """A record shaped like a ReadableSpan, enough for conftest.tree."""
    return SimpleNamespace(
        name=record["name"],
        start_time=record["start"],
        context=SimpleNamespace(span_id=int(record["span_id"], 16)),
        parent=SimpleNamespace(span_id=int(record["parent_span_id"], 16))
        if record["parent_span_id"]
        else None,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("multiprocess")
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(out), "--topics", "opentelemetry,agents"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {
        "summary": json.loads(done.stdout),
        "orchestrator": load(out / "orchestrator.jsonl"),
        "worker": load(out / "worker.jsonl"),
    }


def test_two_processes_one_trace(run: dict[str, Any]) -> None:
    orchestrator, worker = run["orchestrator"], run["worker"]
    assert {r["service"] for r in orchestrator} == {"orchestrator"}
    assert {r["service"] for r in worker} == {"worker"}
    assert {r["pid"] for r in orchestrator}.isdisjoint({r["pid"] for r in worker})
    trace_id = run["summary"]["trace_id"]
    main = [r for r in orchestrator + worker if r["trace_id"] == trace_id]
    assert {r["trace_id"] for r in orchestrator} == {trace_id}
    assert len(main) == len(orchestrator) + len(worker) - 2  # all but the archiving trace
    assert tree([as_span(r) for r in main]) == [
        (0, "invoke_workflow research-report"),
        (1, "invoke_agent orchestrator"),
        (2, "chat gpt-4o"),
        (2, "execute_tool delegate_to_worker"),
        (3, "invoke_agent worker"),
        (4, "execute_tool web_search"),
        (4, "chat gpt-4o-mini"),
        (2, "execute_tool delegate_to_worker"),
        (3, "invoke_agent worker"),
        (4, "execute_tool web_search"),
        (4, "chat gpt-4o-mini"),
        (2, "chat gpt-4o"),
        (1, "execute_tool notify_archiver"),
    ]


def test_the_workers_root_span_is_a_child_of_the_orchestrators_span(run: dict[str, Any]) -> None:
    delegations = {
        r["attributes"]["app.topic"]: r
        for r in run["orchestrator"]
        if r["name"] == "execute_tool delegate_to_worker"
    }
    worker_ids = {r["span_id"] for r in run["worker"]}
    roots = [r for r in run["worker"] if r["parent_span_id"] not in worker_ids]
    agents = [r for r in roots if r["name"] == "invoke_agent worker"]
    assert sorted(r["attributes"]["app.topic"] for r in agents) == ["agents", "opentelemetry"]
    for agent in agents:
        sender = delegations[agent["attributes"]["app.topic"]]
        assert agent["parent_span_id"] == sender["span_id"]
        assert agent["trace_id"] == sender["trace_id"]
        assert agent["parent_is_remote"] is True


def test_fire_and_forget_work_is_a_linked_trace(run: dict[str, Any]) -> None:
    (notify,) = [r for r in run["orchestrator"] if r["name"] == "execute_tool notify_archiver"]
    (archive,) = [r for r in run["worker"] if r["name"] == "archive report"]
    assert archive["parent_span_id"] is None
    assert archive["trace_id"] != notify["trace_id"]
    assert archive["kind"] == "CONSUMER"
    (link,) = archive["links"]
    assert (link["trace_id"], link["span_id"]) == (notify["trace_id"], notify["span_id"])
    assert link["attributes"] == {"agent_otel.link.reason": "fire_and_forget"}
    (archived,) = [r for r in run["worker"] if r["name"] == "execute_tool archive"]
    assert archived["parent_span_id"] == archive["span_id"]


def test_agent_names_and_cost_sums_across_processes(run: dict[str, Any]) -> None:
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in run["orchestrator"] + run["worker"]:
        by_name.setdefault(r["name"], []).append(r)
    for r in by_name["chat gpt-4o"] + by_name["execute_tool delegate_to_worker"]:
        assert r["attributes"]["gen_ai.agent.name"] == "orchestrator"
    for r in by_name["chat gpt-4o-mini"] + by_name["execute_tool web_search"]:
        assert r["attributes"]["gen_ai.agent.name"] == "worker"
    for r in by_name["invoke_agent worker"]:
        assert r["attributes"]["agent_otel.usage.cost.total_amount"] == pytest.approx(WORKER_COST, abs=1e-12)
    for name in ("invoke_agent orchestrator", "invoke_workflow research-report"):
        (r,) = by_name[name]
        # The orchestrator's totals include the worker's usage, reported back in its replies.
        assert r["attributes"]["agent_otel.usage.cost.total_amount"] == pytest.approx(TOTAL_COST, abs=1e-12)
        assert r["attributes"]["gen_ai.usage.input_tokens"] == 1000 + 2000 + 2 * 900
        assert r["attributes"]["gen_ai.usage.output_tokens"] == 100 + 400 + 2 * 120
    inference_costs = [
        r["attributes"]["gen_ai.usage.cost.amount"]
        for r in run["orchestrator"] + run["worker"]
        if "gen_ai.usage.cost.amount" in r["attributes"]
    ]
    assert len(inference_costs) == 4
    assert sum(inference_costs) == pytest.approx(TOTAL_COST, abs=1e-12)  # counted once
    assert run["summary"]["usage"] == {
        "input_tokens": 4800,
        "output_tokens": 740,
        "cost": pytest.approx(TOTAL_COST, abs=1e-12),
        "currency": "USD",
    }
