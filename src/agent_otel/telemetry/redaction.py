"""Redaction: a user function sees each message part before it is recorded, and may mask or drop it.

A redactor is `(part) -> part | None`: it gets one part of a message (util-genai's `TextPart`,
`ToolCallRequestPart`, `ToolCallResponsePart`, `BlobPart`, `ReasoningPart`, ..., or whatever object or
dict an adapter recorded for a part it has no type for) and returns it, a replacement, or None to drop
it. It also sees system-instruction parts, tool arguments (as a `ToolCallRequestPart`), tool results (a
`ToolCallResponsePart`), prompt variables and retrieval queries (a `TextPart`) and retrieved documents.
It must not change the object it is given in place (it may be the application's own): return a new one
(`dataclasses.replace`, or `map_strings` below).

Where it comes from: `instrument(content_redactor=...)` / `manual.configure(content_redactor=...)` (a
callable, a name, or a list of either), else AGENT_OTEL_CONTENT_REDACTOR: comma-separated names, each
a built-in (`emails`, `card_numbers`, `keys`, or `builtin` for all three), an entry point of the group
`agent_otel_redactor`, or `module:function`. Redaction runs once per operation, before the size budget,
the blob stubs and the completion hook (which so gets the redacted content), and only for content that is
going to be recorded. A redactor that raises, or cannot be loaded, drops that operation's content (a
warning is logged); the call itself is never affected.

The credentials the failing call's client was configured with (`scrub.py`) are scrubbed from content by
the same pass, whether or not a redactor is configured.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any

from opentelemetry.util.genai.types import TextPart, ToolCallRequestPart, ToolCallResponsePart

from agent_otel.telemetry.facts import Content

_logger = logging.getLogger(__name__)

Redactor = Callable[[Any], Any]
ENTRY_POINT_GROUP = "agent_otel_redactor"
_MAX_DEPTH = 32

# ------------------------------------------------------------------ building blocks


def map_strings(value: Any, transform: Callable[[str], str], _depth: int = 0) -> Any:
    """A copy of `value` with `transform` applied to every string in it (dataclasses, mappings, lists
    and tuples are rebuilt; other objects are returned as they are). The input is never changed."""
    if isinstance(value, str):
        return transform(value)
    if _depth > _MAX_DEPTH or value is None or isinstance(value, (int, float, bool, bytes)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: map_strings(getattr(value, f.name), transform, _depth + 1)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        return {k: map_strings(v, transform, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(map_strings(v, transform, _depth + 1) for v in value)
    return value


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        if index % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# Each pattern is searched only when its literal prefix occurs (a quick `in`): an alternation of them
# all, or a pattern opening with a character class, is tried at every position of every text.
_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_CARD = re.compile(r"[0-9](?:[ \-]?[0-9]){12,18}(?![0-9\-])")
_KEY_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (
        ("-----BEGIN",),
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    ),
    (
        ("sk-",),
        re.compile(r"sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_\-]{20,}"),
    ),  # OpenAI, Anthropic
    (("AKIA", "ASIA"), re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])")),  # AWS access key id
    (
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}"),
    ),  # GitHub
    (("xox",), re.compile(r"xox[abprs]-[A-Za-z0-9\-]{10,}")),  # Slack
    (("AIza",), re.compile(r"AIza[0-9A-Za-z_\-]{35}")),  # Google API key
    (("k_live_", "k_test_"), re.compile(r"[sr]k_(?:live|test)_[A-Za-z0-9]{16,}")),  # Stripe
    (("eyJ",), re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),  # JWT
)
_AUTH_VALUE = re.compile(r"(?i:\b(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/\-]{16,}=*")
_AUTH_WORDS = ("bearer", "basic", "token")


def redact_emails(text: str) -> str:
    if "@" not in text:
        return text
    out: list[str] = []
    done = 0
    for match in _EMAIL_DOMAIN.finditer(text):
        start = match.start()
        while start > done and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        if start < match.start():
            out.append(text[done:start])
            out.append("[REDACTED:email]")
            done = match.end()
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def redact_card_numbers(text: str) -> str:
    if len(text) < 13:
        return text

    def replace(match: re.Match[str]) -> str:
        start = match.start()
        if start and text[start - 1] in "0123456789-":
            return match.group()
        digits = match.group().replace(" ", "").replace("-", "")
        return "[REDACTED:card]" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group()

    return _CARD.sub(replace, text)


def redact_keys(text: str) -> str:
    if len(text) < 16:
        return text
    for prefixes, pattern in _KEY_PATTERNS:
        if any(p in text for p in prefixes):
            text = pattern.sub("[REDACTED:key]", text)
    lowered = text.lower()
    if any(word in lowered for word in _AUTH_WORDS):
        text = _AUTH_VALUE.sub(_keep_scheme, text)
    return text


def _keep_scheme(match: re.Match[str]) -> str:
    scheme = match.group().split(None, 1)[0]
    return f"{scheme} [REDACTED:key]"


TEXT_REDACTORS: dict[str, tuple[Callable[[str], str], ...]] = {
    "emails": (redact_emails,),
    "card_numbers": (redact_card_numbers,),
    "keys": (redact_keys,),
    "builtin": (redact_keys, redact_emails, redact_card_numbers),
}
"""The built-in redactors, by name: they mask matches in every string of a part."""


def text_redactor(*transforms: Callable[[str], str]) -> Redactor:
    """A part redactor applying string `transforms` (e.g. `redact_emails`) to every string of the part."""

    def apply(text: str) -> str:
        for transform in transforms:
            text = transform(text)
        return text

    def redactor(part: Any) -> Any:
        return map_strings(part, apply)

    return redactor


def builtin(*names: str) -> Redactor:
    """A built-in redactor: `builtin()` for all three, or `builtin("emails", "keys")`."""
    picked: list[Callable[[str], str]] = []
    for name in names or ("builtin",):
        for transform in TEXT_REDACTORS[name]:
            if transform not in picked:
                picked.append(transform)
    return text_redactor(*picked)


def chain(*redactors: Redactor) -> Redactor:
    """Redactors applied in order; a part dropped by one is not shown to the next."""

    def redactor(part: Any) -> Any:
        for each in redactors:
            if part is None:
                return None
            part = each(part)
        return part

    return redactor


# ------------------------------------------------------------------ loading


class RedactorUnavailable(RuntimeError):
    """The configured redactor could not be loaded: content is dropped rather than recorded unredacted."""


def _unavailable(spec: str) -> Redactor:
    def redactor(part: Any) -> Any:
        raise RedactorUnavailable(f"content redactor {spec!r} could not be loaded")

    return redactor


def _load_name(name: str) -> Redactor:
    if name in TEXT_REDACTORS:
        return builtin(name)
    if ":" in name:
        module, _, attr = name.partition(":")
        target: Any = importlib.import_module(module.strip())
        for piece in attr.strip().split("."):
            target = getattr(target, piece)
    else:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            raise LookupError(f"no entry point {name!r} in the group {ENTRY_POINT_GROUP!r}")
        target = found[0].load()
    if not callable(target):
        raise TypeError(f"{name!r} is not callable")
    return target  # type: ignore[no-any-return]


def load(spec: Any) -> Redactor | None:
    """The redactor `spec` names (see the module docstring); None for none. Never raises: a spec that
    cannot be loaded logs a warning and yields a redactor that drops all content."""
    if spec is None or spec == "":
        return None
    if callable(spec):
        return spec  # type: ignore[no-any-return]
    try:
        if isinstance(spec, str):
            items: Sequence[Any] = [s.strip() for s in spec.split(",") if s.strip()]
        else:
            items = list(spec)
        loaded = [item if callable(item) else _load_name(str(item)) for item in items]
    except Exception as exc:
        _logger.warning(
            "agent-otel: content redactor %r could not be loaded (%s); no content is recorded", spec, exc
        )
        return _unavailable(str(spec))
    if not loaded:
        return None
    return loaded[0] if len(loaded) == 1 else chain(*loaded)


# ------------------------------------------------------------------ applying


def part_function(redactor: Redactor | None, scrub: Callable[[str], str] | None) -> Callable[[Any], Any]:
    """What each part goes through: the credentials scrub, then the redactor."""

    def run(part: Any) -> Any:
        if scrub is not None:
            part = map_strings(part, scrub)
        return redactor(part) if redactor is not None else part

    return run


def _parts(parts: Sequence[Any], run: Callable[[Any], Any]) -> list[Any]:
    out = []
    for part in parts:
        done = run(part)
        if done is not None:
            out.append(done)
    return out


def _messages(messages: Sequence[Any] | None, run: Callable[[Any], Any]) -> list[Any] | None:
    if not messages:
        return messages if messages is None else list(messages)
    out: list[Any] = []
    for message in messages:
        if isinstance(message, Mapping) and isinstance(message.get("parts"), Sequence):
            out.append({**message, "parts": _parts(message["parts"], run)})
        elif dataclasses.is_dataclass(message) and isinstance(getattr(message, "parts", None), Sequence):
            out.append(dataclasses.replace(message, parts=_parts(message.parts, run)))  # type: ignore[type-var]
        else:  # a message without parts: it is its own part
            done = run(message)
            if done is not None:
                out.append(done)
    return out


def redact_content(content: Content, run: Callable[[Any], Any], scrub: Callable[[str], str] | None) -> None:
    """Replace `content`'s lists with redacted copies (the objects in them are never changed)."""
    content.input_messages = _messages(content.input_messages, run)
    content.output_messages = _messages(content.output_messages, run)
    if content.system_instructions:
        content.system_instructions = _parts(content.system_instructions, run)
    if content.tool_definitions and scrub is not None:
        content.tool_definitions = map_strings(list(content.tool_definitions), scrub)
    variables = content.prompt_variables
    if variables and isinstance(variables, Mapping):
        kept: dict[str, Any] = {}
        for key, value in variables.items():
            done = redact_text(value, run) if isinstance(value, str) else run(value)
            if done is not None:
                kept[key] = done
        content.prompt_variables = kept


def redact_text(text: str, run: Callable[[Any], Any]) -> str | None:
    """A text shown to the redactor as a `TextPart`; None when it was dropped."""
    done = run(TextPart(content=text))
    return _field(done, "content")


def redact_tool_value(value: Any, result: bool, run: Callable[[Any], Any]) -> Any:
    """Tool arguments (as a `ToolCallRequestPart`) or a result (a `ToolCallResponsePart`); None: dropped."""
    if result:
        return _field(run(ToolCallResponsePart(response=value, id=None)), "response")
    return _field(run(ToolCallRequestPart(arguments=value, name="", id=None)), "arguments")


def _field(part: Any, name: str) -> Any:
    if part is None:
        return None
    if isinstance(part, Mapping):
        return part.get(name)
    return getattr(part, name, part if isinstance(part, str) else None)
