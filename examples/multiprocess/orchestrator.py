"""The orchestrator process: an "orchestrator" agent that hands research to a worker process.

    python examples/multiprocess/orchestrator.py --out /tmp/traces [--topics "otel,agents"]

It starts worker.py as a separate process, talks to it over a TCP socket on 127.0.0.1 (one JSON
message per line) and puts its trace context into every message (`inject_context`). Both
processes write their spans to their own file (`orchestrator.jsonl`, `worker.jsonl` in --out); merged,
they form one trace:

    invoke_workflow research-report                      (orchestrator)
      invoke_agent orchestrator
        chat gpt-4o                                      planning
        execute_tool delegate_to_worker                  one per topic
          invoke_agent worker                            (worker process)
            execute_tool web_search
            chat gpt-4o-mini
        chat gpt-4o                                      writing the report
      execute_tool notify_archiver                       fire-and-forget message

plus a second trace for the archiving (worker), whose root span links to `notify_archiver`. The
worker reports its usage in its reply, so the orchestrator's agent and workflow totals
(`agent_otel.usage.cost.total_amount`) include what the worker spent. Prints a JSON summary.
Model calls are simulated (usage only): no network, no API key.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import tracing

from agent_otel import manual
from agent_otel.propagation import inject_context

MODEL = "gpt-4o"


def send(channel: IO[bytes], message: dict[str, Any]) -> None:
    inject_context(message, key="trace_context")
    channel.write(json.dumps(message).encode() + b"\n")
    channel.flush()


@manual.tool("delegate_to_worker")
def delegate(channel: IO[bytes], topic: str) -> dict[str, Any]:
    op = manual.current_operation()
    if op is not None:
        op.set_attribute("app.topic", topic)
    send(channel, {"task": "research", "topic": topic})
    reply = channel.readline()
    if not reply:
        raise RuntimeError("the worker went away")
    return dict(json.loads(reply))


@manual.tool("notify_archiver")
def notify(channel: IO[bytes], report: str) -> None:
    send(channel, {"task": "archive", "report": report})  # no reply: fire-and-forget


def model_call(input_tokens: int, output_tokens: int) -> None:
    """Stands in for the remote LLM: records the usage the provider would report."""
    with manual.inference("openai", MODEL) as call:
        call.record_usage(input_tokens, output_tokens)
        call.set_response(model=MODEL, finish_reasons=["stop"])


def run(channel: IO[bytes], topics: list[str]) -> dict[str, Any]:
    with manual.workflow("research-report") as workflow:
        with manual.agent("orchestrator", description="Splits a report into research tasks") as agent:
            model_call(1000, 100)  # plan
            findings = []
            for topic in topics:
                reply = delegate(channel, topic)
                findings.append(reply["summary"])
                usage = reply["usage"]
                agent.add_usage(
                    usage["input_tokens"], usage["output_tokens"], usage["cost"], usage["currency"]
                )
            model_call(2000, 400)  # write the report
        report = "; ".join(findings)
        notify(channel, report)
        trace_id = format(workflow.span.get_span_context().trace_id, "032x")
    return {"trace_id": trace_id, "report": report, "usage": asdict(workflow.usage)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path, help="directory for the two span files")
    parser.add_argument("--topics", default="opentelemetry,multi-agent systems")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    provider = tracing.setup("orchestrator", args.out / "orchestrator.jsonl")

    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)
        host, port = server.getsockname()[:2]
        worker = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("worker.py")),
                "--address",
                f"{host}:{port}",
                "--out",
                str(args.out),
            ]
        )
        try:
            conn, _ = server.accept()
            conn.settimeout(30)
            with conn, conn.makefile("rwb") as channel:
                summary = run(channel, [t.strip() for t in args.topics.split(",") if t.strip()])
                channel.write(b'{"task": "stop"}\n')
                channel.flush()
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
    provider.shutdown()
    print(json.dumps(summary))
    sys.exit(worker.returncode)


if __name__ == "__main__":
    main()
