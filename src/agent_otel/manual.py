"""Manual instrumentation for the code agent-otel does not patch: agents, workflows, tools, model calls.

A hand-written agent loop gets the same spans as an instrumented framework: `invoke_agent {name}`,
`invoke_workflow {name}`, `execute_tool {name}` and `chat {model}`, with `gen_ai.agent.name` of the
nearest agent on every span beneath an agent (those of the openai and LangChain instrumentors too),
token and cost totals on agent and workflow spans, and cost on chat spans. Everything goes through the
telemetry facade (`agent_otel.telemetry.genai`), exactly as the instrumentors do.

Each of `agent`, `workflow`, `tool` and `inference` works as a decorator (bare or with arguments) and
as a context manager, in sync and async code:

    from agent_otel import manual

    @manual.tool
    def search(query: str) -> str: ...

    @manual.agent("researcher", description="Finds sources")
    async def research(topic: str) -> str:
        with manual.inference("openai", "gpt-4o-mini") as call:
            reply = await my_model(topic)
            call.record_usage(input_tokens=reply.prompt_tokens, output_tokens=reply.completion_tokens)
        return reply.text

    with manual.workflow("nightly-report") as run:
        ...
    print(run.usage)   # Usage(input_tokens=..., output_tokens=..., cost=..., currency='USD')

Decorated generator and async generator functions are supported: the span covers the iteration
(it starts at the first `next()` and ends when the generator finishes, raises or is closed), and
the function's context is current only while its body runs. Exceptions pass through unchanged (the
same object) and mark the span ERROR; LangGraph's control-flow exceptions (`GraphBubbleUp`:
interrupts and handoffs) and `GeneratorExit` do not. Decorators keep the function's name, signature,
`__wrapped__` and its sync/async/generator nature. Tool arguments and results, and messages, are
recorded only when content capture is on (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).

Telemetry goes to the global OpenTelemetry providers (the scope is `agent_otel.manual`), created on
first use; `configure()` points it elsewhere. With AGENT_OTEL_ENABLED=false everything here is a
no-op that still runs the user's code.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from opentelemetry import trace
from opentelemetry.context import Context, attach, detach, get_current
from opentelemetry.trace import Span

from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.telemetry.genai import Call, GenAITelemetry

__all__ = [
    "AgentOperation",
    "InferenceOperation",
    "Operation",
    "ToolOperation",
    "Usage",
    "agent",
    "configure",
    "current_operation",
    "inference",
    "record_inference",
    "reset",
    "telemetry",
    "tool",
    "workflow",
]

SCOPE_NAME = "agent_otel.manual"

_F = TypeVar("_F", bound=Callable[..., Any])
_O = TypeVar("_O", bound="Operation")
_MISSING: Any = object()

# ------------------------------------------------------------------------------------ the telemetry

_lock = threading.Lock()
_resolved = False
_telemetry: GenAITelemetry | None = None


def _build(**kwargs: Any) -> GenAITelemetry | None:
    from agent_otel.config import Settings
    from agent_otel.telemetry.genai import GenAITelemetry

    settings = Settings.from_env(enabled=kwargs.pop("enabled", None), cost=kwargs.pop("cost", None))
    if not settings.enabled:
        return None
    pricing_file = kwargs.pop("pricing_file", None)
    prices = kwargs.pop("prices", None)
    return GenAITelemetry(
        scope_name=SCOPE_NAME,
        settings=settings,
        pricing_file=pricing_file,
        price_overrides=prices,
        **{k: v for k, v in kwargs.items() if v is not None},
    )


def configure(
    *,
    tracer_provider: Any | None = None,
    meter_provider: Any | None = None,
    logger_provider: Any | None = None,
    completion_hook: Any | None = None,
    pricing_file: str | None = None,
    prices: Mapping[str, Any] | None = None,
    enabled: bool | None = None,
    cost: bool | None = None,
) -> None:
    """Set up the telemetry the manual API emits through (instead of the global providers).

    Arguments left out fall back to the global providers and the environment, as on first use.
    Never raises: a configuration that cannot be built is logged and the manual API does nothing.
    """
    global _resolved, _telemetry
    try:
        built = _build(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            completion_hook=completion_hook,
            pricing_file=pricing_file,
            prices=prices,
            enabled=enabled,
            cost=cost,
        )
    except Exception as exc:
        report("agent_otel.manual.configure", exc)
        built = None
    with _lock:
        _telemetry, _resolved = built, True


def reset() -> None:
    """Forget the configured telemetry: the next use builds it again from the globals and environment."""
    global _resolved, _telemetry
    with _lock:
        _telemetry, _resolved = None, False


def telemetry() -> GenAITelemetry | None:
    """The facade the manual API uses (built on first use); None when agent-otel is disabled."""
    global _resolved, _telemetry
    if _resolved:
        return _telemetry
    with _lock:
        if not _resolved:
            try:
                _telemetry = _build()
            except Exception as exc:
                report("agent_otel.manual.telemetry", exc)
                _telemetry = None
            _resolved = True
    return _telemetry


# ------------------------------------------------------------------------------------ operations


@dataclass(frozen=True)
class Usage:
    """Token and cost totals of everything beneath an agent or workflow so far.

    `cost` is None when none of it could be priced (an unknown model, or cost turned off).
    """

    input_tokens: int
    output_tokens: int
    cost: float | None
    currency: str | None


class Operation:
    """A running agent, workflow, tool or model call: what `with manual.agent(...) as op` gives you.

    When agent-otel is disabled (or the operation could not be started) every method does nothing
    and `span` is the invalid span.
    """

    __slots__ = ("_call", "_context", "_tel")

    def __init__(self, tel: GenAITelemetry | None, call: Call | None, context: Context | None = None) -> None:
        self._tel = tel
        self._call = call
        self._context = context

    @property
    def span(self) -> Span:
        """The OpenTelemetry span (non-recording when not sampled). Read it; util-genai writes it."""
        return self._call.span if self._call is not None else trace.INVALID_SPAN

    @property
    def context(self) -> Context:
        """The context to parent work in explicitly (e.g. `context.run` in a thread you start)."""
        if self._call is not None:
            return self._call.context
        return self._context if self._context is not None else get_current()

    @property
    def capture_content(self) -> bool:
        """True when messages, tool arguments and results are recorded (content capture is on)."""
        return self._tel is not None and self._tel.capture_content

    def set_attribute(self, key: str, value: Any) -> None:
        """Add an attribute to the span (written when the operation ends)."""
        if self._call is not None:
            self._call.inv.attributes[key] = value

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        if self._call is not None:
            self._call.inv.attributes.update(attributes)


class AgentOperation(Operation):
    """A running agent or workflow: its usage so far, and its messages (under content capture)."""

    __slots__ = ()

    @property
    def usage(self) -> Usage:
        """Tokens and cost of every model call beneath it so far (and of `add_usage`)."""
        scope = self._call.scope if self._call is not None else None
        if scope is None:
            return Usage(0, 0, None, None)
        # A total over several currencies means nothing: no cost then (see Scope.mixed_currency).
        priced = scope.priced_calls > 0 and not getattr(scope, "mixed_currency", False)
        return Usage(
            scope.input_tokens,
            scope.output_tokens,
            round(scope.cost, 12) if priced else None,
            (scope.currency or "USD") if priced else None,
        )

    def add_usage(
        self,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cost: float | None = None,
        currency: str = "USD",
    ) -> None:
        """Count usage that has no span here (a remote agent's, reported back in its reply).

        It is added to this operation's totals and those of every enclosing agent and workflow.
        """
        scope = self._call.scope if self._call is not None else None
        if scope is None:
            return
        try:
            scope.add_usage(
                _tokens(input_tokens), _tokens(output_tokens), None if cost is None else float(cost), currency
            )
        except Exception as exc:
            report("agent_otel.manual.add_usage", exc)

    def set_input_messages(self, messages: Iterable[Any]) -> None:
        """The agent's input (strings, {"role", "content"} dicts or InputMessage); content capture only."""
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "input_messages", lambda: _input_messages(messages))

    def set_output_messages(self, messages: Iterable[Any]) -> None:
        """The agent's output (strings, dicts or OutputMessage); content capture only."""
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "output_messages", lambda: _output_messages(messages))


