"""Content capture: whether content is read at all, where it goes, and the completion hook.

The meaning of the official variables is util-genai's, read through its public API once per `Telemetry`:

- OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (`get_content_capturing_mode`): NO_CONTENT (the
  default), SPAN_ONLY (content as JSON strings on the span), EVENT_ONLY (on the
  `gen_ai.client.inference.operation.details` log event only), SPAN_AND_EVENT (both);
- OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT: true/false forces that event on or off (default: with the
  EVENT_ONLY and SPAN_AND_EVENT modes);
- a completion hook (`instrument(completion_hook=...)`, or OTEL_INSTRUMENTATION_GENAI_COMPLETION_HOOK
  naming one, loaded with `load_completion_hook`, e.g. util-genai's `upload` hook) gets the content of
  every finished model call, agent and workflow whatever the mode; a hook that raises is logged once and
  ignored.

Content is read (adapters get a `Content` to fill) when a mode other than NO_CONTENT is set or a hook is
configured; otherwise no adapter reads a message, and nothing here runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from opentelemetry._logs import Logger, LogRecord
from opentelemetry.context import Context
from opentelemetry.trace import Span
from opentelemetry.util.genai.completion_hook import CompletionHook, load_completion_hook
from opentelemetry.util.genai.types import ContentCapturingMode
from opentelemetry.util.genai.utils import gen_ai_json_dumps, get_content_capturing_mode

from agent_otel.config import genai_completion_hook_named, genai_emit_event
from agent_otel.telemetry.facts import Content
from agent_otel.telemetry.safety import report

DETAILS_EVENT = "gen_ai.client.inference.operation.details"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
TOOL_DEFINITIONS = "gen_ai.tool.definitions"
PROMPT_VARIABLE = "gen_ai.prompt.variable."

_ON_SPAN = (ContentCapturingMode.SPAN_ONLY, ContentCapturingMode.SPAN_AND_EVENT)
_ON_EVENT = (ContentCapturingMode.EVENT_ONLY, ContentCapturingMode.SPAN_AND_EVENT)


def json_unless_str(value: Any) -> str | None:
    """A string as is; anything else as JSON (or its `str()` when it is not JSON-serializable)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return gen_ai_json_dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return str(value)


def _dicts(items: Sequence[Any]) -> list[Any]:
    return [asdict(item) if hasattr(item, "__dataclass_fields__") else item for item in items]


class ContentPolicy:
    """The capture settings of one `Telemetry` (see the module docstring)."""

    __slots__ = ("capture", "emit_event", "hook", "in_event", "mode", "on_span")

    def __init__(self, completion_hook: CompletionHook | None = None) -> None:
        self.mode = get_content_capturing_mode()
        if completion_hook is None and genai_completion_hook_named():
            completion_hook = load_completion_hook()
        self.hook: CompletionHook | None = completion_hook
        self.on_span = self.mode in _ON_SPAN
        self.in_event = self.mode in _ON_EVENT
        forced = genai_emit_event()
        self.emit_event: bool = self.in_event if forced is None else forced
        self.capture: bool = self.mode is not ContentCapturingMode.NO_CONTENT or completion_hook is not None

    # ------------------------------------------------------------------ serialization

    @staticmethod
    def attributes(content: Content, for_span: bool, inputs: bool = True) -> dict[str, Any]:
        """Messages, system instructions, tool definitions and prompt variables: JSON strings for a span,
        lists of objects for an event."""
        out: dict[str, Any] = {}

        def put(key: str, items: Sequence[Any] | None) -> None:
            if items:
                dicts = _dicts(items)
                out[key] = gen_ai_json_dumps(dicts) if for_span else dicts

        if inputs:
            put(INPUT_MESSAGES, content.input_messages)
        put(OUTPUT_MESSAGES, content.output_messages)
        put(SYSTEM_INSTRUCTIONS, content.system_instructions)
        put(TOOL_DEFINITIONS, content.tool_definitions)
        variables = content.prompt_variables
        if variables and isinstance(variables, Mapping):
            for key, value in variables.items():
                text = json_unless_str(value)
                if text is not None:
                    out[f"{PROMPT_VARIABLE}{key}"] = text
        return out

    def span_attributes(self, content: Content | None, inputs: bool = True) -> dict[str, Any]:
        if content is None or not self.on_span:
            return {}
        return self.attributes(content, True, inputs)

    # ------------------------------------------------------------------ the event and the hook

    def details_event(
        self, attributes: dict[str, Any], content: Content | None, context: Context
    ) -> LogRecord | None:
        """The `gen_ai.client.inference.operation.details` log record of a finished inference, or None."""
        if not self.emit_event:
            return None
        attrs = dict(attributes)
        if content is not None and self.in_event:
            attrs.update(self.attributes(content, False))
        return LogRecord(event_name=DETAILS_EVENT, attributes=attrs, context=context)

    def finish(
        self,
        logger: Logger,
        span: Span,
        content: Content | None,
        record: LogRecord | None,
        inputs: bool = True,
    ) -> None:
        """Hand the content to the completion hook, then emit the event (the hook may annotate it)."""
        hook = self.hook
        if hook is not None and content is not None:
            try:
                hook.on_completion(
                    inputs=list(content.input_messages or ()) if inputs else [],
                    outputs=list(content.output_messages or ()),
                    system_instruction=list(content.system_instructions or ()),
                    tool_definitions=content.tool_definitions,
                    span=span,
                    log_record=record,
                )
            except Exception as exc:
                report("agent_otel.telemetry.content.completion_hook", exc)
        if record is not None:
            logger.emit(record)
