"""Which openai surfaces exist in this openai version, and that each present one is patched and each
absent one is skipped (never silently: absence is asserted)."""

from __future__ import annotations

import importlib
from typing import Any

import openai
from openai_support import USER

from agent_otel.instrumentation.openai import _patches


def test_feature_matrix_matches_what_was_patched(instrumented: Any, features: Any) -> None:
    for module, *_ in _patches.TARGETS:  # patching happens when a module is imported
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    patched = set(instrumented.patched)
    expect = {
        "openai.resources.chat.completions:Completions.create": True,
        "openai.resources.chat.completions:Completions.parse": features.chat_parse,
        "openai.resources.beta.chat.completions:Completions.parse": features.beta_chat_parse,
        "openai.resources.responses.responses:Responses.create": True,
        "openai.resources.responses.responses:Responses.parse": features.responses_parse,
        "openai.resources.responses.responses:Responses.retrieve": True,
        "openai.resources.beta.responses.responses:Responses.create": features.beta_responses,
        "openai.resources.embeddings:Embeddings.create": True,
        "openai.resources.completions:Completions.create": True,
        "openai._base_client:BaseClient._calculate_retry_timeout": True,
    }
    for target, present in expect.items():
        assert (target in patched) is present, target
    # Every version has one parse or the other.
    assert features.chat_parse or features.beta_chat_parse


def test_version_specific_surfaces(features: Any, client: Any) -> None:
    major = int(openai.__version__.split(".")[0])
    if major >= 3:
        assert features.chat_parse and features.chat_stream_helper and features.beta_responses
        assert not features.beta_chat_parse
    if openai.__version__ == "1.66.0":
        assert not features.chat_parse and features.beta_chat_parse
        assert not features.beta_responses
        assert not features.chat_stream_helper
        assert not hasattr(client.chat.completions, "stream")


def test_beta_chat_parse_by_presence(
    client: Any, server: Any, otel: Any, instrumented: Any, features: Any
) -> None:
    if not features.beta_chat_parse:
        assert "openai.resources.beta.chat.completions:Completions.parse" not in instrumented.patched
        return
    import pydantic

    class Out(pydantic.BaseModel):
        a: int

    from agent_otel.testing import Reply, chat_completion

    server.enqueue(Reply.json(chat_completion('{"a": 1}')))
    parsed = client.beta.chat.completions.parse(model="gpt-4o-mini", messages=USER, response_format=Out)
    assert parsed.choices[0].message.parsed.a == 1
    spans = otel.spans()
    assert len(spans) == 1 and spans[0].attributes["gen_ai.output.type"] == "json"
