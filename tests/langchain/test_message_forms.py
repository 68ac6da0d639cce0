"""Content capture records the same messages whatever form LangChain was given them in: role/content dicts
(the form LangChain's docs use), (role, content) tuples, plain strings and message objects, in an agent's
`{"messages": ...}` input and in a chain's own input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableLambda
from lc_support import ai, model, one

CONVERSATIONS: dict[str, Any] = {
    "objects": [HumanMessage("hi"), AIMessage("hello"), HumanMessage("weather in Paris?")],
    "dicts": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": [{"type": "text", "text": "weather in Paris?"}]},
    ],
    "tuples": [("user", "hi"), ("assistant", "hello"), ("human", "weather in Paris?")],
    "mixed": ["hi", ("ai", "hello"), {"role": "user", "content": "weather in Paris?"}],
}
EXPECTED_INPUT = [
    {"role": "user", "parts": [{"type": "text", "content": "hi"}]},
    {"role": "assistant", "parts": [{"type": "text", "content": "hello"}]},
    {"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}]},
]


def recorded(span: Any, key: str = "gen_ai.input.messages") -> list[dict[str, Any]]:
    messages = json.loads((span.attributes or {})[key])
    return [{"role": m["role"], "parts": m["parts"]} for m in messages]


@pytest.mark.parametrize("form", list(CONVERSATIONS))
def test_agent_input_records_the_same_content_in_every_message_form(
    otel: Any, content: None, instrument: Any, form: str
) -> None:
    instrument()
    create_agent(model(ai("sunny")), name="weather").invoke({"messages": CONVERSATIONS[form]})

    spans = otel.spans()
    agent, chat = one(spans, "invoke_agent weather"), one(spans, "chat fake-model")
    assert recorded(agent) == EXPECTED_INPUT
    assert recorded(chat) == EXPECTED_INPUT
    assert recorded(agent, "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [{"type": "text", "content": "sunny"}]}
    ]


@pytest.mark.parametrize(
    "messages",
    [
        "weather in Paris?",
        ("user", "weather in Paris?"),
        {"role": "user", "content": "weather in Paris?"},
        HumanMessage("weather in Paris?"),
    ],
    ids=["string", "tuple", "dict", "object"],
)
def test_agent_input_with_one_message_records_it(
    otel: Any, content: None, instrument: Any, messages: Any
) -> None:
    instrument()
    create_agent(model(ai("sunny")), name="weather").invoke({"messages": messages})
    expected = [{"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}]}]
    assert recorded(one(otel.spans(), "invoke_agent weather")) == expected


@pytest.mark.parametrize("form", ["string", *CONVERSATIONS])
def test_marked_agent_chain_records_its_input_as_its_chat_model_does(
    otel: Any, content: None, instrument: Any, form: str
) -> None:
    instrument()
    given = "weather in Paris?" if form == "string" else CONVERSATIONS[form]
    planner = (RunnableLambda(lambda x: x) | model(ai("sunny"))).with_config(
        metadata={"agent_name": "planner"}
    )
    planner.invoke(given)

    spans = otel.spans()
    agent, chat = one(spans, "invoke_agent planner"), one(spans, "chat fake-model")
    assert recorded(agent) == recorded(chat)
    assert recorded(agent)[-1] == EXPECTED_INPUT[-1]
    assert recorded(agent, "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [{"type": "text", "content": "sunny"}]}
    ]
