"""Size budgets: every content attribute fits its budget and stays valid JSON.

The budget is per attribute, in characters of its JSON text (ASCII: non-ASCII characters are escaped,
so characters are bytes). Default `DEFAULT_MAX_LENGTH` (65,536): 64 KiB, within what the common backends
accept for one GenAI attribute (Azure Monitor: 256 KB for messages, 64 KB for other properties; Claude
Code and others cut at 60-64 KB), and never above the SDK's own cut (`OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`,
else `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`), which would cut the JSON in half. `AGENT_OTEL_CONTENT_MAX_LENGTH`
sets it (0: no budget of ours, the SDK's limit only).

Nothing here runs when content is not recorded, and a value under budget costs one `json.dumps`. Over
budget, structure is kept:

- messages (`fit_messages`): the oldest messages go first (leading `system` messages and the newest
  message last of all), replaced, where they were, by one marker message
  `{"role": "agent_otel", "parts": [{"type": "truncated", "messages": N, "characters": C}]}`; if the
  newest message alone is over budget, its longest strings are cut, each ending in
  `...[truncated N chars]`;
- other lists (`fit_list`: system instructions, tool definitions, documents): long strings are cut
  first, then the last items dropped for a marker item `{"type": "truncated", "items": N, "characters": C}`;
- single values (`fit_value`: tool arguments and results, prompt variables, queries): a JSON object or
  array (also given as JSON text) is cut the same way and stays valid JSON; plain text is cut with the
  marker.

Callers set `agent_otel.content.truncated = true` on a span when anything was cut.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent_otel.telemetry import semconv as sc

DEFAULT_MAX_LENGTH = 65_536
TRUNCATED = sc.AGENT_OTEL_CONTENT_TRUNCATED
MARKER_ROLE = "agent_otel"
MARKER_TYPE = "truncated"
_SLACK = 40  # a string is only cut when that saves more than its marker costs
_MAX_DEPTH = 32


def resolve_limit(configured: int | None, sdk_limit: int | None) -> int | None:
    """The budget: `configured` (None: the default; 0: none), never above the SDK's limit."""
    own = DEFAULT_MAX_LENGTH if configured is None else configured
    limits = [v for v in (own, sdk_limit) if v is not None and v > 0]
    return min(limits) if limits else None


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def cut_text(text: str, keep: int) -> str:
    keep = max(keep, 0)
    return f"{text[:keep]}...[truncated {len(text) - keep} chars]"


# ------------------------------------------------------------------ strings inside a structure


