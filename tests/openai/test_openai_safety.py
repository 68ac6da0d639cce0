"""Never break the app: our faults are logged and swallowed, the caller's result is untouched; suppression,
double instrument(), uninstrument() by identity, wrappers that outlive uninstrument()."""

from __future__ import annotations

import logging
from typing import Any

import openai
import pytest
from openai_support import USER, only_span
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import StatusCode

from agent_otel.instrumentation.openai import OpenAIInstrumentor, _chat_stream, _patches, _request, _response
from agent_otel.testing import Reply, chat_chunks, chat_completion

CHAT = {"model": "gpt-4o-mini", "messages": USER}


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("injected fault in our code")


def _block_methods(is_async: bool) -> tuple[str, str]:
    return ("__aenter__", "__aexit__") if is_async else ("__enter__", "__exit__")


def _targets() -> dict[tuple[str, str], Any]:
    import importlib

    from agent_otel.instrumentation.openai import _blocks

    out = {}
    blocks = [(m, f"{c}.{a}") for m, c, is_async in _blocks.TARGETS for a in _block_methods(is_async)]
    for module, path in [(m, p) for m, p, _kind, _is_async in _patches.TARGETS] + blocks:
        try:
            owner = importlib.import_module(module)
        except ImportError:
            continue
        cls_name, attr = path.split(".")
        cls = getattr(owner, cls_name, None)
        if cls is not None and attr in vars(cls):
            out[(module, path)] = vars(cls)[attr]
    base = importlib.import_module("openai._base_client").BaseClient
    out[("openai._base_client", "BaseClient._calculate_retry_timeout")] = vars(base)[
        "_calculate_retry_timeout"
    ]
    return out


@pytest.mark.parametrize("extractor", ["response", "request"])
def test_failing_extractor_leaves_the_result_identical(
    client: Any, server: Any, otel: Any, instrument: Any, monkeypatch: Any, caplog: Any, extractor: str
) -> None:
    body = chat_completion("untouched", id="chatcmpl-f")
    server.enqueue(Reply.json(body), Reply.json(body))
    plain = client.chat.completions.create(**CHAT)
    if extractor == "response":
        monkeypatch.setattr(_response.Reader, "read", _boom)
    else:
        monkeypatch.setattr(_request, "chat", _boom)
    instrument()
    with caplog.at_level(logging.WARNING, logger="agent_otel"):
        traced = client.chat.completions.create(**CHAT)
    assert traced.model_dump() == plain.model_dump()
    span = only_span(otel)
    assert span.status.status_code == StatusCode.UNSET  # the call succeeded; our fault is not the user's
    assert any("injected" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_failing_stream_accumulator_keeps_chunks_flowing(
    client: Any, server: Any, otel: Any, instrumented: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_chat_stream.ChatStreamState, "on_chunk", _boom)
    chunks = list(client.chat.completions.create(**CHAT, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Echo: hello there"
    span = only_span(otel)  # the stream still ends its span, with what the (dropped) accumulator had
    assert span.status.status_code == StatusCode.UNSET
    assert span.attributes["agent_otel.stream.chunk_count"] == 0


def test_failing_start_means_no_span_but_the_same_call(
    client: Any, server: Any, otel: Any, instrumented: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(instrumented.servers, "for_resource", _boom)
    result = client.chat.completions.create(**CHAT)
    assert result.choices[0].message.content == "Echo: hello there"
    assert otel.spans() == []


def test_odd_response_shapes_are_skipped(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    server.enqueue(
        Reply.json(
            {"id": 5, "model": None, "choices": "nope", "usage": {"prompt_tokens": "many"}, "object": "x"}
        ),
        Reply.sse(
            [{"id": "c", "object": "chat.completion.chunk", "choices": None, "usage": "odd"}, {"weird": True}]
        ),
    )
    odd = client.chat.completions.create(**CHAT)
    assert odd.choices == "nope"
    chunks = list(client.chat.completions.create(**CHAT, stream=True))
    assert len(chunks) == 2
    first, second = otel.spans()
    assert "gen_ai.response.id" not in first.attributes
    assert "gen_ai.usage.input_tokens" not in first.attributes
    assert second.attributes["agent_otel.stream.chunk_count"] >= 1


def test_failing_completion_hook_does_not_reach_the_caller(
    client: Any, server: Any, otel: Any, instrument: Any
) -> None:
    class Hook:
        def on_completion(self, **kwargs: Any) -> None:
            raise RuntimeError("hook fault")

    instrument(completion_hook=Hook())
    result = client.chat.completions.create(**CHAT)
    assert result.choices[0].message.content == "Echo: hello there"
    assert len(otel.spans()) == 1


def test_suppress_instrumentation(client: Any, server: Any, otel: Any, instrumented: Any) -> None:
    with suppress_instrumentation():
        client.chat.completions.create(**CHAT)
        list(client.chat.completions.create(**CHAT, stream=True))
    assert otel.spans() == []
    client.chat.completions.create(**CHAT)
    assert len(otel.spans()) == 1


def test_second_instrument_is_a_no_op(client: Any, server: Any, otel: Any, instrument: Any) -> None:
    from openai.resources.chat.completions import Completions

    inst = instrument()
    wrapper = vars(Completions)["create"]
    inst.instrument(**otel.providers)
    assert vars(Completions)["create"] is wrapper
    client.chat.completions.create(**CHAT)
    assert len(otel.spans()) == 1


def test_uninstrument_restores_every_target_by_identity(otel: Any, instrument: Any) -> None:
    before = _targets()
    inst = instrument()
    during = _targets()
    assert len(inst.patched) == len(before)
    assert all(during[k] is not v for k, v in before.items())
    inst.uninstrument()
    after = _targets()
    assert after.keys() == before.keys()
    assert all(after[k] is v for k, v in before.items())


def test_cached_raw_wrapper_passes_through_after_uninstrument(
    client: Any, server: Any, otel: Any, instrument: Any
) -> None:
    inst = instrument()
    raw_api = client.chat.completions.with_raw_response  # caches the wrapped bound method
    raw_api.create(**CHAT)
    assert len(otel.spans()) == 1
    inst.uninstrument()
    raw_api.create(**CHAT).parse()
    assert len(otel.spans()) == 1


def test_disabled_by_environment(client: Any, server: Any, otel: Any, monkeypatch: Any) -> None:
    from openai.resources.chat.completions import Completions

    monkeypatch.setenv("AGENT_OTEL_ENABLED", "false")
    original = vars(Completions)["create"]
    inst = OpenAIInstrumentor()
    inst.instrument(**otel.providers)
    try:
        assert vars(Completions)["create"] is original
        client.chat.completions.create(**CHAT)
        assert otel.spans() == []
    finally:
        inst.uninstrument()


def test_streams_with_odd_chunks_in_the_middle(
    client: Any, server: Any, otel: Any, instrumented: Any
) -> None:
    chunks = chat_chunks("a b")
    chunks.insert(1, {"id": "x", "object": "chat.completion.chunk", "choices": [{"index": 0}]})
    server.enqueue(Reply.sse(chunks))
    got = list(client.chat.completions.create(**CHAT, stream=True))
    assert len(got) == len(chunks)
    assert len(otel.spans()) == 1


def test_exception_types_still_match_openai(client: Any, server: Any, instrumented: Any) -> None:
    server.enqueue(Reply.error(404, "missing"))
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(**CHAT)
    assert info.value.status_code == 404
