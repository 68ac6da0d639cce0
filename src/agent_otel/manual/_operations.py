"""What `with manual.agent(...) as op` gives you: the running operation, and what it can record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context, get_current
from opentelemetry.trace import Span

from agent_otel.manual._messages import _input_messages, _output_messages
from agent_otel.telemetry.safety import report

if TYPE_CHECKING:
    from agent_otel.telemetry.core import Telemetry
    from agent_otel.telemetry.model_call import ModelCall
    from agent_otel.telemetry.operations import Operation as CoreOperation

    Handle = ModelCall | CoreOperation


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

    def __init__(self, tel: Telemetry | None, call: Handle | None, context: Context | None = None) -> None:
        self._tel = tel
        self._call = call
        self._context = context

    @property
    def span(self) -> Span:
        """The OpenTelemetry span (non-recording when not sampled). Read it; the core writes it."""
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
        return self._call is not None and self._call.content is not None

    def set_attribute(self, key: str, value: Any) -> None:
        """Add an attribute to the span (written when the operation ends)."""
        if self._call is not None:
            self._call.set_attribute(key, value)

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        if self._call is not None:
            for key, value in attributes.items():
                self._call.set_attribute(key, value)


class AgentOperation(Operation):
    """A running agent or workflow: its usage so far, and its messages (under content capture)."""

    __slots__ = ()

    def _scope(self) -> Any:
        return getattr(self._call, "scope", None)

    @property
    def usage(self) -> Usage:
        """Tokens and cost of every model call beneath it so far (and of `add_usage`)."""
        scope = self._scope()
        if scope is None:
            return Usage(input_tokens=0, output_tokens=0, cost=None, currency=None)
        # A total over several currencies means nothing: no cost then (see Scope.mixed_currency).
        priced = scope.priced_calls > 0 and not scope.mixed_currency
        return Usage(
            input_tokens=scope.input_tokens,
            output_tokens=scope.output_tokens,
            cost=round(scope.cost, 12) if priced else None,
            currency=(scope.currency or "USD") if priced else None,
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
        scope = self._scope()
        if scope is None:
            return
        try:
            scope.add_usage(
                _count(input_tokens), _count(output_tokens), None if cost is None else float(cost), currency
            )
        except Exception as exc:
            report("agent_otel.manual.add_usage", exc)

    def set_input_messages(self, messages: Iterable[Any]) -> None:
        """The agent's input (strings, {"role", "content"} dicts or InputMessage); content capture only."""
        content = self._call.content if self._call is not None else None
        if content is not None:
            _set(content, "input_messages", lambda: _input_messages(messages))

    def set_output_messages(self, messages: Iterable[Any]) -> None:
        """The agent's output (strings, dicts or OutputMessage); content capture only."""
        content = self._call.content if self._call is not None else None
        if content is not None:
            _set(content, "output_messages", lambda: _output_messages(messages))


class ToolOperation(Operation):
    """A running tool: its arguments and result, recorded only under content capture."""

    __slots__ = ()

    def set_arguments(self, arguments: Any) -> None:
        if self._call is not None and self._call.content is not None:
            _set(self._call, "arguments", lambda: _any_value(arguments))

    def set_result(self, result: Any) -> None:
        if self._call is not None and self._call.content is not None:
            _set(self._call, "result", lambda: _any_value(result))


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
        Values that are not token counts are dropped when the call ends (telemetry/values.py).
        """
        call = self._call
        response = getattr(call, "response", None)
        if response is None:
            return
        usage = response.usage
        for field, value in (
            ("input", input_tokens),
            ("output", output_tokens),
            ("cache_read", cache_read_input_tokens),
            ("cache_write", cache_write_input_tokens),
            ("reasoning", reasoning_tokens),
        ):
            if value is not None:
                setattr(usage, field, value)

    def set_response(
        self,
        *,
        model: str | None = None,
        id: str | None = None,
        finish_reasons: Iterable[str] | None = None,
    ) -> None:
        """The response's model (priced before the requested model), id and finish reasons."""
        response = getattr(self._call, "response", None)
        if response is None:
            return
        if model is not None:
            _set(response, "model", lambda: str(model))
        if id is not None:
            _set(response, "id", lambda: str(id))
        if finish_reasons is not None:
            reasons = [finish_reasons] if isinstance(finish_reasons, str) else finish_reasons
            _set(response, "finish_reasons", lambda: [str(r) for r in reasons])

    def set_input_messages(self, messages: Iterable[Any]) -> None:
        """The prompt (strings, {"role", "content"} dicts or InputMessage); content capture only."""
        content = self._call.content if self._call is not None else None
        if content is not None:
            _set(content, "input_messages", lambda: _input_messages(messages))

    def set_output_messages(self, messages: Iterable[Any]) -> None:
        """The completion (strings, dicts or OutputMessage); content capture only."""
        content = self._call.content if self._call is not None else None
        if content is not None:
            _set(content, "output_messages", lambda: _output_messages(messages))

    def set_system_instruction(self, instruction: str) -> None:
        """The system prompt; content capture only."""
        content = self._call.content if self._call is not None else None
        if content is not None:
            from agent_otel.telemetry.messages import TextPart

            _set(content, "system_instructions", lambda: [TextPart(content=str(instruction))])


def _set(target: Any, field: str, value: Callable[[], Any]) -> None:
    try:
        setattr(target, field, value())
    except Exception as exc:
        report(f"agent_otel.manual.set_{field}", exc)


def _count(value: Any) -> int | None:
    from agent_otel.telemetry.values import count

    return None if value is None else count(value)


def _any_value(value: Any) -> Any:
    from agent_otel.telemetry.messages import tool_arguments_to_any_value

    return tool_arguments_to_any_value(value)
