"""The worker process: a "worker" agent that researches one topic per message it receives.

It connects to the orchestrator's socket, reads newline-delimited JSON messages and, for each:

- `research`: continues the orchestrator's trace (`continue_trace`): its `invoke_agent worker` span is
  a child of the orchestrator's `execute_tool delegate_to_worker` span. It replies with its result and
  its usage (tokens and cost), which the orchestrator adds to its own agent's totals.
- `archive`: fire-and-forget work: a new trace whose root span links back to the sender (`linked_span`).
- `stop`: exits.

Run by orchestrator.py; not meant to be started by hand.
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path

import tracing

from agent_otel import manual
from agent_otel.propagation import continue_trace, linked_span

WORKER_MODEL = "gpt-4o-mini"


def fake_model_call(topic: str) -> tuple[str, int, int]:
    """Stands in for the remote LLM: a summary and the usage the provider would report."""
    return f"three facts about {topic}", 900, 120


@manual.tool("web_search")
def web_search(query: str) -> list[str]:
    return [f"https://example.org/{query.replace(' ', '-')}"]


def research(message: dict[str, object]) -> dict[str, object]:
    topic = str(message["topic"])
    with continue_trace(message), manual.agent("worker") as agent:
        agent.set_attribute("app.topic", topic)
        web_search(topic)
        with manual.inference("openai", WORKER_MODEL) as call:
            summary, input_tokens, output_tokens = fake_model_call(topic)
            call.record_usage(input_tokens, output_tokens)
            call.set_response(model=WORKER_MODEL, finish_reasons=["stop"])
    usage = agent.usage
    return {
        "topic": topic,
        "summary": summary,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost": usage.cost,
            "currency": usage.currency or "USD",
        },
    }


def archive(message: dict[str, object]) -> None:
    with linked_span(message, "archive report", reason="fire_and_forget"), manual.tool("archive"):
        pass  # would write message["report"] somewhere


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True, help="host:port of the orchestrator")
    parser.add_argument("--out", required=True, type=Path, help="directory for worker.jsonl")
    args = parser.parse_args()
    provider = tracing.setup("worker", args.out / "worker.jsonl")
    host, port = args.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock, sock.makefile("rwb") as channel:
        for line in channel:
            message = json.loads(line)
            task = message.get("task")
            if task == "stop":
                break
            if task == "research":
                channel.write(json.dumps(research(message)).encode() + b"\n")
                channel.flush()
            elif task == "archive":
                archive(message)
    provider.shutdown()


if __name__ == "__main__":
    main()
