"""Zero code: the real `opentelemetry-instrument` on an app that calls Claude through the raw client and
through `ChatAnthropic` (the langchain-anthropic module is in the latest cell only, like
test_anthropic_langchain.py): one span per call, anthropic's own spans replaced."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from zero_code_support import app_env, console_objects

APP = """
import anthropic
from langchain_anthropic import ChatAnthropic

HI = [{"role": "user", "content": "hi"}]
client = anthropic.Anthropic()
client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=HI)
with client.messages.stream(model="claude-haiku-4-5", max_tokens=64, messages=HI) as s:
    s.get_final_message()
print("langchain:", ChatAnthropic(model="claude-opus-4-5", max_retries=0).invoke("hi").content)
"""


def test_opentelemetry_instrument_traces_the_raw_client_and_chat_anthropic(
    server: Any, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(APP)
    instrument = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    assert instrument is not None
    env = app_env(
        server,
        ANTHROPIC_BASE_URL=server.base_url,
        ANTHROPIC_API_KEY="test-key-123456",
        OTEL_TRACES_EXPORTER="console",
        OTEL_METRICS_EXPORTER="none",
        OTEL_LOGS_EXPORTER="none",
        OTEL_SERVICE_NAME="claude-app",
    )
    proc = subprocess.run(
        [instrument, sys.executable, "app.py"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "langchain: Echo: hi" in proc.stdout
    spans = [o for o in console_objects(proc.stdout) if "span_id" in o.get("context", {})]
    names = sorted(s["name"] for s in spans)
    assert names == ["chat claude-haiku-4-5", "chat claude-opus-4-5", "chat claude-sonnet-4-5"], names
    for span in spans:
        assert span["kind"] == "SpanKind.CLIENT"
        assert span["attributes"]["gen_ai.provider.name"] == "anthropic"
        assert span["attributes"]["gen_ai.usage.input_tokens"] == 12
    stream = next(s for s in spans if s["name"] == "chat claude-haiku-4-5")
    assert stream["attributes"]["gen_ai.request.stream"] is True
