"""The demo's application: plain LangGraph/LangChain code with no tracing in it.

A triage agent reads the question and hands off to a researcher (who has a `search` tool), then to a
writer who streams the answer. Agents are `langchain.agents.create_agent` graphs with
`ChatOpenAI`; handoffs are tools returning `Command(goto=..., graph=Command.PARENT)`; the parent graph
is a `StateGraph(MessagesState)`. The search tool fails once with a timeout and is retried by
`ToolRetryMiddleware`, so the trace shows an error the app recovered from.

`agent-otel demo` runs this module under `opentelemetry-instrument` with OPENAI_BASE_URL pointing at a
local fake server (`demo_script.DemoScript` decides its replies): every span comes from agent-otel's
instrumentors. Run it by hand the same way:

    OTEL_TRACES_EXPORTER=agent_otel_jsonl opentelemetry-instrument python -m agent_otel.cli.demo_app
"""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from langchain.agents import create_agent
from langchain.agents.middleware import ToolRetryMiddleware
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, InjectedToolCallId, tool
from langchain_openai import ChatOpenAI
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import InjectedState
from langgraph.types import Command

QUESTION = "How can I see what each of my LangGraph agents costs, without a tracing backend?"

TRIAGE_PROMPT = (
    "You are the triage agent. Hand the question to the researcher first, then to the writer once the "
    "research is done. Never answer yourself."
)
RESEARCHER_PROMPT = "You are the researcher. Use the search tool, then summarise what you found."
WRITER_PROMPT = "You are the writer. Write a short, friendly answer from the research."

_KNOWLEDGE = [
    "agent-otel instruments openai and LangChain/LangGraph with zero code changes "
    "(opentelemetry-instrument).",
    "Each model call span carries gen_ai.usage.input_tokens, output_tokens and gen_ai.usage.cost.amount.",
    "OTEL_TRACES_EXPORTER=agent_otel_jsonl writes spans to a local OTLP JSON-lines file.",
    "`agent-otel query agents FILE` sums tokens and cost per gen_ai.agent.name.",
]

_search_calls = 0
_search_lock = threading.Lock()


@tool
def search(query: str) -> str:
    """Search the product documentation. Returns the matching passages."""
    global _search_calls
    with _search_lock:
        _search_calls += 1
        first = _search_calls == 1
    time.sleep(0.04 if first else 0.02)  # a search backend takes a moment
    if first:
        raise TimeoutError("search index timed out")
    words = {w.strip(".,?").lower() for w in query.split() if len(w) > 3}
    hits = [k for k in _KNOWLEDGE if words & {w.strip(".,()`").lower() for w in k.split()}]
    return "\n".join(f"- {h}" for h in (hits or _KNOWLEDGE))


def handoff_tool(agent: str) -> BaseTool:
    """A tool that moves the conversation to `agent`, a node of the parent graph."""
    name = f"transfer_to_{agent}"

    @tool(name, description=f"Hand the conversation over to the {agent}.")
    def transfer(
        state: Annotated[dict[str, Any], InjectedState],
        tool_call_id: Annotated[str, InjectedToolCallId],
    ) -> Command:
        done = ToolMessage(content=f"Transferred to {agent}.", name=name, tool_call_id=tool_call_id)
        return Command(goto=agent, graph=Command.PARENT, update={"messages": [*state["messages"], done]})

    return transfer


def build_app() -> Any:
    """The compiled parent graph: triage → researcher → triage → writer."""
    fast = ChatOpenAI(model="gpt-4o-mini", temperature=0, stream_usage=True, max_retries=1)
    writer_model = ChatOpenAI(model="gpt-4o", temperature=0.3, streaming=True, stream_usage=True)

    triage = create_agent(
        fast,
        tools=[handoff_tool("researcher"), handoff_tool("writer")],
        system_prompt=TRIAGE_PROMPT,
        name="triage",
    )
    researcher = create_agent(
        fast,
        tools=[search],
        system_prompt=RESEARCHER_PROMPT,
        middleware=[
            ToolRetryMiddleware(max_retries=1, retry_on=(TimeoutError,), initial_delay=0.01, jitter=False)
        ],
        name="researcher",
    )
    writer = create_agent(writer_model, tools=[], system_prompt=WRITER_PROMPT, name="writer")

    graph = StateGraph(MessagesState)
    graph.add_node("triage", triage, destinations=("researcher", "writer"))
    graph.add_node("researcher", researcher)
    graph.add_node("writer", writer)
    graph.add_edge(START, "triage")
    graph.add_edge("researcher", "triage")
    return graph.compile(name="support_team")


def main() -> None:
    app = build_app()
    result = app.invoke({"messages": [HumanMessage(QUESTION)]})
    print(result["messages"][-1].content)


if __name__ == "__main__":
    main()