class ToolOperation(Operation):
    """A running tool: its arguments and result, recorded only under content capture."""

    __slots__ = ()

    def set_arguments(self, arguments: Any) -> None:
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "arguments", lambda: _any_value(arguments))

    def set_result(self, result: Any) -> None:
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "tool_result", lambda: _any_value(result))


class InferenceOperation(Operation):
    """A running model call: usage (priced into `gen_ai.usage.cost.*`), response, messages."""

    __slots__ = ()

    def record_usage(
        self,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        *,
        cache_read_input_tokens: int | None = None,
        cache_write_input_tokens: int | None = None,
        reasoning_tokens: int | None = None,
    ) -> None:
        """Token usage as the GenAI conventions count it (as OpenAI reports it).

        `input_tokens` includes cache reads and writes (for Anthropic, add `cache_read_input_tokens`
        and `cache_creation_input_tokens` to its `input_tokens`); `output_tokens` includes reasoning.
        """
        if self._call is None:
            return
        inv = self._call.inv
        for field, value in (
            ("input_tokens", input_tokens),
            ("output_tokens", output_tokens),
            ("cache_read_input_tokens", cache_read_input_tokens),
            ("cache_write_input_tokens", cache_write_input_tokens),
            ("thinking_tokens", reasoning_tokens),
        ):
            if value is not None:
                _set(inv, field, lambda v=value: _tokens(v))  # type: ignore[misc]

    def set_response(
        self,
        *,
        model: str | None = None,
        id: str | None = None,
        finish_reasons: Iterable[str] | None = None,
    ) -> None:
        """The response's model (priced before the requested model), id and finish reasons."""
        if self._call is None:
            return
        inv = self._call.inv
        if model is not None:
            _set(inv, "response_model_name", lambda: str(model))
        if id is not None:
            _set(inv, "response_id", lambda: str(id))
        if finish_reasons is not None:
            reasons = [finish_reasons] if isinstance(finish_reasons, str) else finish_reasons
            _set(inv, "finish_reasons", lambda: [str(r) for r in reasons])

    def set_input_messages(self, messages: Iterable[Any]) -> None:
        """The prompt (strings, {"role", "content"} dicts or InputMessage); content capture only."""
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "input_messages", lambda: _input_messages(messages))

    def set_output_messages(self, messages: Iterable[Any]) -> None:
        """The completion (strings, dicts or OutputMessage); content capture only."""
        if self._call is not None and self.capture_content:
            _set(self._call.inv, "output_messages", lambda: _output_messages(messages))

    def set_system_instruction(self, instruction: str) -> None:
        """The system prompt; content capture only."""
        if self._call is not None and self.capture_content:
            from agent_otel.telemetry.genai import TextPart

            _set(self._call.inv, "system_instruction", lambda: [TextPart(content=str(instruction))])


