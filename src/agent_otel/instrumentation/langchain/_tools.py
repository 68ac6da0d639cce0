"""Tool runs become `execute_tool {tool}` spans; a LangGraph handoff returned by a tool is recorded as its
target, and an error LangChain turned into the tool's result (handle_tool_error) still fails the span."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain._langgraph import handoff_target
from agent_otel.instrumentation.langchain._lifecycle import NO_METADATA, WHERE, RunLifecycle
from agent_otel.instrumentation.langchain._runs import TOOL
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import ProviderError, ToolFacts
from agent_otel.telemetry.operations import Operation
from agent_otel.telemetry.safety import guard, guarded

_OTHER = "_OTHER"


class ToolCallbacks(RunLifecycle):
    """on_tool_start / end / error."""

    @guarded()
    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not self.store.active:
            return
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        md = metadata or NO_METADATA
        base = self._base(parent)
        if self._suppressed(parent, md):
            self._quiet(run_id, TOOL, parent, base)
            return
        ser = serialized or {}
        name = ser.get("name") or kwargs.get("name") or "tool"
        description = ser.get("description")
        call_id = kwargs.get("tool_call_id")
        facts = ToolFacts(
            name,
            "function",
            call_id if isinstance(call_id, str) else None,
            description if isinstance(description, str) and description else None,
        )
        call = self.tel.tool(facts, context=base)
        with guard(WHERE):
            self._node_attribute(call, md)
            if call.content is not None:
                call.arguments = ct.tool_arguments(inputs, input_str)
        self._spanned(run_id, TOOL, parent, call)

    @guarded()
    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None or run.call is None:
            return
        call = run.call
        assert isinstance(call, Operation)
        with guard(WHERE):
            target = handoff_target(output)
            if target is not None:
                call.set_attribute(sc.AGENT_OTEL_HANDOFF_TARGET, target)
            elif call.content is not None:
                call.result = ct.tool_result(output)
        if getattr(output, "status", None) == "error":
            # The tool raised and LangChain turned the error into its result (handle_tool_error).
            call.fail(ProviderError(_OTHER))
        else:
            call.end()

    @guarded()
    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id, error)
        if run is None or run.call is None:
            return
        self._end_with_error(run, error)
