"""Content capture: whether content is read at all, how it is made safe, where it goes, the completion hook.

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
configured; otherwise no adapter reads a message, and nothing here runs. Before anything is recorded,
once per operation (`prepare`), in this order:

1. content sampling (`content_sampling.py`): a trace outside AGENT_OTEL_CONTENT_SAMPLING_RATIO records
   no content (and its failures no message), decided by trace id;
2. the credentials of the call's client (`scrub.py`) are scrubbed from it, then the redactor
   (`redaction.py`) sees every part; a redactor that raises drops the operation's content;
3. the completion hook gets this redacted content (with its bytes);
4. attributes and the event get it with inline blobs stubbed (`content_blobs.py`) and within the size
   budget (`content_budget.py`), valid JSON, `agent_otel.content.truncated = true` on a span that was cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry._logs import Logger, LogRecord
from opentelemetry.context import Context
from opentelemetry.trace import Span
from opentelemetry.util.genai.completion_hook import CompletionHook, load_completion_hook
from opentelemetry.util.genai.types import ContentCapturingMode
from opentelemetry.util.genai.utils import gen_ai_json_dumps, get_content_capturing_mode

from agent_otel.config import (
    Settings,
    genai_completion_hook_named,
    genai_emit_event,
    span_attribute_length_limit,
)
from agent_otel.telemetry import content_budget as budget
from agent_otel.telemetry import content_sampling, redaction, scrub
from agent_otel.telemetry.content_blobs import shape
from agent_otel.telemetry.facts import Content
from agent_otel.telemetry.safety import report

DETAILS_EVENT = "gen_ai.client.inference.operation.details"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
TOOL_DEFINITIONS = "gen_ai.tool.definitions"
PROMPT_VARIABLE = "gen_ai.prompt.variable."
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
RETRIEVAL_QUERY_TEXT = "gen_ai.retrieval.query.text"
RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents"
TRUNCATED = budget.TRUNCATED

_ON_SPAN = (ContentCapturingMode.SPAN_ONLY, ContentCapturingMode.SPAN_AND_EVENT)
_ON_EVENT = (ContentCapturingMode.EVENT_ONLY, ContentCapturingMode.SPAN_AND_EVENT)
_WHERE = "agent_otel.telemetry.content"


def json_unless_str(value: Any) -> str | None:
    """A string as is; anything else as JSON (or its `str()` when it is not JSON-serializable)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return gen_ai_json_dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return str(value)


def _clear(content: Content) -> None:
    content.input_messages = content.output_messages = None
    content.system_instructions = content.tool_definitions = None
    content.prompt_variables = None


