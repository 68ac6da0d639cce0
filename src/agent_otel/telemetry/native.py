"""Libraries that trace themselves: one span per operation, and whose span it is.

Some client libraries now emit spans of their own (anthropic >= 2.0: a CLIENT span
`anthropic.messages.create` per API call; mcp >= 2.0 likewise). With an agent-otel adapter on as well,
every call would get two spans for one operation (ours, with the library's as its child): two
inference spans, double-counted tokens in any backend that sums them. The policy, for every adapter:

- **replace** (the default): for a call the adapter observes, the library's span is replaced by ours.
  The adapter hooks the place where the library starts its span and returns `stand_in()` instead: a
  non-recording span carrying the current span's context (ours, or the enclosing inference's). The
  library then records nothing, but everything it does with the span's *context* still happens: it
  propagates our trace context on its requests (when its own propagation setting allows), and HTTP
  spans beneath it are children of ours. Calls the adapter does not observe keep the library's spans.
- **keep**: the library's spans stay, as children of ours. Chosen when the user asked for the
  library's spans explicitly (`user_choice`: the adapter names the setting it found, e.g. a tracer
  provider given to the library's own tracing option), so that no setting the user made is silently
  overridden (logged once per library and setting, at INFO); or for every library with
  AGENT_OTEL_REPLACE_NATIVE_SPANS=false.

The library's own switches (an environment variable or client option that turns its spans off) need
nothing from us: its spans are then off with or without agent-otel.
"""

from __future__ import annotations

import logging

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, Span

__all__ = ["NativeSpans", "stand_in"]

_logger = logging.getLogger(__name__)


class NativeSpans:
    """The policy for one instrumented library that traces itself (see the module docstring)."""

    __slots__ = ("_noted", "library", "replace")

    def __init__(self, library: str, replace: bool = True) -> None:
        self.library = library
        self.replace = replace
        self._noted: set[str] = set()

    def replaces(self, user_choice: str | None = None) -> bool:
        """Whether a call the adapter observes replaces the library's span. `user_choice` names the
        user's explicit request for the library's spans, if the adapter found one (None: none)."""
        if not self.replace:
            return False
        if user_choice is None:
            return True
        if user_choice not in self._noted:
            self._noted.add(user_choice)
            _logger.info(
                "agent-otel: keeping %s's own spans (as children of agent-otel's) because %s is set",
                self.library,
                user_choice,
            )
        return False


def stand_in(context: Context | None = None) -> Span | None:
    """What a library's span-starting hook returns instead of its span: a non-recording span with the
    current span's context (None when there is no valid one: the library then starts no span)."""
    span_context = trace.get_current_span(context).get_span_context()
    return NonRecordingSpan(span_context) if span_context.is_valid else None
