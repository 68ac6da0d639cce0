"""Agent and workflow scopes: agent-name propagation and token/cost roll-ups.

A `Scope` exists for every open agent or workflow invocation, whichever instrumentor (or the manual API)
opened it. It lives in the OpenTelemetry `Context` under `SCOPE_KEY`, so it follows the context across
threads, asyncio tasks and explicit parenting. Child operations read it to stamp `gen_ai.agent.name`
(the nearest agent) and `gen_ai.conversation.id` (when they have none of their own), and every finished
model call that is not merged into another adds its tokens and cost to its scope and all enclosing
scopes. When the agent or workflow finishes, the core writes the totals on its span.

The core (`model_call.py`, `operations.py`) reads and fills scopes; this module knows nothing else.
"""

from __future__ import annotations

import threading

from opentelemetry.context import Context, create_key, get_value, set_value

SCOPE_KEY = create_key("agent_otel.scope")

_lock = threading.Lock()


class Scope:
    """Running totals for one agent or workflow invocation."""

    __slots__ = (
        "agent_name",
        "conversation_id",
        "cost",
        "currency",
        "input_tokens",
        "kind",
        "mixed_currency",
        "name",
        "output_tokens",
        "parent",
        "priced_calls",
        "unpriced_calls",
    )

    def __init__(
        self, kind: str, name: str | None, parent: Scope | None, conversation_id: str | None = None
    ) -> None:
        self.kind = kind  # "agent" or "workflow"
        self.name = name
        self.parent = parent
        # The nearest agent: this one if it is an agent, else whatever agent encloses this workflow.
        self.agent_name = name if kind == "agent" else (parent.agent_name if parent else None)
        # The conversation of the nearest agent or workflow that names one (model calls beneath inherit it).
        self.conversation_id = conversation_id or (parent.conversation_id if parent else None)
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self.currency: str | None = None
        self.mixed_currency = False
        self.priced_calls = 0
        self.unpriced_calls = 0

    def add_usage(
        self,
        input_tokens: int | None,
        output_tokens: int | None,
        cost: float | None,
        currency: str | None,
    ) -> None:
        """Add one inference's usage to this scope and every enclosing scope."""
        with _lock:
            scope: Scope | None = self
            while scope is not None:
                if input_tokens:
                    scope.input_tokens += input_tokens
                if output_tokens:
                    scope.output_tokens += output_tokens
                if cost is not None:
                    if scope.currency is None:
                        scope.currency = currency
                    elif currency != scope.currency:
                        scope.mixed_currency = True  # no total: amounts in two currencies don't add up
                    scope.cost += cost
                    scope.priced_calls += 1
                else:
                    scope.unpriced_calls += 1
                scope = scope.parent


def current_scope(context: Context | None = None) -> Scope | None:
    value = get_value(SCOPE_KEY, context)
    return value if isinstance(value, Scope) else None


def with_scope(scope: Scope, context: Context) -> Context:
    return set_value(SCOPE_KEY, scope, context)


def nearest_agent_name(context: Context | None = None) -> str | None:
    scope = current_scope(context)
    return scope.agent_name if scope is not None else None
