"""The telemetry core: the one place that knows OpenTelemetry and the GenAI conventions.

- `genai`: the facade over opentelemetry-util-genai (the only module that imports it).
- `streams`: stream proxies shared by every client adapter.
- `agents`: agent/workflow scopes, agent-name propagation and token/cost roll-ups.
- `cost`: the pricing table and its overrides.
- `semconv`: attribute and metric names, including ours (`agent_otel.*`).
- `safety`: the guard that keeps instrumentation faults out of the host app.
- `calls`: `Call`, the handle of one started operation.
- `failures`: what a failed operation records (status description, exception event and log event).
- `scrub`: secrets scrubbing (the credentials adapters register, applied to everything a failure records).
- `values`: token-count sanity and the one spelling of finish reasons, applied as every operation ends.
"""
