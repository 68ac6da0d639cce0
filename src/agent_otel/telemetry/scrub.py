"""Secrets scrubbing: credentials never reach a span, an event or a log record, whatever the capture mode.

An adapter knows the credentials its client was configured with (API key, organization, project, auth
headers, query-string keys, URL userinfo). It does not read them per call: it hands the core a *source*,
a zero-argument callable that collects them, with the model call (`Telemetry.model_call(secrets=...)`).
Nothing is collected or compiled on the success path. When an operation fails, the core (`failures.py`)
resolves the source into a `Secrets` object and scrubs every text it records for that failure: the
status description, the exception event and log record, and the string attributes of the span.

The same exception often fails several spans (the client call, then the LangChain chat run and the agent
around it): `remember()` ties the secrets to the exception object, and `for_exception()` finds them again
for the outer spans (following `__cause__` / `__context__`), so a span that had no credentials of its own
is scrubbed too.

A provider adapter (Anthropic next) only writes its collector with the helpers below (`credential`,
`header_values`, `query_values`, `url_userinfo`) and passes it as `secrets=`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, unquote

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not secrets worth the name, and replacing them would mangle ordinary text."""

SecretSource = Callable[[], Iterable[str]]

# Header and query names whose values are credentials whatever their length; the values of other custom
# headers and query parameters count as secrets only when long enough to be tokens.
_SENSITIVE_NAME = re.compile(r"auth|key|token|secret|passw|cookie|session|signature|sig$|credential", re.I)
_LONG_VALUE = 16
_SCHEMES = ("bearer ", "basic ", "token ", "apikey ")


