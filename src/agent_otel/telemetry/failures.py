"""What a failed operation records, and how: the status description, the exception, no secrets.

The core (`model_call.py`, `operations.py`) hands every failure here before it ends the span
(`Failures.record`):

- **Status description.** With content capture on it is the exception message, as the conventions say.
  With capture off it is the exception's type and, for provider errors, the HTTP status and the
  provider's error code (`openai.BadRequestError: HTTP 400, code context_length_exceeded`): a provider
  error's message quotes the request (a 400 quotes the prompt, a tool's error quotes its argument), and
  that is content. A message an adapter wrote itself (`OwnText`) is kept.
- **The exception.** A span event `exception` (`exception.type`, `exception.message`,
  `exception.stacktrace`), so trace backends show where it was raised; and, once per exception object,
  the GenAI log event `gen_ai.client.operation.exception` (severity WARN) for client operations, which the
  latest GenAI conventions define for recording exceptions as logs (the OpenTelemetry plan replaces span
  events with log-based events; the Python API has no `Span.set_exception` yet, so both are emitted: the
  span event for today's backends, the log event for the conventions). The message follows the capture
  rule above; the stack trace lists frames and, for each exception in the chain, the same type and
  message line (never the raw message with capture off).
- **Secrets.** The credentials of the failing call (the `secrets` an adapter gave the call, see
  `scrub.py`) and those remembered for the exception are scrubbed from all of the above, capture on or
  off, and from the string attributes the span is about to get (which also feed its log events).

None of this runs on the success path.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from opentelemetry import trace
from opentelemetry._logs import Logger, SeverityNumber
from opentelemetry.trace import Span

from agent_otel.telemetry import scrub
from agent_otel.telemetry.safety import report

EXCEPTION_EVENT = "exception"
EXCEPTION_LOG_EVENT = "gen_ai.client.operation.exception"
EXCEPTION_TYPE = "exception.type"
EXCEPTION_MESSAGE = "exception.message"
EXCEPTION_STACKTRACE = "exception.stacktrace"

_CODE = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_MAX_CHAIN = 8
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


class ContentGate(Protocol):
    """What the content policy says about a failure's text (`content.ContentPolicy`): whether the span's
    trace records content (content sampling), and the captured text through the redactor."""

    def keep_span(self, span: Span | None) -> bool: ...

    def filter_text(self, text: str) -> str | None: ...


class OwnText(str):
    """A message written by agent-otel or an adapter (no content): kept with capture off."""

    __slots__ = ()


def provider_detail(exc: BaseException) -> str | None:
    """`HTTP 400, code context_length_exceeded` for a provider error (duck-typed: `status_code` or
    `response.status_code`, and `code` or the body's `error.code` / `error.type`); None otherwise."""
    parts: list[str] = []
    try:
        status = getattr(exc, "status_code", None)
        if type(status) is not int:
            status = getattr(getattr(exc, "response", None), "status_code", None)
        if type(status) is int:
            parts.append(f"HTTP {status}")
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            body = getattr(exc, "body", None)
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict):
                code = error.get("code") or error.get("type")
        if isinstance(code, (str, int)) and not isinstance(code, bool) and _CODE.fullmatch(str(code)):
            parts.append(f"code {code}")
    except Exception:  # a property of a foreign exception raised: say what we have
        pass
    return ", ".join(parts) or None


class Failures:
    """One per `Telemetry`: records failures as described in the module docstring."""

    def __init__(
        self,
        logger: Logger,
        capture_content: bool,
        type_name: Callable[[BaseException], str],
        gate: ContentGate | None = None,
    ) -> None:
        self.capture = capture_content
        self._type_name = type_name
        self._logger = logger
        self._gate = gate

    def record(
        self,
        span: Span,
        attributes: dict[str, Any] | None,
        secrets: scrub.SecretSource | scrub.Secrets | None,
        error_type: str,
        message: str | None,
        exception: BaseException | None,
        client_operation: bool,
    ) -> tuple[str, str | None]:
        """Record the exception (event, log) and scrub `attributes` (what the span is about to get, in
        place); returns (`error.type`, status description)."""
        found = scrub.resolve(secrets)
        gate = self._gate
        capture = self.capture and (gate is None or gate.keep_span(span))
        if exception is not None:
            scrub.remember(exception, found)
            found = scrub.for_exception(exception)
        if found:
            if attributes:
                for key, value in list(attributes.items()):
                    attributes[key] = found.scrub_value(value)
            error_type = found.scrub(error_type)
        if exception is None:
            if message is None:
                return error_type, None
            if isinstance(message, OwnText):
                text: str | None = message
            elif capture:
                text = self._filtered(message)
            else:
                text = None
            return error_type, found.scrub(text if text is not None else error_type)
        detail = self._detail(exception, capture)
        exc_type = self._type_name(exception)
        if capture:
            description = found.scrub(detail) if detail is not None else None
        else:
            description = found.scrub(f"{exc_type}: {detail}" if detail else exc_type)
        try:
            self._emit(span, exception, exc_type, detail, found, client_operation, capture)
        except Exception as exc:
            report("agent_otel.telemetry.failures", exc)
        return error_type, description

    # ------------------------------------------------------------------ internals

    def _filtered(self, text: str) -> str | None:
        return text if self._gate is None else self._gate.filter_text(text)

    def _detail(self, exc: BaseException, capture: bool) -> str | None:
        if capture:
            try:
                text = str(exc)
            except Exception:
                return None
            filtered = self._filtered(text)
            return filtered if filtered is not None else provider_detail(exc)
        return provider_detail(exc)

    def _emit(
        self,
        span: Span,
        exc: BaseException,
        exc_type: str,
        detail: str | None,
        secrets: scrub.Secrets,
        client_operation: bool,
        capture: bool,
    ) -> None:
        if not span.is_recording():
            return
        attributes: dict[str, Any] = {EXCEPTION_TYPE: exc_type}
        if detail:
            attributes[EXCEPTION_MESSAGE] = secrets.scrub(detail)
        attributes[EXCEPTION_STACKTRACE] = secrets.scrub(self._stacktrace(exc, capture))
        span.add_event(EXCEPTION_EVENT, attributes)
        if client_operation and scrub.first_report(exc):
            self._logger.emit(
                event_name=EXCEPTION_LOG_EVENT,
                severity_number=SeverityNumber.WARN,
                attributes=attributes,
                context=trace.set_span_in_context(span),
            )

    def _stacktrace(self, exc: BaseException, capture: bool) -> str:
        """Like `traceback.format_exception`, but each exception's line is `type: detail` as above."""
        chain: list[tuple[BaseException, str | None]] = []  # (exception, how it links to the next one)
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen and len(chain) < _MAX_CHAIN:
            seen.add(id(current))
            if current.__cause__ is not None:
                chain.append((current, _CAUSE))
                current = current.__cause__
            elif current.__context__ is not None and not current.__suppress_context__:
                chain.append((current, _CONTEXT))
                current = current.__context__
            else:
                chain.append((current, None))
                current = None
        blocks: list[str] = []
        for index in range(len(chain) - 1, -1, -1):
            item = chain[index][0]
            lines: list[str] = []
            if item.__traceback__ is not None:
                lines.append("Traceback (most recent call last):\n")
                lines.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
            detail = self._detail(item, capture)
            name = self._type_name(item)
            lines.append(f"{name}: {detail}\n" if detail else f"{name}\n")
            blocks.append("".join(lines))
            if index > 0:
                blocks.append(f"\n{chain[index - 1][1]}\n\n")
        return "".join(blocks)
