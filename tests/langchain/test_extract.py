"""Reading LangChain payloads (`_extract.py`, `_content.py`): model and provider names, request parameters,
usage and finish reasons from every place integrations put them, and content conversion."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, Generation, LLMResult

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain import _extract as ex
from agent_otel.telemetry.facts import ModelRequest, ModelResponse


def test_request_model_order() -> None:
    serialized = {"id": ["langchain_openai", "ChatOpenAI"]}
    assert ex.request_model({"ls_model_name": "gpt-4o"}, {"model": "other"}, serialized) == "gpt-4o"
    assert ex.request_model({}, {"model_name": "m1"}, serialized) == "m1"
    assert ex.request_model({}, {"model_id": "anthropic.claude"}, serialized) == "anthropic.claude"
    assert ex.request_model({}, {}, serialized) == "ChatOpenAI"
    assert ex.request_model({}, {"_type": "custom-chat"}, None) == "custom-chat"


def test_provider_names() -> None:
    assert ex.provider_name({"ls_provider": "openai"}, None) == "openai"
    assert ex.provider_name({"ls_provider": "azure"}, None) == "azure.ai.openai"
    assert ex.provider_name({"ls_provider": "bedrock"}, None) == "aws.bedrock"
    assert ex.provider_name({"ls_provider": "google_genai"}, None) == "gcp.gemini"
    assert ex.provider_name({"ls_provider": "mistralai"}, None) == "mistral_ai"
    assert ex.provider_name({"ls_provider": "ollama"}, None) == "ollama"
    assert ex.provider_name({}, {"id": ["x", "ChatAcme"]}) == "acme"
    assert ex.provider_name({}, None) == "langchain"


def test_request_parameters() -> None:
    request = ModelRequest("p")
    ex.apply_request(
        request,
        {"temperature": 0.2, "max_completion_tokens": 99, "top_p": 0.9, "stop": ["END"], "seed": 7, "n": 2},
        {},
    )
    assert (request.temperature, request.max_tokens, request.top_p, request.stop_sequences, request.seed) == (
        0.2,
        99,
        0.9,
        ["END"],
        7,
    )
    assert request.choice_count == 2
    fallback = ModelRequest("p")
    ex.apply_request(fallback, {"temperature": True}, {"ls_temperature": 0.5, "ls_max_tokens": 10})
    assert fallback.temperature is None  # a bool is not a temperature
    assert fallback.max_tokens == 10


def result(
    message: AIMessage | None = None, info: dict[str, Any] | None = None, llm_output: Any = None
) -> Any:
    generation = ChatGeneration(message=message or AIMessage(""), generation_info=info)
    return LLMResult(generations=[[generation]], llm_output=llm_output)


def test_usage_from_usage_metadata_and_from_llm_output() -> None:
    message = AIMessage(
        "x",
        usage_metadata={
            "input_tokens": 100,
            "output_tokens": 20,
            "total_tokens": 120,
            "input_token_details": {"cache_read": 60, "cache_creation": 5},
            "output_token_details": {"reasoning": 8},
        },
    )
    assert ex.usage(result(message)) == (100, 20, 60, 5, 8)
    legacy = result(llm_output={"token_usage": {"prompt_tokens": 7, "completion_tokens": 3}})
    assert ex.usage(legacy) == (7, 3, None, None, None)
    assert ex.usage(result()) == (None, None, None, None, None)


def test_finish_reasons_from_every_place() -> None:
    assert ex.finish_reasons(result(info={"finish_reason": "length"})) == ["length"]
    anthropic = AIMessage("x", response_metadata={"stop_reason": "end_turn"})
    assert ex.finish_reasons(result(anthropic)) == ["end_turn"]
    ollama = AIMessage("x", response_metadata={"done_reason": "stop"})
    assert ex.finish_reasons(result(ollama)) == ["stop"]
    assert ex.finish_reasons(result()) == []
    two = LLMResult(
        generations=[[Generation(text="a", generation_info={"finish_reason": "stop"}), Generation(text="b")]]
    )
    assert ex.finish_reasons(two) == ["stop"]


def test_apply_response() -> None:
    response = ModelResponse()
    message = AIMessage(
        "x",
        usage_metadata={"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
        response_metadata={"model": "claude-x", "id": "msg_1", "stop_reason": "tool_use"},
    )
    ex.apply_response(response, result(message))
    assert (response.usage.input, response.usage.output) == (3, 2)
    assert (response.model, response.id, response.finish_reasons) == ("claude-x", "msg_1", ["tool_use"])
    usage_only = ModelResponse()
    ex.apply_usage(usage_only, result(message))
    assert (usage_only.usage.input, usage_only.model, usage_only.id) == (3, "claude-x", None)


def test_messages_and_tools_conversion() -> None:
    inputs, system = ct.input_messages(
        [
            SystemMessage("be brief"),
            HumanMessage([{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "u"}}]),
            AIMessage("", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}]),
            ToolMessage("42", tool_call_id="c1"),
        ]
    )
    assert [p.content for p in system] == ["be brief"]
    assert [m.role for m in inputs] == ["user", "assistant", "tool"]
    assert [type(p).__name__ for p in inputs[0].parts] == ["TextPart"]
    assert inputs[1].parts[0].name == "f" and inputs[1].parts[0].arguments == {"a": 1}
    assert inputs[2].parts[0].response == "42" and inputs[2].parts[0].id == "c1"

    thinking = AIMessage([{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "ok"}])
    (out,) = ct.output_messages(result(thinking, info={"finish_reason": "tool_calls"}))
    assert [type(p).__name__ for p in out.parts] == ["ReasoningPart", "TextPart"]
    assert out.finish_reason == "tool_call"

    openai_tool = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"a": 1}}}
    anthropic_tool = {"name": "g", "description": None, "input_schema": {"b": 2}}
    definitions = ct.tool_definitions({"tools": [openai_tool, anthropic_tool]})
    assert [(d.name, d.parameters) for d in definitions] == [("f", {"a": 1}), ("g", {"b": 2})]


def test_tool_io_and_conversation() -> None:
    assert ct.tool_arguments({"q": "x"}, "ignored") == {"q": "x"}
    assert ct.tool_arguments(None, '{"q": 1}') == {"q": 1}
    assert ct.tool_arguments(None, "plain") == "plain"
    assert ct.tool_result(ToolMessage("done", tool_call_id="1")) == "done"
    assert ct.tool_result(object()).startswith("<object")
    assert ex.conversation_id({"thread_id": 12}) == "12"
    assert ex.conversation_id({"session_id": "s"}) == "s"
    assert ex.conversation_id({}) is None


def test_model_run_readers() -> None:
    from agent_otel.instrumentation.langchain._models import RESULT_READER, ModelRequestSource, read_request
    from agent_otel.telemetry.facts import Content

    request = ModelRequest("openai", "chat", "m")
    source = ModelRequestSource(
        {"temperature": 0.1}, {"langgraph_node": "agent"}, [[HumanMessage("hi")]], True
    )
    read_request(request, source, None)
    assert request.temperature == 0.1
    assert request.attributes == {"agent_otel.langgraph.node": "agent"}
    content = Content()
    read_request(ModelRequest("openai"), source, content)
    assert content.input_messages is not None and content.input_messages[0].role == "user"

    message = AIMessage("ok", usage_metadata={"input_tokens": 3, "output_tokens": 2, "total_tokens": 5})
    response, output = ModelResponse(), Content()
    RESULT_READER.read(response, result(message), output)
    assert response.usage.output == 2 and output.output_messages is not None
    usage_only = ModelResponse()
    RESULT_READER.read_usage(usage_only, result(message))
    assert usage_only.usage.input == 3
