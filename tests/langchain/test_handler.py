"""The callback handler (`_handler.py`): the span tree, attributes and roll-ups of real LangChain and
LangGraph apps (langchain `create_agent`, a two-agent supervisor with a handoff tool, bare models, LLMs,
tools, retrievers), errors, content gating, and faults in our own code."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from langchain.agents import create_agent
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import InjectedToolCallId, ToolException, tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.types import Command
from lc_support import ai, attrs, bad_logs, by_name, model, one, parent_of, tree
from opentelemetry.trace import SpanKind, StatusCode

from agent_otel.instrumentation.langchain import _content, _extract

CONTENT_KEYS = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.retrieval.query.text",
    "agent_otel.langgraph.interrupt.value",
)


@tool
def get_weather(city: str) -> str:
    """Look up the weather in a city."""
    return f"sunny in {city}"


def weather_agent(name: str = "weather") -> Any:
    return create_agent(
        model(
            ai(calls=[("get_weather", {"city": "Paris"}, "call_1")]),
            ai("sunny", input_tokens=20, output_tokens=7),
        ),
        tools=[get_weather],
        system_prompt="You are a weather bot.",
        name=name,
    )


@tool
def transfer_to_researcher(tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Hand the conversation over to the researcher."""
    return Command(
        goto="researcher",
        graph=Command.PARENT,
        update={"messages": [ToolMessage("transferred", tool_call_id=tool_call_id)]},
    )


@tool
def search(query: str) -> str:
    """Search the web."""
    return "found: otel"


def team_graph() -> Any:
    """A supervisor that hands off to a researcher, which reports back; compiled as 'team'."""
    supervisor = create_agent(
        model(
            ai(calls=[("transfer_to_researcher", {}, "h1")]),
            ai("final answer", input_tokens=30, output_tokens=8),
            name="supervisor-llm",
        ),
        tools=[transfer_to_researcher],
        name="supervisor",
    )
    researcher = create_agent(
        model(
            ai(calls=[("search", {"query": "otel"}, "s1")], input_tokens=12, output_tokens=4),
            ai("found it", input_tokens=20, output_tokens=6),
            name="researcher-llm",
        ),
        tools=[search],
        name="researcher",
    )
    graph = StateGraph(MessagesState)
    graph.add_node("supervisor", supervisor)
    graph.add_node("researcher", researcher)
    graph.add_edge(START, "supervisor")
    graph.add_edge("researcher", "supervisor")
    return graph.compile(name="team")


TEAM_TREE = [
    (0, "invoke_workflow team"),
    (1, "invoke_agent supervisor"),
    (2, "chat supervisor-llm"),
    (2, "execute_tool transfer_to_researcher"),
    (1, "invoke_agent researcher"),
    (2, "chat researcher-llm"),
    (2, "execute_tool search"),
    (2, "chat researcher-llm"),
    (1, "invoke_agent supervisor"),
    (2, "chat supervisor-llm"),
]


