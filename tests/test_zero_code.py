"""Zero code changes: the real `opentelemetry-instrument` command traces examples/openai_app.py (an app with
no tracing code) through agent-otel's entry point, exporting to the console and over OTLP/HTTP to a tiny
receiver on 127.0.0.1. The app talks to the fake OpenAI server; nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent_otel.testing import FakeOpenAIServer

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "openai_app.py"
SCOPE = "agent_otel.instrumentation.openai"


def _instrument_command() -> list[str]:
    script = Path(sys.executable).with_name("opentelemetry-instrument")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-m", "opentelemetry.instrumentation.auto_instrumentation"]
    )


def _run(
    server: FakeOpenAIServer, exporter_args: list[str], extra_env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_", "AGENT_OTEL_"))}
    env.update(
        {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test-key",
            "OTEL_SERVICE_NAME": "zero-code-test",
            # Only agent-otel's openai instrumentor: the official one is installed too (interop tests).
            "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "openai,agent_otel_langchain",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            **extra_env,
        }
    )
    command = [
        *_instrument_command(),
        *exporter_args,
        "--metrics_exporter",
        "none",
        "--logs_exporter",
        "none",
        sys.executable,
        str(APP),
    ]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _console_spans(stdout: str) -> list[dict[str, Any]]:
    """The JSON objects ConsoleSpanExporter printed (pretty-printed, one after another)."""
    decoder = json.JSONDecoder()
    spans = []
    i = 0
    while True:
        start = stdout.find("{\n", i)
        if start < 0:
            return spans
        obj, end = decoder.raw_decode(stdout, start)
        spans.append(obj)
        i = end


def _check(spans: dict[str, dict[str, Any]]) -> None:
    chat = spans["chat gpt-4o-mini#plain"]
    assert chat["gen_ai.provider.name"] == "openai"
    assert chat["gen_ai.request.temperature"] == 0.2
    assert chat["gen_ai.usage.input_tokens"] == 12
    assert chat["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"
    stream = spans["chat gpt-4o-mini#stream"]
    assert stream["gen_ai.request.stream"] is True
    assert stream["gen_ai.usage.output_tokens"] == 5
    assert stream["agent_otel.stream.chunk_count"] >= 3
    responses = spans["chat gpt-4.1-mini#plain"]
    assert responses["openai.api.type"] == "responses"
    assert "gen_ai.system_instructions" not in responses  # content capture is off by default
    embeddings = spans["embeddings text-embedding-3-small#plain"]
    assert embeddings["gen_ai.usage.input_tokens"] == 8


def _key(name: str, attrs: dict[str, Any]) -> str:
    return f"{name}#{'stream' if attrs.get('gen_ai.request.stream') else 'plain'}"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


def test_console_exporter(server: FakeOpenAIServer) -> None:
    proc = _run(server, ["--traces_exporter", "console"], {})
    assert "chat: Echo: What is OpenTelemetry?" in proc.stdout
    ours = [s for s in _console_spans(proc.stdout) if s.get("attributes", {}).get("gen_ai.operation.name")]
    assert len(ours) == 4, [s["name"] for s in ours]
    assert all(s["kind"] == "SpanKind.CLIENT" for s in ours)
    _check({_key(s["name"], s["attributes"]): s["attributes"] for s in ours})
    assert {s["resource"]["attributes"]["service.name"] for s in ours} == {"zero-code-test"}


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[tuple[str, str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        self.bodies.append((self.path, self.headers.get("content-type", ""), body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _otlp_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_otlp_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


def test_otlp_http_exporter(server: FakeOpenAIServer) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    bodies: list[tuple[str, str, bytes]] = []
    handler = type("Receiver", (_Receiver,), {"bodies": bodies})
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{receiver.server_address[1]}/v1/traces"
        _run(
            server, ["--traces_exporter", "otlp_proto_http"], {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint}
        )
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert bodies and all(path == "/v1/traces" for path, _, _ in bodies)
    assert all(ctype == "application/x-protobuf" for _, ctype, _ in bodies)
    spans: dict[str, dict[str, Any]] = {}
    for _, _, body in bodies:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                if scope_spans.scope.name != SCOPE:
                    continue
                for span in scope_spans.spans:
                    attrs = {kv.key: _otlp_value(kv.value) for kv in span.attributes}
                    spans[_key(span.name, attrs)] = attrs
    assert len(spans) == 4, sorted(spans)
    _check(spans)
