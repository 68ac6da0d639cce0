"""What the test MCP server answers, shared by the server, the client helper and the tests (stdlib only)."""

from __future__ import annotations

SERVER_NAME = "agent-otel-weather"
HOST = "127.0.0.1"
HTTP_PATH = "/mcp"
PORT_ENV = "AGENT_OTEL_MCP_PORT"
# The line the HTTP server prints on stdout once its socket listens: `MCP_SERVER_READY http://...`.
READY_PREFIX = "MCP_SERVER_READY"

SERVER_MODULE = "agent_otel.testing.mcp_servers.weather"
CLIENT_MODULE = "agent_otel.testing.mcp_servers.client"

CITIES = ["Paris", "Lisbon", "Oslo"]
TOOL_NAMES = ("get_weather", "get_alerts", "broken_tool", "notifications_seen")
RESOURCE_URI = "weather://cities"
PROMPT_NAME = "forecast"
ALERTS_ERROR_TEXT = "alert service unavailable"
BROKEN_TOOL_MESSAGE = "the weather station is on fire"
MISSING_PROMPT = "no_such_prompt"


def weather_text(city: str) -> str:
    """What `get_weather(city)` returns."""
    return f"Sunny, 22 C in {city}"
