"""Overhead of the LangChain/LangGraph instrumentation: `python -m benchmarks.langgraph_overhead`.

The workload is a small LangGraph agent: langchain `create_agent` with a fake chat model that asks for
one tool call and then answers, so one run is 2 model calls + 1 tool call + the agent itself = 4 spans
(`invoke_agent`, 2 x `chat`, `execute_tool`). Nothing leaves the process.

The same agent runs uninstrumented and instrumented, interleaved in blocks (instrument() / uninstrument()
between blocks, the order alternating each round) so machine-load drifts hit both alike. The full SDK
is on: TracerProvider with a BatchSpanProcessor (exporting to a counting null exporter) and a
MeterProvider with a reader. Time is process CPU time (all threads: the span processor's and LangGraph's
tool threads included), which other processes on a busy machine do not inflate; `--clock wall` measures
wall time instead. Reported: medians per run in each mode, the median of the per-round differences, and
that difference divided by the spans one run emits. Budget: 150 us per span (the official
opentelemetry-instrumentation-genai-langchain adds about 300-400 us per span).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

BUDGET_US_PER_SPAN = 150.0


class CountingExporter(SpanExporter):
    """Drops spans, counts them."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.count += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def build_agent() -> Any:
    from langchain.agents import create_agent
    from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.tools import tool

    class ToolCallingFake(FakeMessagesListChatModel):
        model_name: str = "fake-model"

        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

    def reply(content: str, calls: list[dict[str, Any]]) -> AIMessage:
        finish = "tool_calls" if calls else "stop"
        return AIMessage(
            content,
            tool_calls=calls,
            usage_metadata={"input_tokens": 20, "output_tokens": 5, "total_tokens": 25},
            response_metadata={"model_name": "fake-model-001", "finish_reason": finish},
        )

    @tool
    def get_weather(city: str) -> str:
        """Look up the weather in a city."""
        return f"sunny in {city}"

    llm = ToolCallingFake(
        responses=[
            reply("", [{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}]),
            reply("It is sunny in Paris.", []),
        ]
    )
    return create_agent(llm, tools=[get_weather], name="weather")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds (default 40)")
    parser.add_argument("--block", type=int, default=25, help="runs per mode per round (default 25)")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.simplefilter("ignore")

    from langchain_core.messages import HumanMessage

    from agent_otel.instrumentation.langchain import LangChainInstrumentor

    exporter = CountingExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=100_000))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    instrumentor = LangChainInstrumentor()
    agent = build_agent()
    payload = {"messages": [HumanMessage("What is the weather in Paris?")]}

    def run_block(n: int) -> list[float]:
        out = []
        for _ in range(n):
            start = clock()
            agent.invoke(payload)
            out.append(clock() - start)
        return out

    def instrument() -> None:
        instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)

    # Warm up both modes, then count the spans of one instrumented run.
    run_block(args.warmup)
    instrument()
    run_block(args.warmup)
    tracer_provider.force_flush()
    before = exporter.count
    run_block(10)
    tracer_provider.force_flush()
    spans_per_run = (exporter.count - before) / 10
    instrumentor.uninstrument()

    plain: list[float] = []
    traced: list[float] = []
    differences: list[float] = []
    for round_ in range(args.rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        medians = {}
        for on in order:
            if on:
                instrument()
            times = run_block(args.block)
            if on:
                instrumentor.uninstrument()
            (traced if on else plain).extend(times)
            medians[on] = statistics.median(times)
        differences.append(medians[True] - medians[False])
    tracer_provider.force_flush()

    base = statistics.median(plain) * 1e6
    inst = statistics.median(traced) * 1e6
    added = statistics.median(differences) * 1e6
    per_span = added / spans_per_run if spans_per_run else float("nan")
    print("LangGraph create_agent run (2 model calls, 1 tool call), full SDK, BatchSpanProcessor")
    print(f"  clock                    {'process CPU time' if args.clock == 'cpu' else 'wall time'}")
    print(f"  rounds x block           {args.rounds} x {args.block} runs per mode, interleaved")
    print(f"  spans per run            {spans_per_run:g}")
    print(f"  uninstrumented, median   {base:9.1f} us/run")
    print(f"  instrumented, median     {inst:9.1f} us/run")
    print(f"  added, median of rounds  {added:9.1f} us/run ({added / base * 100:.1f}%)")
    print(f"  added per span           {per_span:9.1f} us   (budget {BUDGET_US_PER_SPAN:.0f} us)")
    tracer_provider.shutdown()
    meter_provider.shutdown()
    return 0 if per_span <= BUDGET_US_PER_SPAN else 1


if __name__ == "__main__":
    raise SystemExit(main())
