"""Retriever runs become `retrieval` spans (vector store provider and embedding model from LangChain's
ls_* metadata; query and documents only with content capture on)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from agent_otel.instrumentation.langchain import _content as ct
from agent_otel.instrumentation.langchain._lifecycle import NO_METADATA, WHERE, RunLifecycle
from agent_otel.instrumentation.langchain._runs import RETRIEVER
from agent_otel.telemetry.facts import RetrievalFacts
from agent_otel.telemetry.operations import Operation
from agent_otel.telemetry.safety import guard, guarded


class RetrieverCallbacks(RunLifecycle):
    """on_retriever_start / end / error."""

    @guarded()
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
        if not self.store.active:
            return
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        md = metadata or NO_METADATA
        base = self._base(parent)
        if self._suppressed(parent, md):
            self._quiet(run_id, RETRIEVER, parent, base)
            return
        provider = md.get("ls_vector_store_provider")
        model = md.get("ls_embedding_model")
        facts = RetrievalFacts(
            provider=provider if isinstance(provider, str) else None,
            model=model if isinstance(model, str) else None,
        )
        call = self.tel.retrieval(facts, context=base)
        with guard(WHERE):
            self._node_attribute(call, md)
            if call.content is not None and isinstance(query, str):
                call.query_text = query
        self._spanned(run_id, RETRIEVER, parent, call)

    @guarded()
    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        call = run.call if run is not None else None
        if not isinstance(call, Operation):
            return
        if call.content is not None:
            with guard(WHERE):
                call.documents = ct.documents(documents)
        call.end()

    @guarded()
    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._pop(run_id)
        if run is None or run.call is None:
            return
        run.call.fail(error)