class Secrets:
    """A set of secret strings (and their usual encodings); `scrub()` replaces each with REDACTED."""

    __slots__ = ("_pattern", "values")

    def __init__(self, values: Iterable[str] = ()) -> None:
        found: set[str] = set()
        for value in values:
            for variant in _variants(value):
                if len(variant) >= MIN_SECRET_LENGTH:
                    found.add(variant)
        self.values: frozenset[str] = frozenset(found)
        self._pattern: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.values)

    def __or__(self, other: Secrets) -> Secrets:
        merged = Secrets()
        merged.values = self.values | other.values
        return merged

    def scrub(self, text: str) -> str:
        if not self.values or not text:
            return text
        pattern = self._pattern
        if pattern is None:
            # Longest first, so a value that contains another is replaced whole.
            ordered = sorted(self.values, key=len, reverse=True)
            pattern = self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return pattern.sub(REDACTED, text)

    def scrub_value(self, value: Any) -> Any:
        """An attribute value with every string in it scrubbed (other values unchanged)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
            return type(value)(self.scrub(v) if isinstance(v, str) else v for v in value)
        return value


EMPTY = Secrets()


def _variants(value: str) -> Iterator[str]:
    """The value as it may appear in an error text: raw, percent-encoded, JSON-escaped."""
    yield value
    yield quote(value, safe="")
    yield json.dumps(value)[1:-1]


def resolve(source: SecretSource | Secrets | None) -> Secrets:
    """The secrets behind a source; never raises (a failing collector yields no secrets)."""
    if source is None:
        return EMPTY
    if isinstance(source, Secrets):
        return source
    try:
        return Secrets(v for v in source() if isinstance(v, str))
    except Exception as exc:
        from agent_otel.telemetry.safety import report

        report("agent_otel.telemetry.scrub.resolve", exc)
        return EMPTY


# ------------------------------------------------------------------ helpers for adapters' collectors


def credential(value: Any) -> Iterator[str]:
    """A credential as configured (a string; anything else, such as a token provider, yields nothing)."""
    if isinstance(value, str) and value:
        yield value


def header_values(headers: Mapping[str, Any] | None) -> Iterator[str]:
    """Secrets among custom headers: values of credential-like names, long values of any other name,
    and the token of `Bearer x` / `Basic x` values (with a Basic token's decoded user and password)."""
    if not isinstance(headers, Mapping):
        return
    for name, value in headers.items():
        if not isinstance(value, str) or not value:
            continue
        if not (_SENSITIVE_NAME.search(str(name)) or len(value) >= _LONG_VALUE):
            continue
        yield value
        lowered = value.lower()
        for scheme in _SCHEMES:
            if lowered.startswith(scheme):
                token = value[len(scheme) :].strip()
                yield token
                if scheme == "basic ":
                    yield from _basic_parts(token)


def query_values(query: Mapping[str, Any] | None) -> Iterator[str]:
    """Secrets among default query parameters: credential-like names, or long values."""
    if not isinstance(query, Mapping):
        return
    for name, value in query.items():
        if not isinstance(value, str) or not value:
            continue
        if _SENSITIVE_NAME.search(str(name)) or len(value) >= _LONG_VALUE:
            yield value


def url_userinfo(url: Any) -> Iterator[str]:
    """The user and password of a URL (`https://user:pass@host/`), raw and decoded, plus the
    `user:pass` pair and its Basic-auth encoding. Works on str, httpx/httpx2 URLs and urllib results."""
    text = str(url) if url is not None else ""
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://([^/@?#]*)@", text)
    if not match:
        return
    userinfo = match.group(1)
    yield userinfo
    user, _, password = userinfo.partition(":")
    for part in (user, password):
        if part:
            yield part
            yield unquote(part)
    pair = f"{unquote(user)}:{unquote(password)}"
    yield pair
    yield base64.b64encode(pair.encode()).decode()


def _basic_parts(token: str) -> Iterator[str]:
    try:
        decoded = base64.b64decode(token, validate=True).decode()
    except Exception:
        return
    yield decoded
    user, _, password = decoded.partition(":")
    yield user
    yield password


# ------------------------------------------------------------------ secrets by exception


class _Note:
    """What the core knows of one exception object: its secrets, and whether its log event went out."""

    __slots__ = ("logged", "secrets")

    def __init__(self) -> None:
        self.secrets = EMPTY
        self.logged = False


_MAX_STRONG = 64
_lock = threading.Lock()
_weak: weakref.WeakKeyDictionary[BaseException, _Note] = weakref.WeakKeyDictionary()
# Builtin exceptions take no weak reference: keep the last few by identity (holding them keeps ids valid).
_strong: OrderedDict[int, tuple[BaseException, _Note]] = OrderedDict()


def _get(exc: BaseException) -> _Note | None:
    try:
        return _weak.get(exc)
    except TypeError:
        entry = _strong.get(id(exc))
        return entry[1] if entry is not None and entry[0] is exc else None


def _note(exc: BaseException) -> _Note:
    note = _get(exc)
    if note is not None:
        return note
    note = _Note()
    try:
        _weak[exc] = note
    except TypeError:
        _strong[id(exc)] = (exc, note)
        while len(_strong) > _MAX_STRONG:
            _strong.popitem(last=False)
    return note


def remember(exc: BaseException, secrets: Secrets) -> None:
    """Tie `secrets` to `exc`, so every span failed by the same exception is scrubbed with them."""
    if not secrets:
        return
    with _lock:
        note = _note(exc)
        note.secrets = secrets if not note.secrets else note.secrets | secrets


def for_exception(exc: BaseException | None) -> Secrets:
    """Every secret remembered for `exc` or an exception in its chain (`__cause__`, `__context__`)."""
    found = EMPTY
    seen: set[int] = set()
    with _lock:
        while exc is not None and id(exc) not in seen and len(seen) < 16:
            seen.add(id(exc))
            note = _get(exc)
            if note is not None and note.secrets:
                found = note.secrets if not found else found | note.secrets
            exc = exc.__cause__ or exc.__context__
    return found


def first_report(exc: BaseException) -> bool:
    """True the first time it is asked for `exc`: the exception's log event is emitted once."""
    with _lock:
        note = _note(exc)
        first = not note.logged
        note.logged = True
        return first
