"""JsonLinesSpanExporter: OTLP JSON lines as the spec and the Collector write them, from any thread."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as protobuf_encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from agent_otel.cli.reader import Diagnostics, read_spans
from agent_otel.export import JsonLinesSpanExporter, encode_spans


def make_spans() -> list[ReadableSpan]:
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "svc", "deployment.env": "test"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("agent_otel", "1.2.3", schema_url="https://opentelemetry.io/schemas/1.37.0")
    other = provider.get_tracer("another.scope")
    attrs = {"s": "text", "i": 7, "f": 1.5, "b": True, "ints": [1, 2], "strs": ["a", "b"], "big": 2**62}
    with tracer.start_as_current_span("invoke_agent triage", attributes=attrs) as root:
        root.add_event("agent_otel.retry", {"agent_otel.attempt": 1})
        with tracer.start_as_current_span(
            "chat gpt-4o", kind=SpanKind.CLIENT, links=[Link(root.get_span_context(), {"why": "x"})]
        ) as chat:
            chat.set_status(Status(StatusCode.ERROR, "rate limited"))
            chat.set_attribute("error.type", "RateLimitError")
        with other.start_as_current_span("plain", kind=SpanKind.SERVER) as plain:
            plain.set_status(Status(StatusCode.OK))
    provider.shutdown()
    return list(memory.get_finished_spans())


def _hex_ids(node: Any) -> Any:
    """Protobuf's JSON mapping writes bytes as base64; OTLP/JSON wants hex. Convert for comparison."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str):
                out[k] = base64.b64decode(v).hex()
            elif k == "flags":
                out[k] = v & ~0xFF  # we also carry the W3C trace flags in bits 0-7, as the spec allows
            else:
                out[k] = _hex_ids(v)
        return out
    if isinstance(node, list):
        return [_hex_ids(v) for v in node]
    return node


def test_encoding_matches_the_otlp_protobuf_encoder() -> None:
    spans = make_spans()
    ours = json.loads(json.dumps(encode_spans(spans)))
    reference = _hex_ids(MessageToDict(protobuf_encode_spans(spans), use_integers_for_enums=True))
    for resource_spans in ours["resourceSpans"]:
        for scope_spans in resource_spans["scopeSpans"]:
            for s in scope_spans["spans"]:
                s["flags"] &= ~0xFF
                for link in s.get("links", []):
                    link["flags"] &= ~0xFF
    assert ours == reference


def test_spec_details_hex_ids_string_int64_enum_numbers() -> None:
    doc = encode_spans(make_spans())
    (rs,) = doc["resourceSpans"]
    assert {"key": "service.name", "value": {"stringValue": "svc"}} in rs["resource"]["attributes"]
    by_scope = {ss["scope"]["name"]: ss for ss in rs["scopeSpans"]}
    assert by_scope["agent_otel"]["scope"]["version"] == "1.2.3"
    assert by_scope["agent_otel"]["schemaUrl"] == "https://opentelemetry.io/schemas/1.37.0"
    chat = next(s for s in by_scope["agent_otel"]["spans"] if s["name"] == "chat gpt-4o")
    root = next(s for s in by_scope["agent_otel"]["spans"] if s["name"] == "invoke_agent triage")
    assert len(chat["traceId"]) == 32 and len(chat["spanId"]) == 16 and chat["parentSpanId"] == root["spanId"]
    assert all(c in "0123456789abcdef" for c in chat["traceId"] + chat["spanId"])
    assert "parentSpanId" not in root
    assert isinstance(chat["startTimeUnixNano"], str) and int(chat["endTimeUnixNano"]) > int(
        chat["startTimeUnixNano"]
    )
    assert chat["kind"] == 3 and chat["status"] == {"code": 2, "message": "rate limited"}
    assert root["kind"] == 1 and root["status"] == {}
    assert chat["flags"] & 0x301 == 0x101  # sampled; parent known to be local (not remote)
    attrs = {a["key"]: a["value"] for a in root["attributes"]}
    assert attrs["i"] == {"intValue": "7"} and attrs["big"] == {"intValue": str(2**62)}
    assert attrs["f"] == {"doubleValue": 1.5} and attrs["b"] == {"boolValue": True}
    assert attrs["ints"] == {"arrayValue": {"values": [{"intValue": "1"}, {"intValue": "2"}]}}
    assert root["events"][0]["name"] == "agent_otel.retry"
    assert chat["links"][0]["spanId"] == root["spanId"]


def test_each_export_appends_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "spans.jsonl"
    exporter = JsonLinesSpanExporter(path)
    spans = make_spans()
    assert exporter.export(spans[:1]) == SpanExportResult.SUCCESS
    assert exporter.export(spans[1:]) == SpanExportResult.SUCCESS
    assert exporter.export([]) == SpanExportResult.SUCCESS  # nothing written for an empty batch
    exporter.shutdown()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(x)["resourceSpans"] for x in lines)
    JsonLinesSpanExporter(path).export(spans[:1])  # a second exporter (another run) appends
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_round_trip_through_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    spans = make_spans()
    exporter = JsonLinesSpanExporter(path)
    exporter.export(spans)
    exporter.shutdown()
    with path.open("rb") as f:
        diag = Diagnostics(str(path))
        read = {s.name: s for s in read_spans(f, diag)}
    assert diag.total == 0
    for original in spans:
        got = read[original.name]
        ctx = original.get_span_context()
        assert (got.trace_id, got.span_id) == (f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}")
        assert got.parent_id == (f"{original.parent.span_id:016x}" if original.parent else None)
        assert (got.start_ns, got.end_ns) == (original.start_time, original.end_time)
        assert got.attributes == {
            k: list(v) if isinstance(v, tuple) else v for k, v in original.attributes.items()
        }
        assert got.status_code == original.status.status_code.value
        assert got.resource["service.name"] == "svc"


