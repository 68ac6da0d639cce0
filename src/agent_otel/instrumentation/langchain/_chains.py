"""Chain runs: LangGraph graphs and marked runnables become agent / workflow spans, nodes optionally node
spans, everything else is plumbing (tracked, no span). Which is which is decided in `_classify`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from opentelemetry.context import set_value
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain import _extract as ex
from agent_otel.instrumentation.langchain._classify import classify_chain, read_marks
from agent_otel.instrumentation.langchain._langgraph import has_interrupt, is_interrupt, subgraph_nodes
from agent_otel.instrumentation.langchain._lifecycle import NO_METADATA, WHERE, RunLifecycle
from agent_otel.instrumentation.langchain._runs import AGENT, CHAIN, NODE, RUN_KEY, WORKFLOW, Run
from agent_otel.telemetry.facts import AgentFacts, WorkflowFacts
from agent_otel.telemetry.safety import guard, guarded


class ChainCallbacks(RunLifecycle):
    """on_chain_start / end / error."""

    @guarded()
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
        if not self.store.active:
            return
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        graph = self.graphs.pop(run_id, None) if self.graphs else None
        md = metadata or NO_METADATA
        marks = read_marks(md) if md else None
        base = self._base(parent)
        if (
            (parent is not None and parent.suppress)
            or (marks is not None and marks.trace is False)
            or not is_instrumentation_enabled()
        ):
            self._quiet(run_id, CHAIN, parent, base, marks=marks)
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
        if kind == CHAIN:
            run = self._passthrough(run_id, CHAIN, parent, base, marks=marks)
            if graph is not None and self.node_spans:
                run.subgraphs = subgraph_nodes(graph)
            return
        tel = self.tel
        if kind == NODE:
            call = tel.node(span_name or "", context=base)
        else:
            conversation = ex.conversation_id(md)
            if kind == AGENT:
                description = md.get("agent_description")
                call = tel.agent(
                    AgentFacts(
                        span_name,
                        description=description if isinstance(description, str) else None,
                        conversation_id=conversation,
                    ),
                    context=base,
                )
            else:
                call = tel.workflow(WorkflowFacts(span_name, conversation), context=base)
            with guard(WHERE):
                self._node_attribute(call, md)
                content = call.content
                if content is not None:
                    messages = ct.chain_messages(inputs)
                    if messages:
                        content.input_messages, _ = ct.input_messages(messages)
        run = Run(run_id, kind, parent, call, set_value(RUN_KEY, run_id, call.context), marks)
        if graph is not None and self.node_spans:
            with guard(WHERE):
                run.subgraphs = subgraph_nodes(graph)
        self._track(run)

    @guarded()
    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None or run.call is None:
            return
        call = run.call
        if run.kind in (AGENT, WORKFLOW):
            with guard(WHERE):
                interrupts = has_interrupt(outputs)
                if interrupts is not None:
                    self._mark_interrupted(call, interrupts)
                elif call.content is not None:
                    output = ct.final_output(outputs)
                    if output:
                        call.content.output_messages = output
        call.end()

    @guarded()
    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id, error)
        if run is None:
            return
        if run.call is None:
            if is_interrupt(error):
                self._interrupt_ancestors(run, error)
            return
        self._end_with_error(run, error)
