"""The LangChain callback handler: LangChain runs -> facade calls (spans, metrics, roll-ups).

Injected into every callback manager through langchain-core's public `register_configure_hook`. It
turns chat-model, LLM, tool and retriever runs into inference, tool and retrieval operations, and chain
runs into agent / workflow / node spans or nothing (see `_classify`). Spans are parented explicitly:
a run's parent context is its parent run's, unless the current context descends from the parent run's
own (then it is used, so a user span opened inside a node or tool stays the parent of what runs in it).
The handler never attaches context (see `_context`), never raises (every method catches and reports
its own faults through `telemetry.safety.report`) and runs
inline (`run_inline=True`: in async runs its methods are called in the caller's task, which both keeps
the ambient context visible and avoids an executor hop per callback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry.context import Context, attach, get_current, set_value

from agent_otel.instrumentation.langchain import _extract as ex
from agent_otel.instrumentation.langchain._classify import TRACE_FLAG, classify_chain, read_marks
from agent_otel.instrumentation.langchain._context import RUN_KEY, Slot
from agent_otel.instrumentation.langchain._langgraph import (
    handoff_target,
    has_interrupt,
    interrupt_values,
    is_bubble_up,
    is_interrupt,
    subgraph_nodes,
)
from agent_otel.instrumentation.langchain._runs import (
    AGENT,
    CHAIN,
    CHAT,
    NODE,
    RETRIEVER,
    TOOL,
    WORKFLOW,
    Run,
    RunMap,
)
from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.genai import (
    Error,
    GenAITelemetry,
    fq_exception_type,
    gen_ai_json_dumps,
    node_span,
)
from agent_otel.telemetry.safety import guard, report

_WHERE = "agent_otel.instrumentation.langchain.handler"
_NO_METADATA: Mapping[str, Any] = {}
_OTHER = "_OTHER"
_CLOSED = "closed"
_ABANDONED = "abandoned"


class OtelCallbackHandler(BaseCallbackHandler):
    """Turns LangChain/LangGraph callback events into GenAI spans through the agent-otel facade."""

    raise_error = False
    run_inline = True
    # Events we have no use for: LangChain skips the dispatch entirely. (Not `ignore_agent`: LangChain
    # gates the tool events on it.)
    ignore_retry = True
    ignore_custom_event = True

    def __init__(
        self,
        telemetry: GenAITelemetry,
        *,
        scope_name: str,
        node_spans: bool = False,
        per_chunk_metrics: bool = False,
        limit: int | None = None,
    ) -> None:
        super().__init__()
        self.tel = telemetry
        self.scope_name = scope_name
        self.node_spans = node_spans
        self.per_chunk_metrics = per_chunk_metrics
        self.runs = RunMap(limit) if limit else RunMap()
        # Compiled LangGraph graphs announced by the Pregel.stream hook, until their run starts.
        self.graphs: dict[UUID, Any] = {}
        self.graphs_hooked = False
        # Boundary wrappers waiting for a run to start so its context can be attached in their frame.
        self.expect: dict[UUID, Slot] = {}
        self.active = True

    # ------------------------------------------------------------------------------------ helpers

    def _base(self, parent: Run | None) -> Context:
        """The context a new run's span is parented in."""
        current = get_current()
        if parent is None or current.get(RUN_KEY) is parent.run_id:
            return current
        return parent.ctx

    def _track(self, run: Run) -> None:
        for evicted in self.runs.add(run):
            self._abandon(evicted)
        if self.expect:
            slot = self.expect.get(run.run_id)
            if slot is not None and slot.token is None:
                slot.token = attach(run.ctx)

    def _abandon(self, run: Run) -> None:
        call = run.call
        if call is not None and not call.finished:
            call.inv.attributes[sc.AGENT_OTEL_STREAM_END] = _ABANDONED
            self.tel.stop(call)

    def _finish_tree(self, run: Run) -> None:
        """A root finished: end and drop whatever is still open beneath it (innermost first)."""
        for left in self.runs.pop_descendants(run):
            self._abandon(left)

    def _pop(self, run_id: UUID) -> Run | None:
        run = self.runs.pop(run_id)
        if run is not None and run.parent is None and run.open:
            self._finish_tree(run)
        return run

    def _suppressed(self, parent: Run | None, metadata: Mapping[str, Any]) -> bool:
        return (parent is not None and parent.suppress) or metadata.get("otel_trace") is False

    def _passthrough(self, run_id: UUID, kind: str, parent: Run | None, base: Context, **kw: Any) -> Run:
        run = Run(run_id, kind, parent, None, set_value(RUN_KEY, run_id, base), **kw)
        self._track(run)
        return run

    # ------------------------------------------------------------------------------------- chains

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            if not self.active:
                return
            parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
            graph = self.graphs.pop(run_id, None) if self.graphs else None
            md = metadata or _NO_METADATA
            marks = read_marks(md) if md else None
            base = self._base(parent)
            if (parent is not None and parent.suppress) or (marks is not None and marks[TRACE_FLAG] is False):
                self._passthrough(run_id, CHAIN, parent, base, marks=marks, suppress=True)
                return
            name = kwargs.get("name") or ex.class_name(serialized)
            if graph is None and marks is None and self.graphs_hooked and not self.node_spans:
                kind, span_name = CHAIN, None  # the common case: plumbing (a node, a step, a lambda...)
            else:
                kind, span_name = classify_chain(
                    name,
                    md,
                    tags,
                    marks,
                    parent.marks if parent is not None else None,
                    parent is None,
                    graph,
                    self.graphs_hooked,
                    self.node_spans,
                )
            if kind == NODE and parent is not None and parent.subgraphs and name in parent.subgraphs:
                kind = CHAIN  # the graph inside the node gets the span: one span, not two
            if kind == CHAIN or self.tel.skip_span(base):
                run = self._passthrough(run_id, CHAIN, parent, base, marks=marks)
                if graph is not None and self.node_spans:
                    run.subgraphs = subgraph_nodes(graph)
                return
            tel = self.tel
            if kind == NODE:
                call = node_span(tel, span_name or "", scope_name=self.scope_name, context=base)
            else:
                conversation = ex.conversation_id(md)
                if kind == AGENT:
                    description = md.get("agent_description")
                    call = tel.agent(
                        span_name,
                        description=description if isinstance(description, str) else None,
                        context=base,
                        attach=False,
                        conversation_id=conversation,
                    )
                else:
                    call = tel.workflow(span_name, context=base, attach=False, conversation_id=conversation)
                with guard(_WHERE):
                    node = md.get("langgraph_node")
                    if isinstance(node, str):
                        call.inv.attributes[sc.AGENT_OTEL_LANGGRAPH_NODE] = node
                    if tel.capture_content:
                        messages = ex.chain_messages(inputs)
                        if messages:
                            call.inv.input_messages, _ = ex.input_messages(messages)
            run = Run(run_id, kind, parent, call, set_value(RUN_KEY, run_id, call.context), marks)
            if graph is not None and self.node_spans:
                with guard(_WHERE):
                    run.subgraphs = subgraph_nodes(graph)
            self._track(run)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None or run.call is None:
                return
            call = run.call
            if run.kind in (AGENT, WORKFLOW):
                with guard(_WHERE):
                    interrupts = has_interrupt(outputs)
                    if interrupts is not None:
                        self._mark_interrupted(call, interrupts)
                    elif self.tel.capture_content:
                        output = ex.final_output(outputs)
                        if output:
                            call.inv.output_messages = output
            self.tel.stop(call)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None:
                return
            if run.call is None:
                if is_interrupt(error):
                    self._interrupt_ancestors(run, error)
                return
            self._end_with_error(run, error)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def _interrupt_ancestors(self, run: Run, error: BaseException) -> None:
        """An interrupt pauses every enclosing agent and workflow (the top graph returns normally)."""
        values: list[Any] | None = None
        ancestor = run.parent
        while ancestor is not None:
            call = ancestor.call
            if call is not None and not call.finished:
                if values is None:
                    values = interrupt_values(error)
                self._mark_interrupted(call, values)
            ancestor = ancestor.parent

    def _end_with_error(self, run: Run, error: BaseException) -> None:
        call = run.call
        assert call is not None
        try:
            self._record_error(run, call, error)
        except Exception as exc:
            report(_WHERE, exc)
            self.tel.fail(call, error)

    def _record_error(self, run: Run, call: Any, error: BaseException) -> None:
        if isinstance(error, GeneratorExit):
            # The caller stopped consuming a stream: not a failure of the operation.
            call.inv.attributes[sc.AGENT_OTEL_STREAM_END] = _CLOSED
            self.tel.stop(call)
        elif is_bubble_up(error):
            # LangGraph control flow (handoff, interrupt): record it, never ERROR.
            if is_interrupt(error):
                self._mark_interrupted(call, interrupt_values(error))
                self._interrupt_ancestors(run, error)
            else:
                target = handoff_target(error)
                if target is not None:
                    call.inv.attributes[sc.AGENT_OTEL_HANDOFF_TARGET] = target
            self.tel.stop(call)
        else:
            self.tel.fail(call, error)

    def _mark_interrupted(self, call: Any, values: list[Any]) -> None:
        attributes = call.inv.attributes
        attributes[sc.AGENT_OTEL_INTERRUPTED] = True
        if values and self.tel.capture_content:
            try:
                attributes[sc.AGENT_OTEL_INTERRUPT_VALUE] = gen_ai_json_dumps(
                    values[0] if len(values) == 1 else values
                )
            except (TypeError, ValueError):
                attributes[sc.AGENT_OTEL_INTERRUPT_VALUE] = str(values)

    # --------------------------------------------------------------------------------- chat / llm

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
        try:
            if self.active:
                self._model_start(serialized, messages, True, run_id, parent_run_id, metadata, kwargs)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

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
        try:
            if self.active:
                self._model_start(serialized, prompts, False, run_id, parent_run_id, metadata, kwargs)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

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
        md = metadata or _NO_METADATA
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
            with guard(_WHERE):
                inv = call.inv
                if params:
                    ex.apply_request(inv, params, md)
                node = md.get("langgraph_node")
                if isinstance(node, str):
                    inv.attributes[sc.AGENT_OTEL_LANGGRAPH_NODE] = node
                if tel.capture_content:
                    self._capture_request(inv, messages, chat, params)
        run = Run(run_id, CHAT, parent, call, set_value(RUN_KEY, run_id, call.context))
        self._track(run)

    @staticmethod
    def _capture_request(inv: Any, messages: Any, chat: bool, params: Mapping[str, Any]) -> None:
        if chat:
            batch = messages[0] if messages else []
            inputs, system = ex.input_messages(batch)
            inv.input_messages = inputs
            if system:
                inv.system_instruction = system
            tools = ex.tool_definitions(params)
            if tools:
                inv.tool_definitions = tools
        else:
            inv.input_messages = [
                ex.InputMessage(role="user", parts=[ex.TextPart(content=prompt)])
                for prompt in messages[:1]
                if isinstance(prompt, str)
            ]

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self.runs.get(run_id)
            if run is None or run.call is None:
                return
            run.chunks += 1
            if run.chunks == 1 or self.per_chunk_metrics:
                run.call.inv.record_stream_chunk()
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None:
                return
            call = run.call
            if call is None:
                if run.metric_attrs is not None:
                    input_tokens, output_tokens, cache_read, cache_write, reasoning = ex.usage(response)
                    self.tel.record_unsampled(
                        run.metric_attrs,
                        run.started,
                        input_tokens,
                        output_tokens,
                        cache_read_tokens=cache_read,
                        cache_write_tokens=cache_write,
                        reasoning_tokens=reasoning,
                        response_model=ex.response_model(response),
                        context=run.ctx,
                    )
                return
            with guard(_WHERE):
                ex.apply_response(call.inv, response)
                if self.tel.capture_content and not call.suppressed:
                    call.inv.output_messages = ex.output_messages(response)
            self.tel.stop(call)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
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
                with guard(_WHERE):
                    ex.apply_response(call.inv, response)
            if isinstance(error, GeneratorExit):
                call.inv.attributes[sc.AGENT_OTEL_STREAM_END] = _CLOSED
                self.tel.stop(call)
            else:
                self.tel.fail(call, error)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    # -------------------------------------------------------------------------------------- tools

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            if not self.active:
                return
            parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
            md = metadata or _NO_METADATA
            base = self._base(parent)
            if self._suppressed(parent, md):
                self._passthrough(run_id, TOOL, parent, base, suppress=True)
                return
            if self.tel.skip_span(base):
                self._passthrough(run_id, TOOL, parent, base)
                return
            ser = serialized or {}
            name = ser.get("name") or kwargs.get("name") or "tool"
            description = ser.get("description")
            call = self.tel.tool(
                name,
                tool_type="function",
                call_id=kwargs.get("tool_call_id"),
                description=description if isinstance(description, str) and description else None,
                context=base,
                attach=False,
            )
            with guard(_WHERE):
                node = md.get("langgraph_node")
                if isinstance(node, str):
                    call.inv.attributes[sc.AGENT_OTEL_LANGGRAPH_NODE] = node
                if self.tel.capture_content:
                    call.inv.arguments = ex.tool_arguments(inputs, input_str)
            self._track(Run(run_id, TOOL, parent, call, set_value(RUN_KEY, run_id, call.context)))
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None or run.call is None:
                return
            call = run.call
            with guard(_WHERE):
                target = handoff_target(output)
                if target is not None:
                    call.inv.attributes[sc.AGENT_OTEL_HANDOFF_TARGET] = target
                elif self.tel.capture_content:
                    call.inv.tool_result = ex.tool_result(output)
            if getattr(output, "status", None) == "error":
                # The tool raised and LangChain turned the error into its result (handle_tool_error).
                self.tel.fail(call, Error(message=None, type=_OTHER))
            else:
                self.tel.stop(call)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None or run.call is None:
                return
            self._end_with_error(run, error)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    # --------------------------------------------------------------------------------- retrievers

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            if not self.active:
                return
            parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
            md = metadata or _NO_METADATA
            base = self._base(parent)
            if self._suppressed(parent, md) or self.tel.skip_span(base):
                self._passthrough(run_id, RETRIEVER, parent, base, suppress=self._suppressed(parent, md))
                return
            provider = md.get("ls_vector_store_provider")
            model = md.get("ls_embedding_model")
            call = self.tel.retrieval(
                provider=provider if isinstance(provider, str) else None,
                request_model=model if isinstance(model, str) else None,
                context=base,
                attach=False,
            )
            with guard(_WHERE):
                node = md.get("langgraph_node")
                if isinstance(node, str):
                    call.inv.attributes[sc.AGENT_OTEL_LANGGRAPH_NODE] = node
                if self.tel.capture_content and isinstance(query, str):
                    call.inv.query_text = query
            self._track(Run(run_id, RETRIEVER, parent, call, set_value(RUN_KEY, run_id, call.context)))
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None or run.call is None:
                return
            if self.tel.capture_content:
                with guard(_WHERE):
                    run.call.inv.documents = ex.documents(documents)
            self.tel.stop(run.call)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._pop(run_id)
            if run is None or run.call is None:
                return
            self.tel.fail(run.call, error)
        except Exception as exc:  # our fault: log it, never raise into LangChain
            report(_WHERE, exc)

    # ------------------------------------------------------------------- LangGraph graph lifecycle

    def on_interrupt(self, event: Any) -> None:
        """LangGraph graph-lifecycle event; interrupts are recorded from GraphInterrupt instead."""

    def on_resume(self, event: Any) -> None:
        """LangGraph graph-lifecycle event; a resumed run shares the thread's conversation id."""

    # --------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """End every span still open and forget all state (uninstrument)."""
        for run in reversed(self.runs.clear()):
            self._abandon(run)
        self.graphs.clear()
        self.expect.clear()


__all__ = ["CHAIN", "OtelCallbackHandler"]
