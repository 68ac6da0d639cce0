"""Trace shapes for assertions: `tree(spans)` lists finished spans as (depth, name), depth-first in start
order, so a test can compare a whole trace with one literal. Parents missing from `spans` make roots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def tree(spans: Sequence[Any]) -> list[tuple[int, str]]:
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