def _set(inv: Any, field: str, value: Callable[[], Any]) -> None:
    try:
        setattr(inv, field, value())
    except Exception as exc:
        report(f"agent_otel.manual.set_{field}", exc)


def _tokens(value: Any) -> int | None:
    if value is None:
        return None
    number = int(value)
    return number if number >= 0 else None


def _any_value(value: Any) -> Any:
    from agent_otel.telemetry.genai import tool_arguments_to_any_value

    return tool_arguments_to_any_value(value)


def _parts(content: Any) -> list[Any]:
    from agent_otel.telemetry.genai import TextPart

    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(content=content)]
    if isinstance(content, (list, tuple)):
        parts: list[Any] = []
        for item in content:
            if isinstance(item, str):
                parts.append(TextPart(content=item))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                parts.append(TextPart(content=item["text"]))
            elif hasattr(item, "type") and not isinstance(item, Mapping):
                parts.append(item)  # already a util-genai message part
            else:
                parts.append(TextPart(content=str(item)))
        return parts
    return [TextPart(content=str(content))]


def _listed(messages: Any) -> list[Any]:
    """The messages of a list or tuple (one string or dict is one message); never consumes an iterator."""
    if isinstance(messages, (list, tuple)):
        return list(messages)
    if isinstance(messages, (str, Mapping)) or hasattr(messages, "parts"):
        return [messages]
    return []


def _input_messages(messages: Iterable[Any]) -> list[Any]:
    from agent_otel.telemetry.genai import InputMessage

    out: list[Any] = []
    for message in _listed(messages):
        if isinstance(message, InputMessage):
            out.append(message)
        elif isinstance(message, Mapping):
            out.append(
                InputMessage(role=str(message.get("role") or "user"), parts=_parts(message.get("content")))
            )
        else:
            out.append(InputMessage(role="user", parts=_parts(message)))
    return out


