"""The public entry points: `agent`, `workflow`, `tool`, `inference` and `record_inference`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from opentelemetry.context import Context

from agent_otel.manual._operations import InferenceOperation
from agent_otel.manual._specs import AgentSpec, InferenceSpec, ToolSpec, WorkflowSpec

_F = TypeVar("_F", bound=Callable[..., Any])


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
