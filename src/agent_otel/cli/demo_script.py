"""The demo's fake model: a deterministic responder for `FakeOpenAIServer` that plays every agent.

`DemoScript` looks at each chat-completions request (which tools it offers tells which agent is
asking; the tool results in the history tell how far the conversation is) and answers as that agent
would: triage hands off to the researcher, then to the writer; the researcher searches, then
summarises; the writer streams the answer. Token counts follow the size of the request and the reply,
and each reply waits a few milliseconds (as a model would) so the trace has a readable time line.
"""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

from agent_otel.testing.openai_server import RecordedRequest, Reply, chat_chunks, chat_completion

RESPONSE_MODEL_SUFFIX = "-2024-07-18"

RESEARCH_SUMMARY = (
    "Findings: agent-otel traces LangGraph agents with zero code changes; every model call span "
    "carries tokens and cost (gen_ai.usage.cost.amount); spans can go to a local JSON-lines file; "
    "`agent-otel query agents` sums tokens and cost per agent."
)
FINAL_ANSWER = (
    "Run your app under `opentelemetry-instrument` with OTEL_TRACES_EXPORTER=agent_otel_jsonl: agent-otel "
    "records every agent, model call and tool call, with tokens and cost, in a local trace file. Then "
    "`agent-otel query agents agent-otel-traces.jsonl` shows what each agent costs, and `agent-otel view` "
    "draws the whole run. No backend needed."
)


def _tool_names(body: dict[str, Any]) -> set[str]:
    names = set()
    for t in body.get("tools") or []:
        fn = t.get("function") if isinstance(t, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            names.add(fn["name"])
    return names


class ToolResult(NamedTuple):
    """A tool result found in the conversation history."""

    name: str
    content: str


def _tool_results(messages: list[dict[str, Any]]) -> list[ToolResult]:
    """Every tool result in the history, in order."""
    names: dict[str, str] = {}
    out: list[ToolResult] = []
    for m in messages:
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            names[call.get("id", "")] = fn.get("name", "")
        if m.get("role") == "tool":
            content = m.get("content")
            text = content if isinstance(content, str) else json.dumps(content)
            out.append(ToolResult(names.get(m.get("tool_call_id", ""), ""), text))
    return out


def _tokens(payload: Any) -> int:
    """A deterministic stand-in for a tokenizer: about four characters a token."""
    return max(1, len(json.dumps(payload, sort_keys=True)) // 4)


class DemoScript:
    """Callable responder: `FakeOpenAIServer(responder=DemoScript())`. `latency` scales the waits."""

    def __init__(self, latency: float = 1.0) -> None:
        self.latency = latency
        self.calls: list[str] = []

    def __call__(self, request: RecordedRequest) -> Reply | None:
        body = request.json if isinstance(request.json, dict) else None
        if request.method != "POST" or not request.path.endswith("/chat/completions") or body is None:
            return None
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        tools = _tool_names(body)
        results = _tool_results(messages)
        handoffs = [r.name for r in results if r.name.startswith("transfer_to_")]
        if "transfer_to_researcher" in tools:
            agent = "triage"
            target = "writer" if "transfer_to_researcher" in handoffs else "researcher"
            text, calls = (
                None,
                [{"id": f"call_handoff_{target}", "name": f"transfer_to_{target}", "arguments": {}}],
            )
        elif "search" in tools:
            agent = "researcher"
            since_handoff = results[len(results) - _index_after_last_handoff(results) :]
            searched = [
                r for r in since_handoff if r.name == "search" and not r.content.lower().startswith("error")
            ]
            if searched:
                text, calls = RESEARCH_SUMMARY, None
            else:
                query = "agent cost tokens LangGraph local trace file"
                calls = [{"id": "call_search_1", "name": "search", "arguments": {"query": query}}]
                text = None
        else:
            agent, text, calls = "writer", FINAL_ANSWER, None
        self.calls.append(agent)
        model = str(body.get("model") or "gpt-4o-mini") + RESPONSE_MODEL_SUFFIX
        prompt_tokens = _tokens(messages) + _tokens(body.get("tools") or [])
        completion_tokens = _tokens(text) if text else 6 + _tokens(calls)
        wait = self.latency * (0.05 + 0.0015 * completion_tokens)
        if body.get("stream"):
            opts = body.get("stream_options") or {}
            chunks = chat_chunks(
                text,
                model=model,
                tool_calls=calls,
                include_usage=bool(opts.get("include_usage")),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )
            time.sleep(wait / 2)
            return Reply.sse(chunks, delay=wait / 2 / max(1, len(chunks)))
        time.sleep(wait)
        return Reply.json(
            chat_completion(
                text,
                model=model,
                tool_calls=calls,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )
        )


def _index_after_last_handoff(results: list[ToolResult]) -> int:
    """How many tool results came after the last handoff (the current agent's own results)."""
    for i in range(len(results) - 1, -1, -1):
        if results[i].name.startswith("transfer_to_"):
            return len(results) - 1 - i
    return len(results)