def check_team(spans: list[Any]) -> None:
    """The whole supervisor trace: names, kinds, parents, agent names, token sums, handoffs."""
    assert tree(spans) == TEAM_TREE
    assert len({s.context.trace_id for s in spans}) == 1
    workflow = one(spans, "invoke_workflow team")
    assert workflow.kind is SpanKind.INTERNAL
    assert attrs(workflow)["gen_ai.workflow.name"] == "team"
    assert (attrs(workflow)["gen_ai.usage.input_tokens"], attrs(workflow)["gen_ai.usage.output_tokens"]) == (
        72,
        23,
    )
    first, second = sorted(by_name(spans, "invoke_agent supervisor"), key=lambda s: s.start_time or 0)
    researcher = one(spans, "invoke_agent researcher")
    for agent, tokens in ((first, (10, 5)), (researcher, (32, 10)), (second, (30, 8))):
        a = attrs(agent)
        assert agent.kind is SpanKind.INTERNAL
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == tokens
        assert parent_of(spans, agent) is workflow
        assert a["agent_otel.langgraph.node"] == a["gen_ai.agent.name"]
    assert attrs(first)["agent_otel.handoff.target"] == "researcher"
    assert "agent_otel.handoff.target" not in attrs(second)
    handoff = one(spans, "execute_tool transfer_to_researcher")
    assert attrs(handoff)["agent_otel.handoff.target"] == "researcher"
    assert attrs(handoff)["gen_ai.tool.call.id"] == "h1"
    for span in spans:
        # A handoff is control flow: nothing is an error.
        assert span.status.status_code is StatusCode.UNSET, span.name
        if span is workflow:
            assert "gen_ai.agent.name" not in attrs(span)
            continue
        owner = span if span.name.startswith("invoke_agent") else parent_of(spans, span)
        assert attrs(span)["gen_ai.agent.name"] == attrs(owner)["gen_ai.agent.name"], span.name
    for chat in by_name(spans, "chat researcher-llm") + by_name(spans, "chat supervisor-llm"):
        assert chat.kind is SpanKind.CLIENT
        assert attrs(chat)["agent_otel.langgraph.node"] == "model"


def test_create_agent_tree_and_attributes(otel: Any, lc: Any, caplog: Any) -> None:
    agent = weather_agent()
    result = agent.invoke(
        {"messages": [HumanMessage("weather in Paris?")]}, {"configurable": {"thread_id": "t-1"}}
    )

    assert result["messages"][-1].content == "sunny"
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather"),
        (1, "chat fake-model"),
        (1, "execute_tool get_weather"),
        (1, "chat fake-model"),
    ]
    agent_span = one(spans, "invoke_agent weather")
    a = attrs(agent_span)
    assert agent_span.kind is SpanKind.INTERNAL
    assert a["gen_ai.operation.name"] == "invoke_agent"
    assert a["gen_ai.agent.name"] == "weather"
    assert a["gen_ai.conversation.id"] == "t-1"
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (30, 12)
    assert "gen_ai.provider.name" not in a

    first, second = sorted(by_name(spans, "chat fake-model"), key=lambda s: s.start_time or 0)
    for chat, reason, tokens in ((first, "tool_call", (10, 5)), (second, "stop", (20, 7))):
        c = attrs(chat)
        assert chat.kind is SpanKind.CLIENT
        assert parent_of(spans, chat) is agent_span
        assert c["gen_ai.operation.name"] == "chat"
        assert c["gen_ai.provider.name"] == "toolfake"
        assert c["gen_ai.request.model"] == "fake-model"
        assert c["gen_ai.response.model"] == "fake-model-001"
        assert c["gen_ai.response.id"] == "resp-1"
        assert c["gen_ai.response.finish_reasons"] == (reason,)
        assert (c["gen_ai.usage.input_tokens"], c["gen_ai.usage.output_tokens"]) == tokens
        assert c["gen_ai.agent.name"] == "weather"
        assert c["gen_ai.conversation.id"] == "t-1"
        assert c["agent_otel.langgraph.node"] == "model"

    tool_span = one(spans, "execute_tool get_weather")
    t = attrs(tool_span)
    assert tool_span.kind is SpanKind.INTERNAL
    assert parent_of(spans, tool_span) is agent_span
    assert t["gen_ai.tool.name"] == "get_weather"
    assert t["gen_ai.tool.call.id"] == "call_1"
    assert t["gen_ai.tool.type"] == "function"
    assert t["gen_ai.tool.description"] == "Look up the weather in a city."
    assert t["gen_ai.agent.name"] == "weather"
    assert t["agent_otel.langgraph.node"] == "tools"

    for span in spans:
        assert span.status.status_code is StatusCode.UNSET
        assert not set(CONTENT_KEYS) & set(attrs(span)), f"content recorded by default on {span.name}"
    assert bad_logs(caplog) == []


