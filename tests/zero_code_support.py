"""Helpers for the tests that run the real `opentelemetry-instrument` command (test_zero_code.py,
test_readme_commands.py): a clean environment for the app, local OTLP receivers on 127.0.0.1 (HTTP and a
real gRPC server) and decoders for what the exporters sent or printed.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
from concurrent import futures
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from agent_otel.cli.demo import other_instrumentors
from agent_otel.testing import FakeOpenAIServer

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "openai_app.py"
SCOPE = "agent_otel.instrumentation.openai"
# The span names examples/openai_app.py produces (plain chat, streamed chat, Responses, embeddings).
APP_SPAN_NAMES = {"chat gpt-4o-mini", "chat gpt-4.1-mini", "embeddings text-embedding-3-small"}


def check_app_spans(spans: list[tuple[str, dict[str, Any]]]) -> None:
    """The (name, attributes) of the spans examples/openai_app.py produced are the four calls it makes,
    with their request, response and usage data (and no content: capture is off by default)."""
    by_key = {
        f"{name}#{'stream' if attrs.get('gen_ai.request.stream') else 'plain'}": attrs
        for name, attrs in spans
    }
    assert len(spans) == 4 and len(by_key) == 4, sorted(name for name, _ in spans)
    chat = by_key["chat gpt-4o-mini#plain"]
    assert chat["gen_ai.provider.name"] == "openai"
    assert chat["gen_ai.request.temperature"] == 0.2
    assert chat["gen_ai.usage.input_tokens"] == 12
    assert chat["gen_ai.response.model"] == "gpt-4o-mini-2025-01-01"
    stream = by_key["chat gpt-4o-mini#stream"]
    assert stream["gen_ai.request.stream"] is True
    assert stream["gen_ai.usage.output_tokens"] == 5
    assert stream["agent_otel.stream.chunk_count"] >= 3
    responses = by_key["chat gpt-4.1-mini#plain"]
    assert responses["openai.api.type"] == "responses"
    assert "gen_ai.system_instructions" not in responses
    embeddings = by_key["embeddings text-embedding-3-small#plain"]
    assert embeddings["gen_ai.usage.input_tokens"] == 8


_REQUEST_TYPES: dict[str, type[Message]] = {
    "traces": trace_service_pb2.ExportTraceServiceRequest,
    "metrics": metrics_service_pb2.ExportMetricsServiceRequest,
    "logs": logs_service_pb2.ExportLogsServiceRequest,
}


def app_env(server: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    """The environment of a fresh shell: no OTEL_/OPENAI_/AGENT_OTEL_ variables of ours leak in, the app
    talks to the fake server, and other vendors' instrumentors installed in the test venv (the official
    openai one, for the interop tests) stay off, as on a machine with only agent-otel installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_", "AGENT_OTEL_"))}
    env.update({"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "test-key"})
    others = other_instrumentors()
    if others:
        env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = ",".join(others)
    env.update(extra)
    return env


def console_objects(stdout: str) -> list[dict[str, Any]]:
    """The JSON objects the console exporters printed (pretty-printed, one after another)."""
    decoder = json.JSONDecoder()
    objects = []
    i = 0
    while True:
        start = stdout.find("{\n", i)
        if start < 0:
            return objects
        obj, end = decoder.raw_decode(stdout, start)
        objects.append(obj)
        i = end


def otlp_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [otlp_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


@dataclass(frozen=True)
class ReceivedSpan:
    scope: str
    name: str
    attributes: dict[str, Any]
    service: str


class Received:
    """What an OTLP receiver got: (signal, decoded export request) pairs, plus raw HTTP details."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str, Any]] = []
        self.http: list[tuple[str, str]] = []  # (path, content-type) of each HTTP request

    def add(self, signal: str, request: Any) -> None:
        with self.lock:
            self.requests.append((signal, request))

    def signals(self) -> set[str]:
        return {signal for signal, _ in self.requests}

    def spans(self, scope: str | None = SCOPE) -> list[ReceivedSpan]:
        found = []
        for signal, request in self.requests:
            if signal != "traces":
                continue
            for resource_spans in request.resource_spans:
                resource = {kv.key: otlp_value(kv.value) for kv in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    if scope is not None and scope_spans.scope.name != scope:
                        continue
                    for span in scope_spans.spans:
                        attrs = {kv.key: otlp_value(kv.value) for kv in span.attributes}
                        found.append(
                            ReceivedSpan(
                                scope_spans.scope.name, span.name, attrs, resource.get("service.name", "")
                            )
                        )
        return found

    def metric_names(self) -> set[str]:
        return {
            metric.name
            for signal, request in self.requests
            if signal == "metrics"
            for resource_metrics in request.resource_metrics
            for scope_metrics in resource_metrics.scope_metrics
            for metric in scope_metrics.metrics
        }


def _port_busy_on_ipv6_loopback(port: int) -> bool:
    """True when something listens on [::1]:port, where a client resolving `localhost` may go first."""
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        probe.bind(("::1", port))
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    finally:
        probe.close()
    return False


class _HttpHandler(BaseHTTPRequestHandler):
    received: Received

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        ctype = self.headers.get("content-type", "")
        with self.received.lock:
            self.received.http.append((self.path, ctype))
        signal = self.path.rsplit("/", 1)[-1]
        if signal in _REQUEST_TYPES and ctype == "application/x-protobuf":
            request = _REQUEST_TYPES[signal]()
            request.ParseFromString(body)
            self.received.add(signal, request)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HttpReceiver:
    """OTLP/HTTP (protobuf) receiver on 127.0.0.1: POST /v1/traces, /v1/metrics, /v1/logs."""

    def __init__(self, port: int = 0) -> None:
        self.received = Received()
        handler = type("Handler", (_HttpHandler,), {"received": self.received})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(self, request: Any, context: Any) -> Any:
        self.received.add("traces", request)
        return trace_service_pb2.ExportTraceServiceResponse()


class _MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(self, request: Any, context: Any) -> Any:
        self.received.add("metrics", request)
        return metrics_service_pb2.ExportMetricsServiceResponse()


class _LogsService(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(self, request: Any, context: Any) -> Any:
        self.received.add("logs", request)
        return logs_service_pb2.ExportLogsServiceResponse()


class GrpcReceiver:
    """OTLP/gRPC receiver on 127.0.0.1: a real grpc server with the trace, metrics and logs services."""

    def __init__(self, port: int = 0) -> None:
        self.received = Received()
        # No SO_REUSEPORT (grpc's default on Linux): a second server on the same port must fail to bind
        # rather than share the connections.
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)]
        )
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_TraceService(self.received), self._server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(
            _MetricsService(self.received), self._server
        )
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(_LogsService(self.received), self._server)
        try:
            bound = self._server.add_insecure_port(f"127.0.0.1:{port}")
        except RuntimeError:  # grpcio >= 1.x raises when the port is taken; older ones return 0
            bound = 0
        if not bound:
            raise OSError(errno.EADDRINUSE, f"cannot bind 127.0.0.1:{port}")
        self.port: int = bound
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None)


def receiver_on(
    cls: type[HttpReceiver] | type[GrpcReceiver], documented_port: int
) -> tuple[Any, dict[str, str]]:
    """A receiver on the port the exporter uses by default when it is free (so the command runs exactly as
    documented), else on a free port, with the OTEL_EXPORTER_OTLP_ENDPOINT that points the exporter at it.
    Returns (receiver, environment to add)."""
    if not _port_busy_on_ipv6_loopback(documented_port):
        try:
            return cls(documented_port), {}
        except OSError:
            pass
    receiver = cls(0)
    return receiver, {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}"}
