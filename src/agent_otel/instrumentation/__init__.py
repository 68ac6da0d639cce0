"""Instrumentation adapters, one package per instrumented library.

Adapters find the library call, read its request and response, and fill util-genai invocations through
`agent_otel.telemetry.genai`. They decide nothing about span names, attributes, content or metrics.
"""
