"""agent-otel: OpenTelemetry GenAI instrumentation for the openai client and LangChain/LangGraph agents.

Importing this package is cheap: instrumentors live in `agent_otel.instrumentation.<library>` and are loaded
by `opentelemetry-instrument` through entry points, or imported explicitly:

    from agent_otel.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()
"""

from agent_otel.version import __version__

__all__ = ["__version__"]
