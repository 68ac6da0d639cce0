"""The redaction hook (telemetry/redaction.py): a user function sees each part before it is recorded and
may mask or drop it, before the size budget and the completion hook; by `instrument(content_redactor=)`,
`manual.configure(content_redactor=)` or AGENT_OTEL_CONTENT_REDACTOR (built-in names, `module:function`, an
entry point); a failing redactor drops the content, never the call. Driven through the real openai,
anthropic and LangChain clients against local fakes, and the manual API."""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from pathlib import Path
from typing import Any

import openai
import pytest
from content_support import details_events, json_attr, observe
from leaks import assert_not_recorded
from opentelemetry.trace import StatusCode
from opentelemetry.util.genai.types import TextPart

from agent_otel import manual
from agent_otel.telemetry import redaction
from agent_otel.testing import FakeOpenAIServer, Reply

__all__ = ["observe"]

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
OPENAI_KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2
ENV = "AGENT_OTEL_CONTENT_REDACTOR"
PROMPT = f"Email {EMAIL} the receipt for card {CARD}"


def mask_text(part: Any) -> Any:
    """A user redactor: masks text parts, drops reasoning, leaves the rest."""
    if getattr(part, "type", None) == "reasoning":
        return None
    if isinstance(part, TextPart):
        return dataclasses.replace(part, content="<masked>")
    return part


def broken(part: Any) -> Any:
    raise RuntimeError("redactor bug")


class Hook:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def on_completion(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def _chat(server: FakeOpenAIServer, prompt: str = PROMPT, **options: Any) -> Any:
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0, **options)
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "be kind"}, {"role": "user", "content": prompt}],
    )


# ------------------------------------------------------------------ built-in redactors