class ContentPolicy:
    """The capture settings of one `Telemetry` (see the module docstring)."""

    __slots__ = (
        "capture",
        "emit_event",
        "hook",
        "in_event",
        "max_length",
        "mode",
        "on_span",
        "redactor",
        "sampler",
    )

    def __init__(
        self,
        completion_hook: CompletionHook | None = None,
        settings: Settings | None = None,
    ) -> None:
        settings = settings or Settings()
        self.mode = get_content_capturing_mode()
        if completion_hook is None and genai_completion_hook_named():
            completion_hook = load_completion_hook()
        self.hook: CompletionHook | None = completion_hook
        self.on_span = self.mode in _ON_SPAN
        self.in_event = self.mode in _ON_EVENT
        forced = genai_emit_event()
        self.emit_event: bool = self.in_event if forced is None else forced
        self.capture: bool = self.mode is not ContentCapturingMode.NO_CONTENT or completion_hook is not None
        self.redactor = redaction.load(settings.content_redactor) if self.capture else None
        self.max_length = budget.resolve_limit(settings.content_max_length, span_attribute_length_limit())
        self.sampler = content_sampling.sampler(settings.content_sampling_ratio)

    # ------------------------------------------------------------------ sampling, redaction

    def new(self, context: Context | None) -> Content | None:
        """A `Content` for an operation starting in `context` (None: its trace records no content)."""
        sampler = self.sampler
        return Content() if sampler is None or sampler.keep_context(context) else None

    def keep_span(self, span: Span | None) -> bool:
        """Whether content (and failure messages) may be recorded on `span`'s trace."""
        return self.sampler is None or self.sampler.keep_span(span)

    def prepare(
        self, content: Content, span: Span | None, secrets: scrub.SecretSource | scrub.Secrets | None = None
    ) -> bool:
        """Sample, scrub and redact `content` in place, once; False: record none of it (it is emptied)."""
        state = content.prepared
        if state is not None:
            return state
        keep = self.keep_span(span)
        if keep:
            found = scrub.resolve(secrets) if secrets is not None else scrub.EMPTY
            if found or self.redactor is not None:
                try:
                    run = redaction.part_function(self.redactor, found.scrub if found else None)
                    redaction.redact_content(content, run, found.scrub if found else None)
                except Exception as exc:
                    report(f"{_WHERE}.redactor", exc)
                    keep = False
        if not keep:
            _clear(content)
        content.prepared = keep
        return keep

    def filter_text(self, text: str) -> str | None:
        """A captured text outside messages (an error message quoting the prompt) through the redactor;
        None when it dropped the text or failed."""
        if self.redactor is None:
            return text
        try:
            return redaction.redact_text(text, redaction.part_function(self.redactor, None))
        except Exception as exc:
            report(f"{_WHERE}.redactor", exc)
            return None

    def _redact_value(self, value: Any, result: bool) -> Any:
        if self.redactor is None or value is None:
            return value
        return redaction.redact_tool_value(value, result, redaction.part_function(self.redactor, None))

    # ------------------------------------------------------------------ serialization

    def _fit(self, key: str, items: Sequence[Any], for_span: bool) -> tuple[Any, bool]:
        shaped = shape(list(items))
        fit = budget.fit_messages if key in (INPUT_MESSAGES, OUTPUT_MESSAGES) else budget.fit_list
        kept, text, cut = fit(shaped, self.max_length)
        return (text if for_span else kept), cut

    def attributes(self, content: Content, for_span: bool, inputs: bool = True) -> dict[str, Any]:
        """Messages, system instructions, tool definitions and prompt variables of prepared content: JSON
        strings for a span, lists of objects for an event; blobs stubbed, each within the budget."""
        if content.prepared is None and not self.prepare(content, None):
            return {}
        out: dict[str, Any] = {}
        cut = False
        for key, items in (
            (INPUT_MESSAGES, content.input_messages if inputs else None),
            (OUTPUT_MESSAGES, content.output_messages),
            (SYSTEM_INSTRUCTIONS, content.system_instructions),
            (TOOL_DEFINITIONS, content.tool_definitions),
        ):
            if items:
                out[key], was_cut = self._fit(key, items, for_span)
                cut = cut or was_cut
        variables = content.prompt_variables
        if variables and isinstance(variables, Mapping):
            for key, value in variables.items():
                if value is not None:
                    text, was_cut = budget.fit_value(shape(value), self.max_length)
                    out[f"{PROMPT_VARIABLE}{key}"] = text
                    cut = cut or was_cut
        if cut and for_span:
            out[TRUNCATED] = True
        return out

    def span_attributes(
        self,
        content: Content | None,
        inputs: bool = True,
        span: Span | None = None,
        secrets: scrub.SecretSource | scrub.Secrets | None = None,
    ) -> dict[str, Any]:
        if content is None or not self.prepare(content, span, secrets) or not self.on_span:
            return {}
        return self.attributes(content, True, inputs)

    def tool_attributes(self, arguments: Any, result: Any, span: Span | None) -> dict[str, Any]:
        """`gen_ai.tool.call.arguments` / `.result` of a tool that captures content (span mode only)."""
        if not self.on_span or not self.keep_span(span):
            return {}
        out: dict[str, Any] = {}
        try:
            for key, value, is_result in (
                (TOOL_CALL_ARGUMENTS, arguments, False),
                (TOOL_CALL_RESULT, result, True),
            ):
                value = self._redact_value(value, is_result)
                if value is not None:
                    text, cut = budget.fit_value(shape(value), self.max_length)
                    out[key] = text
                    if cut:
                        out[TRUNCATED] = True
        except Exception as exc:  # the redactor failed: no content
            report(f"{_WHERE}.redactor", exc)
            return {}
        return out

    def retrieval_attributes(self, query: str | None, documents: Any, span: Span | None) -> dict[str, Any]:
        """`gen_ai.retrieval.query.text` / `.documents` of a retrieval that captures content."""
        if not self.on_span or not self.keep_span(span):
            return {}
        out: dict[str, Any] = {}
        try:
            run = redaction.part_function(self.redactor, None) if self.redactor is not None else None
            if query is not None:
                query = redaction.redact_text(query, run) if run is not None else query
                if query is not None:
                    out[RETRIEVAL_QUERY_TEXT], cut = budget.fit_value(shape(query), self.max_length)
                    if cut:
                        out[TRUNCATED] = True
            if documents is not None:
                items = list(documents) if isinstance(documents, (list, tuple)) else [documents]
                if run is not None:
                    items = [d for d in (run(doc) for doc in items) if d is not None]
                _, out[RETRIEVAL_DOCUMENTS], cut = budget.fit_list(shape(items), self.max_length)
                if cut:
                    out[TRUNCATED] = True
        except Exception as exc:
            report(f"{_WHERE}.redactor", exc)
            return {}
        return out

    # ------------------------------------------------------------------ the event and the hook

    def details_event(
        self, attributes: dict[str, Any], content: Content | None, context: Context
    ) -> LogRecord | None:
        """The `gen_ai.client.inference.operation.details` log record of a finished inference, or None."""
        if not self.emit_event:
            return None
        attrs = dict(attributes)
        if content is not None and self.in_event and self.prepare(content, trace.get_current_span(context)):
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
        """Hand the (redacted) content to the completion hook, then emit the event (the hook may annotate
        it). Content that is not recorded (sampled out, redactor failed) is not handed on either."""
        hook = self.hook
        if hook is not None and content is not None and self.prepare(content, span):
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
                report(f"{_WHERE}.completion_hook", exc)
        if record is not None:
            logger.emit(record)
