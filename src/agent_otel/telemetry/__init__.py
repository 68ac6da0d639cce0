"""The telemetry core: the one place that knows OpenTelemetry and the GenAI conventions.

- `genai`: the facade over opentelemetry-util-genai (the only module that imports it).
- `streams`: stream proxies shared by every client adapter.
- `agents`: agent/workflow scopes, agent-name propagation and token/cost roll-ups.
- `cost`: the pricing table and its overrides.
- `semconv`: attribute and metric names, including ours (`agent_otel.*`).
- `safety`: the guard that keeps instrumentation faults out of the host app.
"""
