"""What we reach into in openai-agents beyond its trace-processor interface, in one place.

Each item is guarded by tests/openai_agents/test_openai_agents_library_contract.py:

- `registered_processors()`: the processors of the SDK's trace provider. There is no public getter:
  `get_trace_provider()._multi_processor._processors` (a tuple, replaced on every change) is read, the
  way the official instrumentor and OpenInference read it. Used to take ours out again on uninstrument
  and to find the official openai-agents instrumentor's processor.
- `ToolContext.from_agent_context` (patched, `_hooks.py`): called inside every function tool's SDK span
  with the tool call id (and, on newer SDKs, the agent, whose `tools` give the description). The span
  data carries neither; the public per-run `RunHooks.on_tool_start` would need the Runner patched to
  inject them.
- `ItemHelpers.tool_call_output_item` (patched, `_hooks.py`): called inside the SDK's handoff span with
  the handoff's tool call (its name and call id); the handoff span data has only the agent names.
"""

from __future__ import annotations

from typing import Any

OFFICIAL_MODULE = "opentelemetry.instrumentation.genai.openai_agents"
TOOL_CONTEXT = ("agents.tool_context", "ToolContext.from_agent_context")
OUTPUT_ITEM = ("agents.items", "ItemHelpers.tool_call_output_item")


def multi_processor() -> Any:
    from agents.tracing import get_trace_provider

    return getattr(get_trace_provider(), "_multi_processor", None)


def registered_processors() -> tuple[Any, ...]:
    """The SDK's registered trace processors (empty when the private attributes moved)."""
    processors = getattr(multi_processor(), "_processors", ())
    return tuple(processors) if isinstance(processors, tuple | list) else ()


def is_official(processor: Any) -> bool:
    """The official `opentelemetry-instrumentation-genai-openai-agents` processor."""
    return type(processor).__module__.startswith(OFFICIAL_MODULE)


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


_START_CALLBACKS = ("on_trace_start", "on_span_start")


def mute(processor: Any) -> bool:
    """Silence another processor's start callbacks (its end callbacks stay, so whatever it already started
    ends): it then emits nothing new. Set on the instance, so that the tuple the SDK is iterating right
    now sees it too. Returns False when the instance refuses attributes."""
    try:
        for name in _START_CALLBACKS:
            setattr(processor, name, _ignore)
    except Exception:
        return False
    return True


def unmute(processor: Any) -> None:
    for name in _START_CALLBACKS:
        try:
            if vars(processor).get(name) is _ignore:
                delattr(processor, name)
        except Exception:
            pass


def is_muted(processor: Any) -> bool:
    try:
        return vars(processor).get("on_trace_start") is _ignore
    except TypeError:
        return False
