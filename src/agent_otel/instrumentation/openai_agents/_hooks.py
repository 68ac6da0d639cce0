"""The two patches (no public hook carries these facts; see `_sdk.py`): both run the SDK's own function
first, return its result unchanged, and only then read what it was given.

- `ToolContext.from_agent_context(context, tool_call_id, tool_call=None, agent=None, ...)`: inside a
  function tool's span: `gen_ai.tool.call.id`, the description (from the agent's tools, on SDKs that pass
  the agent) and, with content capture, the arguments the model sent;
- `ItemHelpers.tool_call_output_item(tool_call, output)`: inside a handoff's span: the handoff tool's
  name and call id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_otel.instrumentation.openai_agents._processor import FUNCTION, HANDOFF, AgentOtelProcessor
from agent_otel.telemetry import operations
from agent_otel.telemetry.safety import report

_WHERE = "agent_otel.instrumentation.openai_agents.hooks"


def _current_sdk_span() -> Any:
    from agents.tracing import get_current_span

    return get_current_span()


def _description(agent: Any, name: str | None) -> str | None:
    for tool in getattr(agent, "tools", None) or ():
        if getattr(tool, "name", None) == name:
            description = getattr(tool, "description", None)
            return description if isinstance(description, str) and description else None
    return None


def tool_context_wrapper(processor: Callable[[], AgentOtelProcessor | None]) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        result = wrapped(*args, **kwargs)
        proc = processor()
        if proc is None or not proc.active:
            return result
        try:
            entry = proc.entry_of(_current_sdk_span())
            if entry is not None and entry.kind == FUNCTION and not entry.op.ended:
                call_id = getattr(result, "tool_call_id", None)
                if isinstance(call_id, str) and call_id:
                    entry.op.set_attribute(operations.TOOL_CALL_ID, call_id)
                agent = kwargs.get("agent", args[3] if len(args) > 3 else None)
                if agent is None:
                    agent = getattr(result, "agent", None)
                description = _description(agent, getattr(result, "tool_name", None))
                if description is not None:
                    entry.op.set_attribute(operations.TOOL_DESCRIPTION, description)
                if entry.op.capture_content:
                    entry.arguments = getattr(result, "tool_arguments", None)
        except Exception as exc:
            report(f"{_WHERE}.tool_context", exc)
        return result

    return wrapper


def output_item_wrapper(processor: Callable[[], AgentOtelProcessor | None]) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        result = wrapped(*args, **kwargs)
        proc = processor()
        if proc is None or not proc.active:
            return result
        try:
            entry = proc.entry_of(_current_sdk_span())
            if entry is not None and entry.kind == HANDOFF and not entry.named:
                tool_call = kwargs.get("tool_call", args[0] if args else None)
                name = _field(tool_call, "name")
                call_id = _field(tool_call, "call_id")
                if name:
                    entry.named = True
                    entry.op.name_tool(name)
                if call_id:
                    entry.op.set_attribute(operations.TOOL_CALL_ID, call_id)
        except Exception as exc:
            report(f"{_WHERE}.output_item", exc)
        return result

    return wrapper


def _field(item: Any, name: str) -> str | None:
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
    return value if isinstance(value, str) else None
