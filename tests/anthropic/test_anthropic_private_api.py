"""The private anthropic surfaces the adapter relies on: fail loudly here when anthropic moves them."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from anthropic_support import CALL, has_native_tracing

from agent_otel.instrumentation.anthropic._operation import RAW_RESPONSE_HEADER


def test_raw_response_header_constant() -> None:
    assert importlib.import_module("anthropic._constants").RAW_RESPONSE_HEADER == RAW_RESPONSE_HEADER


def test_retry_hooks_exist_with_the_arguments_we_read() -> None:
    base = importlib.import_module("anthropic._base_client")
    for cls in (base.SyncAPIClient, base.AsyncAPIClient):
        params = inspect.signature(vars(cls)["_sleep_for_retry"]).parameters
        assert {"retries_taken", "max_retries", "options", "response"} <= set(params)
    assert "_calculate_retry_timeout" in vars(base.BaseClient)


def test_stream_helper_reads_its_raw_stream_lazily(client: Any) -> None:
    manager = client.messages.stream(**CALL)
    with manager as stream:
        assert stream._raw_stream is not None  # replaced by our proxy when instrumented
        assert inspect.isgenerator(stream._iterator)


def test_every_patch_target_exists(instrumented: Any) -> None:
    import anthropic.lib.bedrock._beta_messages
    import anthropic.lib.streaming._beta_messages
    import anthropic.lib.vertex._beta_messages  # noqa: F401

    patched = set(instrumented.patched)
    for module in ("messages.messages", "beta.messages.messages"):
        for cls in ("Messages", "AsyncMessages"):
            assert f"anthropic.resources.{module}:{cls}.create" in patched
            assert f"anthropic.resources.{module}:{cls}.stream" in patched
    assert "anthropic._base_client:SyncAPIClient._sleep_for_retry" in patched
    assert "anthropic.lib.streaming._beta_messages:BetaAsyncMessageStreamManager.__aenter__" in patched
    assert ("anthropic._base_client:start_api_call_span" in patched) == has_native_tracing()


def test_native_tracing_option_shape(client: Any) -> None:
    if has_native_tracing():
        option = client._open_telemetry
        assert {"propagation", "traces"} <= set(option)
        assert {"enabled", "content_mode"} <= set(option["traces"])
    else:
        assert getattr(client, "_open_telemetry", None) is None
