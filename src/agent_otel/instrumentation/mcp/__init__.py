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

Patching is deferred to the import of each mcp module (wrapt post-import hooks; `_lazy.py`), like the
OpenAI adapter.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import wrapt

from agent_otel.instrumentation._lazy import LazyPatchingInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.mcp import Mcp
from agent_otel.telemetry.native import NativeSpans

__all__ = ["McpInstrumentor"]


def mcp_major() -> int:
    try:
        return int(metadata.version("mcp").split(".", 1)[0])
    except Exception:
        return 1


class McpInstrumentor(LazyPatchingInstrumentor):  # type: ignore[misc]
    """Instruments the `mcp` SDK, client and server. A singleton, like every OpenTelemetry instrumentor."""

    library_module = "mcp"
    dependencies = ("mcp >= 1.22.0",)
    scope_name = "agent_otel.instrumentation.mcp"

    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "mcp"):
            self.mcp: Mcp | None = None
            self.native: NativeSpans | None = None
            self.server_session_type: Any = ()
            self.responder_type: Any = ()
            self._supported: tuple[str, ...] = ()
            self._latest: str | None = None

    def negotiated(self, requested: str) -> str | None:
        """The protocol version a server answers `requested` with (mcp 1.x's rule)."""
        return requested if requested in self._supported or not self._supported else self._latest

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        self.mcp = Mcp(telemetry)
        self.native = NativeSpans("mcp", self.settings.replace_native_spans)
        installation = self._new_installation()
        if mcp_major() >= 2:
            from agent_otel.instrumentation.mcp._v2 import targets
        else:
            from agent_otel.instrumentation.mcp._v1 import targets
        self._hook_targets(targets(self), patcher, installation)

    def _handled(self, module: Any, path: Any) -> bool:
        if callable(path):
            path(module)
            return True
        # a re-export of what its own module's hook already wrapped
        return "." not in path and isinstance(getattr(module, path, None), wrapt.ObjectProxy)
