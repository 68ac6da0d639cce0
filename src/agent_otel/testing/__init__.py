"""Test helpers shipped with agent-otel: a fake OpenAI-compatible server (no network, deterministic).

See `agent_otel.testing.openai_server` for the full, stable API.
"""

from agent_otel.testing.openai_server import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_MODEL_SUFFIX,
    DEFAULT_OUTPUT_TOKENS,
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    chat_chunks,
    chat_completion,
    completion_chunks,
    completion_response,
    default_reply,
    embedding_response,
    mock_transport_handler,
    response_events,
    response_object,
)

__all__ = [
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_MODEL_SUFFIX",
    "DEFAULT_OUTPUT_TOKENS",
    "FakeOpenAIServer",
    "RecordedRequest",
    "Reply",
    "chat_chunks",
    "chat_completion",
    "completion_chunks",
    "completion_response",
    "default_reply",
    "embedding_response",
    "mock_transport_handler",
    "response_events",
    "response_object",
]
