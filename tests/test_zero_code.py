"""Zero code changes, and nothing but what the user asked for. test_readme_commands.py runs the README's
`opentelemetry-instrument` commands (console, trace file, OTLP over gRPC and HTTP); here: an app that sets
up its own tracer provider keeps it after our instrumentors' `instrument()`, and we add no exporter.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_otel.testing import FakeOpenAIServer
from zero_code_support import app_env


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


_OWN_PROVIDER_APP = """
from openai import OpenAI
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor

OpenAIInstrumentor().instrument()
LangChainInstrumentor().instrument()

# The app sets up its providers after instrument(): had instrument() installed any, these would be refused.
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
reader = InMemoryMetricReader()
meter_provider = MeterProvider(metric_readers=[reader])
metrics.set_meter_provider(meter_provider)

OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])

assert trace.get_tracer_provider() is provider, trace.get_tracer_provider()
assert metrics.get_meter_provider() is meter_provider, metrics.get_meter_provider()
data = reader.get_metrics_data()
names = {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
print("spans:", [span.name for span in exporter.get_finished_spans()])
print("duration metric:", "gen_ai.client.operation.duration" in names)
"""


def test_instrument_sets_no_provider_so_the_apps_own_are_used(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(_OWN_PROVIDER_APP)
    proc = subprocess.run(
        [sys.executable, "app.py"],
        env=app_env(server),
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == ["spans: ['chat gpt-4o-mini']", "duration metric: True"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]  # no trace file of ours appeared
