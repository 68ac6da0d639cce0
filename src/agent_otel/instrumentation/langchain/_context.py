"""Making each run's span the current OpenTelemetry context while the run's own code executes.

Callbacks never attach context (in async LangChain, end callbacks run in copied contexts: a detach there
fails and a start-time attach leaks into the caller). Instead the context is activated at execution
boundaries, in the frame that runs the code:

- `set_config_context` (langchain-core; LangGraph has its own copy): every runnable, tool and LangGraph
  node runs its body inside the copied `contextvars.Context` this context manager yields, with
  `config["callbacks"].parent_run_id` naming the run being executed. We attach that run's context inside
  the copy (and detach it there on exit): the caller's context is never touched, and threads or tasks
  started from the body inherit it.
- `BaseChatModel._generate_with_cache` / `_agenerate_with_cache` (and `BaseLLM._generate_helper` /
  `_agenerate_helper` for completion models) receive the model run's run manager: attach and detach
  around the call, so the provider SDK call (and the openai instrumentor, which then merges into our
  span instead of opening a second one) sees the model span. The async ones also end the model run when
  the call is cancelled (LangChain reports no error for it).
- `BaseChatModel.stream` / `astream`, `BaseLLM.stream` / `astream` and `BaseRetriever.invoke` /
  `ainvoke` start their run inside the call. We pass a run id in (the documented `run_id` config or
  keyword), the handler attaches that run's context when the run starts (same thread or task:
  `run_inline=True`), and the wrapper detaches it in the same frame right after; streams re-activate
  the context around each later chunk, never between chunks (the caller's code runs there).

Private names used (tests/langchain/test_langchain_library_contract.py fails loudly if they change): the
`set_config_context` module bindings in langchain-core and `langgraph._internal._runnable`,
`BaseChatModel._generate_with_cache` / `_agenerate_with_cache`, `BaseLLM._generate_helper` /
`_agenerate_helper`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from opentelemetry.context import Context, attach, detach

from agent_otel.instrumentation.langchain._langgraph import with_run_id
from agent_otel.instrumentation.langchain._runs import RunStore, Slot
from agent_otel.telemetry.safety import guard, report

if TYPE_CHECKING:
    from agent_otel.instrumentation._patching import Patcher

# How a model run is ended as failed: the handler's `on_llm_error(error, run_id=...)`.
FailRun = Callable[..., Any]

# Modules whose global `set_config_context` runs runnable/tool/node bodies (each imported it by name).
SET_CONFIG_CONTEXT_MODULES = (
    "langchain_core.runnables.config",
    "langchain_core.runnables.base",
    "langchain_core.runnables.fallbacks",
    "langchain_core.tools.base",
)
LANGGRAPH_SET_CONFIG_CONTEXT_MODULE = "langgraph._internal._runnable"
_CHAT_MODULE = "langchain_core.language_models.chat_models"
_LLM_MODULE = "langchain_core.language_models.llms"
_RETRIEVER_MODULE = "langchain_core.retrievers"


class _Activated:
    """`set_config_context(...)` with the executing run's context attached inside the yielded copy."""

    __slots__ = ("_cm", "_ctx", "_otel", "_token")

    def __init__(self, cm: Any, otel: Context) -> None:
        self._cm = cm
        self._otel = otel
        self._ctx: Any = None
        self._token: object | None = None

    def __enter__(self) -> Any:
        ctx = self._cm.__enter__()
        try:
            self._token = ctx.run(attach, self._otel)
            self._ctx = ctx
        except Exception as exc:
            report("agent_otel.langchain.set_config_context", exc)
        return ctx

    def __exit__(self, *exc_info: Any) -> Any:
        token, self._token = self._token, None
        if token is not None:
            try:
                self._ctx.run(detach, token)
            except Exception:
                pass  # the copy is discarded anyway; never disturb the caller
        return self._cm.__exit__(*exc_info)


