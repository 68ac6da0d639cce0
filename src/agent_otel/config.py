"""Every environment variable agent-otel reads, read in one place.

`Settings.from_env()` is called once per `instrument()` call; keyword arguments passed to `instrument()`
override the environment. Nothing else in the package reads `os.environ` (the OpenTelemetry variables that
opentelemetry-util-genai reads itself, such as OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, are
honoured by it and documented in the README).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

_logger = logging.getLogger(__name__)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

ENV_ENABLED = "AGENT_OTEL_ENABLED"
ENV_COST = "AGENT_OTEL_COST"
ENV_PRICING_FILE = "AGENT_OTEL_PRICING_FILE"
ENV_STREAM_CHUNK_METRICS = "AGENT_OTEL_STREAM_CHUNK_METRICS"
ENV_RETRY_EVENTS = "AGENT_OTEL_RETRY_EVENTS"
ENV_PROPAGATE_THREADS = "AGENT_OTEL_PROPAGATE_THREADS"
ENV_LANGGRAPH_NODE_SPANS = "AGENT_OTEL_LANGGRAPH_NODE_SPANS"
ENV_UNSAMPLED_METRICS = "AGENT_OTEL_UNSAMPLED_METRICS"
ENV_JSONL_PATH = "AGENT_OTEL_JSONL_PATH"
DEFAULT_JSONL_PATH = "agent-otel-traces.jsonl"

_ENV_FOR_FIELD = {
    "enabled": ENV_ENABLED,
    "cost": ENV_COST,
    "pricing_file": ENV_PRICING_FILE,
    "stream_chunk_metrics": ENV_STREAM_CHUNK_METRICS,
    "retry_events": ENV_RETRY_EVENTS,
    "propagate_threads": ENV_PROPAGATE_THREADS,
    "langgraph_node_spans": ENV_LANGGRAPH_NODE_SPANS,
    "unsampled_metrics": ENV_UNSAMPLED_METRICS,
}


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """Parse a boolean environment value; an unknown value logs a warning and keeps the default."""
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    _logger.warning("agent-otel: %s=%r is not a boolean (true/false); using %s", name, raw, default)
    return default


ENV_GENAI_EMIT_EVENT = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"
ENV_GENAI_COMPLETION_HOOK = "OTEL_INSTRUMENTATION_GENAI_COMPLETION_HOOK"


def genai_emit_event(environ: Mapping[str, str] | None = None) -> bool | None:
    """OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT (util-genai's meaning): true/false, or None when unset
    (then the `gen_ai.client.inference.operation.details` event follows the content capturing mode)."""
    env = os.environ if environ is None else environ
    raw = (env.get(ENV_GENAI_EMIT_EVENT) or "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "false"):
        return raw == "true"
    _logger.warning("agent-otel: %s=%r is not true or false; ignored", ENV_GENAI_EMIT_EVENT, raw)
    return None


def genai_completion_hook_named(environ: Mapping[str, str] | None = None) -> bool:
    """True when OTEL_INSTRUMENTATION_GENAI_COMPLETION_HOOK names a completion hook to load."""
    env = os.environ if environ is None else environ
    return bool((env.get(ENV_GENAI_COMPLETION_HOOK) or "").strip())


def jsonl_path(environ: Mapping[str, str] | None = None) -> str:
    """AGENT_OTEL_JSONL_PATH: the file the `agent_otel_jsonl` traces exporter appends to."""
    env = os.environ if environ is None else environ
    return env.get(ENV_JSONL_PATH) or DEFAULT_JSONL_PATH


@dataclass(frozen=True)
class Settings:
    """agent-otel's own configuration. See the README's "Environment variables" table."""

    enabled: bool = True
    """AGENT_OTEL_ENABLED: false makes every agent-otel instrumentor's instrument() a no-op."""
    cost: bool = True
    """AGENT_OTEL_COST: false stops cost attributes and the cost metric."""
    pricing_file: str | None = None
    """AGENT_OTEL_PRICING_FILE: a JSON file of prices that extends or overrides the shipped table."""
    stream_chunk_metrics: str = "summary"
    """AGENT_OTEL_STREAM_CHUNK_METRICS: 'summary' (time to first chunk only: nothing recorded per chunk
    after the first) or 'per_chunk' (time per output chunk for every chunk, as the convention describes;
    costs ~10 µs a chunk)."""
    retry_events: bool = True
    """AGENT_OTEL_RETRY_EVENTS: false stops the per-attempt span events on retried OpenAI calls."""
    propagate_threads: bool | None = None
    """AGENT_OTEL_PROPAGATE_THREADS: carry the OpenTelemetry context into ThreadPoolExecutor.submit,
    asyncio.to_thread and loop.run_in_executor. None means the default: on (see the README)."""
    unsampled_metrics: bool = True
    """AGENT_OTEL_UNSAMPLED_METRICS: record duration, token and cost metrics for calls whose span is not
    sampled (metrics stay complete under trace sampling). false: such calls cost ~5 µs, not ~50."""
    langgraph_node_spans: bool = False
    """AGENT_OTEL_LANGGRAPH_NODE_SPANS: emit a span per LangGraph node (off: node names are attributes)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        base = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_ENV_FOR_FIELD[f.name])
            default = getattr(base, f.name)
            if f.name == "pricing_file":
                values[f.name] = raw or None
            elif f.name == "stream_chunk_metrics":
                mode = (raw or default).strip().lower()
                if mode not in ("summary", "per_chunk"):
                    _logger.warning(
                        "agent-otel: %s=%r is not 'summary' or 'per_chunk'; using 'summary'",
                        ENV_STREAM_CHUNK_METRICS,
                        raw,
                    )
                    mode = "summary"
                values[f.name] = mode
            elif f.name == "propagate_threads":
                values[f.name] = (
                    None
                    if raw is None or raw.strip() == ""
                    else parse_bool(ENV_PROPAGATE_THREADS, raw, False)
                )
            else:
                values[f.name] = parse_bool(_ENV_FOR_FIELD[f.name], raw, default)
        settings = cls(**values)
        known = {k: v for k, v in overrides.items() if k in _ENV_FOR_FIELD and v is not None}
        return replace(settings, **known) if known else settings
