"""What the instrumentor relies on in openai-agents that is private or merely observed (not documented).
Each test fails loudly, naming the assumption, when an SDK release changes it. Run uninstrumented, with a
probe processor and probe wrappers."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from typing import Any

import openai
import pytest
import wrapt
from agents import ItemHelpers, exceptions
from agents.tool_context import ToolContext
from agents.tracing import (
    Span,
    Trace,
    TracingProcessor,
    add_trace_processor,
    get_current_span,
    set_trace_processors,
)
from apps import handoff_app, run
from openai import AsyncOpenAI

from agent_otel.instrumentation.openai_agents import _sdk
from agent_otel.testing import FakeOpenAIServer
from agent_otel.testing.openai_server import Reply


class Probe(TracingProcessor):  # type: ignore[misc]
    def __init__(self) -> None:
        self.ends: list[tuple[str, BaseException | None]] = []

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_trace_end(self, trace: Trace) -> None:
        self.ends.append(("trace", sys.exc_info()[1]))

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        self.ends.append((span.span_data.type, sys.exc_info()[1]))

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe()
    add_trace_processor(p)
    yield p
    set_trace_processors([])


def test_registered_processors_are_the_providers_private_tuple(probe: Probe) -> None:
    """`get_trace_provider()._multi_processor._processors`: a tuple of the registered processors,
    replaced (not mutated) when one is added, so its identity tells a change."""
    before = _sdk.multi_processor()._processors
    assert isinstance(before, tuple) and _sdk.registered_processors() == (probe,)
    other = Probe()
    add_trace_processor(other)
    assert _sdk.multi_processor()._processors is not before
    assert _sdk.registered_processors() == (probe, other)


def test_official_processor_start_callbacks_can_be_muted_on_the_instance() -> None:
    from opentelemetry.instrumentation.genai.openai_agents.processor import GenAITracingProcessor

    assert _sdk.is_official(GenAITracingProcessor.__new__(GenAITracingProcessor))
    instance = GenAITracingProcessor.__new__(GenAITracingProcessor)
    assert _sdk.mute(instance) and _sdk.is_muted(instance)
    _sdk.unmute(instance)
    assert not _sdk.is_muted(instance) and "on_trace_start" not in vars(instance)


def test_tool_context_from_agent_context_is_a_classmethod_taking_the_call_id() -> None:
    raw = vars(ToolContext)["from_agent_context"]
    assert isinstance(raw, classmethod)
    assert list(inspect.signature(ToolContext.from_agent_context).parameters)[:3] == [
        "context",
        "tool_call_id",
        "tool_call",
    ]
    assert isinstance(vars(ItemHelpers)["tool_call_output_item"], classmethod)
    assert next(iter(inspect.signature(ItemHelpers.tool_call_output_item).parameters)) == "tool_call"


def test_guardrail_tripwire_exceptions_exist() -> None:
    assert issubclass(exceptions.InputGuardrailTripwireTriggered, exceptions.AgentsException)
    assert issubclass(exceptions.OutputGuardrailTripwireTriggered, exceptions.AgentsException)


async def test_tool_context_and_handoff_output_item_are_built_inside_the_sdk_span(
    server: FakeOpenAIServer, client: AsyncOpenAI, probe: Probe
) -> None:
    """`ToolContext.from_agent_context` runs inside the function tool's span (with its call id);
    `ItemHelpers.tool_call_output_item` runs inside the handoff's span with the handoff's tool call."""
    seen: list[tuple[str, str | None, str | None]] = []

    def spy(kind: str) -> Any:
        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            result = wrapped(*args, **kwargs)
            span = get_current_span()
            if kind == "tool_context":
                seen.append((span.span_data.type, result.tool_call_id, result.tool_name))
            elif span is not None and span.span_data.type == "handoff":
                call = args[0] if args else kwargs["tool_call"]
                seen.append(("handoff", call.call_id, call.name))
            return result

        return wrapper

    saved = (vars(ToolContext)["from_agent_context"], vars(ItemHelpers)["tool_call_output_item"])
    wrapt.wrap_function_wrapper(ToolContext, "from_agent_context", spy("tool_context"))
    wrapt.wrap_function_wrapper(ItemHelpers, "tool_call_output_item", spy("output_item"))
    try:
        app = handoff_app("chat", client)
        server.responder = app.responder
        await run(app)
    finally:
        ToolContext.from_agent_context, ItemHelpers.tool_call_output_item = saved  # type: ignore[method-assign]

    assert seen == [
        ("handoff", "call_handoff", "transfer_to_spanish_agent"),
        ("function", "call_weather", "get_weather"),
    ]


async def test_agent_and_trace_end_while_the_runs_exception_propagates(
    server: FakeOpenAIServer, client: AsyncOpenAI, probe: Probe
) -> None:
    """`sys.exc_info()` in `on_span_end` (agent) and `on_trace_end` is the exception the run raises."""
    app = handoff_app("chat", client)
    server.responder = lambda request: Reply.error(400, "bad request")

    with pytest.raises(openai.BadRequestError) as raised:
        await run(app)

    ends = dict(probe.ends)
    assert ends["agent"] is raised.value and ends["trace"] is raised.value