def install(patcher: Patcher, store: RunStore, *, on_llm_error: FailRun, langgraph: bool) -> None:
    """Wrap the execution boundaries. `store` is shared with the callback handler; `on_llm_error` ends a
    model run as failed (for the cancellations LangChain does not report)."""
    runs = store.runs
    expect = store.expect

    def set_config_context(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        cm = wrapped(*args, **kwargs)
        if not store.active:
            return cm
        try:
            config = args[0] if args else kwargs.get("config")
            run_id = getattr(config.get("callbacks"), "parent_run_id", None)
            run = runs.get(run_id) if run_id is not None else None
            if run is not None:
                return _Activated(cm, run.ctx)
        except Exception as exc:
            report("agent_otel.langchain.set_config_context", exc)
        return cm

    def generate(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        ctx = _guarded_chat_context(store, args, kwargs)
        if ctx is None:
            return wrapped(*args, **kwargs)
        token = attach(ctx)
        try:
            return wrapped(*args, **kwargs)
        finally:
            detach(token)

    async def agenerate(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        ctx = _guarded_chat_context(store, args, kwargs)
        token = attach(ctx) if ctx is not None else None
        try:
            return await wrapped(*args, **kwargs)
        except asyncio.CancelledError as exc:
            # LangChain runs model calls under asyncio.gather, which raises a cancellation without
            # reporting it to the callbacks: end the model runs as failed by it here.
            _cancelled(on_llm_error, args, kwargs, exc)
            raise
        finally:
            if token is not None:
                detach(token)

    def stream(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not store.active:
            return wrapped(*args, **kwargs)
        run_id = None
        with guard("agent_otel.langchain.chat_stream"):
            args, kwargs, run_id = with_run_id(args, kwargs)
        if run_id is None:
            return wrapped(*args, **kwargs)
        return _activate_stream(wrapped(*args, **kwargs), store, run_id)

    def astream(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not store.active:
            return wrapped(*args, **kwargs)
        run_id = None
        with guard("agent_otel.langchain.chat_astream"):
            args, kwargs, run_id = with_run_id(args, kwargs)
        if run_id is None:
            return wrapped(*args, **kwargs)
        return _aactivate_stream(wrapped(*args, **kwargs), store, run_id)

    def retrieve(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        slot = None
        if store.active:
            with guard("agent_otel.langchain.retriever"):
                kwargs, run_id = _retriever_run_id(kwargs)
                slot = expect[run_id] = Slot()
        if slot is None:
            return wrapped(*args, **kwargs)
        try:
            return wrapped(*args, **kwargs)
        finally:
            expect.pop(run_id, None)
            slot.release()

    async def aretrieve(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        slot = None
        if store.active:
            with guard("agent_otel.langchain.retriever"):
                kwargs, run_id = _retriever_run_id(kwargs)
                slot = expect[run_id] = Slot()
        if slot is None:
            return await wrapped(*args, **kwargs)
        try:
            return await wrapped(*args, **kwargs)
        finally:
            expect.pop(run_id, None)
            slot.release()

    for module in SET_CONFIG_CONTEXT_MODULES:
        patcher.wrap(module, "set_config_context", set_config_context)
    if langgraph:
        patcher.wrap(LANGGRAPH_SET_CONFIG_CONTEXT_MODULE, "set_config_context", set_config_context)
    patcher.wrap(_CHAT_MODULE, "BaseChatModel._generate_with_cache", generate)
    patcher.wrap(_CHAT_MODULE, "BaseChatModel._agenerate_with_cache", agenerate)
    patcher.wrap(_CHAT_MODULE, "BaseChatModel.stream", stream)
    patcher.wrap(_CHAT_MODULE, "BaseChatModel.astream", astream)
    patcher.wrap(_LLM_MODULE, "BaseLLM._generate_helper", generate)
    patcher.wrap(_LLM_MODULE, "BaseLLM._agenerate_helper", agenerate)
    patcher.wrap(_LLM_MODULE, "BaseLLM.stream", stream)
    patcher.wrap(_LLM_MODULE, "BaseLLM.astream", astream)
    patcher.wrap(_RETRIEVER_MODULE, "BaseRetriever.invoke", retrieve)
    patcher.wrap(_RETRIEVER_MODULE, "BaseRetriever.ainvoke", aretrieve)


def _run_manager(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The run manager(s) of `BaseChatModel._generate_with_cache(messages, stop, run_manager, ...)` or
    `BaseLLM._generate_helper(prompts, stop, run_managers, ...)`."""
    manager = kwargs.get("run_manager", kwargs.get("run_managers"))
    if manager is None and len(args) > 2:
        manager = args[2]
    return manager


def _cancelled(
    on_llm_error: FailRun, args: tuple[Any, ...], kwargs: dict[str, Any], error: BaseException
) -> None:
    with guard("agent_otel.langchain.generate"):
        manager = _run_manager(args, kwargs)
        for each in manager if isinstance(manager, list) else (manager,):
            run_id = getattr(each, "run_id", None)
            if run_id is not None:
                on_llm_error(error, run_id=run_id)


def _chat_context(store: RunStore, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Context | None:
    """The model run's context for `_generate_with_cache` / `_generate_helper` (one prompt: one run)."""
    if not store.active:
        return None
    manager = _run_manager(args, kwargs)
    if isinstance(manager, list):
        # A batch of prompts in one provider call cannot be attributed to one run: no activation.
        manager = manager[0] if len(manager) == 1 else None
    run_id = getattr(manager, "run_id", None)
    run = store.runs.get(run_id) if run_id is not None else None
    return run.ctx if run is not None else None


def _guarded_chat_context(store: RunStore, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Context | None:
    try:
        return _chat_context(store, args, kwargs)
    except Exception as exc:
        report("agent_otel.langchain.generate", exc)
        return None


def _retriever_run_id(kwargs: dict[str, Any]) -> tuple[dict[str, Any], UUID]:
    run_id = kwargs.get("run_id")
    if isinstance(run_id, UUID):
        return kwargs, run_id
    run_id = uuid4()
    return {**kwargs, "run_id": run_id}, run_id


def _activate_stream(gen: Iterator[Any], store: RunStore, run_id: UUID) -> Iterator[Any]:
    runs = store.runs
    expect = store.expect
    slot = expect[run_id] = Slot()
    try:
        # First chunk: the run starts inside; the handler attaches its context into `slot`.
        try:
            item = next(gen)
        except StopIteration:
            return
        finally:
            expect.pop(run_id, None)
            slot.release()
        yield item
        while True:
            run = runs.get(run_id)
            token = attach(run.ctx) if run is not None else None
            try:
                item = next(gen)
            except StopIteration:
                return
            finally:
                if token is not None:
                    detach(token)
            yield item
    finally:
        close = getattr(gen, "close", None)
        if close is not None:
            close()


async def _aactivate_stream(agen: AsyncIterator[Any], store: RunStore, run_id: UUID) -> AsyncIterator[Any]:
    runs = store.runs
    expect = store.expect
    slot = expect[run_id] = Slot()
    try:
        try:
            item = await agen.__anext__()
        except StopAsyncIteration:
            return
        finally:
            expect.pop(run_id, None)
            slot.release()
        yield item
        while True:
            run = runs.get(run_id)
            token = attach(run.ctx) if run is not None else None
            try:
                item = await agen.__anext__()
            except StopAsyncIteration:
                return
            finally:
                if token is not None:
                    detach(token)
            yield item
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            await aclose()
