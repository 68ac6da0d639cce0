"""reader: spans streamed out of OTLP JSON lines; every kind of bad input named by its line, the rest read."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from agent_otel.cli.reader import Diagnostics, decode_id, decode_value, read_spans

from .builders import T0, line, span, write


def read(path: Path) -> tuple[list, Diagnostics, str]:
    err = io.StringIO()
    diag = Diagnostics(str(path), stream=err)
    with path.open("rb") as f:
        spans = list(read_spans(f, diag))
    return spans, diag, err.getvalue()


def test_reads_every_field_of_a_span(tmp_path: Path) -> None:
    s = span(
        1, 2, "chat gpt-4o", 0, 12.5, parent=7, gen_ai__usage__input_tokens=3, gen_ai__request__model="m"
    )
    s["events"] = [{"timeUnixNano": str(T0 + 1000), "name": "agent_otel.retry", "attributes": []}]
    s["status"] = {"code": 2, "message": "boom"}
    spans, diag, err = read(write(tmp_path / "t.jsonl", [line([s], service="svc")]))
    assert err == "" and diag.total == 0
    (got,) = spans
    assert (got.trace_id, got.span_id, got.parent_id) == (f"{1:032x}", f"{2:016x}", f"{7:016x}")
    assert got.name == "chat gpt-4o" and got.duration_ns == 12_500_000 and got.line == 1
    assert got.attributes == {"gen_ai.usage.input_tokens": 3, "gen_ai.request.model": "m"}
    assert got.status_code == 2 and got.status_message == "boom" and got.is_error
    assert got.events[0].name == "agent_otel.retry" and got.events[0].time_ns == T0 + 1000
    assert got.service == "svc" and got.scope == "agent_otel"


def test_any_values_decode_to_python_values() -> None:
    assert decode_value({"intValue": "12"}) == 12
    assert decode_value({"intValue": 12}) == 12  # numbers are accepted too
    assert decode_value({"doubleValue": "NaN"}) != decode_value({"doubleValue": "NaN"})  # a real NaN
    assert decode_value({"arrayValue": {"values": [{"stringValue": "a"}, {"boolValue": True}]}}) == [
        "a",
        True,
    ]
    assert decode_value({"kvlistValue": {"values": [{"key": "k", "value": {"intValue": "1"}}]}}) == {"k": 1}
    assert decode_value({"string_value": "snake"}) == "snake"
    assert decode_value({}) is None


def test_ids_in_hex_or_base64_and_invalid_ids_rejected() -> None:
    raw = bytes(range(16))
    assert decode_id(raw.hex().upper(), 16) == raw.hex()
    assert decode_id(base64.b64encode(raw).decode(), 16) == raw.hex()  # protobuf's JSON mapping
    assert decode_id("xyz", 16) is None
    assert decode_id(base64.b64encode(raw[:8]).decode(), 16) is None  # wrong length


def test_truncated_last_line_is_named_and_earlier_lines_are_read(tmp_path: Path) -> None:
    good = line([span(1, 1, "a", 0, 1)])
    path = tmp_path / "t.jsonl"
    path.write_text(good + "\n" + good.replace('"a"', '"b"')[:70], encoding="utf-8")  # writer died mid-line
    spans, diag, err = read(path)
    assert [s.name for s in spans] == ["a"]
    assert f"{path}:2: truncated JSON: the file ends in the middle of a record" in err
    assert diag.counts == {"truncated line": 1}


def test_invalid_json_in_the_middle_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.jsonl",
        [line([span(1, 1, "a", 0, 1)]), "{not json at all}", "", line([span(1, 2, "b", 0, 1)])],
    )
    spans, _, err = read(path)
    assert [s.name for s in spans] == ["a", "b"]
    assert f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes at column 2" in err
    assert [s.line for s in spans] == [1, 4]  # the blank line 3 is skipped silently


def test_unknown_fields_are_reported_once_per_field_and_ignored(tmp_path: Path) -> None:
    s1, s2 = span(1, 1, "a", 0, 1), span(1, 2, "b", 0, 1)
    s1["fancyNewField"] = 1
    s2["fancyNewField"] = 2
    path = write(tmp_path / "t.jsonl", [line([s1]), line([s2])])
    spans, diag, err = read(path)
    assert [s.name for s in spans] == ["a", "b"]
    assert err.count("unknown field 'fancyNewField' in a span") == 1
    assert f"{path}:1: unknown field 'fancyNewField'" in err
    assert diag.counts == {"unknown field": 2}


def test_lines_that_are_not_span_batches_are_named(tmp_path: Path) -> None:
    metrics = json.dumps({"resourceMetrics": []})
    path = write(
        tmp_path / "t.jsonl", [metrics, json.dumps({"foo": 1}), "[1, 2]", line([span(1, 1, "a", 0, 1)])]
    )
    spans, _, err = read(path)
    assert [s.name for s in spans] == ["a"]
    assert f"{path}:1: holds OTLP metrics, not spans" in err
    assert f"{path}:2: no 'resourceSpans' (found 'foo')" in err
    assert f"{path}:3: expected a JSON object, got list" in err


def test_spans_without_ids_or_times_are_skipped_with_a_message(tmp_path: Path) -> None:
    no_id = span(1, 1, "no-id", 0, 1)
    del no_id["spanId"]
    no_start = span(1, 2, "no-start", 0, 1)
    no_start["startTimeUnixNano"] = "soon"
    no_end = span(1, 3, "no-end", 0, 1)
    del no_end["endTimeUnixNano"]
    spans, _, err = read(write(tmp_path / "t.jsonl", [line([no_id, no_start, no_end])]))
    assert [s.name for s in spans] == ["no-end"] and spans[0].duration_ns == 0
    assert "span 'no-id' has a missing or invalid spanId" in err
    assert "span 'no-start' has no valid startTimeUnixNano; skipped" in err
    assert "span 'no-end' has no valid endTimeUnixNano; duration taken as 0" in err


def test_snake_case_and_enum_names_are_accepted(tmp_path: Path) -> None:
    s = span(1, 1, "a", 0, 1)
    s = {("trace_id" if k == "traceId" else k): v for k, v in s.items()}
    s["status"] = {"code": "STATUS_CODE_ERROR"}
    s["kind"] = "SPAN_KIND_CLIENT"
    doc = json.loads(line([s]))
    doc["resource_spans"] = doc.pop("resourceSpans")
    spans, _, err = read(write(tmp_path / "t.jsonl", [json.dumps(doc)]))
    assert err == ""
    assert spans[0].trace_id == f"{1:032x}" and spans[0].status_code == 2 and spans[0].kind == 3


def test_messages_are_capped_but_every_problem_is_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", ["{bad"] * 50 + [line([span(1, 1, "a", 0, 1)])])
    spans, diag, err = read(path)
    assert len(spans) == 1
    assert err.count("\n") == 20 and diag.total == 50
    diag.finish()
    assert "50 problem(s): 50 invalid JSON; 30 not shown above" in diag.stream.getvalue()


def test_non_utf8_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"resourceSpans": "\xff\xfe"}\n' + line([span(1, 1, "a", 0, 1)]).encode() + b"\n")
    spans, _, err = read(path)
    assert [s.name for s in spans] == ["a"]
    assert f"{path}:1: not UTF-8 text" in err
