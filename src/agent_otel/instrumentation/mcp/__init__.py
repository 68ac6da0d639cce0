"""OpenTelemetry instrumentation of the Model Context Protocol SDK (`mcp` >= 1.22, 1.x and 2.x), both sides.

    from agent_otel.instrumentation.mcp import McpInstrumentor
    McpInstrumentor().instrument()          # or: opentelemetry-instrument python app.py

One trace across the MCP boundary: every request and notification sent carries the W3C trace context in
`params._meta` (SEP-414, `_carrier.py`); the receiver continues it (else the HTTP headers, else the
ambient context) and links the HTTP server span. Spans and metrics are the core's
(`agent_otel.telemetry.mcp`): `{mcp.method.name} {target}`, CLIENT on the sender, SERVER on the receiver.

- mcp 1.x traces nothing itself: `_client.py` (sending, sessions, transports) and `_server.py`
  (receiving) patch the SDK.
- mcp 2.x emits spans of its own (`MCP send ...` and a server middleware) and injects `_meta` on requests
  (not notifications). Per `telemetry/native.py` its spans are replaced by ours for every message we
  observe (`_v2.py`), so there is one span per message, named and attributed by the conventions; with
  AGENT_OTEL_REPLACE_NATIVE_SPANS=false its spans are kept and ours are not started.

Patching is deferred to the import of each mcp module (wrapt post-import hooks), like the OpenAI adapter.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import wrapt

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.mcp import Mcp
from agent_otel.telemetry.native import NativeSpans
from agent_otel.telemetry.safety import report

__all__ = ["McpInstrumentor"]


class _Installation:
    __slots__ = ("alive", "hooked")

    def __init__(self) -> None:
        self.alive = True
        self.hooked: set[str] = set()


def mcp_major() -> int:
    try:
        return int(metadata.version("mcp").split(".", 1)[0])
    except Exception:
        return 1


class McpInstrumentor(AgentOtelInstrumentor):  # type: ignore[misc]
    """Instruments the `mcp` SDK, client and server. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "mcp"
    dependencies = ("mcp >= 1.22.0",)
    scope_name = "agent_otel.instrumentation.mcp"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "patched"):
            self.patched: list[str] = []
            self.mcp: Mcp | None = None
            self.native: NativeSpans | None = None
            self.server_session_type: Any = ()
            self.responder_type: Any = ()
            self._supported: tuple[str, ...] = ()
            self._latest: str | None = None
            self._installation: _Installation | None = None

    def negotiated(self, requested: str) -> str | None:
        """The protocol version a server answers `requested` with (mcp 1.x's rule)."""
        return requested if requested in self._supported or not self._supported else self._latest

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        self.mcp = Mcp(telemetry)
        self.native = NativeSpans("mcp", self.settings.replace_native_spans)
        installation = self._installation = _Installation()
        self.patched = []
        if mcp_major() >= 2:
            from agent_otel.instrumentation.mcp._v2 import targets
        else:
            from agent_otel.instrumentation.mcp._v1 import targets
        for module_name, paths in targets(self).items():
            wrapt.register_post_import_hook(
                self._hook(module_name, paths, patcher, installation), module_name
            )

    def _hook(
        self, module_name: str, paths: list[tuple[str, Any]], patcher: Patcher, installation: _Installation
    ) -> Any:
        def hook(module: Any) -> None:
            if not installation.alive or module_name in installation.hooked:
                return
            installation.hooked.add(module_name)
            for path, wrapper in paths:
                try:
                    if callable(path):
                        path(module)
                    elif "." not in path and isinstance(getattr(module, path, None), wrapt.ObjectProxy):
                        continue  # a re-export of what its own module's hook already wrapped
                    elif patcher.wrap(module, path, wrapper):
                        self.patched.append(f"{module_name}:{path}")
                except Exception as exc:
                    report("agent_otel.instrumentation.mcp.patch", exc)

        return hook

    def _remove(self, **kwargs: Any) -> None:
        if self._installation is not None:
            self._installation.alive = False
            self._installation = None
        self.patched = []