def test_supervisor_with_handoff(otel: Any, lc: Any, caplog: Any) -> None:
    result = team_graph().invoke({"messages": [HumanMessage("research otel")]})

    assert result["messages"][-1].content == "final answer"
    check_team(otel.spans())
    assert bad_logs(caplog) == []


def test_content_is_recorded_only_when_opted_in(otel: Any, content: None, instrument: Any) -> None:
    instrument()
    weather_agent().invoke({"messages": [HumanMessage("weather in Paris?")]})

    spans = otel.spans()
    first, second = sorted(by_name(spans, "chat fake-model"), key=lambda s: s.start_time or 0)
    inputs = json.loads(attrs(first)["gen_ai.input.messages"])
    assert inputs == [
        {"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}], "name": None}
    ]
    assert json.loads(attrs(first)["gen_ai.system_instructions"]) == [
        {"type": "text", "content": "You are a weather bot."}
    ]
    outputs = json.loads(attrs(first)["gen_ai.output.messages"])
    assert outputs[0]["finish_reason"] == "tool_call"
    assert outputs[0]["parts"][0] == {
        "type": "tool_call",
        "arguments": {"city": "Paris"},
        "name": "get_weather",
        "id": "call_1",
    }
    definitions = json.loads(attrs(first)["gen_ai.tool.definitions"])
    assert [d["name"] for d in definitions] == ["get_weather"]
    history = json.loads(attrs(second)["gen_ai.input.messages"])
    assert history[-1]["role"] == "tool"
    assert history[-1]["parts"][0]["response"] == "sunny in Paris"
    tool_span = attrs(one(spans, "execute_tool get_weather"))
    assert json.loads(tool_span["gen_ai.tool.call.arguments"]) == {"city": "Paris"}
    assert tool_span["gen_ai.tool.call.result"] == "sunny in Paris"
    agent_span = attrs(one(spans, "invoke_agent weather"))
    assert json.loads(agent_span["gen_ai.output.messages"])[0]["parts"] == [
        {"type": "text", "content": "sunny"}
    ]


def test_tool_error_handled_by_the_app(otel: Any, lc: Any) -> None:
    """A tool that raises: its span is ERROR; the agent goes on as the app has it (here: ToolNode reports
    the error to the model, which answers)."""

    @tool
    def flaky(x: str) -> str:
        """Fails."""
        raise ValueError("backend down")

    graph = StateGraph(MessagesState)
    llm = model(ai(calls=[("flaky", {"x": "1"}, "c1")]), ai("sorry"))
    graph.add_node("agent", lambda state: {"messages": [llm.invoke(state["messages"])]})
    graph.add_node("tools", ToolNode([flaky], handle_tool_errors=True))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", lambda s: "tools" if s["messages"][-1].tool_calls else "__end__")
    graph.add_edge("tools", "agent")
    result = graph.compile(name="flow").invoke({"messages": [HumanMessage("go")]})

    assert result["messages"][-1].content == "sorry"
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_workflow flow"),
        (1, "chat fake-model"),
        (1, "execute_tool flaky"),
        (1, "chat fake-model"),
    ]
    failed = one(spans, "execute_tool flaky")
    assert failed.status.status_code is StatusCode.ERROR
    assert attrs(failed)["error.type"] == "ValueError"
    assert one(spans, "invoke_workflow flow").status.status_code is StatusCode.UNSET


def test_tool_error_turned_into_a_result_by_langchain(otel: Any, lc: Any) -> None:
    @tool
    def picky(x: str) -> str:
        """Refuses."""
        raise ToolException("not today")

    picky.handle_tool_error = True

    agent = create_agent(
        model(ai(calls=[("picky", {"x": "1"}, "c1")]), ai("ok then")), tools=[picky], name="a"
    )
    assert agent.invoke({"messages": [HumanMessage("go")]})["messages"][-1].content == "ok then"

    spans = otel.spans()
    failed = one(spans, "execute_tool picky")
    assert failed.status.status_code is StatusCode.ERROR
    assert attrs(failed)["error.type"] == "_OTHER"
    assert not failed.status.description  # the error text is tool output: content, not recorded
    assert one(spans, "invoke_agent a").status.status_code is StatusCode.UNSET


