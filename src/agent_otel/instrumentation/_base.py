"""What every agent-otel instrumentor shares: settings, the telemetry core, patch bookkeeping.

A subclass names its library and its version range, and implements `_install(telemetry, patcher)`.
`instrument()` reads the settings once (environment, then keyword arguments), builds one `Telemetry`
from the providers it was given, and installs the patches; `uninstrument()` restores every patched
attribute. While uninstrumented, wrappers that outlived `uninstrument()` (bound methods the SDK cached,
for example) call straight through: they check `active`.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from agent_otel import threads
from agent_otel.config import Settings, sampling_from_env
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry

_logger = logging.getLogger(__name__)

_TELEMETRY_KWARGS = ("tracer_provider", "meter_provider", "logger_provider", "completion_hook")


class AgentOtelInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Base class of agent-otel's instrumentors (each is a singleton, as BaseInstrumentor makes it)."""

    library_module: str = ""
    """The top-level module of the instrumented library; no patching when it cannot be imported."""
    dependencies: tuple[str, ...] = ()
    scope_name: str = "agent_otel"

    def __init__(self) -> None:
        if not hasattr(self, "_patcher"):
            self._patcher = Patcher()
            self.telemetry: Telemetry | None = None
            self.settings: Settings = Settings()
            self.active = False
            self._threads_installed = False

    def instrumentation_dependencies(self) -> Collection[str]:
        return self.dependencies

    def _instrument(self, **kwargs: Any) -> None:
        settings = Settings.from_env(**kwargs)
        if not settings.enabled:
            _logger.info("agent-otel: AGENT_OTEL_ENABLED is false; %s does nothing", type(self).__name__)
            return
        if sampling_from_env(**{k: v for k, v in kwargs.items() if k.startswith("sampling")}).tail:
            # AGENT_OTEL_SAMPLING=tail: one shared, idempotent installer (it needs the SDK: imported here).
            from agent_otel.telemetry.sampling.install import install_from_env

            install_from_env(**kwargs)
        if importlib.util.find_spec(self.library_module) is None:
            _logger.debug("agent-otel: %s is not installed; nothing to instrument", self.library_module)
            return
        self.settings = settings
        self.telemetry = Telemetry(
            scope_name=self.scope_name,
            settings=settings,
            pricing_file=kwargs.get("pricing_file"),
            price_overrides=kwargs.get("prices"),
            **{k: kwargs[k] for k in _TELEMETRY_KWARGS if kwargs.get(k) is not None},
        )
        self.active = True
        try:
            self._install(self.telemetry, self._patcher, **kwargs)
        except Exception:
            # A library we cannot patch must not stop the app: undo what was done and carry on untraced.
            _logger.exception(
                "agent-otel: %s could not instrument %s", type(self).__name__, self.library_module
            )
            self.active = False
            self._patcher.restore()
            return
        if settings.propagate_threads is not False:  # None is the default: on (README, "Threads")
            threads.install()
            self._threads_installed = True

    def _uninstrument(self, **kwargs: Any) -> None:
        self.active = False
        try:
            self._remove(**kwargs)
        finally:
            self._patcher.restore()
            if self._threads_installed:
                self._threads_installed = False
                threads.uninstall()

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        raise NotImplementedError

    def _remove(self, **kwargs: Any) -> None:
        """Undo anything `_install` did besides patching (hooks, registries). Optional."""
