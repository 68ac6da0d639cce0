"""Per-run state of the LangChain instrumentation: run id -> `Run`, bounded and always cleaned.

A `Run` lives from a run's start callback to its end or error callback. It holds the core's handle (when
the run has telemetry), the OpenTelemetry context its body executes in, and its place in the run tree.
`RunStore` is what the callback handler shares with the execution-boundary wrappers (`_context`) and the
LangGraph graph hook (`_langgraph`): the runs, the boundary slots, the announced graphs and the on/off
switch. Each of them is handed the store, never the handler.

Cleanup never depends on every end callback arriving:
- when a root run (one whose parent we do not track) finishes, every descendant still open is ended and
  dropped (abandoned streams, runs whose end callback never came);
- the map has a hard cap: past it, the oldest open runs are ended and dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from uuid import UUID

from opentelemetry.context import Context, create_key, detach

from agent_otel.telemetry.model_call import ModelCall
from agent_otel.telemetry.operations import Operation

Handle = ModelCall | Operation
"""What a run with telemetry holds: the core's model call, or its tool/agent/workflow/retrieval/node."""

DEFAULT_LIMIT = 10_000

# What a run is, for the handler.
AGENT = "agent"
WORKFLOW = "workflow"
NODE = "node"
CHAIN = "chain"  # plumbing: no span of its own; children are parented to its nearest spanned ancestor
CHAT = "chat"
TOOL = "tool"
RETRIEVER = "retriever"

# Marks the contexts we activate with the run they belong to, so a child run can tell whether the current
# context descends from its parent's (and keep a user span opened in between as its parent).
RUN_KEY = create_key("agent_otel.langchain.run")


class Marks(NamedTuple):
    """The classification keys a run's metadata carries (README: agent_name, otel_agent_span,
    workflow_name, otel_workflow_span, otel_trace); read by `_classify.read_marks`."""

    agent_name: Any
    agent_span: Any
    workflow_name: Any
    workflow_span: Any
    trace: Any


class Run:
    """One LangChain run that has started and not yet finished."""

    __slots__ = (
        "call",
        "ctx",
        "kind",
        "marks",
        "open",
        "parent",
        "root",
        "run_id",
        "subgraphs",
        "suppress",
    )

    def __init__(
        self,
        run_id: UUID,
        kind: str,
        parent: Run | None,
        call: Handle | None,
        ctx: Context,
        marks: Marks | None = None,
        suppress: bool = False,
    ) -> None:
        self.run_id = run_id
        self.kind = kind
        self.parent = parent
        self.call = call
        self.ctx = ctx
        # The user's classification metadata seen at this run, to tell set-here from inherited.
        self.marks = marks
        # True below a runnable whose metadata says otel_trace=False: no spans at all.
        self.suppress = suppress
        self.root: Run = parent.root if parent is not None else self
        # Roots only: ids of the descendants still open (a dict used as an insertion-ordered set).
        self.open: dict[UUID, None] | None = None if parent is not None else {}
        # LangGraph graph runs, with node spans on: names of the nodes that are graphs themselves.
        self.subgraphs: frozenset[str] | None = None


class RunMap:
    """run id -> Run. Thread-safe for the operations LangChain's threads perform (GIL-atomic dict ops)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._runs: dict[UUID, Run] = {}
        # The dict's own lookup: the hottest call of the handler, without a Python frame around it.
        self.get: Callable[[UUID], Run | None] = self._runs.get  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self._runs)

    def add(self, run: Run) -> list[Run]:
        """Track `run`; returns the runs evicted to stay under the limit (the caller ends their spans)."""
        evicted: list[Run] = []
        if len(self._runs) >= self.limit:
            evicted = self._evict(max(1, self.limit // 10))
        self._runs[run.run_id] = run
        if run.parent is not None:
            opened = run.root.open
            if opened is not None:
                opened[run.run_id] = None
        return evicted

    def pop(self, run_id: UUID) -> Run | None:
        run = self._runs.pop(run_id, None)
        if run is not None and run.parent is not None:
            opened = run.root.open
            if opened is not None:
                opened.pop(run_id, None)
        return run

    def pop_descendants(self, root: Run) -> list[Run]:
        """Drop every run still open under a finished root; returns them, innermost (newest) first."""
        opened = root.open
        if not opened:
            return []
        left: list[Run] = []
        for run_id in list(opened):  # insertion order: oldest first
            run = self._runs.pop(run_id, None)
            if run is not None:
                left.append(run)
        opened.clear()
        left.reverse()
        return left

    def clear(self) -> list[Run]:
        runs = list(self._runs.values())
        self._runs.clear()
        return runs

    def _evict(self, count: int) -> list[Run]:
        out: list[Run] = []
        for run_id in list(self._runs)[:count]:
            run = self.pop(run_id)
            if run is not None:
                out.append(run)
        return out


class Slot:
    """Where the handler leaves the token of the context it attached for a boundary wrapper."""

    __slots__ = ("token",)

    def __init__(self) -> None:
        self.token: object | None = None

    def release(self) -> None:
        token, self.token = self.token, None
        if token is not None:
            detach(token)  # type: ignore[arg-type]


class RunStore:
    """The state the handler shares with the boundary wrappers and the graph hook."""

    __slots__ = ("active", "expect", "graphs", "runs")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.runs = RunMap(limit)
        # Boundary wrappers waiting for a run to start so its context can be attached in their frame.
        self.expect: dict[UUID, Slot] = {}
        # Compiled LangGraph graphs announced by the Pregel.stream hook, until their run starts.
        self.graphs: dict[UUID, Any] = {}
        # False once uninstrumented: the handler and the wrappers stop doing anything.
        self.active = True