def test_builtin_redactor_masks_emails_card_numbers_and_key_formats() -> None:
    text = (
        f"mail {EMAIL}, card {CARD}, keys {OPENAI_KEY} AKIAIOSFODNN7EXAMPLE "
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789 Bearer abcdefghijklmnop1234 "
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    redacted = redaction.builtin()(TextPart(content=text)).content
    for secret in (EMAIL, "4111", OPENAI_KEY, "AKIAIOSFODNN7EXAMPLE", "ghp_", "abcdefghijklmnop1234", "eyJ"):
        assert secret not in redacted, secret
    assert redacted.count("[REDACTED:key]") == 5
    assert "[REDACTED:email]" in redacted and "[REDACTED:card]" in redacted


def test_card_redactor_leaves_numbers_that_fail_the_luhn_check() -> None:
    text = "order 1234 5678 9012 3456 shipped, card 4111-1111-1111-1111"
    assert redaction.redact_card_numbers(text) == "order 1234 5678 9012 3456 shipped, card [REDACTED:card]"


def test_redactor_never_changes_the_part_it_is_given() -> None:
    part = {"type": "text", "content": EMAIL, "nested": [EMAIL]}
    out = redaction.builtin("emails")(part)
    assert part == {"type": "text", "content": EMAIL, "nested": [EMAIL]}
    assert out == {"type": "text", "content": "[REDACTED:email]", "nested": ["[REDACTED:email]"]}


# ------------------------------------------------------------------ through the instrumentors


def test_programmatic_redactor_masks_and_drops_parts_on_span_event_and_hook(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    hook = Hook()
    observe("SPAN_AND_EVENT", content_redactor=mask_text, completion_hook=hook)
    response = _chat(server)
    assert response.choices[0].message.content  # the call is untouched
    span = otel.span("chat gpt-4o-mini")
    assert json_attr(span, "gen_ai.input.messages") == [
        {"role": role, "parts": [{"content": "<masked>", "type": "text"}], "name": None}
        for role in ("system", "user")
    ]
    assert json_attr(span, "gen_ai.output.messages")[0]["parts"][0]["content"] == "<masked>"
    (event,) = details_events(otel)
    assert event.attributes["gen_ai.input.messages"][1]["parts"][0]["content"] == "<masked>"
    (call,) = hook.calls
    assert call["inputs"][1].parts[0].content == "<masked>"  # the hook gets the redacted content
    assert_not_recorded(otel, [EMAIL, "receipt"])


def test_builtin_redactors_by_name_from_the_environment(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_ONLY", env={ENV: "emails, card_numbers"})
    _chat(server)
    text = json_attr(otel.span("chat gpt-4o-mini"), "gen_ai.input.messages")[1]["parts"][0]["content"]
    assert text == "Email [REDACTED:email] the receipt for card [REDACTED:card]"


def test_redactor_as_module_function_from_the_environment(
    otel: Any, observe: Any, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("my_redactors")
    module.mask = mask_text  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "my_redactors", module)
    observe("SPAN_ONLY", env={ENV: "my_redactors:mask"})
    _chat(server)
    assert "<masked>" in otel.span("chat gpt-4o-mini").attributes["gen_ai.input.messages"]


def test_redactor_as_entry_point_from_the_environment(
    otel: Any, observe: Any, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "site_redactor.py").write_text(
        "def mask(part):\n    return type(part)(content='<from entry point>') if hasattr(part, 'content') "
        "and getattr(part, 'type', '') == 'text' else part\n"
    )
    info = tmp_path / "site_redactor-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: site-redactor\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[agent_otel_redactor]\ncompany = site_redactor:mask\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    observe("SPAN_ONLY", env={ENV: "company"})
    _chat(server)
    assert "<from entry point>" in otel.span("chat gpt-4o-mini").attributes["gen_ai.input.messages"]


@pytest.mark.parametrize("spec", [broken, "no_such_module:redact", "not-a-registered-name"])
def test_failing_or_unloadable_redactor_drops_the_content_never_the_call(
    otel: Any, observe: Any, server: FakeOpenAIServer, spec: Any
) -> None:
    hook = Hook()
    observe("SPAN_AND_EVENT", content_redactor=spec, completion_hook=hook)
    response = _chat(server)
    assert response.choices[0].message.content
    span = otel.span("chat gpt-4o-mini")
    assert span.status.status_code is not StatusCode.ERROR
    assert span.attributes["gen_ai.usage.input_tokens"] > 0
    assert not [k for k in span.attributes if k.startswith("gen_ai.input") or k.startswith("gen_ai.output.m")]
    assert not hook.calls
    assert_not_recorded(otel, [EMAIL, "receipt", "be kind"])


def test_redaction_runs_before_the_size_budget(otel: Any, observe: Any, server: FakeOpenAIServer) -> None:
    def drop_huge(part: Any) -> Any:
        return None if len(getattr(part, "content", "")) > 5000 else part

    observe("SPAN_ONLY", content_redactor=drop_huge, content_max_length=2000)
    _chat(server, prompt="x" * 20_000)
    span = otel.span("chat gpt-4o-mini")
    assert json_attr(span, "gen_ai.input.messages")[1] == {"role": "user", "parts": [], "name": None}
    assert "agent_otel.content.truncated" not in span.attributes


def test_error_message_quoting_the_prompt_is_redacted_with_capture_on(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    observe("SPAN_ONLY", content_redactor="builtin")
    server.enqueue(Reply.error(400, f"invalid prompt: '{PROMPT}'", code="invalid_value"))
    with pytest.raises(openai.BadRequestError) as raised:
        _chat(server)
    assert EMAIL in str(raised.value)
    span = otel.span("chat gpt-4o-mini")
    assert "[REDACTED:email]" in (span.status.description or "")
    assert_not_recorded(otel, [EMAIL, "4111 1111"])


def test_credentials_pasted_into_a_prompt_are_scrubbed_from_recorded_content(
    otel: Any, observe: Any, server: FakeOpenAIServer
) -> None:
    secret_key = "sk-client-configured-key-9f8e7d6c"
    observe("SPAN_AND_EVENT")
    client = openai.OpenAI(base_url=server.base_url, api_key=secret_key, max_retries=0)
    client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"why does {secret_key} fail?"}]
    )
    span = otel.span("chat gpt-4o-mini")
    assert "why does [REDACTED] fail?" in span.attributes["gen_ai.input.messages"]
    assert_not_recorded(otel, [secret_key])


def test_langchain_tool_arguments_and_results_are_redacted(otel: Any, observe: Any) -> None:
    from langchain_core.tools import tool

    observe("SPAN_ONLY", openai=False, langchain=True, content_redactor="emails")

    @tool
    def lookup(email: str) -> str:
        """Looks a customer up."""
        return f"customer {email} is premium"

    assert lookup.invoke({"email": EMAIL}) == f"customer {EMAIL} is premium"
    attrs = otel.span("execute_tool lookup").attributes
    assert json.loads(attrs["gen_ai.tool.call.arguments"]) == {"email": "[REDACTED:email]"}
    assert attrs["gen_ai.tool.call.result"] == "customer [REDACTED:email] is premium"


def test_manual_configure_redactor_applies_to_tools_and_agents(otel: Any, observe: Any) -> None:
    seen: list[str] = []

    def record_kinds(part: Any) -> Any:
        seen.append(type(part).__name__)
        return redaction.builtin("emails")(part)

    observe("SPAN_ONLY", openai=False, manual_api=True, content_redactor=record_kinds)
    with manual.agent("support") as agent:
        agent.set_input_messages([f"write to {EMAIL}"])
        with manual.tool("send") as tool:
            tool.set_arguments({"to": EMAIL})
            tool.set_result("sent")
    assert {"TextPart", "ToolCallRequestPart", "ToolCallResponsePart"} <= set(seen)
    assert_not_recorded(otel, [EMAIL])
    assert "[REDACTED:email]" in otel.span("invoke_agent support").attributes["gen_ai.input.messages"]


def test_anthropic_messages_are_redacted(otel: Any, observe: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import anthropic

    from agent_otel.instrumentation.anthropic import AnthropicInstrumentor
    from agent_otel.testing import FakeAnthropicServer

    observe("SPAN_ONLY", openai=False)
    inst = AnthropicInstrumentor()
    inst.instrument(**otel.providers, content_redactor="builtin")
    try:
        with FakeAnthropicServer() as srv:
            client = anthropic.Anthropic(
                base_url=srv.base_url, api_key="sk-ant-test-key-123456", max_retries=0
            )
            client.messages.create(
                model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": PROMPT}]
            )
    finally:
        inst.uninstrument()
    (span,) = otel.spans()
    assert "[REDACTED:email]" in span.attributes["gen_ai.input.messages"]
    assert_not_recorded(otel, [EMAIL, "4111 1111"])
