"""Tool arguments and results, and messages, only under content capture."""

from __future__ import annotations

import json
from typing import Any

from agent_otel import manual


def test_nothing_is_recorded_without_content_capture(tel: Any) -> None:
    @manual.tool
    def login(password: str) -> str:
        return "token-" + password

    assert login("hunter2") == "token-hunter2"
    with manual.tool("manual-tool") as t:
        t.set_arguments({"password": "hunter2"})
        t.set_result("token")
    with manual.inference("openai", "gpt-4o") as call:
        call.set_input_messages(["my private prompt"])
        call.set_output_messages(["the private answer"])
        call.set_system_instruction("be private")
    with manual.agent("a") as agent:
        agent.set_input_messages(["private task"])
    assert len(tel.spans()) == 4
    for span in tel.spans():
        dumped = json.dumps(dict(span.attributes))
        assert "hunter2" not in dumped and "token" not in dumped and "private" not in dumped, span.name


def test_decorated_tool_arguments_by_name_and_result(tel_content: Any) -> None:
    class Service:
        @manual.tool("lookup")
        def lookup(self, city: str, *extra: str, units: str = "metric", **options: Any) -> dict[str, Any]:
            return {"city": city, "temp": 21}

    assert Service().lookup("Paris", "x", units="si", lang="fr") == {"city": "Paris", "temp": 21}
    attrs = tel_content.span("execute_tool lookup").attributes
    assert json.loads(attrs["gen_ai.tool.call.arguments"]) == {
        "city": "Paris",
        "extra": ["x"],
        "units": "si",
        "lang": "fr",
    }
    assert json.loads(attrs["gen_ai.tool.call.result"]) == {"city": "Paris", "temp": 21}


def test_context_manager_tool_content(tel_content: Any) -> None:
    with manual.tool("calc", call_id="call_1") as t:
        assert t.capture_content
        t.set_arguments('{"expression": "2+2"}')  # a JSON string is parsed, as for model tool calls
        t.set_result(4)
    attrs = tel_content.span("execute_tool calc").attributes
    assert attrs["gen_ai.tool.call.id"] == "call_1"
    assert json.loads(attrs["gen_ai.tool.call.arguments"]) == {"expression": "2+2"}
    assert attrs["gen_ai.tool.call.result"] == "4"


def test_inference_messages(tel_content: Any) -> None:
    with manual.inference("openai", "gpt-4o") as call:
        call.set_system_instruction("Be brief.")
        call.set_input_messages(["hi", {"role": "assistant", "content": [{"type": "text", "text": "yo"}]}])
        call.set_output_messages([{"content": "hello", "finish_reason": "stop"}])
    attrs = tel_content.span("chat gpt-4o").attributes
    assert json.loads(attrs["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(attrs["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "hi"}], "name": None},
        {"role": "assistant", "parts": [{"type": "text", "content": "yo"}], "name": None},
    ]
    output = json.loads(attrs["gen_ai.output.messages"])
    assert output[0]["role"] == "assistant"
    assert output[0]["parts"] == [{"type": "text", "content": "hello"}]


def test_agent_messages(tel_content: Any) -> None:
    with manual.agent("helper") as agent:
        agent.set_input_messages([{"role": "user", "content": "task"}])
        agent.set_output_messages(["done"])
    attrs = tel_content.span("invoke_agent helper").attributes
    assert "task" in attrs["gen_ai.input.messages"]
    assert "done" in attrs["gen_ai.output.messages"]


def test_unserialisable_arguments_never_break_the_call(tel_content: Any) -> None:
    class Opaque:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    @manual.tool
    def takes(thing: Any) -> Any:
        return thing

    thing = Opaque()
    assert takes(thing) is thing
    assert tel_content.span("execute_tool takes").end_time is not None


def test_an_iterator_of_messages_is_never_consumed(tel_content: Any) -> None:
    pending = iter(["first", "second"])
    with manual.inference("openai", "gpt-4o") as call:
        call.set_input_messages(pending)
        call.set_output_messages("a single answer")
    assert list(pending) == ["first", "second"]
    attrs = tel_content.span("chat gpt-4o").attributes
    assert "gen_ai.input.messages" not in attrs
    assert "a single answer" in attrs["gen_ai.output.messages"]
