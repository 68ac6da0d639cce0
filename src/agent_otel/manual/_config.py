"""The telemetry the manual API emits through: built from the globals on first use, or by `configure()`."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.telemetry.core import Telemetry

SCOPE_NAME = "agent_otel.manual"
_CONTENT_SETTINGS = ("content_redactor", "content_max_length", "content_sampling_ratio")

_lock = threading.Lock()
_resolved = False
_telemetry: Telemetry | None = None


def _build(**kwargs: Any) -> Telemetry | None:
    from agent_otel.config import Settings
    from agent_otel.telemetry.core import Telemetry

    settings = Settings.from_env(**{k: kwargs.pop(k, None) for k in ("enabled", "cost", *_CONTENT_SETTINGS)})
    if not settings.enabled:
        return None
    pricing_file = kwargs.pop("pricing_file", None)
    prices = kwargs.pop("prices", None)
    return Telemetry(
        scope_name=SCOPE_NAME,
        settings=settings,
        pricing_file=pricing_file,
        price_overrides=prices,
        **{k: v for k, v in kwargs.items() if v is not None},
    )


def configure(
    *,
    tracer_provider: Any | None = None,
    meter_provider: Any | None = None,
    logger_provider: Any | None = None,
    completion_hook: Any | None = None,
    pricing_file: str | None = None,
    prices: Mapping[str, Any] | None = None,
    enabled: bool | None = None,
    cost: bool | None = None,
    content_redactor: Any | None = None,
    content_max_length: int | None = None,
    content_sampling_ratio: float | None = None,
) -> None:
    """Set up the telemetry the manual API emits through (instead of the global providers).

    Arguments left out fall back to the global providers and the environment, as on first use.
    `content_redactor`, `content_max_length` and `content_sampling_ratio` are those of `instrument()`
    (README, "Content capture").
    Never raises: a configuration that cannot be built is logged and the manual API does nothing.
    """
    global _resolved, _telemetry
    try:
        built = _build(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            completion_hook=completion_hook,
            pricing_file=pricing_file,
            prices=prices,
            enabled=enabled,
            cost=cost,
            content_redactor=content_redactor,
            content_max_length=content_max_length,
            content_sampling_ratio=content_sampling_ratio,
        )
    except Exception as exc:
        report("agent_otel.manual.configure", exc)
        built = None
    with _lock:
        _telemetry, _resolved = built, True


def reset() -> None:
    """Forget the configured telemetry: the next use builds it again from the globals and environment."""
    global _resolved, _telemetry
    with _lock:
        _telemetry, _resolved = None, False


def telemetry() -> Telemetry | None:
    """The telemetry core the manual API uses (built on first use); None when agent-otel is disabled."""
    global _resolved, _telemetry
    if _resolved:
        return _telemetry
    with _lock:
        if not _resolved:
            try:
                _telemetry = _build()
            except Exception as exc:
                report("agent_otel.manual.telemetry", exc)
                _telemetry = None
            _resolved = True
    return _telemetry
