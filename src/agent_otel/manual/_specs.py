"""Operation specs: what `agent(...)` and friends return, a decorator and a sync or async context manager."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from opentelemetry.context import Context, attach, detach

from agent_otel.manual._config import telemetry
from agent_otel.manual._current import _active, _Frame, _is_control_flow
from agent_otel.manual._decorators import _decorate
from agent_otel.manual._operations import AgentOperation, InferenceOperation, Operation, ToolOperation
from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.manual._operations import Handle
    from agent_otel.telemetry.core import Telemetry

_F = TypeVar("_F", bound=Callable[..., Any])
_O = TypeVar("_O", bound=Operation)
_MISSING: Any = object()


class _Spec(Generic[_O]):
    """What `agent(...)` and friends return: a decorator and a (sync and async) context manager."""

    kind = ""
    _operation: type[Operation] = Operation

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._open: list[_Frame] = []  # entered as a context manager, for __exit__

    # -- subclasses

    def _start(self, tel: Telemetry, name: str | None, context: Context | None) -> Handle:
        raise NotImplementedError

    def _on_start(self, op: Operation, arguments: Callable[[], Any] | None) -> None:
        """Record what is known at the start (tool arguments)."""

    def _on_result(self, op: Operation, result: Any) -> None:
        """Record the decorated function's result (tool results)."""

    # -- lifecycle

    def _begin(
        self,
        name: str | None = None,
        context: Context | None = None,
        arguments: Callable[[], Any] | None = None,
    ) -> _O:
        tel = telemetry()
        if tel is None:
            return self._operation(None, None, context)  # type: ignore[return-value]
        try:
            call = self._start(tel, name if name is not None else self.name, context)
        except Exception as exc:
            report(f"agent_otel.manual.{self.kind}", exc)
            return self._operation(None, None, context)  # type: ignore[return-value]
        op = self._operation(tel, call)
        if arguments is not None:
            self._on_start(op, arguments)
        return op  # type: ignore[return-value]

    def _end(self, op: Operation, error: BaseException | None, result: Any = _MISSING) -> None:
        tel, call = op._tel, op._call
        if tel is None or call is None:
            return
        try:
            if result is not _MISSING:
                self._on_result(op, result)
            if error is None or _is_control_flow(error):
                call.end()
            else:
                call.fail(error)
        except Exception as exc:
            report(f"agent_otel.manual.{self.kind}", exc)

    # -- context manager

    def __enter__(self) -> _O:
        op: _O = self._begin()
        token = None
        try:
            token = attach(op.context)
            _active.set((*_active.get(), _Frame(self, op, token)))
        except Exception as exc:
            report("agent_otel.manual.enter", exc)
        self._open.append(_Frame(self, op, token))
        return op

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        entry = None
        stack = _active.get()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].spec is self:
                entry = stack[i]
                _active.set(stack[:i] + stack[i + 1 :])
                break
        if entry is not None:
            found = next((f for f in self._open if f.operation is entry.operation), None)
        else:  # exited in another context than it was entered in: the newest entry of this spec
            found = self._open[-1] if self._open else None
        if found is None:
            return
        self._open.remove(found)
        if found.context_token is not None:
            detach(found.context_token)
        self._end(found.operation, exc)

    async def __aenter__(self) -> _O:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    # -- decorator

    def __call__(self, fn: _F) -> _F:
        if not callable(fn):
            raise TypeError(f"agent_otel.manual.{self.kind} decorates a function, not a {type(fn).__name__}")
        return _decorate(self, fn)


class AgentSpec(_Spec[AgentOperation]):
    kind = "agent"
    _operation = AgentOperation

    def __init__(
        self,
        name: str | None,
        description: str | None = None,
        model: str | None = None,
        conversation_id: str | None = None,
    ) -> None:
        super().__init__(name)
        self.description = description
        self.model = model
        self.conversation_id = conversation_id

    def _start(self, tel: Telemetry, name: str | None, context: Context | None) -> Handle:
        from agent_otel.telemetry.facts import AgentFacts

        return tel.agent(
            AgentFacts(name, self.description, self.model, self.conversation_id), context=context
        )


class WorkflowSpec(_Spec[AgentOperation]):
    kind = "workflow"
    _operation = AgentOperation

    def __init__(self, name: str | None, conversation_id: str | None = None) -> None:
        super().__init__(name)
        self.conversation_id = conversation_id

    def _start(self, tel: Telemetry, name: str | None, context: Context | None) -> Handle:
        from agent_otel.telemetry.facts import WorkflowFacts

        return tel.workflow(WorkflowFacts(name, self.conversation_id), context=context)


class ToolSpec(_Spec[ToolOperation]):
    kind = "tool"
    _operation = ToolOperation

    def __init__(
        self,
        name: str | None,
        description: str | None = None,
        tool_type: str = "function",
        call_id: str | None = None,
    ) -> None:
        super().__init__(name)
        self.description = description
        self.tool_type = tool_type
        self.call_id = call_id

    def _start(self, tel: Telemetry, name: str | None, context: Context | None) -> Handle:
        from agent_otel.telemetry.facts import ToolFacts

        return tel.tool(
            ToolFacts(name or "tool", self.tool_type, self.call_id, self.description), context=context
        )

    def _on_start(self, op: Operation, arguments: Callable[[], Any] | None) -> None:
        if arguments is not None and isinstance(op, ToolOperation) and op.capture_content:
            try:
                op.set_arguments(arguments())
            except Exception as exc:
                report("agent_otel.manual.tool.arguments", exc)

    def _on_result(self, op: Operation, result: Any) -> None:
        if isinstance(op, ToolOperation) and op.capture_content:
            op.set_result(result)


class InferenceSpec(_Spec[InferenceOperation]):
    kind = "inference"
    _operation = InferenceOperation

    def __init__(
        self,
        provider: str,
        model: str | None,
        operation: str = "chat",
        server_address: str | None = None,
        server_port: int | None = None,
        conversation_id: str | None = None,
    ) -> None:
        super().__init__(model)
        self.provider = provider
        self.model = model
        self.operation = operation
        self.server_address = server_address
        self.server_port = server_port
        self.conversation_id = conversation_id

    def _start(self, tel: Telemetry, name: str | None, context: Context | None) -> Handle:
        from agent_otel.telemetry.facts import ModelRequest

        request = ModelRequest(
            self.provider,
            self.operation,
            self.model,
            self.server_address,
            self.server_port,
            self.conversation_id,
        )
        return tel.model_call(request, context=context, attach=False)
