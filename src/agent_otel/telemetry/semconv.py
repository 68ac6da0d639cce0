"""Attribute, metric and value names we emit that `opentelemetry-semantic-conventions` lacks or
names differently, plus the names that are ours (`agent_otel.*`, documented in the README).

Strings, not imports from the semconv package: its GenAI constants are marked "moved" and its enum
classes are deprecated, and a test checks every emitted name against this module and the README.
"""

from __future__ import annotations

from typing import Final

# --- GenAI semantic conventions (semantic-conventions-genai main) ---------------------------------
OPERATION_NAME: Final = "gen_ai.operation.name"
PROVIDER_NAME: Final = "gen_ai.provider.name"
REQUEST_MODEL: Final = "gen_ai.request.model"
RESPONSE_MODEL: Final = "gen_ai.response.model"
AGENT_NAME: Final = "gen_ai.agent.name"
AGENT_DESCRIPTION: Final = "gen_ai.agent.description"
WORKFLOW_NAME: Final = "gen_ai.workflow.name"
CONVERSATION_ID: Final = "gen_ai.conversation.id"
TOOL_NAME: Final = "gen_ai.tool.name"
USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
RESPONSE_STATUS: Final = "gen_ai.response.status"
ERROR_TYPE: Final = "error.type"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"

# Cost, as proposed in semantic-conventions-genai PR #443 (unmerged; inference spans only).
USAGE_COST_AMOUNT: Final = "gen_ai.usage.cost.amount"
USAGE_COST_CURRENCY: Final = "gen_ai.usage.cost.currency"
USAGE_COST_SOURCE: Final = "gen_ai.usage.cost.source"
COST_SOURCE_LOCAL: Final = "local"
METRIC_OPERATION_COST: Final = "gen_ai.client.operation.cost"

# OpenAI refinement.
OPENAI_API_TYPE: Final = "openai.api.type"
OPENAI_REQUEST_SERVICE_TIER: Final = "openai.request.service_tier"
OPENAI_RESPONSE_SERVICE_TIER: Final = "openai.response.service_tier"
OPENAI_RESPONSE_SYSTEM_FINGERPRINT: Final = "openai.response.system_fingerprint"

# Operation and provider values.
OP_CHAT: Final = "chat"
OP_TEXT_COMPLETION: Final = "text_completion"
OP_EMBEDDINGS: Final = "embeddings"
OP_FETCH_RESPONSE: Final = "fetch_response"
OP_INVOKE_AGENT: Final = "invoke_agent"
OP_INVOKE_WORKFLOW: Final = "invoke_workflow"
OP_EXECUTE_TOOL: Final = "execute_tool"
OP_RETRIEVAL: Final = "retrieval"
PROVIDER_OPENAI: Final = "openai"
PROVIDER_AZURE_OPENAI: Final = "azure.ai.openai"

# Names of the latest GenAI conventions (and PR #443) that opentelemetry-semantic-conventions lacks.
SPEC_NAMES_NOT_IN_PYTHON_PACKAGE: Final = frozenset(
    {
        "gen_ai.usage.cache_write.input_tokens",
        *(f"gen_ai.usage.{m}.{d}_tokens" for m in ("text", "image", "audio") for d in ("input", "output")),
        *(f"gen_ai.usage.{m}.cache_read.input_tokens" for m in ("text", "image", "audio")),
        "gen_ai.token.modality",
        "gen_ai.request.reasoning.level",
        "gen_ai.request.previous_response.id",
        "gen_ai.request.stream_cursor",
        "gen_ai.response.status",
        "gen_ai.conversation.compacted",
        "gen_ai.prompt.version",
        "gen_ai.retrieval.top_k",
        "gen_ai.invocation.is_nested",
        USAGE_COST_AMOUNT,
        USAGE_COST_CURRENCY,
        USAGE_COST_SOURCE,
    }
)

# --- Ours: documented in the README, "Attributes that are ours" -----------------------------------
# Total cost of every inference beneath an agent or workflow span (a separate name, so backends that
# sum gen_ai.usage.cost.amount over inference spans don't count anything twice).
AGENT_OTEL_COST_TOTAL: Final = "agent_otel.usage.cost.total_amount"
AGENT_OTEL_COST_TOTAL_CURRENCY: Final = "agent_otel.usage.cost.currency"
# Retries of one logical call: the span event per attempt and the count on the span.
AGENT_OTEL_RETRY_EVENT: Final = "agent_otel.retry"
AGENT_OTEL_RETRY_COUNT: Final = "agent_otel.retry.count"
AGENT_OTEL_ATTEMPT: Final = "agent_otel.attempt"
AGENT_OTEL_ATTEMPT_STATUS: Final = "agent_otel.attempt.status_code"
AGENT_OTEL_ATTEMPT_ERROR: Final = "agent_otel.attempt.error.type"
AGENT_OTEL_RETRY_DELAY: Final = "agent_otel.retry.delay_s"
# How a stream's span ended when it did not end by exhaustion: "closed", "abandoned".
AGENT_OTEL_STREAM_END: Final = "agent_otel.stream.end"
AGENT_OTEL_STREAM_CHUNKS: Final = "agent_otel.stream.chunk_count"
# LangGraph.
AGENT_OTEL_LANGGRAPH_NODE: Final = "agent_otel.langgraph.node"
AGENT_OTEL_HANDOFF_TARGET: Final = "agent_otel.handoff.target"
AGENT_OTEL_INTERRUPTED: Final = "agent_otel.langgraph.interrupted"
AGENT_OTEL_INTERRUPT_VALUE: Final = "agent_otel.langgraph.interrupt.value"
# Guardrails (`apply_guardrail {name}` spans; the OpenAI Agents SDK).
AGENT_OTEL_GUARDRAIL_NAME: Final = "agent_otel.guardrail.name"
AGENT_OTEL_GUARDRAIL_TRIGGERED: Final = "agent_otel.guardrail.triggered"
AGENT_OTEL_CONTENT_TRUNCATED: Final = "agent_otel.content.truncated"
AGENT_OTEL_LINK_REASON: Final = "agent_otel.link.reason"
# Tail sampling (telemetry/sampling): on kept spans, why (`error`, `slow`, `expensive`, `forced`, `ratio`)
# and, for `ratio`, the probability the trace was kept with (its adjusted count is 1 / ratio).
AGENT_OTEL_SAMPLING_REASON: Final = "agent_otel.sampling.reason"
AGENT_OTEL_SAMPLING_RATIO: Final = "agent_otel.sampling.ratio"
# Set (true) on any span by the app (`telemetry.sampling.force_keep()`): keep the whole trace.
AGENT_OTEL_SAMPLING_FORCE: Final = "agent_otel.sampling.force"
# The sampler's own counters and their attributes.
METRIC_SAMPLING_TRACES: Final = "agent_otel.sampling.traces"
METRIC_SAMPLING_LATE_SPANS: Final = "agent_otel.sampling.late_spans"
AGENT_OTEL_SAMPLING_DECISION: Final = "agent_otel.sampling.decision"
AGENT_OTEL_SAMPLING_TRIGGER: Final = "agent_otel.sampling.trigger"
METRIC_SAMPLING_BUFFERED: Final = "agent_otel.sampling.buffered"
