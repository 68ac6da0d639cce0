"""Content sampling: record content for a fraction of traces only (AGENT_OTEL_CONTENT_SAMPLING_RATIO).

The decision is a function of the trace id alone (its low 64 bits against `ratio * 2**64`, as the SDK's
`TraceIdRatioBased` sampler decides), so every span of a trace, in every process, agrees: a trace has all
of its content or none of it. With ratios p ≤ q, the traces kept at p are a subset of those kept at q.

The core asks twice: when an operation starts under a known parent (`keep_context`; an unkept trace then
reads no messages at all), and when content is about to be recorded (`keep_span`, for roots whose trace
id did not exist before their span started).

With the tail sampler (`telemetry/sampling/`): the two compose. This ratio decides at record time, by
trace id, before anything is read; the sampler's `ratio_content=False` (AGENT_OTEL_SAMPLING_RATIO_CONTENT)
decides at export time, stripping the content attributes (`sampling/export.py`, `CONTENT_ATTRIBUTES`) from
traces it keeps only by ratio, so that only error, slow or forced traces keep their content. To have
content on exactly the traces the tail sampler keeps for a reason, leave this ratio at 1 and use that.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span

_TRACE_ID_MASK = (1 << 64) - 1


class ContentSampler:
    """Keeps the content of `ratio` of traces (0 < ratio < 1; the policy holds none for ratio 1)."""

    __slots__ = ("_bound", "ratio")

    def __init__(self, ratio: float) -> None:
        self.ratio = ratio
        self._bound = round(ratio * (1 << 64))

    def keep(self, trace_id: int) -> bool:
        return (trace_id & _TRACE_ID_MASK) < self._bound

    def keep_span(self, span: Span | None) -> bool:
        """The decision for a recorded span's trace (an invalid span: keep, nothing is recorded anyway)."""
        if span is None:
            return True
        ctx = span.get_span_context()
        return not ctx.is_valid or self.keep(ctx.trace_id)

    def keep_context(self, context: Context | None) -> bool:
        """The decision for an operation starting in `context`: False only when its trace is known and
        not kept (a root span's trace id is decided when its span starts: True)."""
        ctx = trace.get_current_span(context).get_span_context()
        return not ctx.is_valid or self.keep(ctx.trace_id)


def sampler(ratio: float) -> ContentSampler | None:
    """None (keep everything) for ratio 1 and above, the sampler otherwise."""
    return None if ratio >= 1.0 else ContentSampler(max(ratio, 0.0))