def _output_messages(messages: Iterable[Any]) -> list[Any]:
    from agent_otel.telemetry.genai import OutputMessage

    out: list[Any] = []
    for message in _listed(messages):
        if isinstance(message, OutputMessage):
            out.append(message)
        elif isinstance(message, Mapping):
            out.append(
                OutputMessage(
                    role=str(message.get("role") or "assistant"),
                    parts=_parts(message.get("content")),
                    finish_reason=message.get("finish_reason"),
                )
            )
        else:
            out.append(OutputMessage(role="assistant", parts=_parts(message), finish_reason=None))
    return out


# ------------------------------------------------------------------------------ which one is current

# The manual operations open in this context, innermost last: (spec, operation, context token).
_active: ContextVar[tuple[tuple[Any, Operation, Any], ...]] = ContextVar(
    "agent_otel.manual.active", default=()
)


def current_operation() -> Operation | None:
    """The innermost manual operation running in this context (inside a decorated function too)."""
    stack = _active.get()
    return stack[-1][1] if stack else None


def _enter(spec: Any, op: Operation) -> tuple[Any, Token[Any]] | None:
    """Make `op` current: attach its context and push it. Undone by `_leave`, in the same frame."""
    try:
        token = attach(op.context)
        return token, _active.set((*_active.get(), (spec, op, token)))
    except Exception as exc:
        report("agent_otel.manual.enter", exc)
        return None


def _leave(tokens: tuple[Any, Token[Any]] | None) -> None:
    if tokens is None:
        return
    try:
        _active.reset(tokens[1])
    except Exception:
        pass
    detach(tokens[0])


def _is_control_flow(error: BaseException) -> bool:
    """Exceptions that end an operation without it failing."""
    if isinstance(error, GeneratorExit):
        return True
    # LangGraph's interrupts and handoffs (langgraph.errors.GraphBubbleUp): control flow, not errors.
    return any(
        cls.__name__ == "GraphBubbleUp" and cls.__module__.startswith("langgraph")
        for cls in type(error).__mro__
    )


# ------------------------------------------------------------------------------------ the specs


class _Spec(Generic[_O]):
    """What `agent(...)` and friends return: a decorator and a (sync and async) context manager."""

    kind = ""
    _operation: type[Operation] = Operation

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._open: list[tuple[Operation, Any]] = []  # entered as a context manager, for __exit__

    # -- subclasses

    def _start(self, tel: GenAITelemetry, name: str | None, context: Context | None) -> Call:
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
                tel.stop(call)
            else:
                tel.fail(call, error)
        except Exception as exc:
            report(f"agent_otel.manual.{self.kind}", exc)

    # -- context manager

    def __enter__(self) -> _O:
        op: _O = self._begin()
        tokens = None
        try:
            tokens = attach(op.context)
            _active.set((*_active.get(), (self, op, tokens)))
        except Exception as exc:
            report("agent_otel.manual.enter", exc)
        self._open.append((op, tokens))
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
            if stack[i][0] is self:
                entry = stack[i]
                _active.set(stack[:i] + stack[i + 1 :])
                break
        if entry is not None:
            found = next((o for o in self._open if o[0] is entry[1]), None)
        else:  # exited in another context than it was entered in: the newest entry of this spec
            found = self._open[-1] if self._open else None
        if found is None:
            return
        self._open.remove(found)
        op, token = found
        if token is not None:
            detach(token)
        self._end(op, exc)

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


def _default_name(fn: Callable[..., Any]) -> str:
    return str(getattr(fn, "__name__", None) or type(fn).__name__)


