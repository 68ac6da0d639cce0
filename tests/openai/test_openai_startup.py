"""Start-up: instrument() imports nothing from openai; each patched module is patched when first imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from agent_otel.instrumentation.openai import OpenAIInstrumentor

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    inst = OpenAIInstrumentor()
    inst.instrument(tracer_provider=provider)
    assert not [m for m in sys.modules if m.split(".")[0] == "openai"], "instrument() imported openai"
    assert inst.patched == []

    import openai
    from agent_otel.testing import mock_transport_handler
    assert "openai._base_client:BaseClient._calculate_retry_timeout" in inst.patched
    # openai >= 2 imports its resources lazily (1.x imports them with the client): patched as imported.
    lazy = "openai.resources.embeddings" not in sys.modules
    assert any("embeddings" in p for p in inst.patched) is not lazy

    lib = __import__("openai._base_client", fromlist=["x"])
    http = getattr(lib, "httpx2", None) or lib.httpx
    client = openai.OpenAI(base_url="http://mock.local/v1", api_key="k",
                           http_client=http.Client(transport=http.MockTransport(mock_transport_handler())))
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert [s.name for s in exporter.get_finished_spans()] == ["chat m"]
    assert "openai.resources.chat.completions:Completions.create" in inst.patched
    client.embeddings.create(model="e", input="x")
    assert "openai.resources.embeddings:Embeddings.create" in inst.patched
    assert [s.name for s in exporter.get_finished_spans()] == ["chat m", "embeddings e"]
    inst.uninstrument()
    assert inst.patched == []
    print("ok")
    """
)


def test_instrument_before_openai_is_imported_patches_lazily() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
