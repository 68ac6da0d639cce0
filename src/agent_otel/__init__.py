"""agent-otel: OpenTelemetry GenAI instrumentation for the openai client and LangChain/LangGraph agents.

Importing this package is cheap: instrumentors live in `agent_otel.instrumentation.<library>` and are loaded
by `opentelemetry-instrument` through entry points, or imported explicitly:

    from agent_otel.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()

The manual API (`agent`, `workflow`, `tool`, `inference`, `record_inference`, from `agent_otel.manual`) and
the propagation helpers (`inject_context`, `extract_context`, `continue_trace`, `linked_span`, from
`agent_otel.propagation`) are re-exported here, loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from agent_otel.version import __version__

_LAZY = {
    "agent": "agent_otel.manual",
    "workflow": "agent_otel.manual",
    "tool": "agent_otel.manual",
    "inference": "agent_otel.manual",
    "record_inference": "agent_otel.manual",
    "inject_context": "agent_otel.propagation",
    "extract_context": "agent_otel.propagation",
    "continue_trace": "agent_otel.propagation",
    "linked_span": "agent_otel.propagation",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agent_otel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
