"""Span and trace records read from a trace file, and what a span means for a GenAI application.

A `SpanRecord` is one decoded OTLP span (ids as lowercase hex, times in Unix nanoseconds, attribute
values as plain Python values). Its properties answer the questions the commands ask: which operation,
which agent, which model, how many tokens, what cost, did it fail.

Counting rules shared by every command (so `view`, `query` and the HTML page agree):
- tokens are summed over spans that are not invocations (`invoke_agent`, `invoke_workflow`, ...), because
  agent-otel also writes token roll-ups on agent and workflow spans;
- cost is summed over `gen_ai.usage.cost.amount` (inference spans only); the roll-up
  `agent_otel.usage.cost.total_amount` on agent and workflow spans is shown but never added;
- a span is an error when its status code is ERROR or it carries `error.type`;
- a trace kept by agent-otel's tail sampler only by ratio (`agent_otel.sampling.reason` = `ratio`) stands
  for 1 / `agent_otel.sampling.ratio` traces (its `sampling_weight`): `query` counts it that many times,
  so percentiles and per-agent counts estimate what ran. Every other span weighs 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from agent_otel.telemetry import semconv as sc

STATUS_UNSET = 0
STATUS_ERROR = 2

KIND_NAMES = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}

# Operations whose spans carry roll-ups of their children's tokens and cost.
INVOCATION_OPERATIONS = frozenset(
    {sc.OP_INVOKE_AGENT, sc.OP_INVOKE_WORKFLOW, "handle_conversation_turn", "create_agent"}
)
INFERENCE_OPERATIONS = frozenset(
    {sc.OP_CHAT, sc.OP_TEXT_COMPLETION, "generate_content", sc.OP_EMBEDDINGS, sc.OP_FETCH_RESPONSE}
)


@dataclass(slots=True)
class EventRecord:
    name: str
    time_ns: int
    attributes: dict[str, Any]


@dataclass(slots=True)
class SpanRecord:
    """One span as read from the file; `line` is the 1-based line it came from."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int
    kind: int = 1
    status_code: int = STATUS_UNSET
    status_message: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[EventRecord] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    resource: dict[str, Any] = field(default_factory=dict)
    scope: str = ""
    line: int = 0
    parent_remote: bool = False
    """The parent lives in another process (OTLP span flags): its absence from the file is expected."""

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @property
    def operation(self) -> str | None:
        op = self.attributes.get(sc.OPERATION_NAME)
        return op if isinstance(op, str) else None

    @property
    def agent(self) -> str | None:
        name = self.attributes.get(sc.AGENT_NAME)
        return name if isinstance(name, str) and name else None

    @property
    def model(self) -> str | None:
        """The model asked for (`gen_ai.request.model`), else the one that answered."""
        for key in (sc.REQUEST_MODEL, sc.RESPONSE_MODEL):
            value = self.attributes.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def is_invocation(self) -> bool:
        """An agent/workflow span: its tokens and cost are totals of the spans beneath it."""
        return self.operation in INVOCATION_OPERATIONS

    @property
    def input_tokens(self) -> int | None:
        return _int(self.attributes.get(sc.USAGE_INPUT_TOKENS))

    @property
    def output_tokens(self) -> int | None:
        return _int(self.attributes.get(sc.USAGE_OUTPUT_TOKENS))

    @property
    def own_tokens(self) -> tuple[int, int]:
        """(input, output) tokens this span adds to a total: zero for invocation (roll-up) spans."""
        if self.is_invocation:
            return 0, 0
        return self.input_tokens or 0, self.output_tokens or 0

    @property
    def cost(self) -> float | None:
        """`gen_ai.usage.cost.amount`: the cost of this inference (never a roll-up)."""
        return _float(self.attributes.get(sc.USAGE_COST_AMOUNT))

    @property
    def cost_total(self) -> float | None:
        """`agent_otel.usage.cost.total_amount`: the roll-up on an agent or workflow span."""
        return _float(self.attributes.get(sc.AGENT_OTEL_COST_TOTAL))

    @property
    def currency(self) -> str:
        value = self.attributes.get(sc.USAGE_COST_CURRENCY) or self.attributes.get(
            sc.AGENT_OTEL_COST_TOTAL_CURRENCY
        )
        return value if isinstance(value, str) and value else "USD"

    @property
    def error_type(self) -> str | None:
        value = self.attributes.get(sc.ERROR_TYPE)
        return str(value) if value not in (None, "") else None

    @property
    def is_error(self) -> bool:
        return self.status_code == STATUS_ERROR or self.error_type is not None

    @property
    def sampling_weight(self) -> float:
        """1 / `agent_otel.sampling.ratio` on a span of a trace kept by ratio, else 1 (an int when whole)."""
        if self.attributes.get(sc.AGENT_OTEL_SAMPLING_REASON) != "ratio":
            return 1
        ratio = _float(self.attributes.get(sc.AGENT_OTEL_SAMPLING_RATIO))
        if ratio is None or not 0 < ratio <= 1:
            return 1
        weight = 1 / ratio
        return int(weight) if weight.is_integer() else weight

    @property
    def service(self) -> str | None:
        value = self.resource.get("service.name")
        return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


@dataclass(slots=True)
class ErrorInfo:
    """The first span of a trace to fail (earliest end: where the error started) and its path."""

    span_id: str
    name: str
    error_type: str | None
    message: str
    path: list[str]
    line: int


@dataclass(slots=True)
class TraceSummary:
    """What the queries keep of a trace once it is complete: a few numbers, not its spans."""

    trace_id: str
    root_name: str
    service: str | None
    start_ns: int
    end_ns: int
    span_count: int
    error_count: int
    input_tokens: int
    output_tokens: int
    cost: float
    currencies: tuple[str, ...]
    first_line: int
    first_error: ErrorInfo | None = None
    orphan_count: int = 0
    weight: float = 1
    """How many traces this one stands for (tail sampling by ratio: 1 / ratio; see the module docstring)."""

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)


class RankedSummary(NamedTuple):
    """A heap entry of the queries: a summary ordered by `key`, ties by arrival `seq` (never by summary)."""

    key: int
    seq: int
    summary: TraceSummary


class SpanTree(NamedTuple):
    """The tree the spans of a trace form, each list by start time."""

    roots: list[SpanRecord]
    children: dict[str, list[SpanRecord]]
    """Children by parent span id."""
    orphans: set[str]
    """Ids of spans whose local parent is missing."""


@dataclass
class Trace:
    """A complete trace kept for rendering: its spans and the tree they form."""

    summary: TraceSummary
    spans: list[SpanRecord]
    dropped_spans: int = 0
    """Spans of this trace not kept because the memory cap for rendering was reached."""

    def tree(self) -> SpanTree:
        """Roots, children by parent span id and ids of spans whose local parent is missing, by start."""
        ids = {s.span_id for s in self.spans}
        children: dict[str, list[SpanRecord]] = {}
        roots: list[SpanRecord] = []
        orphans: set[str] = set()
        for span in sorted(self.spans, key=lambda s: (s.start_ns, -s.end_ns)):
            if span.parent_id and span.parent_id in ids and span.parent_id != span.span_id:
                children.setdefault(span.parent_id, []).append(span)
            else:
                if span.parent_id and not span.parent_remote:
                    orphans.add(span.span_id)
                roots.append(span)
        return SpanTree(roots, children, orphans)
