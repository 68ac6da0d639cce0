"""What the tail sampler keeps (`TailSamplingPolicy`), its verdicts (`Decision`) and the trace-id ratio.

The vocabulary follows the OpenTelemetry Collector's `tailsamplingprocessor` where it has a word for it
(`num_traces` -> `max_traces`, `decision_wait`, `decision_cache`, the `probabilistic` policy by trace id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from opentelemetry.sdk.trace.sampling import TraceIdRatioBased

from agent_otel.telemetry import semconv as sc

REASON_ERROR: Final = "error"
REASON_SLOW: Final = "slow"
REASON_EXPENSIVE: Final = "expensive"
REASON_FORCED: Final = "forced"
REASON_RATIO: Final = "ratio"

# The lower 64 bits of the trace id, as the SDK's TraceIdRatioBased reads them.
_TRACE_ID_LIMIT: Final = (1 << 64) - 1


@dataclass(frozen=True)
class TailSamplingPolicy:
    """What to keep and the memory bounds. Every field has an `AGENT_OTEL_SAMPLING_*` variable (README,
    "Tail sampling"); zero-code, `AGENT_OTEL_SAMPLING=tail` builds one from them."""

    ratio: float = 0.1
    """Probability of keeping a trace with nothing notable, decided by trace id (TraceIdRatioBased)."""
    rates: Mapping[str, float] = field(default_factory=dict)
    """Per-workflow ratios, by the local root span's name, `gen_ai.workflow.name` or `gen_ai.agent.name`."""
    slow_s: float | None = 30.0
    """Keep at once a trace running longer than this (first span start to now or to a span's end)."""
    tokens: int | None = None
    """Keep at once a trace whose model calls used more tokens (input + output) than this."""
    cost: float | None = None
    """Keep at once a trace whose model calls cost more than this (`gen_ai.usage.cost.amount`)."""
    ratio_content: bool = True
    """False: traces kept only by ratio lose message content (span attributes and log records) on export."""
    max_traces: int = 10_000
    """Traces buffered at once; beyond it the oldest is decided now by ratio (counted as evicted)."""
    max_spans_per_trace: int = 1_000
    """Spans and log records buffered for one trace; beyond it the trace is decided now by ratio."""
    max_trace_age_s: float | None = 600.0
    """A trace still undecided this long after its first span is decided now (a span that never ends)."""
    decision_wait_s: float = 0.0
    """Grace after a trace finishes before its ratio decision, for background work started after the root."""
    decision_cache_size: int = 50_000
    """Verdicts remembered (keep and drop) for spans and log records that arrive after the decision."""

    def __post_init__(self) -> None:
        ratios = {"ratio": self.ratio, **{f"rates[{k!r}]": v for k, v in self.rates.items()}}
        for name, value in ratios.items():
            if not 0.0 <= value <= 1.0:  # NaN too
                raise ValueError(f"TailSamplingPolicy.{name} must be in [0, 1], not {value!r}")
        for name in ("max_traces", "max_spans_per_trace", "decision_cache_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"TailSamplingPolicy.{name} must be at least 1")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TailSamplingPolicy:
        """From `config.sampling_from_env(...).options` (values already checked); unknown keys are ignored."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in options.items() if k in known})


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict on a trace. Shared instances: one per (keep, reason, ratio)."""

    keep: bool
    reason: str
    ratio: float | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    """What kept spans carry: `agent_otel.sampling.reason` (and `.ratio` for ratio-kept traces)."""
    strip_content: bool = False


_BOUNDS: dict[float, int] = {}


def ratio_keeps(trace_id: int, ratio: float) -> bool:
    """The SDK's TraceIdRatioBased verdict for `trace_id`: every process with the same ratio agrees."""
    bound = _BOUNDS.get(ratio)
    if bound is None:
        bound = _BOUNDS[ratio] = TraceIdRatioBased.get_bound_for_rate(ratio)
    return trace_id & _TRACE_ID_LIMIT < bound


class Decisions:
    """The shared `Decision` objects of one policy."""

    def __init__(self, policy: TailSamplingPolicy) -> None:
        self._policy = policy
        self.early = {
            reason: Decision(True, reason, None, {sc.AGENT_OTEL_SAMPLING_REASON: reason})
            for reason in (REASON_ERROR, REASON_SLOW, REASON_EXPENSIVE, REASON_FORCED)
        }
        self._ratio: dict[tuple[bool, float], Decision] = {}

    def by_ratio(self, trace_id: int, ratio: float) -> Decision:
        keep = ratio_keeps(trace_id, ratio)
        decision = self._ratio.get((keep, ratio))
        if decision is None:
            attributes = (
                {sc.AGENT_OTEL_SAMPLING_REASON: REASON_RATIO, sc.AGENT_OTEL_SAMPLING_RATIO: ratio}
                if keep
                else {}
            )
            strip = keep and not self._policy.ratio_content
            decision = self._ratio[(keep, ratio)] = Decision(keep, REASON_RATIO, ratio, attributes, strip)
        return decision

    def ratio_for(self, root: Any) -> float:
        """The per-workflow ratio of a trace whose local root is `root` (a span, or None: unknown)."""
        policy = self._policy
        rates = policy.rates
        if root is None or not rates:
            return policy.ratio
        rate = rates.get(root.name)
        if rate is not None:
            return rate
        attributes = root.attributes or {}
        for key in (sc.WORKFLOW_NAME, sc.AGENT_NAME):
            value = attributes.get(key)
            if isinstance(value, str) and value in rates:
                return rates[value]
        return policy.ratio
