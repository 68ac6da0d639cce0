"""Human formatting of durations, token counts, costs and timestamps, shared by every output."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable


def duration(ns: int | float) -> str:
    """'850 µs', '12.3 ms', '320 ms', '3.21 s', '2m 03s'."""
    ns = float(ns)
    if ns < 1_000_000:
        return f"{ns / 1000:.0f} µs"
    ms = ns / 1_000_000
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    s = ms / 1000
    if s < 60:
        return f"{s:.2f} s"
    minutes, seconds = divmod(round(s), 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def count(n: int) -> str:
    return f"{n:,}"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 trace', '2,000 traces'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def cost(amount: float | None, currencies: Iterable[str] = ("USD",)) -> str:
    """'$0.000165', '$0.0123', '$1.24'; another currency is written after the amount."""
    if amount is None:
        return ""
    cur = sorted(set(currencies)) or ["USD"]
    if abs(amount) >= 1:
        number = f"{amount:,.2f}"
    elif abs(amount) >= 0.01:
        number = f"{amount:.4f}"
    elif amount == 0:
        number = "0"
    else:
        number = f"{amount:.6f}"
        if number.rstrip("0.") == "":  # below a millionth
            number = f"{amount:.2e}"
    if cur == ["USD"]:
        return f"${number}"
    return f"{number} {'/'.join(cur)}"


def timestamp(ns: int) -> str:
    """UTC wall-clock time of a Unix-nanosecond timestamp: '2026-11-21 06:30:12.345 UTC'."""
    if ns <= 0:
        return "?"
    when = _dt.datetime.fromtimestamp(ns / 1e9, tz=_dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} UTC"


def iso(ns: int) -> str | None:
    if ns <= 0:
        return None
    return _dt.datetime.fromtimestamp(ns / 1e9, tz=_dt.timezone.utc).isoformat().replace("+00:00", "Z")
