"""`AGENT_OTEL_SAMPLING=tail` under the real `opentelemetry-instrument`, the user's configuration unchanged:
the failing run is kept, quiet runs are sampled by trace-id ratio, metrics count every call, and the
process exiting normally loses nothing that was to be kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from opentelemetry.sdk.trace.sampling import Decision, TraceIdRatioBased

from agent_otel.cli.reader import Diagnostics, read_spans
from agent_otel.testing import FakeOpenAIServer, RecordedRequest, Reply
from zero_code_support import app_env, console_objects

RUNS = 30
FAILING = 7

_APP = f"""
from openai import BadRequestError, OpenAI
from opentelemetry import trace

tracer = trace.get_tracer("app")  # the web framework's request span, as its instrumentor would make it
client = OpenAI(max_retries=0)
for i in range({RUNS}):
    with tracer.start_as_current_span("handle request") as span:
        try:
            model = "nope" if i == {FAILING} else "gpt-4o-mini"
            client.chat.completions.create(model=model, messages=[{{"role": "user", "content": "hi"}}])
        except BadRequestError:
            pass
    print("run", format(span.get_span_context().trace_id, "032x"), flush=True)
"""


def _bad_model(request: RecordedRequest) -> Reply | None:
    if isinstance(request.json, dict) and request.json.get("model") == "nope":
        return Reply.error(400, "bad model", code="bad_model")
    return None


def test_zero_code_tail_sampling_keeps_the_failing_run_and_samples_quiet_runs(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    server.responder = _bad_model
    (tmp_path / "app.py").write_text(_APP)
    env = app_env(
        server,
        AGENT_OTEL_SAMPLING="tail",
        AGENT_OTEL_SAMPLING_RATIO="0.5",
        AGENT_OTEL_JSONL_PATH=str(tmp_path / "traces.jsonl"),
    )
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    proc = subprocess.run(
        [
            "opentelemetry-instrument",
            "--traces_exporter",
            "agent_otel_jsonl",
            "--metrics_exporter",
            "console",
            "--logs_exporter",
            "none",
            "python",
            "app.py",
        ],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("run ")]
    assert len(runs) == RUNS
    ratio = TraceIdRatioBased(0.5)
    by_ratio = {
        t for t in runs if ratio.should_sample(None, int(t, 16), "x").decision is Decision.RECORD_AND_SAMPLE
    }
    with (tmp_path / "traces.jsonl").open("rb") as f:
        spans = list(read_spans(f, Diagnostics(str(tmp_path / "traces.jsonl"))))
    kept = {s.trace_id for s in spans}
    assert kept == by_ratio | {runs[FAILING]}
    assert 0 < len(by_ratio - {runs[FAILING]}) < RUNS - 1  # quiet runs were sampled, not all kept or dropped
    reasons = {s.trace_id: s.attributes["agent_otel.sampling.reason"] for s in spans}
    assert reasons[runs[FAILING]] == "error"
    assert {reasons[t] for t in kept - {runs[FAILING]}} == {"ratio"}
    assert len(spans) == 2 * len(kept)  # whole traces: the request span and its chat span
    assert all(
        s.attributes.get("agent_otel.sampling.ratio") == 0.5 for s in spans if s.trace_id != runs[FAILING]
    )
    counts = [
        point["count"]
        for o in console_objects(proc.stdout)
        for rm in o.get("resource_metrics", [])
        for sm in rm["scope_metrics"]
        for m in sm["metrics"]
        if m["name"] == "gen_ai.client.operation.duration"
        for point in m["data"]["data_points"]
    ]
    assert sum(counts) == RUNS  # metrics are recorded before sampling: every call counted