def _argument_reader(fn: Callable[..., Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], Any]:
    """Reads a call's arguments as a {parameter: value} dict (without self/cls), only when asked."""
    try:
        signature: inspect.Signature | None = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None

    def read(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            if signature is None:
                raise TypeError("no signature")
            bound = signature.bind_partial(*args, **kwargs)
        except TypeError:  # the call itself is wrong: the function will say so
            return {"args": list(args), **kwargs} if args else dict(kwargs)
        out: dict[str, Any] = {}
        for name, value in bound.arguments.items():
            kind = signature.parameters[name].kind
            if name in ("self", "cls") and kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                continue
            if kind is inspect.Parameter.VAR_KEYWORD:
                out.update(value)
            else:
                out[name] = value
        return out

    return read


def _decorate(spec: _Spec[Any], fn: _F) -> _F:
    name = spec.name or _default_name(fn)
    read_arguments = _argument_reader(fn) if spec.kind == "tool" else None

    def arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any] | None:
        if read_arguments is None:
            return None
        return lambda: read_arguments(args, kwargs)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            try:
                agen = fn(*args, **kwargs)
                send: Any = None
                thrown: BaseException | None = None
                while True:
                    tokens = _enter(spec, op)
                    try:
                        item = await (agen.athrow(thrown) if thrown is not None else agen.asend(send))
                    finally:
                        _leave(tokens)
                    thrown = None
                    try:
                        send = yield item
                    except GeneratorExit:
                        raise
                    except BaseException as exc:  # thrown in by the consumer: hand it to the generator
                        thrown = exc
            except StopAsyncIteration:
                spec._end(op, None)
            except GeneratorExit as exc:
                tokens = _enter(spec, op)
                try:
                    await agen.aclose()
                finally:
                    _leave(tokens)
                    spec._end(op, exc)
                raise
            except BaseException as exc:
                spec._end(op, exc)
                raise

        return async_generator_wrapper  # type: ignore[return-value]

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            try:
                gen = fn(*args, **kwargs)
                send: Any = None
                thrown: BaseException | None = None
                while True:
                    tokens = _enter(spec, op)
                    try:
                        item = gen.throw(thrown) if thrown is not None else gen.send(send)
                    finally:
                        _leave(tokens)
                    thrown = None
                    try:
                        send = yield item
                    except GeneratorExit:
                        raise
                    except BaseException as exc:  # thrown in by the consumer: hand it to the generator
                        thrown = exc
            except StopIteration as stop:
                spec._end(op, None)
                return stop.value
            except GeneratorExit as exc:
                tokens = _enter(spec, op)
                try:
                    gen.close()
                finally:
                    _leave(tokens)
                    spec._end(op, exc)
                raise
            except BaseException as exc:
                spec._end(op, exc)
                raise

        return generator_wrapper  # type: ignore[return-value]

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def coroutine_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            tokens = _enter(spec, op)
            try:
                result = await fn(*args, **kwargs)
            except BaseException as exc:
                _leave(tokens)
                spec._end(op, exc)
                raise
            _leave(tokens)
            spec._end(op, None, result)
            return result

        return coroutine_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        op = spec._begin(name, None, arguments(args, kwargs))
        tokens = _enter(spec, op)
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            _leave(tokens)
            spec._end(op, exc)
            raise
        _leave(tokens)
        if inspect.iscoroutine(result):
            # A callable that does not look async returned a coroutine: the operation lasts until
            # it has been awaited.
            return _finish_when_awaited(spec, op, result)
        spec._end(op, None, result)
        return result

    return wrapper  # type: ignore[return-value]


async def _finish_when_awaited(spec: _Spec[Any], op: Operation, awaitable: Awaitable[Any]) -> Any:
    tokens = _enter(spec, op)
    try:
        result = await awaitable
    except BaseException as exc:
        _leave(tokens)
        spec._end(op, exc)
        raise
    _leave(tokens)
    spec._end(op, None, result)
    return result


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

    def _start(self, tel: GenAITelemetry, name: str | None, context: Context | None) -> Call:
        return tel.agent(
            name,
            description=self.description,
            request_model=self.model,
            context=context,
            attach=False,
            conversation_id=self.conversation_id,
        )


