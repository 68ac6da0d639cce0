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
ENV_COST_METRIC = "AGENT_OTEL_COST_METRIC"
ENV_PRICING_FILE = "AGENT_OTEL_PRICING_FILE"
ENV_STREAM_CHUNK_METRICS = "AGENT_OTEL_STREAM_CHUNK_METRICS"
ENV_RETRY_EVENTS = "AGENT_OTEL_RETRY_EVENTS"
ENV_PROPAGATE_THREADS = "AGENT_OTEL_PROPAGATE_THREADS"
ENV_LANGGRAPH_NODE_SPANS = "AGENT_OTEL_LANGGRAPH_NODE_SPANS"
ENV_UNSAMPLED_METRICS = "AGENT_OTEL_UNSAMPLED_METRICS"
ENV_REPLACE_NATIVE_SPANS = "AGENT_OTEL_REPLACE_NATIVE_SPANS"
ENV_MCP_BAGGAGE = "AGENT_OTEL_MCP_BAGGAGE"
ENV_CONTENT_MAX_LENGTH = "AGENT_OTEL_CONTENT_MAX_LENGTH"
ENV_CONTENT_REDACTOR = "AGENT_OTEL_CONTENT_REDACTOR"
ENV_CONTENT_SAMPLING_RATIO = "AGENT_OTEL_CONTENT_SAMPLING_RATIO"
ENV_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"
ENV_ATTRIBUTE_VALUE_LENGTH_LIMIT = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"
ENV_JSONL_PATH = "AGENT_OTEL_JSONL_PATH"
DEFAULT_JSONL_PATH = "agent-otel-traces.jsonl"

_ENV_FOR_FIELD = {
    "enabled": ENV_ENABLED,
    "cost": ENV_COST,
    "cost_metric": ENV_COST_METRIC,
    "pricing_file": ENV_PRICING_FILE,
    "stream_chunk_metrics": ENV_STREAM_CHUNK_METRICS,
    "retry_events": ENV_RETRY_EVENTS,
    "propagate_threads": ENV_PROPAGATE_THREADS,
    "langgraph_node_spans": ENV_LANGGRAPH_NODE_SPANS,
    "unsampled_metrics": ENV_UNSAMPLED_METRICS,
    "replace_native_spans": ENV_REPLACE_NATIVE_SPANS,
    "mcp_baggage": ENV_MCP_BAGGAGE,
    "content_max_length": ENV_CONTENT_MAX_LENGTH,
    "content_redactor": ENV_CONTENT_REDACTOR,
    "content_sampling_ratio": ENV_CONTENT_SAMPLING_RATIO,
}
_CONTENT_FIELDS = ("content_max_length", "content_redactor", "content_sampling_ratio")


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


def span_attribute_length_limit(environ: Mapping[str, str] | None = None) -> int | None:
    """OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT), as the SDK reads
    them: the length the SDK cuts a string attribute at; None when unset or not a positive integer."""
    env = os.environ if environ is None else environ
    for name in (ENV_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, ENV_ATTRIBUTE_VALUE_LENGTH_LIMIT):
        raw = (env.get(name) or "").strip()
        if raw:
            try:
                value = int(raw)
            except ValueError:
                return None
            return value if value > 0 else None
    return None


def _content_setting(name: str, raw: str | None, default: Any) -> Any:
    """AGENT_OTEL_CONTENT_MAX_LENGTH (characters, 0: no budget of ours), AGENT_OTEL_CONTENT_REDACTOR (a
    name, kept as text), AGENT_OTEL_CONTENT_SAMPLING_RATIO (0..1)."""
    text = (raw or "").strip()
    if not text:
        return default
    if name == "content_redactor":
        return text
    try:
        value = int(text) if name == "content_max_length" else float(text)
    except ValueError:
        value = -1
    if value < 0 or (name == "content_sampling_ratio" and not value <= 1.0):
        _logger.warning("agent-otel: %s=%r is out of range; using the default", _ENV_FOR_FIELD[name], raw)
        return default
    return value


@dataclass(frozen=True)
class Settings:
    """agent-otel's own configuration. See the README's "Environment variables" table."""

    enabled: bool = True
    """AGENT_OTEL_ENABLED: false makes every agent-otel instrumentor's instrument() a no-op."""
    cost: bool = True
    """AGENT_OTEL_COST: false stops cost attributes and the cost metric."""
    cost_metric: bool = True
    """AGENT_OTEL_COST_METRIC: false drops the `gen_ai.client.operation.cost` histogram (one histogram record
    less per priced model call, ~11% of a sampled chat call's overhead); cost stays on spans and in
    agent/workflow roll-ups either way."""
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
    mcp_baggage: bool = False
    """AGENT_OTEL_MCP_BAGGAGE: send the calling agent's name and conversation id as W3C baggage with MCP
    messages, and put the caller's on the server's spans (off: baggage reaches third-party servers)."""
    replace_native_spans: bool = True
    """AGENT_OTEL_REPLACE_NATIVE_SPANS: for a call we observe, replace the span a self-tracing library
    (anthropic >= 2) would emit (false: keep it, as a child of ours). See telemetry/native.py."""
    content_max_length: int | None = None
    """AGENT_OTEL_CONTENT_MAX_LENGTH: the size budget of one content attribute, in characters (None: the
    default, `content_budget.DEFAULT_MAX_LENGTH`; 0: none of ours). Never above the SDK's limit."""
    content_redactor: Any = None
    """AGENT_OTEL_CONTENT_REDACTOR: a redactor's name (`emails,keys`, an entry point of the group
    `agent_otel_redactor`, or `module:function`); from `instrument()`, a callable too."""
    content_sampling_ratio: float = 1.0
    """AGENT_OTEL_CONTENT_SAMPLING_RATIO: the fraction of traces (by trace id) whose content is recorded."""

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
            elif f.name in _CONTENT_FIELDS:
                values[f.name] = _content_setting(f.name, raw, default)
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


