"""The telemetry core: the one place that knows OpenTelemetry and the GenAI conventions.

An adapter (instrumentation/*, the manual API) reads its library into typed facts and hands them to the
core; the core decides span names, attributes, status, events, metrics, cost, roll-ups and content.

- `core`: `Telemetry`, one per instrumentor: starts model calls and the other operations, decides sampling.
- `facts`: the typed facts (`ModelRequest`, `ModelResponse`, `Usage`, `Content`, `ProviderError`, tool /
  agent / workflow / retrieval facts) and the reader protocols adapters implement.
- `model_call`: the `ModelCall` handle and the one stream-end policy; `recorded` (the span is recorded)
  and `model_paths` (unsampled, nested, nothing to record) implement it.
- `operations`: tool, agent, workflow, retrieval and LangGraph-node operations.
- `attributes`: facts to span and metric attributes. `instruments`: the tracer, logger and histograms.
- `content`: capture modes, serialization, the details event, the completion hook.
- `interop`: util-genai's public context keys, so one call is one span whoever else instruments it.
- `messages`: the message and part types content is built from (util-genai's, public).
- `streams`: stream proxies shared by every client adapter.
- `agents`: agent/workflow scopes, agent-name propagation and token/cost roll-ups.
- `cost`: the pricing table, its overrides, and the one price lookup (`price_usage`).
- `semconv`: attribute and metric names, including ours (`agent_otel.*`).
- `safety`: the guard that keeps instrumentation faults out of the host app.
- `failures`: what a failed operation records (status description, exception event and log event).
- `scrub`: secrets scrubbing (the credentials adapters register, applied to everything a failure records).
- `sampling`: the tail sampler (span and log record processors in front of the exporting ones; needs
  the SDK) and the installer `AGENT_OTEL_SAMPLING=tail` runs at `instrument()`.
- `values`: token-count sanity and the one spelling of finish reasons, applied as every model call ends.
"""
