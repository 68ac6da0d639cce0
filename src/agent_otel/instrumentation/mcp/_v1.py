"""What we patch in mcp 1.x (module -> [("Class.method", wrapper)]); see `_client.py` and `_server.py`."""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.mcp import _client, _server


def _types(owner: Any) -> Any:
    def learn(
        module: Any,
    ) -> None:  # mcp.shared.session: the responder type; versions from mcp.shared.version
        from mcp import types
        from mcp.shared.version import SUPPORTED_PROTOCOL_VERSIONS

        owner.responder_type = module.RequestResponder
        owner._supported = tuple(SUPPORTED_PROTOCOL_VERSIONS)
        owner._latest = types.LATEST_PROTOCOL_VERSION

    return learn


def _server_session(owner: Any) -> Any:
    def learn(module: Any) -> None:
        owner.server_session_type = module.ServerSession

    return learn


def targets(owner: Any) -> dict[str, list[tuple[Any, Any]]]:
    stdio = _client.stdio_transport(owner)
    http = _client.http_transport(owner)
    return {
        "mcp.shared.session": [
            (_types(owner), None),
            ("BaseSession.__init__", _client.session_init(owner)),
            ("BaseSession.__aenter__", _client.session_enter(owner)),
            ("BaseSession.__aexit__", _client.session_exit(owner)),
            ("BaseSession.send_request", _client.send_request(owner)),
            ("BaseSession.send_notification", _client.send_notification(owner)),
            ("RequestResponder.respond", _server.respond(owner)),
        ],
        "mcp.server.session": [
            (_server_session(owner), None),
            ("ServerSession._received_request", _server.received_request(owner)),
        ],
        "mcp.server.lowlevel.server": [("Server._handle_message", _server.handle_message(owner))],
        "mcp.server.streamable_http": [
            ("StreamableHTTPServerTransport.handle_request", _server.http_handle_request(owner))
        ],
        "mcp.client.stdio": [("stdio_client", stdio)],
        "mcp.server.stdio": [("stdio_server", stdio)],
        "mcp": [("stdio_client", stdio), ("stdio_server", stdio)],
        "mcp.client.streamable_http": [("streamable_http_client", http), ("streamablehttp_client", http)],
        "mcp.client.sse": [("sse_client", http)],
    }
