"""`Call`: the handle of one started operation, returned by the facade (`genai.py`) to adapters."""

from __future__ import annotations

from typing import Any

from opentelemetry.context import Context
from opentelemetry.trace import Span

from agent_otel.telemetry.agents import Scope
from agent_otel.telemetry.scrub import Secrets, SecretSource


class Call:
    """One started operation: the util-genai invocation plus what agent-otel tracks beside it.

    - `inv`: the util-genai invocation; set its data properties, never touch its span.
    - `context`: the context children of this operation should be parented in (includes the scope).
    - `scope`: for agents and workflows their own `Scope`; for other operations the enclosing one.
    - `suppressed`: True when util-genai merged this call into an enclosing inference (no span).
    - `secrets`: the adapter's source of the client's credentials (`scrub.py`); resolved only if the
      operation fails, and scrubbed from everything recorded for that failure.
    """

    __slots__ = ("_token", "context", "inv", "kind", "operation", "scope", "secrets", "suppressed")

    def __init__(
        self,
        kind: str,
        inv: Any,
        context: Context,
        scope: Scope | None,
        suppressed: bool = False,
        operation: str | None = None,
    ) -> None:
        self.kind = kind
        self.operation = operation
        self.inv = inv
        self.context = context
        self.scope = scope
        self.suppressed = suppressed
        self.secrets: SecretSource | Secrets | None = None
        self._token: object | None = None

    @property
    def span(self) -> Span:
        return self.inv.span  # type: ignore[no-any-return]

    @property
    def finished(self) -> bool:
        return bool(getattr(self.inv, "_finished", False))