def test_user_exception_passes_through_unchanged(otel: Any, lc: Any) -> None:
    class Boom(Exception):
        pass

    raised: list[BaseException] = []

    def explode(state: Any) -> Any:
        error = Boom("no")
        raised.append(error)
        raise error

    graph = StateGraph(MessagesState)
    graph.add_node("explode", explode)
    graph.add_edge(START, "explode")
    with pytest.raises(Boom) as info:
        graph.compile(name="fragile").invoke({"messages": [HumanMessage("x")]})

    assert info.value is raised[0]
    workflow = one(otel.spans(), "invoke_workflow fragile")
    assert workflow.status.status_code is StatusCode.ERROR
    assert attrs(workflow)["error.type"].endswith("Boom")
    assert len(lc.handler.runs) == 0


def test_model_error_fails_the_chat_span(otel: Any, lc: Any) -> None:
    class Broken(FakeMessagesListChatModel):
        def _generate(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("provider unreachable")

    with pytest.raises(ConnectionError):
        Broken(responses=[AIMessage("x")]).invoke("hi")
    span = one(otel.spans(), "chat Broken")
    assert span.status.status_code is StatusCode.ERROR
    assert attrs(span)["error.type"] == "ConnectionError"


def test_faults_in_our_code_never_break_the_run(
    otel: Any, lc: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug in agent-otel")

    monkeypatch.setattr(_extract, "apply_response", broken)
    monkeypatch.setattr(_content, "tool_arguments", broken)
    monkeypatch.setattr(lc.handler.tel, "capture_content", True)

    result = weather_agent().invoke({"messages": [HumanMessage("weather?")]})

    assert result["messages"][-1].content == "sunny"
    # Every span still ends, in the right place; only what the broken code would have added is missing.
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather"),
        (1, "chat fake-model"),
        (1, "execute_tool get_weather"),
        (1, "chat fake-model"),
    ]
    assert all("gen_ai.usage.input_tokens" not in attrs(s) for s in by_name(spans, "chat fake-model"))
    assert one(spans, "invoke_agent weather").status.status_code is StatusCode.UNSET
    assert len(lc.handler.runs) == 0
    warnings = [r for r in caplog.records if r.name == "agent_otel" and "bug" in str(r.exc_info)]
    assert warnings, "the fault is reported in our log"
    assert not [r for r in caplog.records if "Error in OtelCallbackHandler" in r.getMessage()]


def test_model_name_fallbacks(otel: Any, lc: Any) -> None:
    FakeMessagesListChatModel(responses=[AIMessage("x")]).invoke("hi")
    model(AIMessage("x"), name="named-model").invoke("hi")

    from langchain_core.language_models import BaseChatModel
    from langchain_core.outputs import ChatGeneration, ChatResult

    class ById(BaseChatModel):
        model_id: str = "model-by-id"

        @property
        def _llm_type(self) -> str:
            return "by-id"

        @property
        def _identifying_params(self) -> dict[str, Any]:
            return {"model_id": self.model_id}

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            return ChatResult(generations=[ChatGeneration(message=AIMessage("x"))])

    ById().invoke("hi")
    names = [s.name for s in otel.spans()]
    assert names == ["chat FakeMessagesListChatModel", "chat named-model", "chat model-by-id"]
    # No finish reason reported: none invented (the official instrumentor says "error").
    assert "gen_ai.response.finish_reasons" not in attrs(one(otel.spans(), "chat model-by-id"))


def test_completion_llm_and_conversation_from_metadata(otel: Any, lc: Any) -> None:
    FakeListLLM(responses=["done"]).invoke("hi", {"metadata": {"session_id": "s-9"}})
    span = one(otel.spans(), "text_completion FakeListLLM")
    assert attrs(span)["gen_ai.operation.name"] == "text_completion"
    assert attrs(span)["gen_ai.provider.name"] == "fakelist"
    assert attrs(span)["gen_ai.conversation.id"] == "s-9"


class Docs(BaseRetriever):
    tracer: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> Any:
        with self.tracer.start_as_current_span("vector.search"):
            return [Document("otel is great", id="d1", metadata={"score": 0.9})]

    def _get_ls_params(self, **kwargs: Any) -> Any:
        return {
            **super()._get_ls_params(**kwargs),
            "ls_vector_store_provider": "memory",
            "ls_embedding_model": "e1",
        }


def test_retriever(otel: Any, content: None, instrument: Any) -> None:
    instrument()
    docs = Docs(tracer=otel.tracer_provider.get_tracer("vectors")).invoke("otel?")

    assert docs[0].id == "d1"
    spans = otel.spans()
    assert tree(spans) == [(0, "retrieval"), (1, "vector.search")]
    retrieval = attrs(one(spans, "retrieval"))
    assert retrieval["gen_ai.operation.name"] == "retrieval"
    assert retrieval["gen_ai.provider.name"] == "memory"
    assert retrieval["gen_ai.request.model"] == "e1"
    assert retrieval["gen_ai.retrieval.query.text"] == "otel?"
    assert json.loads(retrieval["gen_ai.retrieval.documents"]) == [{"id": "d1", "score": 0.9}]


def test_faults_in_classification_and_boundaries(
    otel: Any, lc: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from agent_otel.instrumentation.langchain import _chains, _context

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug in agent-otel")

    monkeypatch.setattr(_chains, "classify_chain", broken)  # the agent's run is never classified
    monkeypatch.setattr(_context, "_Activated", broken)  # no context activation in node/tool bodies
    monkeypatch.setattr(_context, "_chat_context", broken)

    result = weather_agent().invoke({"messages": [HumanMessage("weather?")]})

    assert result["messages"][-1].content == "sunny"
    names = sorted(s.name for s in otel.spans())
    assert names == ["chat fake-model", "chat fake-model", "execute_tool get_weather"]
    assert len(lc.handler.runs) == 0
    assert [r for r in caplog.records if r.name == "agent_otel" and "bug" in str(r.exc_info)]


def test_unsampled_runs_record_metrics_only(otel: Any, instrument: Any) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    exporting = otel.tracer_provider
    unsampled = TracerProvider(sampler=ALWAYS_OFF)
    for processor in exporting._active_span_processor._span_processors:
        unsampled.add_span_processor(processor)
    lc = instrument(tracer_provider=unsampled)

    result = weather_agent().invoke({"messages": [HumanMessage("weather?")]})

    assert result["messages"][-1].content == "sunny"
    assert otel.spans() == []
    durations = otel.metrics()["gen_ai.client.operation.duration"]
    assert sum(point.count for point in durations) == 2  # the two model calls, no spans
    tokens = otel.metrics()["gen_ai.client.token.usage"]
    assert sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "input") == 30
    assert len(lc.handler.runs) == 0


def LangChainInstrumentorFor(instrument: Any, **providers: Any) -> Any:
    """`instrument()` with some providers replaced."""
    return instrument(**providers)


def test_node_spans_from_the_environment(otel: Any, instrument: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_OTEL_LANGGRAPH_NODE_SPANS", "true")
    instrument()
    weather_agent().invoke({"messages": [HumanMessage("weather?")]})
    assert [name for _, name in tree(otel.spans())] == [
        "invoke_agent weather",
        "langgraph.node model",
        "chat fake-model",
        "langgraph.node tools",
        "execute_tool get_weather",
        "langgraph.node model",
        "chat fake-model",
    ]
