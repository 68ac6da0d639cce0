"""Facts to attributes: span names, span attributes and metric attributes of a model call.

Pure functions over the typed facts (`facts.py`), following the GenAI conventions (and, for the names
the Python semconv package lacks, `semconv.py`); `tests/test_attribute_names.py` guards every name. A
request's attributes go on the span when it starts (so samplers and span processors see them); the
response's, once, when it ends.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Final

from agent_otel.telemetry import semconv as sc
from agent_otel.telemetry.facts import ModelRequest, ModelResponse

REQUEST_TEMPERATURE: Final = "gen_ai.request.temperature"
REQUEST_TOP_P: Final = "gen_ai.request.top_p"
REQUEST_TOP_K: Final = "gen_ai.request.top_k"
REQUEST_MAX_TOKENS: Final = "gen_ai.request.max_tokens"
REQUEST_STOP_SEQUENCES: Final = "gen_ai.request.stop_sequences"
REQUEST_SEED: Final = "gen_ai.request.seed"
REQUEST_FREQUENCY_PENALTY: Final = "gen_ai.request.frequency_penalty"
REQUEST_PRESENCE_PENALTY: Final = "gen_ai.request.presence_penalty"
REQUEST_CHOICE_COUNT: Final = "gen_ai.request.choice.count"
REQUEST_STREAM: Final = "gen_ai.request.stream"
REQUEST_REASONING_LEVEL: Final = "gen_ai.request.reasoning.level"
REQUEST_PREVIOUS_RESPONSE_ID: Final = "gen_ai.request.previous_response.id"
REQUEST_ENCODING_FORMATS: Final = "gen_ai.request.encoding_formats"
REQUEST_STREAM_CURSOR: Final = "gen_ai.request.stream_cursor"
OUTPUT_TYPE: Final = "gen_ai.output.type"
PROMPT_NAME: Final = "gen_ai.prompt.name"
PROMPT_VERSION: Final = "gen_ai.prompt.version"
RESPONSE_ID: Final = "gen_ai.response.id"
RESPONSE_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
RESPONSE_TTFC: Final = "gen_ai.response.time_to_first_chunk"
EMBEDDINGS_DIMENSION_COUNT: Final = "gen_ai.embeddings.dimension.count"
USAGE_CACHE_READ: Final = "gen_ai.usage.cache_read.input_tokens"
USAGE_CACHE_WRITE: Final = "gen_ai.usage.cache_write.input_tokens"
USAGE_REASONING: Final = "gen_ai.usage.reasoning.output_tokens"
TOKEN_TYPE: Final = "gen_ai.token.type"

# (attribute, field of ModelRequest) for the optional request parameters.
_REQUEST_FIELDS: Final = (
    (sc.CONVERSATION_ID, "conversation_id"),
    (REQUEST_TEMPERATURE, "temperature"),
    (REQUEST_TOP_P, "top_p"),
    (REQUEST_TOP_K, "top_k"),
    (REQUEST_FREQUENCY_PENALTY, "frequency_penalty"),
    (REQUEST_PRESENCE_PENALTY, "presence_penalty"),
    (REQUEST_MAX_TOKENS, "max_tokens"),
    (REQUEST_STOP_SEQUENCES, "stop_sequences"),
    (REQUEST_SEED, "seed"),
    (REQUEST_CHOICE_COUNT, "choice_count"),
    (OUTPUT_TYPE, "output_type"),
    (REQUEST_REASONING_LEVEL, "reasoning_level"),
    (REQUEST_PREVIOUS_RESPONSE_ID, "previous_response_id"),
    (PROMPT_NAME, "prompt_name"),
    (PROMPT_VERSION, "prompt_version"),
)


_REQUEST_KEYS: Final = tuple(key for key, _ in _REQUEST_FIELDS)
_request_values: Final = attrgetter(*(field for _, field in _REQUEST_FIELDS))
_NO_VALUES: Final = (None,) * len(_REQUEST_FIELDS)


def span_name(request: ModelRequest) -> str:
    op = request.operation
    if op == sc.OP_FETCH_RESPONSE:
        return op
    return f"{op} {request.model}" if request.model else op


def start_attributes(request: ModelRequest, agent_name: str | None) -> dict[str, Any]:
    """Everything the request says, for `start_span`."""
    attrs: dict[str, Any] = {sc.OPERATION_NAME: request.operation, sc.PROVIDER_NAME: request.provider}
    op = request.operation
    if request.model is not None and op != sc.OP_FETCH_RESPONSE:
        attrs[sc.REQUEST_MODEL] = request.model
    if request.server_address is not None:
        attrs[sc.SERVER_ADDRESS] = request.server_address
    if request.server_port is not None:
        attrs[sc.SERVER_PORT] = request.server_port
    if op == sc.OP_EMBEDDINGS:
        if request.encoding_formats:
            attrs[REQUEST_ENCODING_FORMATS] = request.encoding_formats
    elif op == sc.OP_FETCH_RESPONSE:
        if request.response_id is not None:
            attrs[RESPONSE_ID] = request.response_id
        if request.stream:
            attrs[REQUEST_STREAM] = True
        if request.stream_cursor is not None:
            attrs[REQUEST_STREAM_CURSOR] = request.stream_cursor
    else:
        values = _request_values(request)  # one C call for the 15 fields; most calls set none or few
        if values != _NO_VALUES:
            for key, value in zip(_REQUEST_KEYS, values, strict=True):
                if value is not None:
                    attrs[key] = value
        if request.stream is not None:
            attrs[REQUEST_STREAM] = request.stream
    if request.attributes:
        attrs.update(request.attributes)
    if agent_name is not None:
        attrs[sc.AGENT_NAME] = agent_name
    return attrs


def response_attributes(request: ModelRequest, response: ModelResponse) -> dict[str, Any]:
    """What the response says, for the one `set_attributes` at the end (usage already checked)."""
    attrs: dict[str, Any] = {}
    op = request.operation
    if response.model is not None:
        attrs[sc.RESPONSE_MODEL] = response.model
    usage = response.usage
    if op == sc.OP_EMBEDDINGS:
        if response.dimension_count is not None:
            attrs[EMBEDDINGS_DIMENSION_COUNT] = response.dimension_count
        if usage.input is not None:
            attrs[sc.USAGE_INPUT_TOKENS] = usage.input
    else:
        if response.finish_reasons:
            attrs[RESPONSE_FINISH_REASONS] = response.finish_reasons
        if op == sc.OP_FETCH_RESPONSE:
            if response.status is not None:
                attrs[sc.RESPONSE_STATUS] = response.status
        else:
            if response.id is not None:
                attrs[RESPONSE_ID] = response.id
            if usage.input is not None:
                attrs[sc.USAGE_INPUT_TOKENS] = usage.input
            if usage.output is not None:
                attrs[sc.USAGE_OUTPUT_TOKENS] = usage.output
            if usage.cache_read:
                attrs[USAGE_CACHE_READ] = usage.cache_read
            if usage.cache_write:
                attrs[USAGE_CACHE_WRITE] = usage.cache_write
            if usage.reasoning:
                attrs[USAGE_REASONING] = usage.reasoning
    if response.attributes:
        attrs.update(response.attributes)
    if response.metric_attributes:
        attrs.update(response.metric_attributes)
    return attrs


def metric_attributes(request: ModelRequest, response: ModelResponse) -> dict[str, Any]:
    """The low-cardinality attributes of the duration, token and chunk-timing metrics."""
    attrs: dict[str, Any] = {sc.OPERATION_NAME: request.operation, sc.PROVIDER_NAME: request.provider}
    if request.model is not None and request.operation != sc.OP_FETCH_RESPONSE:
        attrs[sc.REQUEST_MODEL] = request.model
    if request.server_address is not None:
        attrs[sc.SERVER_ADDRESS] = request.server_address
    if request.server_port is not None:
        attrs[sc.SERVER_PORT] = request.server_port
    if response.model is not None:
        attrs[sc.RESPONSE_MODEL] = response.model
    if request.metric_attributes:
        attrs.update(request.metric_attributes)
    if response.metric_attributes:
        attrs.update(response.metric_attributes)
    return attrs


def cost_metric_attributes(request: ModelRequest, currency: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {sc.OPERATION_NAME: request.operation, sc.PROVIDER_NAME: request.provider}
    if request.model:
        attrs[sc.REQUEST_MODEL] = request.model
    attrs[sc.USAGE_COST_CURRENCY] = currency
    return attrs
