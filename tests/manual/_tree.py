"""`tree(spans)`: spans as (depth, name), depth-first in start order (the shape of a trace).

The same helper as tests/conftest.py's `tree`, importable from here: `from conftest import tree` finds
whichever conftest module was imported last once sub-directories have their own conftest.py.
"""

from __future__ import annotations

from typing import Any


def tree(spans: list[Any]) -> list[tuple[int, str]]:
    by_parent: dict[int | None, list[Any]] = {}
    ids = {s.context.span_id for s in spans}
    for s in sorted(spans, key=lambda s: s.start_time or 0):
        parent = s.parent.span_id if s.parent and s.parent.span_id in ids else None
        by_parent.setdefault(parent, []).append(s)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for s in by_parent.get(parent, []):
            out.append((depth, s.name))
            walk(s.context.span_id, depth + 1)

    walk(None, 0)
    return out
