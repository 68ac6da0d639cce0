"""Typed facts an adapter reads from its library and hands the core: requests, responses, usage, content.

Adapters only fill these records; the core (`model_call.py`, `operations.py`) alone decides what becomes
a span attribute, a metric attribute, an event or a cost. Every field is optional (None: not known):
an adapter sets what its library tells it, and the core checks the values it records (`values.py`).

`Content` exists only when the call captures content (`call.content is not None`): an adapter must not
read messages, system instructions, tool definitions, tool arguments or results otherwise.

Readers are the typed extractors adapters pass to the core, so that the core can skip them on paths
that do not need them (the unsampled fast path reads usage only):

- `RequestReader[S]`: `(request, source, content) -> None`, run before the span starts;
- `ResponseReader[R]`: `.read(response, result, content)` for a recorded call and
  `.read_usage(response, result)` (model, usage, metric attributes only) for an unsampled one;
- `StreamAccumulator`: fed every chunk by a stream proxy, `.finish(response, content)` once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

_S_contra = TypeVar("_S_contra", contravariant=True)


@dataclass(slots=True)
class Usage:
    """Token counts as the GenAI conventions count them: `input` includes cache reads and writes, `output`
    includes reasoning."""

    input: int | None = None
    output: int | None = None
    cache_read: int | None = None
    cache_write: int | None = None
    reasoning: int | None = None


@dataclass(slots=True)
class ModelRequest:
    """What a model call asked for. `provider`, `operation` and `model` are known when it starts."""

    provider: str
    operation: str = "chat"
    model: str | None = None
    server_address: str | None = None
    server_port: int | None = None
    conversation_id: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_tokens: int | None = None
    stop_sequences: list[str] | None = None
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    choice_count: int | None = None
    stream: bool | None = None
    reasoning_level: str | None = None
    previous_response_id: str | None = None
    output_type: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    encoding_formats: list[str] | None = None
    response_id: str | None = None
    """`fetch_response` only: the id of the response fetched."""
    stream_cursor: str | None = None
    """`fetch_response` only: where a resumed stream starts."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Provider-specific span attributes (`openai.api.type`, ...)."""
    metric_attributes: dict[str, Any] = field(default_factory=dict)
    """Provider-specific metric attributes (low cardinality)."""


@dataclass(slots=True)
class ModelResponse:
    """What a model call returned (or what a stream delivered before it ended)."""

    id: str | None = None
    model: str | None = None
    finish_reasons: list[str] | None = None
    status: str | None = None
    dimension_count: int | None = None
    usage: Usage = field(default_factory=Usage)
    attributes: dict[str, Any] = field(default_factory=dict)
    """Provider-specific span attributes (`openai.response.system_fingerprint`, ...)."""
    metric_attributes: dict[str, Any] = field(default_factory=dict)
    """Provider-specific attributes for the span and the metrics (`openai.response.service_tier`)."""


@dataclass(slots=True)
class Content:
    """Messages and definitions of a call that captures content (util-genai's message types)."""

    input_messages: list[Any] | None = None
    output_messages: list[Any] | None = None
    system_instructions: list[Any] | None = None
    tool_definitions: list[Any] | None = None
    prompt_variables: Mapping[str, Any] | None = None
    deferred: list[Callable[[Content], None]] | None = None
    """Filled in after the call returned (a caller's iterator the library consumed while we recorded it)."""
    prepared: bool | None = None
    """Set by the core (`content.ContentPolicy.prepare`) once sampled, scrubbed and redacted: True, or
    False when none of it is recorded."""

    def defer(self, fill: Callable[[Content], None]) -> None:
        if self.deferred is None:
            self.deferred = []
        self.deferred.append(fill)


@dataclass(frozen=True, slots=True)
class ProviderError:
    """A failure the provider reported in-band (an error event, a failed response), not as an exception:
    `type` becomes `error.type`, `message` the status description (with content capture on, or when it
    is our own text: `failures.OwnText`)."""

    type: str
    message: str | None = None


@dataclass(slots=True)
class ToolFacts:
    name: str
    type: str | None = "function"
    call_id: str | None = None
    description: str | None = None


@dataclass(slots=True)
class AgentFacts:
    name: str | None
    description: str | None = None
    model: str | None = None
    conversation_id: str | None = None


@dataclass(slots=True)
class WorkflowFacts:
    name: str | None
    conversation_id: str | None = None


@dataclass(slots=True)
class RetrievalFacts:
    data_source_id: str | None = None
    provider: str | None = None
    model: str | None = None
    server_address: str | None = None
    server_port: int | None = None
    top_k: int | None = None


class RequestReader(Protocol[_S_contra]):
    """Reads a library's request (`source`) into the request facts, and into `content` when not None.
    Runs only for a call whose details are recorded."""

    def __call__(self, request: ModelRequest, source: _S_contra, content: Content | None) -> None: ...


class ResponseReader(Protocol[_S_contra]):
    def read(self, response: ModelResponse, result: _S_contra, content: Content | None) -> None:
        """Everything the response says (content only into `content`, when not None)."""

    def read_usage(self, response: ModelResponse, result: _S_contra) -> None:
        """Only what metrics and cost need: response model, usage, `metric_attributes`."""


class StreamAccumulator(Protocol):
    """Fed every chunk of a stream (`on_chunk`, cheap); `finish` writes what arrived, once, and returns
    the failure the stream reported in-band, if any."""

    @property
    def count(self) -> int: ...

    def on_chunk(self, chunk: Any) -> None: ...

    def finish(self, response: ModelResponse, content: Content | None) -> ProviderError | None: ...


def str_list(values: Sequence[Any] | None) -> list[str] | None:
    """A list of strings from a sequence of them (anything else: None)."""
    if not values or isinstance(values, str):
        return None
    out = [v for v in values if isinstance(v, str)]
    return out or None