def _cap(value: Any, cap: int, depth: int = 0) -> Any:
    if isinstance(value, str):
        return cut_text(value, cap) if len(value) > cap + _SLACK else value
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {k: _cap(v, cap, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_cap(v, cap, depth + 1) for v in value]
    return value


def _longest(value: Any, depth: int = 0) -> int:
    if isinstance(value, str):
        return len(value)
    if depth > _MAX_DEPTH:
        return 0
    if isinstance(value, Mapping):
        return max((_longest(v, depth + 1) for v in value.values()), default=0)
    if isinstance(value, list):
        return max((_longest(v, depth + 1) for v in value), default=0)
    return 0


def shrink(value: Any, limit: int) -> tuple[Any, str] | None:
    """`value` with its longest strings cut (as little as possible) so that its JSON fits `limit`;
    None when it does not fit even with every string cut to nothing."""
    longest = _longest(value)
    low_value = _cap(value, 0)
    low_text = dumps(low_value)
    if len(low_text) > limit:
        return None
    best = (low_value, low_text)
    low, high = 0, longest  # `low` fits; `high` may not
    while high - low > max(8, longest // 512):
        mid = (low + high) // 2
        candidate = _cap(value, mid)
        text = dumps(candidate)
        if len(text) <= limit:
            low, best = mid, (candidate, text)
        else:
            high = mid
    return best


# ------------------------------------------------------------------ messages


def message_marker(messages: int, characters: int) -> dict[str, Any]:
    return {
        "role": MARKER_ROLE,
        "parts": [{"type": MARKER_TYPE, "messages": messages, "characters": characters}],
    }


def _role(message: Any) -> Any:
    return message.get("role") if isinstance(message, Mapping) else None


def fit_messages(items: list[Any], limit: int | None) -> tuple[list[Any], str, bool]:
    """(messages kept, their JSON, whether anything was cut); see the module docstring."""
    text = dumps(items)
    if limit is None or len(text) <= limit:
        return items, text, False
    sizes = [len(dumps(m)) for m in items]
    last = len(items) - 1
    order = [i for i in range(last) if _role(items[i]) != "system"]
    order += [i for i in range(last) if _role(items[i]) == "system"]
    dropped: set[int] = set()
    dropped_chars = 0
    kept_chars = sum(sizes) + last  # the messages and the commas between them

    def over() -> bool:
        marker = len(dumps(message_marker(len(dropped), dropped_chars))) + 1 if dropped else 0
        return 2 + kept_chars + marker > limit

    for index in order:
        if not over():
            break
        dropped.add(index)
        dropped_chars += sizes[index]
        kept_chars -= sizes[index] + 1
    result = _with_marker(items, dropped, dropped_chars)
    if not over():
        return result, dumps(result), True
    # Only the newest message is left, and it is over budget alone: cut its strings.
    marker = message_marker(len(dropped), dropped_chars) if dropped else None
    room = limit - 2 - (len(dumps(marker)) + 1 if marker else 0)
    shrunk = shrink(items[last], room)
    if shrunk is not None:
        result = ([marker] if marker else []) + [shrunk[0]]
        return result, dumps(result), True
    everything = [message_marker(len(items), sum(sizes))]
    text = dumps(everything)
    return (everything, text, True) if len(text) <= limit else ([], "[]", True)


def _with_marker(items: list[Any], dropped: set[int], chars: int) -> list[Any]:
    if not dropped:
        return list(items)
    out: list[Any] = []
    marked = False
    for index, item in enumerate(items):
        if index in dropped:
            if not marked:
                out.append(message_marker(len(dropped), chars))
                marked = True
        else:
            out.append(item)
    return out


# ------------------------------------------------------------------ other lists and single values


def list_marker(items: int, characters: int) -> dict[str, Any]:
    return {"type": MARKER_TYPE, "items": items, "characters": characters}


_MAPPING_MARKER = "agent_otel.truncated"


def _containers(value: Any, depth: int = 0) -> list[Any]:
    """Every list and mapping inside `value` (itself included) that still has something to drop."""
    if depth > _MAX_DEPTH or not isinstance(value, (list, dict)):
        return []
    found: list[Any] = []
    real = [v for v in value if not _is_marker(v)] if isinstance(value, list) else list(value)
    if real and not (isinstance(value, dict) and real == [_MAPPING_MARKER]):
        found.append(value)
    for child in value if isinstance(value, list) else value.values():
        found.extend(_containers(child, depth + 1))
    return found


def _is_marker(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") == MARKER_TYPE and "items" in item


def _drop_tail(container: list[Any] | dict[str, Any]) -> None:
    """Drop about a quarter of the container's last entries (at least one), in place, into its marker."""
    if isinstance(container, list):
        marker = container.pop() if container and _is_marker(container[-1]) else list_marker(0, 0)
        count = max(1, len(container) // 4)
        gone = container[-count:]
        del container[-count:]
        marker["items"] += count
        marker["characters"] += sum(len(dumps(g)) + 1 for g in gone)
        container.append(marker)
        return
    note = container.pop(_MAPPING_MARKER, None) or {"keys": 0, "characters": 0}
    keys = list(container)
    count = max(1, len(keys) // 4)
    for key in keys[-count:]:
        note["characters"] += len(dumps({key: container.pop(key)}))
    note["keys"] += count
    container[_MAPPING_MARKER] = note


def squeeze(value: Any, limit: int) -> tuple[Any, str]:
    """`value` (a list or mapping) within `limit`, valid JSON: long strings cut first; then, while that is
    not enough, the last entries of its largest list (then of its largest mapping) dropped for a marker
    saying how many."""
    work = json.loads(dumps(value))  # a private copy to drop from
    for _ in range(256):
        shrunk = shrink(work, limit)
        if shrunk is not None:
            return shrunk
        containers = _containers(work)
        if not containers:
            break
        lists = [c for c in containers if isinstance(c, list)]  # lists first: records keep their keys
        _drop_tail(max(lists or containers, key=lambda c: len(dumps(c))))
    empty: Any = [list_marker(1, len(dumps(value)))] if isinstance(value, list) else {}
    text = dumps(empty)
    return (empty, text) if len(text) <= limit else ([], "[]")


def fit_list(items: list[Any], limit: int | None) -> tuple[list[Any], str, bool]:
    """(items kept, their JSON, whether anything was cut): see `squeeze`."""
    text = dumps(items)
    if limit is None or len(text) <= limit:
        return items, text, False
    kept, text = squeeze(items, limit)
    return kept, text, True


def fit_value(value: Any, limit: int | None) -> tuple[str, bool]:
    """(the value's text within `limit`, whether it was cut): a JSON value stays valid JSON."""
    text = value if isinstance(value, str) else dumps(value)
    if limit is None or len(text) <= limit:
        return text, False
    structure: Any = value
    if isinstance(value, str):
        structure = None
        if value[:1] in ("{", "["):
            try:
                structure = json.loads(value)
            except ValueError:
                structure = None
        if not isinstance(structure, (dict, list)):
            keep = limit - len(cut_text(value, 0))
            return (cut_text(value, keep) if keep > 0 else value[:limit]), True
    if isinstance(structure, (list, Mapping)):
        return squeeze(structure, limit)[1], True
    return text[:limit], True  # a long number or the like: not JSON worth keeping whole