class WorkflowSpec(_Spec[AgentOperation]):
    kind = "workflow"
    _operation = AgentOperation

    def __init__(self, name: str | None, conversation_id: str | None = None) -> None:
        super().__init__(name)
        self.conversation_id = conversation_id

    def _start(self, tel: GenAITelemetry, name: str | None, context: Context | None) -> Call:
        return tel.workflow(name, context=context, attach=False, conversation_id=self.conversation_id)


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

    def _start(self, tel: GenAITelemetry, name: str | None, context: Context | None) -> Call:
        return tel.tool(
            name or "tool",
            tool_type=self.tool_type,
            call_id=self.call_id,
            description=self.description,
            context=context,
            attach=False,
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

    def _start(self, tel: GenAITelemetry, name: str | None, context: Context | None) -> Call:
        return tel.inference(
            self.provider,
            request_model=self.model,
            server_address=self.server_address,
            server_port=self.server_port,
            operation_name=self.operation,
            context=context,
            attach=False,
            conversation_id=self.conversation_id,
        )


# ------------------------------------------------------------------------------------ public API


@overload
def agent(name: _F) -> _F: ...
@overload
def agent(
    name: str | None = None,
    *,
    description: str | None = None,
    model: str | None = None,
    conversation_id: str | None = None,
) -> AgentSpec: ...
def agent(
    name: Any = None,
    *,
    description: str | None = None,
    model: str | None = None,
    conversation_id: str | None = None,
) -> Any:
    """An in-process agent: `invoke_agent {name}` (INTERNAL), its name on every span beneath it.

    `@agent` (named after the function), `@agent("name", description=...)`, or
    `with agent("name") as op:` / `async with agent("name") as op:`. `model` sets
    `gen_ai.request.model` (for an agent that uses exactly one model).
    """
    if callable(name):
        return AgentSpec(None)(name)
    return AgentSpec(name, description, model, conversation_id)


@overload
def workflow(name: _F) -> _F: ...
@overload
def workflow(name: str | None = None, *, conversation_id: str | None = None) -> WorkflowSpec: ...
def workflow(name: Any = None, *, conversation_id: str | None = None) -> Any:
    """Application-defined control flow around agents: `invoke_workflow {name}` (INTERNAL)."""
    if callable(name):
        return WorkflowSpec(None)(name)
    return WorkflowSpec(name, conversation_id)


@overload
def tool(name: _F) -> _F: ...
@overload
def tool(
    name: str | None = None,
    *,
    description: str | None = None,
    tool_type: str = "function",
    call_id: str | None = None,
) -> ToolSpec: ...
def tool(
    name: Any = None,
    *,
    description: str | None = None,
    tool_type: str = "function",
    call_id: str | None = None,
) -> Any:
    """A tool your code executes: `execute_tool {name}` (INTERNAL), with the calling agent's name.

    A decorated tool records its arguments (by parameter name) and its return value when content
    capture is on; a context manager records what you pass to `set_arguments` / `set_result`.
    """
    if callable(name):
        return ToolSpec(None)(name)
    return ToolSpec(name, description, tool_type, call_id)


def inference(
    provider: str,
    model: str | None,
    *,
    operation: str = "chat",
    server_address: str | None = None,
    server_port: int | None = None,
    conversation_id: str | None = None,
) -> InferenceSpec:
    """A model call made without an instrumented client: `{operation} {model}` (CLIENT).

    Use it around the call and report what the response says with `record_usage` and
    `set_response`: the span gets `gen_ai.usage.*`, the cost (`gen_ai.usage.cost.*`) and counts
    towards the enclosing agents' totals. An instrumented client call made inside merges into this
    span instead of adding a second one.
    """
    return InferenceSpec(provider, model, operation, server_address, server_port, conversation_id)


def record_inference(
    provider: str,
    model: str | None,
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    cache_read_input_tokens: int | None = None,
    cache_write_input_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    response_model: str | None = None,
    response_id: str | None = None,
    finish_reasons: Iterable[str] | None = None,
    operation: str = "chat",
    server_address: str | None = None,
    server_port: int | None = None,
    error: BaseException | None = None,
    context: Context | None = None,
) -> None:
    """Record a model call that has already happened, in one line.

    The span starts and ends now (so its duration, and the duration metric's, is ~0): prefer
    `with inference(...)` around the call when you can. Tokens, cost and the roll-up onto the
    enclosing agents are the same.
    """
    spec = InferenceSpec(provider, model, operation, server_address, server_port)
    op: InferenceOperation = spec._begin(context=context)
    op.record_usage(
        input_tokens,
        output_tokens,
        cache_read_input_tokens=cache_read_input_tokens,
        cache_write_input_tokens=cache_write_input_tokens,
        reasoning_tokens=reasoning_tokens,
    )
    op.set_response(model=response_model, id=response_id, finish_reasons=finish_reasons)
    spec._end(op, error)
