"""Model runs: chat models and completion LLMs become model calls of the core (`chat {model}`,
`text_completion {model}`): recorded, unsampled (metrics only) or merged into an enclosing inference,
as the core decides; the adapter only reads LangChain's payloads into the request and response facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain import _extract as ex
from agent_otel.instrumentation.langchain._lifecycle import NO_METADATA, RunLifecycle
from agent_otel.instrumentation.langchain._runs import CHAT
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import Content, ModelRequest, ModelResponse
from agent_otel.telemetry.safety import guarded
from agent_otel.telemetry.streams import END_CLOSED


class ModelRequestSource(NamedTuple):
    """What `on_chat_model_start` / `on_llm_start` were given, for `read_request`."""

    params: Mapping[str, Any]
    metadata: Mapping[str, Any]
    messages: Any
    chat: bool


def read_request(request: ModelRequest, source: ModelRequestSource, content: Content | None) -> None:
    """A `facts.RequestReader`: request parameters, the LangGraph node, and (with `content`) the input."""
    if source.params:
        ex.apply_request(request, source.params, source.metadata)
    node = source.metadata.get("langgraph_node")
    if isinstance(node, str):
        request.attributes[sc.AGENT_OTEL_LANGGRAPH_NODE] = node
    if content is None:
        return
    messages = source.messages
    if source.chat:
        batch = messages[0] if messages else []
        inputs, system = ct.input_messages(batch)
        content.input_messages = inputs
        if system:
            content.system_instructions = system
        tools = ct.tool_definitions(source.params)
        if tools:
            content.tool_definitions = tools
    else:
        content.input_messages = [
            ct.InputMessage(role="user", parts=[ct.TextPart(content=prompt)])
            for prompt in messages[:1]
            if isinstance(prompt, str)
        ]


class LLMResultReader:
    """A `facts.ResponseReader` over LangChain's `LLMResult`."""

    __slots__ = ()

    def read(self, response: ModelResponse, result: Any, content: Content | None) -> None:
        ex.apply_response(response, result)
        if content is not None:
            content.output_messages = ct.output_messages(result)

    def read_usage(self, response: ModelResponse, result: Any) -> None:
        ex.apply_usage(response, result)


RESULT_READER = LLMResultReader()


class ModelCallbacks(RunLifecycle):
    """on_chat_model_start / on_llm_start / new_token / end / error."""

    @guarded()
    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[Any]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if self.store.active:
            self._model_start(serialized, messages, True, run_id, parent_run_id, metadata, kwargs)

    @guarded()
    def on_llm_start(
        self,
        serialized: dict[str, Any] | None,
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if self.store.active:
            self._model_start(serialized, prompts, False, run_id, parent_run_id, metadata, kwargs)

    def _model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: Any,
        chat: bool,
        run_id: UUID,
        parent_run_id: UUID | None,
        metadata: dict[str, Any] | None,
        kwargs: dict[str, Any],
    ) -> None:
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        md = metadata or NO_METADATA
        if self._suppressed(parent, md):
            return
        base = self._base(parent)
        params = kwargs.get("invocation_params") or {}
        request = ModelRequest(
            ex.provider_name(md, serialized),
            sc.OP_CHAT if chat else sc.OP_TEXT_COMPLETION,
            ex.request_model(md, params, serialized),
            conversation_id=ex.conversation_id(md),
        )
        source = ModelRequestSource(params, md, messages, chat)
        # Its context carries the inference marker: the client call beneath (our OpenAI wrapper, or any
        # util-genai based instrumentor) merges into this call instead of recording it a second time.
        call = self.tel.model_call(request, read_request, source, context=base, attach=False)
        self._spanned(run_id, CHAT, parent, call)

    @guarded()
    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.runs.get(run_id)
        if run is not None and run.call is not None:
            run.call.chunk()

    @guarded()
    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None or run.call is None:
            return
        run.call.read_response(RESULT_READER, response)  # type: ignore[union-attr]
        run.call.end()

    @guarded()
    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None or run.call is None:
            return
        call = run.call
        response = kwargs.get("response")
        if response is not None:
            call.read_response(RESULT_READER, response)  # type: ignore[union-attr]
        if isinstance(error, GeneratorExit):
            call.end_stream(END_CLOSED)  # the caller stopped reading: the one stream-end policy
        else:
            call.fail(error)
