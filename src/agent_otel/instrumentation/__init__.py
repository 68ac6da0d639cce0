"""Instrumentation adapters, one package per instrumented library.

Adapters find the library call, read its request and response into the core's typed facts
(`agent_otel.telemetry.facts`) and hand streams to the core's proxies; the core (`agent_otel.telemetry.core`)
decides span names, attributes, status, content, metrics and cost.
"""
