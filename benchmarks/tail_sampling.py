"""The tail sampler's cost: CPU time added per span, and memory per buffered span. Not a test.

    python -m benchmarks tail_sampling [--quick]

An agent run is one trace of five spans with the attributes agent-otel writes (an `invoke_agent` root,
two `chat` calls with usage and cost, two tools). "Added per span": the same run on the full SDK
(BatchSpanProcessor to a null exporter) with and without `TailSamplingSpanProcessor` in front of it,
paired and alternating, CPU time of the process (the exporter thread included: spans the sampler drops
are never batched or exported), median of the paired differences / 5. Cases: 10% kept (the default
ratio), everything kept by ratio (every span copied with its sampling attributes: the worst case), and
every run failing (kept for its error). Memory: tracemalloc growth while 2,000 runs hold 4 finished
spans each in the buffer (their roots still open), per buffered span, and per remembered decision.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode

from agent_otel.telemetry.sampling import TailSamplingPolicy, TailSamplingSpanProcessor
from benchmarks._common import Row, Stats, paired, summary_row

SPANS_PER_RUN = 5
BUDGET_US = 5.0

_CHAT = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.agent.name": "researcher",
    "gen_ai.usage.input_tokens": 412,
    "gen_ai.usage.output_tokens": 57,
    "gen_ai.usage.cost.amount": 0.0000960,
    "gen_ai.usage.cost.currency": "USD",
    "gen_ai.response.finish_reasons": ("tool_call",),
    "server.address": "api.openai.com",
    "server.port": 443,
}
_TOOL = {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": "search",
    "gen_ai.tool.type": "function",
}
_AGENT = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher"}


class _Null(SpanExporter):
    def export(self, spans: Sequence[Any]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _tracer(policy: TailSamplingPolicy | None) -> tuple[trace.Tracer, TracerProvider]:
    provider = TracerProvider()
    exporting = BatchSpanProcessor(_Null(), max_queue_size=200_000)
    provider.add_span_processor(exporting if policy is None else TailSamplingSpanProcessor(exporting, policy))
    return provider.get_tracer("bench"), provider


def _runner(tracer: trace.Tracer, runs: int, fail: bool) -> Callable[[], None]:
    def go() -> None:
        for _ in range(runs):
            with tracer.start_as_current_span("invoke_agent researcher", attributes=_AGENT):
                for name, attrs in (("chat gpt-4o-mini", _CHAT), ("execute_tool search", _TOOL)) * 2:
                    with tracer.start_as_current_span(name, attributes=attrs) as span:
                        if fail and attrs is _TOOL:
                            span.set_status(Status(StatusCode.ERROR))

    return go


def added_per_span(policy: TailSamplingPolicy, fail: bool, pairs: int, runs: int) -> Stats:
    plain, plain_provider = _tracer(None)
    sampled, sampled_provider = _tracer(policy)
    _runner(plain, 200, fail)()
    _runner(sampled, 200, fail)()  # warm up
    result = Stats.of(
        [
            [a / (runs * SPANS_PER_RUN), b / (runs * SPANS_PER_RUN)]
            for a, b in paired(_runner(plain, runs, fail), _runner(sampled, runs, fail), pairs)
        ]
    )
    plain_provider.shutdown()
    sampled_provider.shutdown()
    return result


def memory(runs: int = 2000) -> tuple[float, float]:
    """(bytes per buffered span, bytes per remembered decision)."""
    tracer, provider = _tracer(TailSamplingPolicy(ratio=0.0, max_traces=runs + 1))
    roots = []
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(runs):
        root = tracer.start_span("invoke_agent researcher", attributes=_AGENT)
        with trace.use_span(root):
            for name, attrs in (("chat gpt-4o-mini", _CHAT), ("execute_tool search", _TOOL)) * 2:
                with tracer.start_as_current_span(name, attributes=attrs):
                    pass
        roots.append(root)
    gc.collect()
    per_span = (tracemalloc.get_traced_memory()[0] - before) / (runs * 4)
    for root in roots:
        root.end()  # decided (dropped): buffers freed, decisions remembered
    roots.clear()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    provider.shutdown()
    return per_span, (after - before) / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    pairs, runs = (40, 20) if args.quick else (200, 20)
    cases = [
        ("10% kept (ratio 0.1)", TailSamplingPolicy(ratio=0.1), False),
        ("all kept by ratio (1.0)", TailSamplingPolicy(ratio=1.0), False),
        ("every run failing (kept: error)", TailSamplingPolicy(ratio=0.1), True),
    ]
    typical = None
    for label, policy, fail in cases:
        stats = added_per_span(policy, fail, pairs, runs)
        typical = stats if typical is None else typical
        print(
            f"  {label}: span {stats.base:.2f} µs without, {stats.inst:.2f} µs with; added "
            f"{stats.added:.2f} µs a span (IQR {stats.q1:.2f}..{stats.q3:.2f}, n={stats.n})"
        )
    per_span, per_decision = memory()
    print(f"  memory: {per_span:,.0f} bytes per buffered span, {per_decision:,.0f} bytes per decision kept")
    assert typical is not None
    summary_row(
        Row(
            case="tail sampling, per span added (10% kept)",
            ours=typical.added,
            peer=None,
            peer_name="no in-process peer",
            unit="µs",
            budget=f"≤ {BUDGET_US:g} µs",
            met=typical.added <= BUDGET_US,
        )
    )
    summary_row(
        Row(
            case="tail sampling, memory per buffered span",
            ours=per_span / 1000,
            peer=None,
            peer_name="-",
            unit="kB",
            budget="reported",
            met=None,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
