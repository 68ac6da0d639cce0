"""The message, part and tool-definition types adapters build content from: opentelemetry-util-genai's
(public `opentelemetry.util.genai.types`), so a completion hook written for util-genai gets what it
expects; plus the JSON and value helpers that go with them."""

from __future__ import annotations

from opentelemetry.util.genai.types import (
    BlobPart,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    Modality,
    OutputMessage,
    ReasoningPart,
    RetrievalDocument,
    ServerToolCallPart,
    ServerToolCallResponsePart,
    SystemInstructionPart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    UriPart,
)
from opentelemetry.util.genai.utils import fq_exception_type, gen_ai_json_dumps, tool_arguments_to_any_value

__all__ = [
    "BlobPart",
    "FilePart",
    "FunctionToolDefinition",
    "GenericToolDefinition",
    "InputMessage",
    "Modality",
    "OutputMessage",
    "ReasoningPart",
    "RetrievalDocument",
    "ServerToolCallPart",
    "ServerToolCallResponsePart",
    "SystemInstructionPart",
    "TextPart",
    "ToolCallRequestPart",
    "ToolCallResponsePart",
    "UriPart",
    "fq_exception_type",
    "gen_ai_json_dumps",
    "tool_arguments_to_any_value",
]
