"""LangGraph specifics: announcing graph runs, and telling control flow from failures.

- `Pregel.stream` / `Pregel.astream` (public; `invoke`/`ainvoke`/`batch` go through them) are wrapped to
  announce "run X is this compiled graph" to the handler, which can then classify agents
  (`create_agent`, `create_react_agent`) and workflows exactly. The run id is passed the documented way,
  `config["run_id"]`, so the announcement matches that run only. Announcements are bounded
  (`PENDING_LIMIT`): one whose stream is never iterated is eventually dropped.
- Handoffs (`Command(graph=Command.PARENT)` -> `ParentCommand`) and `interrupt()` (`GraphInterrupt`) reach
  callbacks as errors. Both are `GraphBubbleUp`: control flow, recorded on spans, never ERROR.

langgraph is optional: nothing here imports it at module level; the helpers look at `sys.modules`, since
an exception or Command from LangGraph implies LangGraph is loaded.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.instrumentation._patching import Patcher
    from agent_otel.instrumentation.langchain._runs import RunStore

_PREGEL_MODULE = "langgraph.pregel.main"
_PARENT = "__parent__"  # langgraph.types.Command.PARENT


def _errors() -> Any:
    return sys.modules.get("langgraph.errors")


def is_bubble_up(error: BaseException) -> bool:
    errors = _errors()
    return errors is not None and isinstance(error, errors.GraphBubbleUp)


def is_interrupt(error: BaseException) -> bool:
    errors = _errors()
    return errors is not None and isinstance(error, errors.GraphInterrupt)


def interrupt_values(error: BaseException) -> list[Any]:
    """The values passed to `interrupt()`, from a GraphInterrupt."""
    interrupts = error.args[0] if error.args else ()
    if not isinstance(interrupts, (list, tuple)):
        return []
    return [getattr(item, "value", item) for item in interrupts]


def _target(goto: Any) -> list[str]:
    if isinstance(goto, str):
        return [goto]
    if isinstance(goto, (list, tuple)):
        return [name for item in goto for name in _target(item)]
    node = getattr(goto, "node", None)  # langgraph.types.Send
    return [node] if isinstance(node, str) else []


def handoff_target(value: Any) -> str | list[str] | None:
    """Where a handoff goes: the `goto` of a `Command(graph=Command.PARENT)`, or of the Command carried
    by a `ParentCommand` error. None for anything else."""
    types = sys.modules.get("langgraph.types")
    if types is None:
        return None
    errors = _errors()
    if errors is not None and isinstance(value, errors.ParentCommand):
        # While bubbling up, LangGraph rewrites `graph` to the target graph's namespace.
        value = value.args[0] if value.args else None
        if not isinstance(value, types.Command):
            return None
    elif not isinstance(value, types.Command) or value.graph != _PARENT:
        return None
    targets = _target(value.goto)
    if not targets:
        return None
    return targets[0] if len(targets) == 1 else targets


def has_interrupt(outputs: Any) -> list[Any] | None:
    """A graph's final output carries `__interrupt__` when the run stopped at an interrupt()."""
    if isinstance(outputs, dict):
        interrupts = outputs.get("__interrupt__")
        if interrupts:
            return [getattr(item, "value", item) for item in interrupts]
    return None


def subgraph_nodes(graph: Any) -> frozenset[str]:
    """Names of a compiled graph's nodes that are compiled graphs themselves (subgraphs, agents)."""
    main = sys.modules.get(_PREGEL_MODULE)
    nodes = getattr(graph, "nodes", None)
    if main is None or not isinstance(nodes, dict):
        return frozenset()
    return frozenset(
        name for name, node in nodes.items() if isinstance(getattr(node, "bound", None), main.Pregel)
    )


# ----------------------------------------------------------------------------------- graph hook


def with_run_id(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], UUID]:
    """Give the config of a `(input, config=None, ...)` call a run id (the caller's if it set one)."""
    config = args[1] if len(args) > 1 else kwargs.get("config")
    new_config = dict(config) if config else {}
    run_id = new_config.get("run_id")
    if not isinstance(run_id, UUID):
        run_id = new_config["run_id"] = uuid4()
    if len(args) > 1:
        args = (args[0], new_config, *args[2:])
    else:
        kwargs = {**kwargs, "config": new_config}
    return args, kwargs, run_id


# Announcements whose run never started (a stream created and never iterated) are dropped past this.
PENDING_LIMIT = 1000


def install(patcher: Patcher, store: RunStore) -> bool:
    """Wrap Pregel.stream/astream; returns whether graph runs will be announced.

    The announcement is made when `stream()` is called and taken by the handler when the graph's run
    starts (at the stream's first step): no wrapping of the returned (async) generator, so nothing is
    added per streamed chunk.
    """
    graphs = store.graphs

    def announce(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if store.active:
            try:
                args, kwargs, run_id = with_run_id(args, kwargs)
                if len(graphs) >= PENDING_LIMIT:
                    graphs.pop(next(iter(graphs)), None)
                graphs[run_id] = instance
            except Exception as exc:
                report("agent_otel.langchain.graph_stream", exc)
        return wrapped(*args, **kwargs)

    done = patcher.wrap(_PREGEL_MODULE, "Pregel.stream", announce)
    done = patcher.wrap(_PREGEL_MODULE, "Pregel.astream", announce) and done
    return done
