"""The README's "Zero-code" commands, run as written: every ```bash block of that section is marked
`<!-- README test: NAME -->` and run line by line through `bash -c`, in a fresh directory whose `app.py`
is examples/openai_app.py (an openai app with no tracing code), with this venv's bin first on PATH, the
app talking to the fake OpenAI server and OTLP receivers on 127.0.0.1 (a real gRPC server and an HTTP
one). Each must exit 0, print no error, and deliver the app's spans where the README says they go.

The OTLP receivers listen on the documented ports (4317, 4318) when those are free, so the exporters'
defaults are what is tested; when a port is taken, OTEL_EXPORTER_OTLP_ENDPOINT (in the environment,
never in the command) points the exporter at a free one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from agent_otel.testing import FakeOpenAIServer
from zero_code_support import (
    APP,
    APP_SPAN_NAMES,
    ROOT,
    SCOPE,
    GrpcReceiver,
    HttpReceiver,
    app_env,
    check_app_spans,
    console_objects,
    receiver_on,
)

README = ROOT / "README.md"
SECTION = "### Zero-code"
MARKER = re.compile(r"<!-- README test: ([\w-]+) -->\n```bash\n(.*?)```", re.S)
TESTED = {"console", "jsonl", "otlp-grpc", "otlp-http"}
# What a failed export or a failed SDK set-up prints (the app still exits 0 in both cases).
FAILURES = ("Traceback", "Failed to export", "Exception while exporting", "RuntimeError", "error code")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = re.compile(r"^#{1,3} ", re.M).search(text, start + len(SECTION))
    return text[start : end.start() if end else len(text)]


def readme_commands() -> dict[str, list[str]]:
    """Marked block name -> its command lines (comments and blank lines left out)."""
    return {
        name: [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        for name, body in MARKER.findall(_section())
    }


def _run_block(name: str, cwd: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    env = {**env, "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}"}
    results = []
    for line in readme_commands()[name]:
        proc = subprocess.run(
            ["bash", "-c", line], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, f"{line}\n{proc.stderr[-3000:]}"
        assert not [f for f in FAILURES if f in proc.stderr], f"{line}\n{proc.stderr[-3000:]}"
        results.append(proc)
    return results


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(APP, tmp_path / "app.py")
    return tmp_path


def test_every_zero_code_block_is_marked_and_tested() -> None:
    section = _section()
    assert section.count("```bash") == len(MARKER.findall(section)), "an unmarked bash block in Zero-code"
    assert set(readme_commands()) == TESTED


def test_readme_console_command_prints_spans_and_metrics(server: FakeOpenAIServer, workdir: Path) -> None:
    grpc_receiver = GrpcReceiver()  # where an unset signal would go if we (or the distro) sent it
    try:
        [proc] = _run_block(
            "console",
            workdir,
            app_env(server, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{grpc_receiver.port}"),
        )
    finally:
        grpc_receiver.stop()
    assert "chat: Echo: What is OpenTelemetry?" in proc.stdout
    printed = console_objects(proc.stdout)
    spans = [o for o in printed if o.get("attributes", {}).get("gen_ai.operation.name")]
    check_app_spans([(s["name"], s["attributes"]) for s in spans])
    assert {s["kind"] for s in spans} == {"SpanKind.CLIENT"}
    metrics = {
        m["name"]
        for o in printed
        for rm in o.get("resource_metrics", [])
        for sm in rm["scope_metrics"]
        for m in sm["metrics"]
    }
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= metrics
    # Only what the command asked for: no OTLP export, no trace file.
    assert grpc_receiver.received.requests == []
    assert sorted(p.name for p in workdir.iterdir()) == ["app.py"]


def test_readme_jsonl_commands_write_a_file_that_view_and_query_read(
    server: FakeOpenAIServer, workdir: Path
) -> None:
    run, view, query = _run_block("jsonl", workdir, app_env(server))
    assert "embeddings: 2 vectors of 8" in run.stdout
    assert (workdir / "agent-otel-traces.jsonl").stat().st_size > 0
    for name in APP_SPAN_NAMES:
        assert name in view.stdout
    assert "4 traces, 4 spans in agent-otel-traces.jsonl" in view.stdout
    # The app has no agent: its 4 model calls (44 tokens in, 15 out) are counted under "(no agent)".
    row = next(line.split() for line in query.stdout.splitlines() if line.startswith("(no agent)"))
    assert row.count("4") >= 2 and "44" in row and "15" in row, query.stdout


@pytest.mark.parametrize(
    ("block", "receiver_cls", "port"),
    [("otlp-grpc", GrpcReceiver, 4317), ("otlp-http", HttpReceiver, 4318)],
    ids=["grpc", "http"],
)
def test_readme_otlp_command_delivers_traces_and_metrics(
    server: FakeOpenAIServer, workdir: Path, block: str, receiver_cls: type, port: int
) -> None:
    receiver, endpoint_env = receiver_on(receiver_cls, port)
    try:
        _run_block(block, workdir, app_env(server, **endpoint_env))
    finally:
        receiver.stop()
    received = receiver.received
    check_app_spans([(s.name, s.attributes) for s in received.spans(SCOPE)])
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= received.metric_names()
    if receiver_cls is HttpReceiver:
        assert {path for path, _ in received.http} <= {"/v1/traces", "/v1/metrics", "/v1/logs"}
        assert {ctype for _, ctype in received.http} == {"application/x-protobuf"}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_closure(dist_name: str, extras: set[str]) -> set[str]:
    """Normalized names of the installed distributions `pip install dist_name[extras]` brings in."""
    names: set[str] = set()
    done: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(dist_name, frozenset(extras))]
    while todo:
        name, wanted = todo.pop()
        if (_normalized(name), wanted) in done:
            continue
        done.add((_normalized(name), wanted))
        names.add(_normalized(name))
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *wanted}):
                todo.append((req.name, frozenset(req.extras)))
    return names


def test_otel_extra_brings_every_exporter_the_readme_uses() -> None:
    """The test venv has more than a user's `pip install ".[otel]"`: check that the extra itself provides
    the exporters the Zero-code commands name (console, agent_otel_jsonl, OTLP over gRPC and HTTP), for
    each signal they use them for."""
    closure = _requirement_closure("agent-otel", {"otel"})
    exporters = {"console", "otlp_proto_grpc", "otlp_proto_http"}
    needed = {
        "opentelemetry_traces_exporter": {*exporters, "agent_otel_jsonl"},
        "opentelemetry_metrics_exporter": exporters,
        "opentelemetry_logs_exporter": exporters,
        "opentelemetry_configurator": {"configurator"},
        "opentelemetry_distro": {"distro"},
    }
    missing = []
    for group, names in needed.items():
        for name in names:
            providers = {
                _normalized(ep.dist.name)
                for ep in entry_points(group=group, name=name)
                if ep.dist is not None
            }
            if not providers & closure:
                missing.append(f"{group}:{name} (from {sorted(providers) or 'nothing installed'})")
    assert not missing, missing
