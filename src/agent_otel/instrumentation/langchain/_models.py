"""Model runs: chat models and completion LLMs become inference spans (`chat {model}`,
`text_completion {model}`); an unsampled one records the client metrics only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain import _extract as ex
from agent_otel.instrumentation.langchain._lifecycle import CLOSED, NO_METADATA, WHERE, RunLifecycle
from agent_otel.instrumentation.langchain._runs import CHAT
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import fq_exception_type
from agent_otel.telemetry.safety import guard, guarded


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
        model = ex.request_model(md, params, serialized)
        provider = ex.provider_name(md, serialized)
        operation = sc.OP_CHAT if chat else sc.OP_TEXT_COMPLETION
        tel = self.tel
        if tel.skip_span(base):
            # The marker keeps the client call beneath (our OpenAI wrapper, or any util-genai based
            # instrumentor) from recording this call's metrics a second time.
            run = self._passthrough(run_id, CHAT, parent, tel.unsampled_inference_context(base))
            run.start_clock()
            attrs: dict[str, Any] = {sc.OPERATION_NAME: operation, sc.PROVIDER_NAME: provider}
            if model:
                attrs[sc.REQUEST_MODEL] = model
            run.metric_attrs = attrs
            return
        call = tel.inference(
            provider,
            request_model=model,
            operation_name=operation,
            context=base,
            attach=False,
            conversation_id=ex.conversation_id(md),
        )
        if not call.suppressed:
            with guard(WHERE):
                inv = call.inv
                if params:
                    ex.apply_request(inv, params, md)
                self._node_attribute(call, md)
                if tel.capture_content:
                    self._capture_request(inv, messages, chat, params)
        self._spanned(run_id, CHAT, parent, call)

    @staticmethod
    def _capture_request(inv: Any, messages: Any, chat: bool, params: Mapping[str, Any]) -> None:
        if chat:
            batch = messages[0] if messages else []
            inputs, system = ct.input_messages(batch)
            inv.input_messages = inputs
            if system:
                inv.system_instruction = system
            tools = ct.tool_definitions(params)
            if tools:
                inv.tool_definitions = tools
        else:
            inv.input_messages = [
                ct.InputMessage(role="user", parts=[ct.TextPart(content=prompt)])
                for prompt in messages[:1]
                if isinstance(prompt, str)
            ]

    @guarded()
    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.runs.get(run_id)
        if run is None or run.call is None:
            return
        run.chunks += 1
        if run.chunks == 1 or self.per_chunk_metrics:
            run.call.inv.record_stream_chunk()

    @guarded()
    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None:
            return
        call = run.call
        if call is None:
            if run.metric_attrs is not None:
                tokens = ex.usage(response)
                self.tel.record_unsampled(
                    run.metric_attrs,
                    run.started,
                    tokens.input_tokens,
                    tokens.output_tokens,
                    cache_read_tokens=tokens.cache_read_tokens,
                    cache_write_tokens=tokens.cache_write_tokens,
                    reasoning_tokens=tokens.reasoning_tokens,
                    response_model=ex.response_model(response),
                    context=run.ctx,
                )
            return
        with guard(WHERE):
            ex.apply_response(call.inv, response)
            if self.tel.capture_content and not call.suppressed:
                call.inv.output_messages = ct.output_messages(response)
        self.tel.stop(call)

    @guarded()
    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None:
            return
        call = run.call
        if call is None:
            if run.metric_attrs is not None:
                attrs = {**run.metric_attrs, sc.ERROR_TYPE: fq_exception_type(error)}
                self.tel.record_unsampled(attrs, run.started, context=run.ctx)
            return
        response = kwargs.get("response")
        if response is not None:
            with guard(WHERE):
                ex.apply_response(call.inv, response)
        if isinstance(error, GeneratorExit):
            call.inv.attributes[sc.AGENT_OTEL_STREAM_END] = CLOSED
            self.tel.stop(call)
        else:
            self.tel.fail(call, error)
