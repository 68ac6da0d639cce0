"""A manual agent around the raw client: the Claude calls carry the agent's name and roll up into it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from anthropic_support import CALL, MODEL

from agent_otel import manual
from agent_otel.testing import DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS
from agent_otel.testing.trees import tree


@pytest.fixture
def configured(otel: Any) -> Iterator[None]:
    manual.configure(**otel.providers)
    yield
    manual.reset()


def test_manual_agent_around_the_raw_client(
    client: Any, otel: Any, instrumented: Any, configured: Any
) -> None:
    with manual.agent("researcher"):
        client.messages.create(**CALL)
        with client.messages.stream(**CALL) as stream:
            stream.get_final_message()
    spans = otel.spans()
    assert tree(spans) == [(0, "invoke_agent researcher"), (1, f"chat {MODEL}"), (1, f"chat {MODEL}")]
    chats = [s for s in spans if s.name.startswith("chat")]
    assert all(s.attributes["gen_ai.agent.name"] == "researcher" for s in chats)
    agent = next(s for s in spans if s.name == "invoke_agent researcher")
    assert agent.attributes["gen_ai.usage.input_tokens"] == 2 * DEFAULT_INPUT_TOKENS
    assert agent.attributes["gen_ai.usage.output_tokens"] == 2 * DEFAULT_OUTPUT_TOKENS
    total = sum(s.attributes["gen_ai.usage.cost.amount"] for s in chats)
    assert agent.attributes["agent_otel.usage.cost.total_amount"] == pytest.approx(total)


async def test_manual_agent_around_the_async_client(
    aclient: Any, otel: Any, instrumented: Any, configured: Any
) -> None:
    async with manual.agent("async-researcher"):
        await aclient.messages.create(**CALL)
    spans = otel.spans()
    assert tree(spans) == [(0, "invoke_agent async-researcher"), (1, f"chat {MODEL}")]
