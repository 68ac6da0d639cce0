"""Per-run state (`_runs.py`): nothing leaks. 10,000 runs including errors, interrupts and abandoned
streams leave no run, announcement or activation behind and no `Run` object alive; a root that ends
takes its unfinished descendants with it; the map is bounded even when ends never come."""

from __future__ import annotations

import gc
import sys
import uuid
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import interrupt
from lc_support import ai, attrs, model, one
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import StatusCode
from test_langgraph import PAYLOAD, two_steps

from agent_otel.instrumentation.langchain import LangChainInstrumentor
from agent_otel.instrumentation.langchain._handler import OtelCallbackHandler
from agent_otel.instrumentation.langchain._runs import Run


def alive(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is kind)


def test_ten_thousand_runs_leave_nothing_behind() -> None:
    instrumentor = LangChainInstrumentor()
    # A provider that records every span and exports none: the spans are real, memory stays flat.
    instrumentor.instrument(tracer_provider=TracerProvider())
    handler = instrumentor.handler
    try:
        llm = model(ai("ok"))
        trivial = RunnableLambda(lambda x: x, name="trivial").with_config(
            metadata={"otel_workflow_span": True}
        )
        chain = (RunnableLambda(lambda x: x) | llm).with_config(metadata={"otel_workflow_span": True})

        def explode(x: Any) -> Any:
            raise ValueError("boom")

        failing = RunnableLambda(explode, name="failing").with_config(metadata={"otel_workflow_span": True})

        def ask(state: Any) -> Any:
            return {"messages": [AIMessage(str(interrupt("continue?")))]}

        paused = StateGraph(MessagesState)
        paused.add_node("ask", ask)
        paused.add_edge(START, "ask")
        hitl = paused.compile(name="hitl", checkpointer=InMemorySaver())
        steps = two_steps()

        def one_round(i: int) -> None:
            kind = i % 10
            if i % 50 == 7:  # 200 interrupts (a checkpointer makes these the slowest runs)
                hitl.invoke(PAYLOAD, {"configurable": {"thread_id": str(i)}})
            elif kind == 1:  # abandoned graph streams
                stream = steps.stream(PAYLOAD, stream_mode="updates")
                next(stream)
                del stream
            elif kind == 2:  # errors
                with pytest.raises(ValueError):
                    failing.invoke("hi")
            elif kind == 3:  # abandoned chat-model streams
                chat = GenericFakeChatModel(messages=iter([AIMessage("hello there world")]))
                chunks = chat.stream("hi")
                next(chunks)
                del chunks
            elif kind == 4:  # a workflow with a model call
                chain.invoke("hi")
            else:
                trivial.invoke("hi")

        for i in range(200):  # warm up: caches, lazy imports, interned names
            one_round(i)
        baseline_size = sys.getsizeof(handler.runs._runs)
        for i in range(10_000):
            one_round(i)

        assert len(handler.runs) == 0
        assert handler.graphs == {} and handler.expect == {}
        assert sys.getsizeof(handler.runs._runs) <= baseline_size
        assert alive(Run) == 0
    finally:
        instrumentor.uninstrument()


def test_a_finished_root_ends_what_is_still_open_beneath_it(otel: Any, lc: Any) -> None:
    handler: OtelCallbackHandler = lc.handler
    root, child = uuid.uuid4(), uuid.uuid4()
    handler.on_chain_start(None, {}, run_id=root, name="job", metadata={"otel_workflow_span": True})
    handler.on_chat_model_start(None, [[]], run_id=child, parent_run_id=root, metadata={"ls_model_name": "m"})
    handler.on_chain_end({}, run_id=root)  # the model's end never comes

    assert len(handler.runs) == 0
    chat = one(otel.spans(), "chat m")
    assert attrs(chat)["agent_otel.stream.end"] == "abandoned"
    workflow = one(otel.spans(), "invoke_workflow job")
    assert chat.end_time is not None and workflow.end_time is not None
    assert chat.end_time <= workflow.end_time
    handler.on_llm_end(None, run_id=child)  # a late end is ignored
    assert len(otel.spans()) == 2


def test_an_abandoned_langchain_run_ends_error_other_like_an_abandoned_openai_stream(
    otel: Any, lc: Any
) -> None:
    """One stream-end policy for every adapter (the core's): abandoned is ERROR `_OTHER`, as for openai."""
    handler: OtelCallbackHandler = lc.handler
    root, child = uuid.uuid4(), uuid.uuid4()
    handler.on_chain_start(None, {}, run_id=root, name="job", metadata={"otel_workflow_span": True})
    handler.on_chat_model_start(None, [[]], run_id=child, parent_run_id=root, metadata={"ls_model_name": "m"})
    handler.on_chain_end({}, run_id=root)  # the model's end never comes

    chat = one(otel.spans(), "chat m")
    assert chat.status.status_code is StatusCode.ERROR
    assert attrs(chat)["error.type"] == "_OTHER"
    assert attrs(chat)["agent_otel.stream.end"] == "abandoned"
    assert one(otel.spans(), "invoke_workflow job").status.status_code is StatusCode.UNSET


def test_the_map_is_bounded_when_ends_never_come(otel: Any, lc: Any) -> None:
    handler: OtelCallbackHandler = lc.handler
    handler.runs.limit = 50
    for _ in range(120):
        handler.on_chain_start(
            None, {}, run_id=uuid.uuid4(), name="orphan", metadata={"otel_workflow_span": True}
        )
    assert len(handler.runs) <= 50
    evicted = [s for s in otel.spans() if attrs(s).get("agent_otel.stream.end") == "abandoned"]
    assert len(evicted) >= 70  # evicted runs end their spans; nothing is silently dropped


def test_uninstrument_ends_open_spans_and_forgets_them(otel: Any, instrument: Any) -> None:
    instrumentor = instrument()
    handler = instrumentor.handler
    handler.on_chain_start(None, {}, run_id=uuid.uuid4(), name="left", metadata={"otel_workflow_span": True})
    instrumentor.uninstrument()
    instrumentor.instrument(**otel.providers)  # the fixture uninstruments at teardown

    assert len(handler.runs) == 0
    assert attrs(one(otel.spans(), "invoke_workflow left"))["agent_otel.stream.end"] == "abandoned"


def test_graph_announcements_are_bounded(otel: Any, lc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent_otel.instrumentation.langchain import _langgraph

    monkeypatch.setattr(_langgraph, "PENDING_LIMIT", 3)
    graph = two_steps()
    never_iterated = [graph.stream(PAYLOAD) for _ in range(5)]
    assert len(lc.handler.graphs) == 3  # streams never started: their announcements are dropped in time
    graph.invoke(PAYLOAD)  # announced (dropping the oldest stale one), then taken when its run starts
    assert len(lc.handler.graphs) == 2
    assert len(never_iterated) == 5 and one(otel.spans(), "invoke_workflow steps")
