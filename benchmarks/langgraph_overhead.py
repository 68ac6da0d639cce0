"""Overhead of the LangChain/LangGraph instrumentation: `python -m benchmarks.langgraph_overhead`.

The workload is a small LangGraph agent: langchain `create_agent` with a fake chat model that asks for
one tool call and then answers, so one run is 2 model calls + 1 tool call + the agent itself = 4 spans
(`invoke_agent`, 2 x `chat`, `execute_tool`). Nothing leaves the process.

The agent runs in several modes, interleaved in blocks (instrument() / uninstrument() between blocks, the
order rotating each round) so machine-load drifts hit all modes alike:

- uninstrumented;
- `callbacks only`: a do-nothing LangChain callback handler injected the same way as ours: the cost of
  LangChain's own callback dispatch, which any callback-based instrumentation pays;
- `agent-otel, no-op providers`: our instrumentation with the OpenTelemetry API's no-op tracer and meter
  providers: our adapter's own cost (callbacks, run bookkeeping, context activation), no telemetry;
- `agent-otel, full SDK`: TracerProvider with a BatchSpanProcessor (exporting to a counting null
  exporter) and a MeterProvider with a reader. This is the one the budget applies to;
- `official, full SDK`: opentelemetry-instrumentation-genai-langchain (requirements/bench.txt) on the
  same SDK, when it is importable (`--official-path DIR` adds a `pip install --target DIR` copy to the
  namespace package).

Time is process CPU time (all threads: the span processor's and LangGraph's tool threads included), which
other processes on a busy machine do not inflate; `--clock wall` measures wall time instead. Reported:
the median per run in each mode, the median of the per-round differences to the uninstrumented mode,
and that difference divided by the spans one run emits. Budget (issue 9): agent-otel's added us per span
at most 0.5x the official instrumentor's, in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from benchmarks._common import Row, summary_row

BUDGET_RATIO = 0.5
OURS = "agent-otel, full SDK"
OFFICIAL = "official, full SDK"


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


Mode = tuple[Callable[[], None], Callable[[], None]]


def modes(official_path: str | None) -> tuple[dict[str, Mode], TracerProvider, CountingExporter, list[Any]]:
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.tracers import context as tracer_context
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.trace import NoOpTracerProvider

    from agent_otel.instrumentation.langchain import LangChainInstrumentor

    exporter = CountingExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=100_000))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    sdk = {"tracer_provider": tracer_provider, "meter_provider": meter_provider}
    ours = LangChainInstrumentor()

    class DoNothing(BaseCallbackHandler):
        run_inline = True

    do_nothing = DoNothing()
    hook: ContextVar[Any] = ContextVar("benchmark_do_nothing", default=do_nothing)

    def nothing() -> None:
        pass

    def hook_on() -> None:
        tracer_context.register_configure_hook(hook, True)

    def hook_off() -> None:
        tracer_context._configure_hooks[:] = [h for h in tracer_context._configure_hooks if h[0] is not hook]

    out: dict[str, Mode] = {
        "uninstrumented": (nothing, nothing),
        "callbacks only": (hook_on, hook_off),
        "agent-otel, no-op providers": (
            lambda: ours.instrument(tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider()),
            ours.uninstrument,
        ),
        "agent-otel, full SDK": (lambda: ours.instrument(**sdk), ours.uninstrument),
    }
    providers = [tracer_provider, meter_provider]
    official = _official(official_path)
    if official is not None:
        out[OFFICIAL] = (
            lambda: official.instrument(**sdk, skip_dep_check=True),
            official.uninstrument,
        )
    return out, tracer_provider, exporter, providers


def _official(path: str | None) -> Any:
    try:
        if path:
            import opentelemetry.instrumentation.genai as genai_namespace

            genai_namespace.__path__.append(f"{path}/opentelemetry/instrumentation/genai")
        from opentelemetry.instrumentation.genai.langchain import LangChainInstrumentor as Official
    except ImportError:
        return None
    return Official()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 40, quick 10)")
    parser.add_argument("--block", type=int, default=None, help="runs per mode per round (25, quick 15)")
    parser.add_argument("--warmup", type=int, default=None, help="runs per mode before measuring (60)")
    parser.add_argument("--quick", action="store_true", help="a short run (noisier)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--official-path", help="a `pip install --target` dir of the official package")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (10 if args.quick else 40)
    args.block = args.block or (15 if args.quick else 25)
    args.warmup = args.warmup or (20 if args.quick else 60)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.simplefilter("ignore")

    from langchain_core.messages import HumanMessage

    agent = build_agent()
    payload = {"messages": [HumanMessage("What is the weather in Paris?")]}
    all_modes, tracer_provider, exporter, providers = modes(args.official_path)

    def run_block(n: int) -> list[float]:
        out = []
        for _ in range(n):
            start = clock()
            agent.invoke(payload)
            out.append(clock() - start)
        return out

    spans_per_run: dict[str, float] = {}
    for name, (on, off) in all_modes.items():
        on()
        run_block(args.warmup)
        tracer_provider.force_flush()
        before = exporter.count
        run_block(10)
        tracer_provider.force_flush()
        spans_per_run[name] = (exporter.count - before) / 10
        off()

    names = list(all_modes)
    times: dict[str, list[float]] = {name: [] for name in names}
    round_medians: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            on, off = all_modes[name]
            on()
            block = run_block(args.block)
            off()
            times[name].extend(block)
            round_medians[name].append(statistics.median(block))

    base = statistics.median(times["uninstrumented"]) * 1e6
    clock_name = "process CPU time" if args.clock == "cpu" else "wall time"
    python = sys.version.split()[0]
    print(f"LangGraph create_agent run: 2 model calls + 1 tool call ({clock_name}, Python {python})")
    print(f"{args.rounds} rounds x {args.block} runs per mode, interleaved\n")
    print(f"  {'mode':<30} {'us/run':>9} {'added':>9} {'spans':>6} {'added/span':>11}")
    per_span: dict[str, float] = {}
    for name in names:
        median = statistics.median(times[name]) * 1e6
        added = statistics.median(
            [m - b for m, b in zip(round_medians[name], round_medians["uninstrumented"], strict=True)]
        )
        added *= 1e6
        spans = spans_per_run[name]
        if spans:
            per_span[name] = added / spans
        shown = f"{added / spans:9.1f}us" if spans else f"{'-':>11}"
        print(f"  {name:<30} {median:9.1f} {added:+9.1f} {spans:6g} {shown}")
    ours, peer = per_span.get(OURS), per_span.get(OFFICIAL)
    if ours is not None:
        print(f"\nagent-otel adds {ours * spans_per_run[OURS] / base * 100:.1f}% to an uninstrumented run")
    met = None if ours is None or peer is None else ours <= BUDGET_RATIO * peer
    summary_row(
        Row("LangGraph run, per span", ours, peer, "genai-langchain", "µs", f"<= {BUDGET_RATIO}x peer", met)
    )
    for provider in providers:
        provider.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
