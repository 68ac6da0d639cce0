"""Zero code: an OpenAI Agents SDK app with no tracing code, under the real `opentelemetry-instrument`
(entry points `agent_otel_openai` and `agent_otel_openai_agents`), gives one trace: workflow > agents >
chat and tool spans, with the agent names on the chat spans. Also with the official openai-agents
instrumentor enabled beside ours (entry-point order is not ours to choose): no duplicates. The SDK's own
export stays configured (it finds no `OPENAI_API_KEY` and skips: nothing leaves the machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from agents_support import HANDOFF_TREE
from apps import handoff_app
from openai import AsyncOpenAI

from agent_otel.testing import FakeOpenAIServer
from zero_code_support import app_env

APP = """
import asyncio

from agents import Agent, ModelSettings, RunConfig, Runner, function_tool, handoff
from agents import set_default_openai_api, set_default_openai_client
from openai import AsyncOpenAI

set_default_openai_client(AsyncOpenAI(api_key="test-key", max_retries=0), use_for_tracing=False)
set_default_openai_api("chat_completions")


@function_tool
def get_weather(city: str) -> str:
    \"\"\"Get the current weather for a city.\"\"\"
    return f"sunny, 25C in {city}"


settings = ModelSettings(include_usage=True)
spanish_agent = Agent(
    name="Spanish agent", instructions="[spanish] You only speak Spanish.", tools=[get_weather],
    model="gpt-4o-mini", model_settings=settings,
)
triage_agent = Agent(
    name="Triage agent", instructions="[triage] Handoff to the appropriate agent.",
    handoffs=[handoff(spanish_agent)], model="gpt-4o-mini", model_settings=settings,
)
config = RunConfig(workflow_name="Customer service", group_id="conv-42")
result = asyncio.run(Runner.run(triage_agent, "Hola, ¿qué tiempo hace en Madrid?", run_config=config))
print(result.final_output)
"""


def _spans(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        for resource in json.loads(line)["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                for span in scope["spans"]:
                    out.append({**span, "scope": scope["scope"]["name"]})
    return out


def _tree(spans: list[dict[str, Any]]) -> list[tuple[int, str]]:
    ids = {s["spanId"] for s in spans}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for s in sorted(spans, key=lambda s: int(s["startTimeUnixNano"])):
        parent = s.get("parentSpanId") or None
        children.setdefault(parent if parent in ids else None, []).append(s)
    out: list[tuple[int, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for s in children.get(parent, []):
            out.append((depth, s["name"]))
            walk(s["spanId"], depth + 1)

    walk(None, 0)
    return out


@pytest.mark.parametrize("official", ["official_off", "official_on"])
def test_unchanged_agents_app_under_opentelemetry_instrument_gives_one_trace(
    server: FakeOpenAIServer, tmp_path: Path, official: str
) -> None:
    server.responder = handoff_app("chat", AsyncOpenAI(base_url=server.base_url, api_key="x")).responder
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    env = app_env(server, AGENT_OTEL_JSONL_PATH=str(tmp_path / "spans.jsonl"))
    env.pop("OPENAI_API_KEY")  # the app passes its key to its client; the SDK's export finds none
    if official == "official_on":
        disabled = env.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "").split(",")
        env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = ",".join(n for n in disabled if n != "openai_agents")
    instrument = Path(sys.executable).parent / "opentelemetry-instrument"
    command = [str(instrument), "--traces_exporter", "agent_otel_jsonl", "--metrics_exporter", "none"]
    proc = subprocess.run(
        [*command, "--logs_exporter", "none", sys.executable, "app.py"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "¡Hola! El tiempo: sunny, 25C in Madrid"
    spans = _spans(tmp_path / "spans.jsonl")
    assert _tree(spans) == HANDOFF_TREE
    assert len({s["traceId"] for s in spans}) == 1
    chats = [s for s in spans if s["name"] == "chat gpt-4o-mini"]
    agents = sorted(
        a["value"]["stringValue"] for s in chats for a in s["attributes"] if a["key"] == "gen_ai.agent.name"
    )
    assert agents == ["Spanish agent", "Spanish agent", "Triage agent"]
    assert "Traceback" not in proc.stderr
