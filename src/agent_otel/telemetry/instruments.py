"""The tracer, logger and histograms of one `Telemetry`, created once.

Names, units, descriptions and bucket boundaries are those of the GenAI conventions as
opentelemetry-util-genai creates them (so dashboards built on either keep working, and an official
util-genai based instrumentor on the same meter provider lands in the very same metric streams), plus
our cost histogram. tests/telemetry/test_core.py records through both into one stream.
"""

from __future__ import annotations

from typing import Any

from opentelemetry._logs import Logger, get_logger
from opentelemetry.metrics import Histogram, MeterProvider, get_meter
from opentelemetry.trace import Tracer, TracerProvider, get_tracer

from agent_otel.telemetry import semconv as sc
from agent_otel.version import __version__

SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"

DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
COST_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 50.0]
WORKFLOW_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]
AGENT_BUCKETS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6]

# (name, unit, description, buckets)
HISTOGRAMS: dict[str, tuple[str, str, str, list[Any]]] = {
    "duration": (
        "gen_ai.client.operation.duration",
        "s",
        "Duration of GenAI client operation",
        DURATION_BUCKETS,
    ),
    "tokens": (
        "gen_ai.client.token.usage",
        "{token}",
        "Number of input and output tokens used by GenAI clients",
        TOKEN_BUCKETS,
    ),
    "ttfc": (
        "gen_ai.client.operation.time_to_first_chunk",
        "s",
        "Time to receive the first chunk, measured from when the client issues the generation request to "
        "when the first chunk is received in the response stream.",
        DURATION_BUCKETS,
    ),
    "per_chunk": (
        "gen_ai.client.operation.time_per_output_chunk",
        "s",
        "Time per output chunk, recorded for each chunk received after the first one, measured as the time "
        "elapsed from the end of the previous chunk to the end of the current chunk.",
        DURATION_BUCKETS,
    ),
    "tool": (
        "gen_ai.execute_tool.duration",
        "s",
        "Measures the duration of a tool execution.",
        DURATION_BUCKETS,
    ),
    "workflow": (
        "gen_ai.invoke_workflow.duration",
        "s",
        "Measures the duration of a workflow execution.",
        WORKFLOW_BUCKETS,
    ),
    "agent": (
        "gen_ai.invoke_agent.duration",
        "s",
        "Measures the duration of an in-process agent invocation.",
        AGENT_BUCKETS,
    ),
    "cost": (
        sc.METRIC_OPERATION_COST,
        "{USD}",
        "Cost of a GenAI client operation, computed locally from token usage and prices.",
        COST_BUCKETS,
    ),
}


class Instruments:
    """What one `Telemetry` emits through (all under its instrumentation scope)."""

    __slots__ = (
        "agent",
        "cost",
        "duration",
        "logger",
        "per_chunk",
        "tokens",
        "tool",
        "tracer",
        "tracer_provider",
        "ttfc",
        "workflow",
    )

    def __init__(
        self,
        scope_name: str,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: Any | None = None,
    ) -> None:
        self.tracer_provider = tracer_provider
        self.tracer: Tracer = get_tracer(scope_name, __version__, tracer_provider, schema_url=SCHEMA_URL)
        self.logger: Logger = get_logger(scope_name, __version__, logger_provider, schema_url=SCHEMA_URL)
        meter = get_meter(scope_name, __version__, meter_provider=meter_provider, schema_url=SCHEMA_URL)
        made: dict[str, Histogram] = {
            key: meter.create_histogram(
                name=name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
            )
            for key, (name, unit, description, buckets) in HISTOGRAMS.items()
        }
        self.duration = made["duration"]
        self.tokens = made["tokens"]
        self.ttfc = made["ttfc"]
        self.per_chunk = made["per_chunk"]
        self.tool = made["tool"]
        self.workflow = made["workflow"]
        self.agent = made["agent"]
        self.cost = made["cost"]
