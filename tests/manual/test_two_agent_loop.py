"""A hand-written two-agent loop on the manual API: one trace, the expected tree, agent names, cost sums.

A "supervisor" agent asks its model what to do, calls the tool `ask_researcher`, which runs a
"researcher" agent (its own model calls and a `web_search` tool), then answers. The model is a
scripted fake that reports usage as OpenAI does; only its usage is recorded (`manual.inference`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from agent_otel import manual, threads
from agent_otel.testing.trees import tree


@dataclass
class Reply:
    text: str
    tool: str | None
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


SUPERVISOR_MODEL = "gpt-4o"  # 2.50 input, 1.25 cached input, 10.00 output per 1M tokens
RESEARCHER_MODEL = "gpt-4o-mini"  # 0.15 input, 0.60 output
SCRIPT = {
    "supervisor": [
        Reply("", "ask_researcher", 1200, 50, cached_tokens=1000),  # 200*2.5 + 1000*1.25 + 50*10 = 2250 µ$
        Reply("final answer", None, 1500, 200, cached_tokens=1024),  # 476*2.5 + 1024*1.25 + 200*10 = 4470 µ$
    ],
    "researcher": [
        Reply("", "web_search", 800, 60),  # 800*0.15 + 60*0.6 = 156 µ$
        Reply("findings", None, 1400, 300),  # 1400*0.15 + 300*0.6 = 390 µ$
    ],
}
RESEARCHER_COST = 0.000546
TOTAL_COST = 0.007266

EXPECTED_TREE = [
    (0, "invoke_workflow team"),
    (1, "invoke_agent supervisor"),
    (2, "chat gpt-4o"),
    (2, "execute_tool ask_researcher"),
    (3, "invoke_agent researcher"),
    (4, "chat gpt-4o-mini"),
    (4, "execute_tool web_search"),
    (4, "chat gpt-4o-mini"),
    (2, "chat gpt-4o"),
]


class FakeModel:
    """Stands in for the remote LLM only: scripted replies per agent."""

    def __init__(self) -> None:
        self.turns = {name: iter(replies) for name, replies in SCRIPT.items()}

    def complete(self, agent: str, model: str) -> Reply:
        with manual.inference("openai", model) as call:
            reply = next(self.turns[agent])
            call.record_usage(
                reply.input_tokens, reply.output_tokens, cache_read_input_tokens=reply.cached_tokens
            )
            call.set_response(
                model=f"{model}-2024-08-06", finish_reasons=["tool_calls" if reply.tool else "stop"]
            )
        return reply


@pytest.fixture
def model() -> FakeModel:
    return FakeModel()


def run_sync(model: FakeModel) -> str:
    @manual.tool
    def web_search(query: str) -> str:
        return f"results for {query}"

    @manual.agent("researcher")
    def researcher(question: str) -> str:
        while True:
            reply = model.complete("researcher", RESEARCHER_MODEL)
            if reply.tool is None:
                return reply.text
            web_search(question)

    @manual.tool
    def ask_researcher(question: str) -> str:
        return researcher(question)

    @manual.agent("supervisor")
    def supervisor(task: str) -> str:
        while True:
            reply = model.complete("supervisor", SUPERVISOR_MODEL)
            if reply.tool is None:
                return reply.text
            ask_researcher(task)

    with manual.workflow("team"):
        return supervisor("what is otel?")


def check(otel: Any) -> None:
    spans = otel.spans()
    assert tree(spans) == EXPECTED_TREE
    assert len({s.context.trace_id for s in spans}) == 1
    by_name: dict[str, list[Any]] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)

    # Agent names: the nearest agent, on every span beneath it.
    for span in by_name["chat gpt-4o"] + by_name["execute_tool ask_researcher"]:
        assert span.attributes["gen_ai.agent.name"] == "supervisor", span.name
    for span in by_name["chat gpt-4o-mini"] + by_name["execute_tool web_search"]:
        assert span.attributes["gen_ai.agent.name"] == "researcher", span.name
    assert "gen_ai.agent.name" not in by_name["invoke_workflow team"][0].attributes

    # Cost on every chat span, hand-computed.
    costs = sorted(s.attributes["gen_ai.usage.cost.amount"] for s in spans if s.name.startswith("chat "))
    assert costs == pytest.approx([0.000156, 0.00039, 0.00225, 0.00447], abs=1e-12)

    # Totals: the researcher's own, the supervisor's and the workflow's include everything beneath.
    researcher = by_name["invoke_agent researcher"][0].attributes
    assert researcher["agent_otel.usage.cost.total_amount"] == pytest.approx(RESEARCHER_COST, abs=1e-12)
    assert (researcher["gen_ai.usage.input_tokens"], researcher["gen_ai.usage.output_tokens"]) == (2200, 360)
    for name in ("invoke_agent supervisor", "invoke_workflow team"):
        attrs = by_name[name][0].attributes
        assert attrs["agent_otel.usage.cost.total_amount"] == pytest.approx(TOTAL_COST, abs=1e-12)
        assert attrs["agent_otel.usage.cost.currency"] == "USD"
        assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (4900, 610)
        assert "gen_ai.usage.cost.amount" not in attrs

    # Backends summing the inference attribute get the same total, once.
    assert sum(s.attributes.get("gen_ai.usage.cost.amount", 0.0) for s in spans) == pytest.approx(TOTAL_COST)
    cost_metric = otel.metrics()["gen_ai.client.operation.cost"]
    assert sum(p.sum for p in cost_metric) == pytest.approx(TOTAL_COST)
    assert sum(p.count for p in cost_metric) == 4


def test_sync_two_agent_loop(tel: Any, model: FakeModel) -> None:
    assert run_sync(model) == "final answer"
    check(tel)


@pytest.fixture
def thread_propagation() -> Iterator[None]:
    threads.install()
    yield
    threads.uninstall()


async def test_async_loop_with_the_researcher_in_a_thread_pool(
    tel: Any, model: FakeModel, thread_propagation: None
) -> None:
    """The same tree when the tool hands the (sync) researcher to a thread pool."""

    @manual.tool
    def web_search(query: str) -> str:
        return f"results for {query}"

    @manual.agent("researcher")
    def researcher(question: str) -> str:
        while True:
            reply = model.complete("researcher", RESEARCHER_MODEL)
            if reply.tool is None:
                return reply.text
            web_search(question)

    @manual.tool
    async def ask_researcher(question: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, researcher, question)

    @manual.agent("supervisor")
    async def supervisor(task: str) -> str:
        while True:
            reply = model.complete("supervisor", SUPERVISOR_MODEL)
            if reply.tool is None:
                return reply.text
            await ask_researcher(task)

    async with manual.workflow("team"):
        assert await supervisor("what is otel?") == "final answer"
    check(tel)
