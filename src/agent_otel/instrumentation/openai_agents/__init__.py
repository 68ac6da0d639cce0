"""OpenTelemetry GenAI instrumentation of the OpenAI Agents SDK (`openai-agents` >= 0.3.3).

    from agent_otel.instrumentation.openai_agents import OpenAIAgentsInstrumentor
    OpenAIAgentsInstrumentor().instrument()      # or: opentelemetry-instrument python app.py

One trace per run: `invoke_workflow {workflow}` > `invoke_agent {agent}` > the openai instrumentor's
`chat {model}` span per model call (agent name, tokens, cost), `execute_tool {tool}` (function tools,
agents as tools, MCP tools, handoffs) and `apply_guardrail {guardrail}`; agent and workflow spans carry
the totals beneath them. How the SDK's spans map to ours: `_processor.py`.

Through the SDK's public trace-processor interface (`agents.add_trace_processor`), registered when the app
imports `agents` (a post-import hook: `instrument()` imports nothing). Two patches where the SDK has no
public hook (`_hooks.py`, `_sdk.py`): the tool call id and description, and a handoff's tool name and id.
The SDK's own trace export is left as it is (`instrument(disable_openai_trace_export=True)` replaces the
SDK's processors with ours while instrumented); with the SDK's tracing disabled no callback runs, and only
the openai spans remain. Next to the official openai-agents instrumentor, ours wins: its processor's start
callbacks are muted while we are instrumented (whichever was installed first) and restored on uninstrument.
"""

from __future__ import annotations

from typing import Any

import wrapt

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.safety import report

__all__ = ["OpenAIAgentsInstrumentor"]

_TRIPWIRES = ("InputGuardrailTripwireTriggered", "OutputGuardrailTripwireTriggered")


class _Installation:
    """One `instrument()`: its import hook stays registered for good (wrapt cannot remove it)."""

    __slots__ = ("alive",)

    def __init__(self) -> None:
        self.alive = True


class OpenAIAgentsInstrumentor(AgentOtelInstrumentor):  # type: ignore[misc]
    """Instruments the OpenAI Agents SDK. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "agents"
    dependencies = ("openai-agents >= 0.3.3",)
    scope_name = "agent_otel.instrumentation.openai_agents"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "processor"):
            self.processor: Any = None
            self._installation: _Installation | None = None
            self._previous: tuple[Any, ...] | None = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        installation = self._installation = _Installation()
        disable_export = bool(kwargs.get("disable_openai_trace_export"))

        def on_agents(module: Any) -> None:
            if installation.alive and self.processor is None:
                try:
                    self._on_agents(telemetry, patcher, disable_export)
                except Exception as exc:
                    report("agent_otel.instrumentation.openai_agents.install", exc)

        wrapt.register_post_import_hook(on_agents, "agents")

    def _on_agents(self, telemetry: Telemetry, patcher: Patcher, disable_export: bool) -> None:
        from agents import exceptions
        from agents.tracing import add_trace_processor, set_trace_processors

        from agent_otel.instrumentation.openai_agents import _sdk
        from agent_otel.instrumentation.openai_agents._hooks import output_item_wrapper, tool_context_wrapper
        from agent_otel.instrumentation.openai_agents._processor import AgentOtelProcessor

        tripwires = tuple(
            t for t in (getattr(exceptions, name, None) for name in _TRIPWIRES) if isinstance(t, type)
        )
        processor = AgentOtelProcessor(telemetry, tripwires)

        def current() -> AgentOtelProcessor | None:
            return self.processor  # type: ignore[no-any-return]

        patcher.wrap(*_sdk.TOOL_CONTEXT, tool_context_wrapper(current))
        patcher.wrap(*_sdk.OUTPUT_ITEM, output_item_wrapper(current))
        if disable_export:
            self._previous = _sdk.registered_processors()
            set_trace_processors([processor])
        else:
            add_trace_processor(processor)
        processor.stand_others_down()
        self.processor = processor

    def _remove(self, **kwargs: Any) -> None:
        if self._installation is not None:
            self._installation.alive = False
            self._installation = None
        processor, self.processor = self.processor, None
        previous, self._previous = self._previous, None
        if processor is None:
            return
        processor.active = False
        try:
            from agents.tracing import set_trace_processors

            from agent_otel.instrumentation.openai_agents import _sdk

            processor.release_others()
            current = _sdk.registered_processors()
            if previous is not None:
                added = [p for p in current if p not in previous and p is not processor]
                set_trace_processors([p for p in previous if p is not processor] + added)
            elif processor in current:
                set_trace_processors([p for p in current if p is not processor])
        except Exception as exc:
            report("agent_otel.instrumentation.openai_agents.uninstrument", exc)
        finally:
            processor.close()
