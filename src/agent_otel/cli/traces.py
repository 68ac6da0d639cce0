"""Grouping streamed spans into traces with bounded memory.

Spans of one trace arrive close together in a trace file (children before parents, batch after batch),
but nothing marks a trace as complete. `TraceAssembler` keeps a small structural record per span
(parent id, name, line) for the traces still open, finalises a trace into a `TraceSummary` at the end of
the input or when the open spans exceed `max_open_spans` (least recently seen trace first), and reports
what is wrong with it: spans whose parent never arrived, duplicate span ids, spans arriving after their
trace was closed. Full `SpanRecord`s are kept only for the traces a caller asks to render (`keep`), up
to `max_kept_spans` in total.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from agent_otel.cli.model import ErrorInfo, SpanRecord, Trace, TraceSummary
from agent_otel.cli.reader import Diagnostics, open_source, read_spans

TraceCallback = Callable[[TraceSummary, "Trace | None"], None]

_MAX_PATH_DEPTH = 64
_FINISHED_MEMORY = 100_000


@dataclass(slots=True)
class _Node:
    parent_id: str | None
    name: str
    line: int
    start_ns: int
    parent_remote: bool = False


class _Root(NamedTuple):
    """The earliest span without a parent seen so far."""

    start_ns: int
    name: str


class _FirstError(NamedTuple):
    """The failed span that ended first so far."""

    end_ns: int
    span: SpanRecord


class _OpenTrace:
    __slots__ = (
        "cost",
        "currencies",
        "dropped",
        "end_ns",
        "error_count",
        "first_error",
        "first_line",
        "input_tokens",
        "nodes",
        "nodes_full",
        "output_tokens",
        "root",
        "service",
        "span_count",
        "spans",
        "start_ns",
        "trace_id",
        "weight",
    )

    def __init__(self, trace_id: str, line: int, keep: bool) -> None:
        self.trace_id = trace_id
        self.first_line = line
        self.start_ns = 0
        self.end_ns = 0
        self.span_count = 0
        self.error_count = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self.currencies: set[str] = set()
        self.service: str | None = None
        self.nodes: dict[str, _Node] = {}
        self.nodes_full = False
        self.root: _Root | None = None
        self.first_error: _FirstError | None = None
        self.spans: list[SpanRecord] | None = [] if keep else None
        self.dropped = 0
        self.weight: float = 1


class TraceAssembler:
    """Feed spans with `add()`, call `finish()` at the end; `on_trace` receives each completed trace.

    `keep(trace_id)` is asked once per new trace: True keeps its full spans and passes a `Trace` (else
    None) to `on_trace`. Memory is bounded by `max_open_spans` structural records plus `max_kept_spans`
    kept spans plus a fixed-size memory of closed trace ids.
    """

    def __init__(
        self,
        diagnostics: Diagnostics,
        on_trace: TraceCallback,
        keep: Callable[[str], bool] | None = None,
        max_open_spans: int = 50_000,
        max_kept_spans: int = 20_000,
    ) -> None:
        self.diag = diagnostics
        self.on_trace = on_trace
        self.keep = keep
        self.max_open_spans = max_open_spans
        self.max_kept_spans = max_kept_spans
        self.open: OrderedDict[str, _OpenTrace] = OrderedDict()
        self.open_spans = 0
        self.kept_spans = 0
        self.unkept_traces = 0
        """Traces the caller wanted kept but that arrived after `max_kept_spans` was reached."""
        self.peak_open_spans = 0
        self.span_count = 0
        self.trace_count = 0
        self._closed_traces: set[str] = set()
        self._closed_order: deque[str] = deque()
        self._late_reported: set[str] = set()

    def add(self, span: SpanRecord) -> None:
        self.span_count += 1
        state = self.open.get(span.trace_id)
        if state is None:
            if span.trace_id in self._closed_traces and span.trace_id not in self._late_reported:
                self._late_reported.add(span.trace_id)
                self.diag.report(
                    span.line,
                    "late span",
                    f"span {span.name!r} of trace {span.trace_id} arrived after that trace was closed "
                    f"(over {self.max_open_spans} spans of other traces in between); "
                    "it is counted as a separate trace",
                )
            keep = bool(self.keep and self.keep(span.trace_id))
            if keep and self.kept_spans >= self.max_kept_spans:
                keep = False
                self.unkept_traces += 1
            state = _OpenTrace(span.trace_id, span.line, keep)
            self.open[span.trace_id] = state
        else:
            self.open.move_to_end(span.trace_id)
        self._add_to(state, span)
        if self.open_spans > self.max_open_spans:
            self._evict(keep=span.trace_id)

    def _add_to(self, st: _OpenTrace, span: SpanRecord) -> None:
        if not st.nodes_full:
            seen = st.nodes.get(span.span_id)
            if seen is not None:
                self.diag.report(
                    span.line,
                    "duplicate span",
                    f"span {span.name!r} ({span.span_id}) of trace {span.trace_id} already appeared "
                    f"on line {seen.line}; this copy is ignored",
                )
                return
            if len(st.nodes) >= self.max_open_spans:
                st.nodes_full = True
                self.diag.report(
                    span.line,
                    "trace too large",
                    f"trace {span.trace_id} has more than {self.max_open_spans} spans; its parent checks "
                    "and error path are incomplete",
                )
            else:
                st.nodes[span.span_id] = _Node(
                    span.parent_id, span.name, span.line, span.start_ns, span.parent_remote
                )
                self.open_spans += 1
                if self.open_spans > self.peak_open_spans:
                    self.peak_open_spans = self.open_spans
        st.span_count += 1
        if st.span_count == 1 or span.start_ns < st.start_ns:
            st.start_ns = span.start_ns
        if span.end_ns > st.end_ns:
            st.end_ns = span.end_ns
        if span.parent_id is None and (st.root is None or span.start_ns < st.root.start_ns):
            st.root = _Root(span.start_ns, span.name)
            st.service = span.service
        elif st.service is None:
            st.service = span.service
        if st.weight == 1:
            st.weight = span.sampling_weight
        tin, tout = span.own_tokens
        st.input_tokens += tin
        st.output_tokens += tout
        cost = span.cost
        if cost is not None:
            st.cost += cost
            st.currencies.add(span.currency)
        if span.is_error:
            st.error_count += 1
            if st.first_error is None or span.end_ns < st.first_error.end_ns:
                st.first_error = _FirstError(span.end_ns, span)
        if st.spans is not None:
            if self.kept_spans < self.max_kept_spans:
                st.spans.append(span)
                self.kept_spans += 1
            else:
                st.dropped += 1

    def _evict(self, keep: str) -> None:
        target = int(self.max_open_spans * 0.9)
        for trace_id in list(self.open):
            if self.open_spans <= target:
                break
            if trace_id == keep:
                continue
            self._finalise(self.open.pop(trace_id))

    def finish(self) -> None:
        """Finalise every open trace, in the order of their first line."""
        for st in sorted(self.open.values(), key=lambda s: s.first_line):
            self._finalise(st)
        self.open.clear()

    def _finalise(self, st: _OpenTrace) -> None:
        self.open_spans -= len(st.nodes)
        self.trace_count += 1
        self._closed_traces.add(st.trace_id)
        self._closed_order.append(st.trace_id)
        if len(self._closed_order) > _FINISHED_MEMORY:
            self._closed_traces.discard(self._closed_order.popleft())
        orphans = 0
        orphan_root: _Node | None = None
        if not st.nodes_full:
            for span_id, node in st.nodes.items():
                if node.parent_id and node.parent_id not in st.nodes:
                    if orphan_root is None or node.start_ns < orphan_root.start_ns:
                        orphan_root = node
                    if node.parent_remote:  # the caller's span is in another process's file
                        continue
                    orphans += 1
                    self.diag.report(
                        node.line,
                        "missing parent",
                        f"span {node.name!r} ({span_id}) of trace {st.trace_id} has parent "
                        f"{node.parent_id}, which is not in the file; shown as a root",
                    )
        if st.root is not None:
            root_name = st.root.name
        elif orphan_root is not None:
            root_name = orphan_root.name
        else:
            root_name = "(no root span)"
        first_error = None
        if st.first_error is not None:
            span = st.first_error.span
            first_error = ErrorInfo(
                span_id=span.span_id,
                name=span.name,
                error_type=span.error_type,
                message=span.status_message,
                path=self._path(st, span),
                line=span.line,
            )
        summary = TraceSummary(
            trace_id=st.trace_id,
            root_name=root_name,
            service=st.service,
            start_ns=st.start_ns,
            end_ns=st.end_ns,
            span_count=st.span_count,
            error_count=st.error_count,
            input_tokens=st.input_tokens,
            output_tokens=st.output_tokens,
            cost=st.cost,
            currencies=tuple(sorted(st.currencies)),
            first_line=st.first_line,
            first_error=first_error,
            orphan_count=orphans,
            weight=st.weight,
        )
        trace = None
        if st.spans is not None:
            trace = Trace(summary, st.spans, st.dropped)
        self.on_trace(summary, trace)

    @staticmethod
    def _path(st: _OpenTrace, span: SpanRecord) -> list[str]:
        """Span names from the root down to `span`; '…' marks a parent that is missing."""
        names = [span.name]
        parent = span.parent_id
        seen = {span.span_id}
        while parent and len(names) < _MAX_PATH_DEPTH:
            node = st.nodes.get(parent)
            if node is None or parent in seen:
                names.append("…")
                break
            seen.add(parent)
            names.append(node.name)
            parent = node.parent_id
        names.reverse()
        return names


def scan(
    path: str,
    diagnostics: Diagnostics,
    on_trace: TraceCallback,
    on_span: Callable[[SpanRecord], None] | None = None,
    keep: Callable[[str], bool] | None = None,
    max_open_spans: int = 50_000,
    max_kept_spans: int = 20_000,
) -> TraceAssembler:
    """Read every span of `path` ('-' for stdin) once, feeding `on_span` and the assembler."""
    assembler = TraceAssembler(
        diagnostics, on_trace, keep=keep, max_open_spans=max_open_spans, max_kept_spans=max_kept_spans
    )
    with open_source(path) as source:
        for span in read_spans(source, diagnostics):
            if on_span is not None:
                on_span(span)
            assembler.add(span)
    assembler.finish()
    return assembler
