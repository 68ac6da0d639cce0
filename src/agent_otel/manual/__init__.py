"""Manual instrumentation for the code agent-otel does not patch: agents, workflows, tools, model calls.

A hand-written agent loop gets the same spans as an instrumented framework: `invoke_agent {name}`,
`invoke_workflow {name}`, `execute_tool {name}` and `chat {model}`, with `gen_ai.agent.name` of the
nearest agent on every span beneath an agent (those of the openai and LangChain instrumentors too),
token and cost totals on agent and workflow spans, and cost on chat spans. Everything goes through the
telemetry core (`agent_otel.telemetry.core`), exactly as the instrumentors do.

Each of `agent`, `workflow`, `tool` and `inference` works as a decorator (bare or with arguments) and
as a context manager, in sync and async code:

    from agent_otel import manual

    @manual.tool
    def search(query: str) -> str: ...

    @manual.agent("researcher", description="Finds sources")
    async def research(topic: str) -> str:
        with manual.inference("openai", "gpt-4o-mini") as call:
            reply = await my_model(topic)
            call.record_usage(input_tokens=reply.prompt_tokens, output_tokens=reply.completion_tokens)
        return reply.text

    with manual.workflow("nightly-report") as run:
        ...
    print(run.usage)   # Usage(input_tokens=..., output_tokens=..., cost=..., currency='USD')

Decorated generator and async generator functions are supported: the span covers the iteration
(it starts at the first `next()` and ends when the generator finishes, raises or is closed), and
the function's context is current only while its body runs. Exceptions pass through unchanged (the
same object) and mark the span ERROR; LangGraph's control-flow exceptions (`GraphBubbleUp`:
interrupts and handoffs) and `GeneratorExit` do not. Decorators keep the function's name, signature,
`__wrapped__` and its sync/async/generator nature. Tool arguments and results, and messages, are
recorded only when content capture is on (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).

Telemetry goes to the global OpenTelemetry providers (the scope is `agent_otel.manual`), created on
first use; `configure()` points it elsewhere. With AGENT_OTEL_ENABLED=false everything here is a
no-op that still runs the user's code.
"""

from __future__ import annotations

from agent_otel.manual._api import agent, inference, record_inference, tool, workflow
from agent_otel.manual._config import SCOPE_NAME, configure, reset, telemetry
from agent_otel.manual._current import current_operation
from agent_otel.manual._operations import AgentOperation, InferenceOperation, Operation, ToolOperation, Usage

__all__ = [
    "SCOPE_NAME",
    "AgentOperation",
    "InferenceOperation",
    "Operation",
    "ToolOperation",
    "Usage",
    "agent",
    "configure",
    "current_operation",
    "inference",
    "record_inference",
    "reset",
    "telemetry",
    "tool",
    "workflow",
]
