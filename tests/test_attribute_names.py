"""Every attribute name agent-otel emits is a GenAI/OpenTelemetry semantic-convention name, or one that the
README documents as ours (its "Attributes that are ours" table): on spans, span events, links, metric
points and log records, across every instrumentor and the manual API, with content capture on and
LangGraph node spans on so that the optional attributes appear too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes, openai_attributes
from opentelemetry.semconv.attributes import error_attributes, exception_attributes, server_attributes

from agent_otel import manual
from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.propagation import inject_context, linked_span
from agent_otel.telemetry import semconv
from agent_otel.testing import FakeOpenAIServer, Reply, chat_chunks

README = Path(__file__).resolve().parents[1] / "README.md"


def _constants(*modules: Any) -> set[str]:
    return {v for m in modules for k, v in vars(m).items() if k.isupper() and isinstance(v, str)}


SEMCONV = (
    _constants(
        gen_ai_attributes, openai_attributes, error_attributes, exception_attributes, server_attributes
    )
    | semconv.SPEC_NAMES_NOT_IN_PYTHON_PACKAGE
)
SEMCONV_PREFIXES = ("gen_ai.prompt.variable.",)


def documented_as_ours() -> set[str]:
    """The backticked `agent_otel.*` names in the README's "Attributes that are ours" section."""
    text = README.read_text("utf-8")
    section = text.split("## Attributes that are ours", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(agent_otel\.[a-z0-9_.]+)`", section))


def emitted(otel: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"span": set(), "event": set(), "link": set(), "metric": set(), "log": set()}
    for span in otel.spans():
        out["span"].update(span.attributes or {})
        for event in span.events:
            out["event"].update(event.attributes or {})
        for link in span.links:
            out["link"].update(link.attributes or {})
    for points in otel.metrics().values():
        for point in points:
            out["metric"].update(point.attributes or {})
    for log in otel.logs():
        record = getattr(log, "log_record", log)
        out["log"].update(record.attributes or {})
    return out


@pytest.fixture
def everything(otel: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_AND_EVENT")
    monkeypatch.setenv("AGENT_OTEL_LANGGRAPH_NODE_SPANS", "true")
    from agent_otel.cli.demo_script import DemoScript

    with FakeOpenAIServer(responder=DemoScript(latency=0.0)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "x")
        oi, li = OpenAIInstrumentor(), LangChainInstrumentor()
        oi.instrument(**otel.providers)
        li.instrument(**otel.providers)
        manual.configure(**otel.providers)
        try:
            yield server
        finally:
            li.uninstrument()
            oi.uninstrument()
            manual.reset()


def drive_everything(server: FakeOpenAIServer) -> None:
    from langchain_core.messages import HumanMessage

    from agent_otel.cli.demo_app import QUESTION, build_app

    build_app().invoke({"messages": [HumanMessage(QUESTION)]})  # agents, handoffs, tools, nodes, errors

    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=2)
    user = [{"role": "user", "content": "hi"}]
    server.enqueue(Reply.error(429, "slow down", type="rate_limit", retry_after_ms=1))
    client.chat.completions.create(model="gpt-4o-mini", messages=user, temperature=0.1, seed=1)  # retried
    server.enqueue(Reply.sse(chat_chunks("a b c", include_usage=True)))
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=user, stream=True):
        pass
    response = client.responses.create(model="gpt-4o-mini", input="hi", instructions="be brief")
    client.responses.retrieve(response.id)
    client.embeddings.create(model="text-embedding-3-small", input="hi")
    client.completions.create(model="gpt-3.5-turbo-instruct", prompt="hi")
    server.enqueue(Reply.error(400, "bad model", type="invalid_request_error", code="bad_model"))
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="nope", messages=user)

    @manual.tool
    def lookup(q: str) -> str:
        return q.upper()

    with manual.workflow("manual-flow"), manual.agent("hand-written"):
        lookup("x")
        manual.record_inference("openai", "gpt-4o-mini", input_tokens=10, output_tokens=2)
        carrier = inject_context()
    with linked_span(carrier, "archive"):
        pass


def test_every_emitted_attribute_is_semconv_or_documented(otel: Any, everything: FakeOpenAIServer) -> None:
    drive_everything(everything)
    ours = documented_as_ours()
    names = emitted(otel)
    assert len(names["span"]) > 40, "the scenarios must exercise the instrumentation broadly"
    assert {"gen_ai.usage.cost.amount", "agent_otel.handoff.target", "agent_otel.retry.count"} <= names[
        "span"
    ]
    undocumented = {
        f"{where}: {name}"
        for where, found in names.items()
        for name in found
        if name not in SEMCONV and name not in ours and not name.startswith(SEMCONV_PREFIXES)
    }
    assert undocumented == set(), "emitted but neither semconv nor in the README's table of our attributes"


def test_every_name_of_ours_in_the_code_is_documented() -> None:
    ours = documented_as_ours()
    in_code = {v for k, v in vars(semconv).items() if k.startswith("AGENT_OTEL_") and isinstance(v, str)}
    assert in_code - ours == set(), "add these to the README's 'Attributes that are ours' table"
    assert ours - in_code == set(), "the README documents names the code no longer defines"