# --- Tail sampling (telemetry/sampling): read by `sampling_from_env`, used when AGENT_OTEL_SAMPLING=tail ---
ENV_SAMPLING = "AGENT_OTEL_SAMPLING"
ENV_SAMPLING_RATIO = "AGENT_OTEL_SAMPLING_RATIO"
ENV_SAMPLING_RATES = "AGENT_OTEL_SAMPLING_RATES"
ENV_SAMPLING_SLOW_S = "AGENT_OTEL_SAMPLING_SLOW_S"
ENV_SAMPLING_TOKENS = "AGENT_OTEL_SAMPLING_TOKENS"
ENV_SAMPLING_COST = "AGENT_OTEL_SAMPLING_COST"
ENV_SAMPLING_RATIO_CONTENT = "AGENT_OTEL_SAMPLING_RATIO_CONTENT"
ENV_SAMPLING_MAX_TRACES = "AGENT_OTEL_SAMPLING_MAX_TRACES"
ENV_SAMPLING_MAX_SPANS = "AGENT_OTEL_SAMPLING_MAX_SPANS_PER_TRACE"
ENV_SAMPLING_MAX_AGE_S = "AGENT_OTEL_SAMPLING_MAX_TRACE_AGE_S"
ENV_SAMPLING_DECISION_WAIT_S = "AGENT_OTEL_SAMPLING_DECISION_WAIT_S"
ENV_SAMPLING_DECISION_CACHE = "AGENT_OTEL_SAMPLING_DECISION_CACHE_SIZE"

# variable -> (keyword of TailSamplingPolicy, parser kind)
_SAMPLING_NUMBERS = {
    ENV_SAMPLING_RATIO: ("ratio", "ratio"),
    ENV_SAMPLING_SLOW_S: ("slow_s", "seconds"),
    ENV_SAMPLING_TOKENS: ("tokens", "count"),
    ENV_SAMPLING_COST: ("cost", "amount"),
    ENV_SAMPLING_MAX_TRACES: ("max_traces", "count"),
    ENV_SAMPLING_MAX_SPANS: ("max_spans_per_trace", "count"),
    ENV_SAMPLING_MAX_AGE_S: ("max_trace_age_s", "seconds"),
    ENV_SAMPLING_DECISION_WAIT_S: ("decision_wait_s", "seconds"),
    ENV_SAMPLING_DECISION_CACHE: ("decision_cache_size", "count"),
}


def _sampling_number(name: str, raw: str, kind: str) -> float | int | None:
    """A ratio in [0, 1], seconds or an amount >= 0 (`off`/`none`: disabled), or a count > 0."""
    text = raw.strip().lower()
    if kind in ("seconds", "amount") and text in ("off", "none"):
        return None
    try:
        value: float | int = int(text) if kind == "count" else float(text)
    except ValueError:
        value = -1
    ok = value > 0 if kind == "count" else (0 <= value <= 1 if kind == "ratio" else value >= 0)
    if not ok or value != value:  # NaN
        _logger.warning("agent-otel: %s=%r is not a valid %s; using the default", name, raw, kind)
        raise ValueError(name)
    return value


def parse_sampling_rates(raw: str, name: str = ENV_SAMPLING_RATES) -> dict[str, float]:
    """`name=rate,name=rate` (a workflow's root span name or workflow/agent name -> ratio in [0, 1])."""
    rates: dict[str, float] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        key, sep, value = item.rpartition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = -1.0
        if not sep or not key.strip() or not 0 <= rate <= 1:
            _logger.warning("agent-otel: %s: %r is not name=rate (rate in [0, 1]); ignored", name, item)
            continue
        rates[key.strip()] = rate
    return rates


@dataclass(frozen=True)
class SamplingEnv:
    """What AGENT_OTEL_SAMPLING* ask for: `tail` on or off, and keyword arguments of TailSamplingPolicy."""

    tail: bool
    options: dict[str, Any]


def sampling_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> SamplingEnv:
    """Read the tail-sampling variables. `instrument(sampling="tail", sampling_ratio=0.2, ...)` overrides
    them (the keyword is `sampling_` + the policy field, e.g. `sampling_slow_s`)."""
    env = os.environ if environ is None else environ
    mode = str(overrides.get("sampling") or env.get(ENV_SAMPLING) or "").strip().lower()
    if mode not in ("", "tail", "none", "off"):
        _logger.warning("agent-otel: %s=%r is not 'tail' or 'none'; tail sampling is off", ENV_SAMPLING, mode)
    options: dict[str, Any] = {}
    for var, (key, kind) in _SAMPLING_NUMBERS.items():
        raw = env.get(var)
        if raw is not None and raw.strip():
            try:
                options[key] = _sampling_number(var, raw, kind)
            except ValueError:
                pass
    rates = env.get(ENV_SAMPLING_RATES)
    if rates:
        options["rates"] = parse_sampling_rates(rates)
    content = env.get(ENV_SAMPLING_RATIO_CONTENT)
    if content is not None and content.strip():
        options["ratio_content"] = parse_bool(ENV_SAMPLING_RATIO_CONTENT, content, True)
    for key, value in overrides.items():
        if key.startswith("sampling_") and value is not None:
            options[key[len("sampling_") :]] = value
    return SamplingEnv(mode == "tail", options)
