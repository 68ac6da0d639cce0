"""One process's side of the openai benchmark: the cases, the instrumentors it can load, and the timed blocks.

Runs in the benchmark's own process (agent-otel and the official genai-openai) and, as a `--worker`, in a
peer's side venv (contrib openai-v2, see _peers.py). Only public API: each instrumentor's
`instrument()`/`uninstrument()`, the openai client on an in-process `MockTransport` serving canned replies
from `agent_otel.testing`, and, as "the original create", the class's own `create` function taken before
anything is instrumented (called on the same resource object, it bypasses whatever is patched).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from benchmarks._common import full_sdk, paired

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
UNSAMPLED_METRICS_ENV = "AGENT_OTEL_UNSAMPLED_METRICS"
SHORT = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi."}]

# mode -> ("module:Class" of the instrumentor, distribution for its version)
MODES: dict[str, tuple[str, str]] = {
    "agent-otel": ("agent_otel.instrumentation.openai:OpenAIInstrumentor", "agent-otel"),
    "genai-openai": (
        "opentelemetry.instrumentation.genai.openai:OpenAIInstrumentor",
        "opentelemetry-instrumentation-genai-openai",
    ),
    "openai-v2": (
        "opentelemetry.instrumentation.openai_v2:OpenAIInstrumentor",
        "opentelemetry-instrumentation-openai-v2",
    ),
}
# resource -> (module, class, how to reach it from a client)
RESOURCES: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "chat": ("openai.resources.chat.completions", "Completions", lambda c: c.chat.completions),
    "responses": ("openai.resources.responses", "Responses", lambda c: c.responses),
    "embeddings": ("openai.resources.embeddings", "Embeddings", lambda c: c.embeddings),
}


@dataclass(frozen=True)
class Case:
    name: str
    resource: str
    kwargs: dict[str, Any]
    stream_chunks: int = 0  # > 0: a streamed chat call of that many chunks, read to the end
    unsampled: bool = False  # under a remote parent that was not sampled
    content: bool = False  # content capture on (SPAN_ONLY)
    unsampled_metrics: bool = True
    env: dict[str, str] = field(default_factory=dict)

    def reply(self) -> Any:
        from agent_otel.testing import (
            Reply,
            chat_chunks,
            chat_completion,
            embedding_response,
            response_object,
        )

        if self.stream_chunks:
            # a role chunk, the pieces, a finish chunk
            return Reply.sse(chat_chunks("", pieces=["x"] * (self.stream_chunks - 2)))
        if self.resource == "responses":
            return Reply.json(response_object("Hi!"))
        if self.resource == "embeddings":
            return Reply.json(embedding_response(1))
        return Reply.json(chat_completion("Hi!", model="gpt-4o-mini-2024-07-18"))


CHAT = {"model": "gpt-4o-mini", "messages": SHORT}
CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("chat", "chat", CHAT),
        Case("responses", "responses", {"model": "gpt-4o-mini", "input": "Say hi."}),
        Case("embeddings", "embeddings", {"model": "text-embedding-3-small", "input": "Say hi."}),
        Case("stream 2 chunks", "chat", {**CHAT, "stream": True}, stream_chunks=2),
        Case("stream 200 chunks", "chat", {**CHAT, "stream": True}, stream_chunks=200),
        Case("unsampled, metrics off", "chat", CHAT, unsampled=True, content=True, unsampled_metrics=False),
        Case("unsampled, metrics on", "chat", CHAT, unsampled=True, content=True),
    )
}


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


class Host:
    """The instrumentors importable in this process, one full SDK, one mock client per case."""

    def __init__(self) -> None:
        self.sdk = full_sdk()
        self.providers = {k: v for k, v in self.sdk.items() if k.endswith("_provider")}
        self.classes = {r: getattr(importlib.import_module(m), c) for r, (m, c, _) in RESOURCES.items()}
        # Taken before anything is instrumented: the functions the instrumentors wrap.
        self.originals = {r: vars(cls)["create"] for r, cls in self.classes.items()}
        self.clients: dict[str, Any] = {}
        self._bare: dict[tuple[str, str], Any] = {}

    def handle(self, message: dict[str, Any]) -> Any:
        """The worker protocol (and the local calls): one method per `op`."""
        op = message.pop("op")
        return getattr(self, f"op_{op}")(**message)

    def op_versions(self) -> dict[str, str]:
        out = {"openai": metadata.version("openai")}
        for mode, (_, dist) in MODES.items():
            with contextlib.suppress(metadata.PackageNotFoundError):
                out[mode] = metadata.version(dist)
        return out

    def op_available(self, modes: list[str] | None = None) -> list[str]:
        out = []
        for mode, (path, _) in MODES.items():
            if modes is not None and mode not in modes:
                continue
            try:
                _load(path)
            except ImportError:
                continue
            out.append(mode)
        return out

    def op_supports(self, mode: str, case: str) -> bool:
        c = CASES[case]
        with self.instrumented(mode, c):
            return vars(self.classes[c.resource])["create"] is not self.originals[c.resource]

    def op_block(self, mode: str, case: str, pairs: int, clock: str = "cpu") -> list[list[float]]:
        c = CASES[case]
        original, instrumented = self.calls(c)
        with self.instrumented(mode, c), self.parent(c):
            return paired(original, instrumented, pairs, clock)

    def op_records(self, mode: str, case: str, calls: int = 50) -> list[dict[str, Any]]:
        """The metric records one call of `case` makes (instrument, name, attributes, value), read back from
        the in-memory reader: the difference between two snapshots taken around `calls` calls."""
        c = CASES[case]
        _, instrumented = self.calls(c)
        with self.instrumented(mode, c), self.parent(c):
            instrumented()
            before = self._snapshot()
            for _ in range(calls):
                instrumented()
            after = self._snapshot()
        out = []
        for key, (count, total, bounds, unit) in after.items():
            count0, total0, _, _ = before.get(key, (0, 0.0, None, unit))
            per_call = round((count - count0) / calls)
            for _ in range(per_call):
                kind, name, attributes = key[1], key[2], json.loads(key[3])
                value = (total - total0) / max(count - count0, 1)
                out.append(
                    {"kind": kind, "name": name, "unit": unit, "bounds": bounds, "attributes": attributes}
                    | {"value": value}
                )
        return out

    def op_bare(
        self, records: list[dict[str, Any]], case: str, pairs: int, clock: str = "cpu"
    ) -> list[list[float]]:
        """Pairs [the original call, the original call then `records`] made directly on this process's
        MeterProvider (attributes prepared), on instruments of the same kind, name, unit and buckets: the
        added µs is what the histogram records themselves cost where an instrumentation makes them, after
        a real call, with the caches as that call leaves them. (Timed alone in a tight loop they run hot,
        ~2.5x faster: not the price an instrumentation pays.)"""
        meter = self.providers["meter_provider"].get_meter("benchmarks.bare_records")
        ops: list[tuple[Callable[..., Any], Any, dict[str, Any]]] = []
        for r in records:
            key = (r["kind"], r["name"])
            instrument = self._bare.get(key)
            if instrument is None:
                if r["kind"] == "Histogram":
                    instrument = meter.create_histogram(
                        r["name"], unit=r["unit"], explicit_bucket_boundaries_advisory=r["bounds"]
                    )
                else:
                    instrument = meter.create_counter(r["name"], unit=r["unit"])
                self._bare[key] = instrument
            record = instrument.record if r["kind"] == "Histogram" else instrument.add
            attributes = {k: tuple(v) if isinstance(v, list) else v for k, v in r["attributes"].items()}
            value = int(r["value"]) if float(r["value"]).is_integer() else r["value"]
            ops.append((record, value, attributes))
        c = CASES[case]
        original, _ = self.calls(c)

        def with_records() -> None:
            original()
            for record, value, attributes in ops:
                record(value, attributes)

        with self.parent(c):
            return paired(original, with_records, pairs, clock)

    def _snapshot(self) -> dict[tuple[str, str, str, str], tuple[float, float, Any, str]]:
        out: dict[tuple[str, str, str, str], tuple[float, float, Any, str]] = {}
        data = self.sdk["metric_reader"].get_metrics_data()
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                if sm.scope.name == "benchmarks.bare_records":
                    continue
                for m in sm.metrics:
                    kind = type(m.data).__name__
                    for dp in m.data.data_points:
                        attrs = json.dumps(dict(sorted((dp.attributes or {}).items())), default=list)
                        if kind == "Histogram":
                            count, total, bounds = dp.count, dp.sum, list(dp.explicit_bounds)
                        else:
                            count, total, bounds = 1 if getattr(dp, "value", 0) else 0, dp.value, None
                        out[(sm.scope.name, kind, m.name, attrs)] = (count, total, bounds, m.unit or "")
        return out

    def calls(self, case: Case) -> tuple[Callable[[], Any], Callable[[], Any]]:
        """(the original create, the instrumented one), on the same resource object of a mock client."""
        client = self.clients.get(case.name)
        if client is None:
            client = self.clients[case.name] = _client(case.reply())
        resource = RESOURCES[case.resource][2](client)
        original = self.originals[case.resource]
        kw = case.kwargs
        if case.stream_chunks:

            def orig_stream() -> None:
                for _ in original(resource, **kw):
                    pass

            def inst_stream() -> None:
                for _ in resource.create(**kw):
                    pass

            return orig_stream, inst_stream
        return (lambda: original(resource, **kw)), (lambda: resource.create(**kw))

    @contextlib.contextmanager
    def instrumented(self, mode: str, case: Case) -> Iterator[None]:
        env = {
            CONTENT_ENV: "SPAN_ONLY" if case.content else None,
            UNSAMPLED_METRICS_ENV: "true" if case.unsampled_metrics else "false",
        }
        saved = {k: os.environ.get(k) for k in env}
        _setenv(env)
        instrumentor = _load(MODES[mode][0])()
        instrumentor.instrument(**self.providers)
        try:
            yield
        finally:
            instrumentor.uninstrument()
            _setenv(saved)
            for resource, cls in self.classes.items():
                if vars(cls)["create"] is not self.originals[resource]:
                    raise RuntimeError(f"{mode}: uninstrument() left {cls.__name__}.create wrapped")

    @contextlib.contextmanager
    def parent(self, case: Case) -> Iterator[None]:
        if not case.unsampled:
            yield
            return
        from opentelemetry import context, trace
        from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

        span_context = SpanContext(trace_id=0xBE11, span_id=0xBE12, is_remote=True, trace_flags=TraceFlags(0))
        token = context.attach(trace.set_span_in_context(NonRecordingSpan(span_context)))
        try:
            yield
        finally:
            context.detach(token)


def _setenv(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _client(reply: Any) -> Any:
    import openai

    from agent_otel.testing import mock_transport_handler

    base = importlib.import_module("openai._base_client")
    lib = getattr(base, "httpx2", None) or base.httpx  # httpx2 on openai 3.x, httpx before
    handler = mock_transport_handler(responder=lambda request: reply, record=False)
    http_client = lib.Client(transport=lib.MockTransport(handler))
    return openai.OpenAI(
        base_url="http://mock.local/v1", api_key="bench", http_client=http_client, max_retries=0
    )
