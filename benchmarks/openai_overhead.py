"""Overhead of agent-otel's openai instrumentation: `python -m benchmarks.openai_overhead [--n N]`.

In one process, on one in-process client (`httpx2.MockTransport`, or httpx on openai 1.x) serving canned
replies from agent_otel.testing, the original `create` (the function the instrumentor saved) and the
instrumented `client.chat.completions.create` are called alternately, their order flipping each round,
N times after a warm-up. Reported per case: both medians, the median of the paired differences (the
added cost), and the ratio of the medians.

Set-up: the full OpenTelemetry SDK (TracerProvider + BatchSpanProcessor to a null exporter, MeterProvider
with an in-memory reader, LoggerProvider + batch processor), content capture off unless stated.

Cases and budgets:
- non-streamed chat: ≤ 120 µs added per call (util-genai itself costs ~90 µs of that);
- streamed chat, 200 chunks (and 2 chunks): µs added per chunk, from the 200-chunk total and from the
  difference between the two (the marginal cost of a chunk): ≤ 3 µs;
- a call under an unsampled parent with content capture on (2 short messages, and 20 x 2 KB): ≤ 15 µs.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import context, trace
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from agent_otel.testing import Reply, chat_chunks, chat_completion, mock_transport_handler

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
SHORT = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi."}]
LONG = [{"role": "user" if i % 2 else "assistant", "content": "x" * 2048} for i in range(20)]


class _NullSpans(SpanExporter):
    def export(self, spans: Sequence[Any]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


class _NullLogs(LogRecordExporter):
    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _providers() -> dict[str, Any]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(_NullSpans()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(_NullLogs()))
    return {
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
        "logger_provider": logger_provider,
    }


def _http_lib() -> Any:
    base = importlib.import_module("openai._base_client")
    return getattr(base, "httpx2", None) or base.httpx


def _client(reply: Reply) -> Any:
    import openai

    lib = _http_lib()
    handler = mock_transport_handler(responder=lambda request: reply, record=False)
    http_client = lib.Client(transport=lib.MockTransport(handler))
    return openai.OpenAI(
        base_url="http://mock.local/v1", api_key="bench", http_client=http_client, max_retries=0
    )


def _paired(
    original: Callable[[], Any], instrumented: Callable[[], Any], n: int, warmup: int
) -> dict[str, float]:
    for _ in range(warmup):
        original()
        instrumented()
    gc.collect()
    base: list[float] = []
    inst: list[float] = []
    diffs: list[float] = []
    clock = time.perf_counter_ns
    for i in range(n):
        if i % 2 == 0:
            t0 = clock()
            original()
            t1 = clock()
            instrumented()
            t2 = clock()
            a, b = t1 - t0, t2 - t1
        else:
            t0 = clock()
            instrumented()
            t1 = clock()
            original()
            t2 = clock()
            b, a = t1 - t0, t2 - t1
        base.append(a / 1000)
        inst.append(b / 1000)
        diffs.append((b - a) / 1000)
    q = statistics.quantiles(diffs, n=4)
    return {
        "base": statistics.median(base),
        "inst": statistics.median(inst),
        "diff": statistics.median(diffs),
        "q1": q[0],
        "q3": q[2],
    }


def _report(name: str, r: dict[str, float], extra: str = "") -> None:
    ratio = r["inst"] / r["base"] if r["base"] else float("nan")
    print(
        f"{name:<44} base {r['base']:9.1f} µs  instr {r['inst']:9.1f} µs  "
        f"added {r['diff']:8.1f} µs (IQR {r['q1']:.1f}..{r['q3']:.1f})  ratio {ratio:5.3f}{extra}"
    )


def _unsampled() -> Any:
    span_context = SpanContext(trace_id=0xBE11, span_id=0xBE12, is_remote=True, trace_flags=TraceFlags(0))
    return context.attach(trace.set_span_in_context(NonRecordingSpan(span_context)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="measured pairs per case (default 2000)")
    parser.add_argument(
        "--stream-n", type=int, default=None, help="pairs for the 200-chunk case (default: --n)"
    )
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--official", action="store_true", help="also measure opentelemetry-instrumentation-genai-openai"
    )
    args = parser.parse_args(argv)

    import openai

    from agent_otel.instrumentation.openai import OpenAIInstrumentor

    print(f"openai {openai.__version__}, N={args.n} pairs after {args.warmup} warm-up rounds, full SDK")
    providers = _providers()
    print("--- agent-otel")
    _run(OpenAIInstrumentor, providers, args)
    _breakdown(OpenAIInstrumentor, providers)
    if args.official:
        from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor as Official

        print("--- opentelemetry-instrumentation-genai-openai (for comparison; budgets are ours)")
        _run(Official, providers, args)
    return 0


def _breakdown(factory: Callable[[], Any], providers: dict[str, Any]) -> None:
    """Where a sampled non-streamed call's added time goes, measured in-process without HTTP (best of 5
    runs of 3000): util-genai alone, the facade (util-genai + cost + agent scopes), and the adapter."""
    import timeit

    from agent_otel.instrumentation.openai import _operation, _patches

    os.environ.pop(CONTENT_ENV, None)
    instrumentor = factory()
    instrumentor.instrument(**providers)
    tel = instrumentor.telemetry
    client = _client(Reply.json(chat_completion("Hi!", model="gpt-4o-mini-2024-07-18")))
    result = client.chat.completions.create(model="gpt-4o-mini", messages=SHORT)
    resource = client.chat.completions
    api = _patches._api(_operation.KIND_CHAT, False)
    kwargs = {"model": "gpt-4o-mini", "messages": SHORT, "temperature": 0.2}

    def fill(inv: Any) -> None:
        inv.temperature = 0.2
        inv.response_model_name, inv.response_id, inv.finish_reasons = (
            "gpt-4o-mini-2024-07-18",
            "id",
            ["stop"],
        )
        inv.input_tokens, inv.output_tokens = 12, 5

    def util_only() -> None:
        inv = tel.handler.inference(
            "openai", request_model="gpt-4o-mini", server_address="mock.local", server_port=80
        )
        fill(inv)
        inv.stop()

    def facade() -> None:
        call = tel.inference(
            "openai", request_model="gpt-4o-mini", server_address="mock.local", server_port=80
        )
        fill(call.inv)
        tel.stop(call)

    def adapter() -> None:
        op = _operation.start(instrumentor, api, resource, (), kwargs)
        op.finish(result)  # type: ignore[union-attr]

    for label, fn in (
        ("util-genai alone", util_only),
        ("facade (+ cost, scopes)", facade),
        ("adapter", adapter),
    ):
        best = min(timeit.repeat(fn, number=3000, repeat=5)) / 3000 * 1e6
        print(f"  in-process, sampled, no HTTP: {label:<28} {best:7.1f} µs per call")
    instrumentor.uninstrument()


def _run(factory: Callable[[], Any], providers: dict[str, Any], args: Any) -> None:
    from openai.resources.chat.completions import Completions

    stream_n = args.stream_n or args.n
    os.environ.pop(CONTENT_ENV, None)
    instrumentor = factory()
    instrumentor.instrument(**providers)
    original = vars(Completions)["create"].__wrapped__  # the function the instrumentor wrapped

    client = _client(Reply.json(chat_completion("Hi!", model="gpt-4o-mini-2024-07-18")))
    plain = _paired(
        lambda: original(client.chat.completions, model="gpt-4o-mini", messages=SHORT),
        lambda: client.chat.completions.create(model="gpt-4o-mini", messages=SHORT),
        args.n,
        args.warmup,
    )
    _report("non-streamed chat (sampled, content off)", plain, "   budget 120 µs")

    results: dict[int, dict[str, float]] = {}
    for chunks in (2, 200):
        pieces = ["x"] * (chunks - 2)  # a role chunk, the pieces, a finish chunk
        stream_client = _client(Reply.sse(chat_chunks("", pieces=pieces)))
        kw = {"model": "gpt-4o-mini", "messages": SHORT, "stream": True}

        def orig_stream(c: Any = stream_client, kw: dict[str, Any] = kw) -> None:
            for _ in original(c.chat.completions, **kw):
                pass

        def inst_stream(c: Any = stream_client, kw: dict[str, Any] = kw) -> None:
            for _ in c.chat.completions.create(**kw):
                pass

        n = stream_n if chunks == 200 else args.n
        results[chunks] = _paired(orig_stream, inst_stream, n, min(args.warmup, 50 if chunks == 200 else 200))
    r200, r2 = results[200], results[2]
    _report("streamed chat, 2 chunks", r2)
    per_chunk_total = r200["diff"] / 200
    marginal = (r200["diff"] - r2["diff"]) / 198
    _report(
        "streamed chat, 200 chunks",
        r200,
        f"\n{'':<44} = {per_chunk_total:.2f} µs per chunk overall, {marginal:.2f} µs marginal per chunk"
        "   budget 3 µs",
    )

    instrumentor.uninstrument()
    os.environ[CONTENT_ENV] = "SPAN_ONLY"
    instrumentor.instrument(**providers)
    for label, messages in (("2 short messages", SHORT), ("20 x 2 KB messages", LONG)):
        token = _unsampled()
        try:
            unsampled = _paired(
                lambda m=messages: original(client.chat.completions, model="gpt-4o-mini", messages=m),
                lambda m=messages: client.chat.completions.create(model="gpt-4o-mini", messages=m),
                args.n,
                args.warmup,
            )
        finally:
            context.detach(token)
        _report(f"unsampled parent, content on, {label}", unsampled, "   budget 15 µs")
    instrumentor.uninstrument()
    os.environ.pop(CONTENT_ENV, None)


if __name__ == "__main__":
    raise SystemExit(main())
