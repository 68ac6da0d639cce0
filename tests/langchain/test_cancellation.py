"""A cancelled asyncio task running a LangChain model or a LangGraph agent: every span open at that moment
ends, ERROR with `error.type` `asyncio.exceptions.CancelledError` (the spelling the OpenAI instrumentor
gives a cancelled call), and the cancellation reaches the caller unchanged. LangChain reports no error to
callbacks for a model call cancelled under its `asyncio.gather`, nor for a cancelled retriever."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import START, MessagesState, StateGraph
from lc_support import ai, attrs, bad_logs, model, tree
from opentelemetry.trace import StatusCode

from agent_otel.instrumentation.openai import OpenAIInstrumentor
from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.openai_server import RecordedRequest, Reply

CANCELLED = "asyncio.exceptions.CancelledError"
PAYLOAD = {"messages": [HumanMessage("go")]}


class Stuck(FakeMessagesListChatModel):
    """A chat model whose call never returns; `started` is set once it is under way."""

    model_name: str = "stuck-model"
    started: Any = None

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        self.started.set()
        await asyncio.Event().wait()


async def cancel_when(started: Any, work: Any) -> None:
    """Run `work` in a task, cancel it once `started` is set; the caller sees the CancelledError."""
    task = asyncio.ensure_future(work)
    if isinstance(started, asyncio.Event):
        await started.wait()
    else:
        await asyncio.get_running_loop().run_in_executor(None, started.wait)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def assert_all_cancelled(spans: list[Any]) -> None:
    for span in spans:
        assert span.status.status_code is StatusCode.ERROR, span.name
        assert attrs(span)["error.type"] == CANCELLED, span.name


def test_cancelled_model_call_fails_chat_and_agent_spans(otel: Any, lc: Any, caplog: Any) -> None:
    async def go() -> None:
        stuck = Stuck(responses=[AIMessage("never")], started=asyncio.Event())
        await cancel_when(stuck.started, create_agent(stuck, name="waiter").ainvoke(PAYLOAD))

    asyncio.run(go())
    spans = otel.spans()
    assert tree(spans) == [(0, "invoke_agent waiter"), (1, "chat stuck-model")]
    assert_all_cancelled(spans)
    assert len(lc.handler.runs) == 0
    assert bad_logs(caplog) == []


def test_cancelled_bare_model_call_ends_its_span(otel: Any, lc: Any) -> None:
    async def go() -> None:
        stuck = Stuck(responses=[AIMessage("never")], started=asyncio.Event())
        await cancel_when(stuck.started, stuck.ainvoke("hi"))

    asyncio.run(go())
    assert [s.name for s in otel.spans()] == ["chat stuck-model"]
    assert_all_cancelled(otel.spans())
    assert len(lc.handler.runs) == 0  # nothing left open


class StuckRetriever(BaseRetriever):
    """A retriever whose search never returns (LangChain reports only Exceptions from retrievers)."""

    started: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
        raise NotImplementedError

    async def _aget_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
        self.started.set()
        await asyncio.Event().wait()
        return []


def test_cancellation_fails_every_span_of_a_workflow_consistently(otel: Any, instrument: Any) -> None:
    lc = instrument(langgraph_node_spans=True)

    async def go() -> None:
        retriever = StuckRetriever(started=asyncio.Event())

        @tool
        async def lookup(key: str) -> str:
            """Look something up in the knowledge base."""
            return str(await retriever.ainvoke(key))

        agent = create_agent(model(ai(calls=[("lookup", {"key": "k"}, "c1")])), tools=[lookup])
        agent = agent.with_config(metadata={"agent_name": "looker"})
        flow = StateGraph(MessagesState)
        flow.add_node("look", agent)
        flow.add_edge(START, "look")
        await cancel_when(retriever.started, flow.compile(name="pipeline").ainvoke(PAYLOAD))

    asyncio.run(go())
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow pipeline"),
        (1, "invoke_agent looker"),
        (2, "langgraph.node model"),
        (3, "chat fake-model"),
        (2, "langgraph.node tools"),
        (3, "execute_tool lookup"),
        (4, "retrieval"),
    ]
    done = [s for s in spans if s.name in ("langgraph.node model", "chat fake-model")]
    assert all(s.status.status_code is StatusCode.UNSET for s in done)  # finished before the cancel
    assert_all_cancelled([s for s in spans if s not in done])
    assert len(lc.handler.runs) == 0


@pytest.fixture
def hanging_server() -> Iterator[tuple[FakeOpenAIServer, threading.Event]]:
    started = threading.Event()

    def hang(request: RecordedRequest) -> Reply:
        started.set()
        return Reply.hang(10)

    with FakeOpenAIServer(responder=hang) as srv:
        yield srv, started


@pytest.mark.parametrize("openai_on", [True, False])
def test_cancelled_chat_openai_call_in_an_agent_fails_its_span(
    otel: Any, lc: Any, hanging_server: Any, openai_on: bool
) -> None:
    server, started = hanging_server
    openai = OpenAIInstrumentor()
    if openai_on:
        openai.instrument(**otel.providers)
    try:
        llm = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="x", max_retries=0)
        asyncio.run(cancel_when(started, create_agent(llm, name="waiter").ainvoke(PAYLOAD)))
    finally:
        if openai_on:
            openai.uninstrument()
    spans = otel.spans()
    assert tree(spans) == [(0, "invoke_agent waiter"), (1, "chat gpt-4o-mini")]  # merged: one chat span
    assert_all_cancelled(spans)
    assert len(lc.handler.runs) == 0