def test_path_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_OTEL_JSONL_PATH", str(tmp_path / "from-env.jsonl"))
    exporter = JsonLinesSpanExporter()
    exporter.export(make_spans())
    exporter.shutdown()
    assert (tmp_path / "from-env.jsonl").exists()


def test_default_path_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_OTEL_JSONL_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    exporter = JsonLinesSpanExporter()
    exporter.export(make_spans())
    exporter.shutdown()
    assert (tmp_path / "agent-otel-traces.jsonl").stat().st_size > 0


def test_concurrent_exports_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    exporter = JsonLinesSpanExporter(path)
    spans = make_spans()

    def work() -> None:
        for _ in range(50):
            assert exporter.export(spans) == SpanExportResult.SUCCESS

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    exporter.shutdown()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert all(len(json.loads(x)["resourceSpans"][0]["scopeSpans"]) == 2 for x in lines)


def test_failures_are_reported_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    exporter = JsonLinesSpanExporter(tmp_path)  # a directory: cannot be opened for writing
    with caplog.at_level(logging.ERROR):
        assert exporter.export(make_spans()) == SpanExportResult.FAILURE
    assert "could not write spans" in caplog.text
    exporter.shutdown()
    assert exporter.export(make_spans()) == SpanExportResult.FAILURE  # after shutdown
    assert exporter.force_flush() is True


def test_non_finite_floats_and_bytes_stay_valid_json() -> None:
    from agent_otel.export.jsonl import _any_value

    assert _any_value(float("nan")) == {"doubleValue": "NaN"}
    assert _any_value(float("-inf")) == {"doubleValue": "-Infinity"}
    assert _any_value(b"\x00\x01") == {"bytesValue": "AAE="}
    assert _any_value({"k": [1]}) == {
        "kvlistValue": {"values": [{"key": "k", "value": {"arrayValue": {"values": [{"intValue": "1"}]}}}]}
    }


def test_batch_processor_flushes_at_shutdown(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(JsonLinesSpanExporter(path), schedule_delay_millis=60_000))
    tracer = provider.get_tracer("t")
    for i in range(5):
        with tracer.start_as_current_span(f"s{i}"):
            pass
    provider.shutdown()
    spans = [
        s
        for x in path.read_text().splitlines()
        for s in json.loads(x)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    ]
    assert sorted(s["name"] for s in spans) == [f"s{i}" for i in range(5)]


def test_registered_as_the_agent_otel_jsonl_traces_exporter() -> None:
    (ep,) = [e for e in entry_points(group="opentelemetry_traces_exporter") if e.name == "agent_otel_jsonl"]
    assert ep.load() is JsonLinesSpanExporter


def test_selected_by_otel_traces_exporter_under_opentelemetry_instrument(tmp_path: Path) -> None:
    path = tmp_path / "auto.jsonl"
    env = {
        **os.environ,
        "OTEL_TRACES_EXPORTER": "agent_otel_jsonl",
        "AGENT_OTEL_JSONL_PATH": str(path),
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_SERVICE_NAME": "auto-test",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "*",  # the exporter alone is under test here
    }
    code = "from opentelemetry import trace; trace.get_tracer('t').start_span('hello').end()"
    instrument = Path(sys.executable).parent / "opentelemetry-instrument"
    proc = subprocess.run(
        [str(instrument), sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    (doc,) = [json.loads(x) for x in path.read_text().splitlines()]
    rs = doc["resourceSpans"][0]
    assert {"key": "service.name", "value": {"stringValue": "auto-test"}} in rs["resource"]["attributes"]
    assert rs["scopeSpans"][0]["spans"][0]["name"] == "hello"


def test_relative_path_is_fixed_at_construction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exporter = JsonLinesSpanExporter("spans.jsonl")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the application changes directory later
    exporter.export(make_spans())
    exporter.shutdown()
    assert (tmp_path / "spans.jsonl").exists() and not (tmp_path / "elsewhere" / "spans.jsonl").exists()


def test_writes_to_a_given_stream() -> None:
    stream = io.StringIO()
    exporter = JsonLinesSpanExporter(stream=stream)
    assert exporter.export(make_spans()) == SpanExportResult.SUCCESS
    exporter.shutdown()
    assert not stream.closed  # the caller's stream stays open
    (only,) = stream.getvalue().splitlines()
    assert json.loads(only)["resourceSpans"]


def test_a_lone_surrogate_does_not_lose_the_batch(tmp_path: Path) -> None:
    provider = TracerProvider()
    path = tmp_path / "spans.jsonl"
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    with provider.get_tracer("t").start_as_current_span("bad text", attributes={"text": "a\udc80b"}):
        pass
    provider.shutdown()
    (doc,) = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert span["name"] == "bad text" and span["attributes"][0]["value"]["stringValue"] == "a?b"
