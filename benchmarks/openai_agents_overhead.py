"""Overhead of the OpenAI Agents SDK instrumentation: `python -m benchmarks.openai_agents_overhead`.

The workload is one `Runner.run` of an agent with one function tool, on an in-process model (an
`agents.Model` that asks for the tool and then answers: no HTTP, so the SDK's own work is the baseline),
with the SDK's trace export off (`set_trace_processors([])`, tracing itself on). Both instrumentations
turn the run into the same 3 spans: `invoke_workflow`, `invoke_agent`, `execute_tool` (model calls are
the openai instrumentor's, not exercised here).

Modes, interleaved in blocks (instrument() / uninstrument() between blocks, the order rotating each
round) so machine-load drifts hit all modes alike:

- uninstrumented (the SDK still runs its own tracing, with no processor);
- `agent-otel, no-op providers`: our processor and patches with the API's no-op providers;
- `agent-otel, full SDK`: TracerProvider + BatchSpanProcessor to a counting null exporter, MeterProvider
  with a reader. The budget applies to this one;
- `official, full SDK`: opentelemetry-instrumentation-genai-openai-agents (requirements/bench.txt) on the
  same SDK, when importable.

Time is process CPU time (`--clock wall` for wall time). Reported: the median per run in each mode, the
median of the per-round differences to the uninstrumented mode, and that divided by the spans one run
emits. Budget: agent-otel's added us per span at most the official one's (1x), in the same run, although
ours does more per span (call ids, descriptions, handoffs, guardrails, token and cost roll-ups).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from benchmarks._common import Row, summary_row
from benchmarks.langgraph_overhead import CountingExporter

BUDGET_RATIO = 1.0
OURS = "agent-otel, full SDK"
OFFICIAL = "official, full SDK"

Mode = tuple[Callable[[], None], Callable[[], None]]


def build_agent() -> Any:
    from agents import Agent, Model, ModelResponse, Usage, function_tool
    from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

    class InProcessModel(Model):  # type: ignore[misc]
        """Asks for `get_weather` once, then answers with its output."""

        async def get_response(self, system_instructions: Any, input: Any, *args: Any, **kw: Any) -> Any:
            answered = isinstance(input, list) and any(
                (item.get("type") if isinstance(item, dict) else None) == "function_call_output"
                for item in input
            )
            usage = Usage(requests=1, input_tokens=20, output_tokens=5, total_tokens=25)
            if not answered:
                call = ResponseFunctionToolCall(
                    type="function_call", id="fc_1", call_id="call_1", name="get_weather",
                    arguments='{"city": "Paris"}',
                )  # fmt: skip
                return ModelResponse(output=[call], usage=usage, response_id=None)
            text = ResponseOutputText(type="output_text", text="It is sunny in Paris.", annotations=[])
            message = ResponseOutputMessage(
                type="message", id="msg_1", role="assistant", status="completed", content=[text]
            )
            return ModelResponse(output=[message], usage=usage, response_id=None)

        def stream_response(self, *args: Any, **kw: Any) -> Any:
            raise NotImplementedError

    @function_tool
    def get_weather(city: str) -> str:
        """Look up the weather in a city."""
        return f"sunny in {city}"

    return Agent(
        name="weather", instructions="Answer with the weather.", tools=[get_weather], model=InProcessModel()
    )


def modes() -> tuple[dict[str, Mode], TracerProvider, CountingExporter, list[Any]]:
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.trace import NoOpTracerProvider

    from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor

    exporter = CountingExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=100_000))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    sdk = {"tracer_provider": tracer_provider, "meter_provider": meter_provider}
    ours = OpenAIAgentsInstrumentor()

    def nothing() -> None:
        pass

    out: dict[str, Mode] = {
        "uninstrumented": (nothing, nothing),
        "agent-otel, no-op providers": (
            lambda: ours.instrument(tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider()),
            ours.uninstrument,
        ),
        OURS: (lambda: ours.instrument(**sdk), ours.uninstrument),
    }
    try:
        from opentelemetry.instrumentation.genai.openai_agents import OpenAIAgentsInstrumentor as Official
    except ImportError:
        Official = None
    if Official is not None:
        official = Official()
        out[OFFICIAL] = (lambda: official.instrument(**sdk, skip_dep_check=True), official.uninstrument)
    return out, tracer_provider, exporter, [tracer_provider, meter_provider]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 40, quick 10)")
    parser.add_argument("--block", type=int, default=None, help="runs per mode per round (25, quick 15)")
    parser.add_argument("--warmup", type=int, default=None, help="runs per mode before measuring (60)")
    parser.add_argument("--quick", action="store_true", help="a short run (noisier)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (10 if args.quick else 40)
    args.block = args.block or (15 if args.quick else 25)
    args.warmup = args.warmup or (20 if args.quick else 60)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.simplefilter("ignore")

    from agents import Runner, set_trace_processors

    set_trace_processors([])  # the SDK's export off, its tracing on
    agent = build_agent()
    all_modes, tracer_provider, exporter, providers = modes()
    loop = asyncio.new_event_loop()

    async def block(n: int) -> list[float]:
        out = []
        for _ in range(n):
            start = clock()
            await Runner.run(agent, "What is the weather in Paris?")
            out.append(clock() - start)
        return out

    def run_block(n: int) -> list[float]:
        return loop.run_until_complete(block(n))

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
            measured = run_block(args.block)
            off()
            times[name].extend(measured)
            round_medians[name].append(statistics.median(measured))
    loop.close()

    base = statistics.median(times["uninstrumented"]) * 1e6
    clock_name = "process CPU time" if args.clock == "cpu" else "wall time"
    python = sys.version.split()[0]
    print(f"OpenAI Agents SDK run: 2 in-process model calls + 1 tool call ({clock_name}, Python {python})")
    print(f"{args.rounds} rounds x {args.block} runs per mode, interleaved\n")
    print(f"  {'mode':<30} {'us/run':>9} {'added':>9} {'spans':>6} {'added/span':>11}")
    per_span: dict[str, float] = {}
    for name in names:
        median = statistics.median(times[name]) * 1e6
        added = 1e6 * statistics.median(
            [m - b for m, b in zip(round_medians[name], round_medians["uninstrumented"], strict=True)]
        )
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
        Row(
            "Agents SDK run, per span",
            ours,
            peer,
            "genai-openai-agents",
            "µs",
            f"<= {BUDGET_RATIO}x peer",
            met,
        )
    )
    for provider in providers:
        provider.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
