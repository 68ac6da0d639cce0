"""Failed operations: the exception is recorded (span event, GenAI log event), credentials never are,
and with content capture off neither is the prompt nor a tool's argument (telemetry/failures.py,
telemetry/scrub.py). Driven through the real openai client against FakeOpenAIServer, real LangChain
tools and the manual API."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from leaks import assert_not_recorded
from opentelemetry.trace import StatusCode

from agent_otel import manual
from agent_otel.testing import FakeOpenAIServer, Reply
from agent_otel.testing.openai_server import RecordedRequest

API_KEY = "sk-live-APIKEY-0123456789"
ORGANIZATION = "org-ORGSECRET-4242"
PROJECT = "proj_PROJSECRET_7777"
HEADER_TOKEN = "hdrtok-BEARER-9876543210"
X_API_KEY = "xak-HEADER-KEY-5555"
QUERY_KEY = "qk-QUERY-SECRET-3141"
URL_USER = "alice-USER-1618"
URL_PASSWORD = "pw-URL-SECRET-2718"
SECRETS = [API_KEY, ORGANIZATION, PROJECT, HEADER_TOKEN, X_API_KEY, QUERY_KEY, URL_USER, URL_PASSWORD]
PROMPT = "PRIVATE-PROMPT: the merger closes on Friday"
CAPTURE_MODES = [None, "SPAN_AND_EVENT"]


def _client(srv: FakeOpenAIServer, **options: Any) -> openai.OpenAI:
    base_url = srv.base_url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@")
    return openai.OpenAI(
        api_key=API_KEY,
        organization=ORGANIZATION,
        project=PROJECT,
        base_url=base_url,
        default_headers={"X-Gateway-Auth": f"Bearer {HEADER_TOKEN}", "x-api-key": X_API_KEY},
        default_query={"key": QUERY_KEY},
        max_retries=0,
        **options,
    )


def _echo_credentials(request: RecordedRequest) -> Reply:
    """A misbehaving OpenAI-compatible gateway: its 401 echoes what it was sent, and the API key."""
    echoed = {
        "headers": request.headers,
        "query": request.query,
        "expected": f"Bearer {API_KEY} for http://{URL_USER}:{URL_PASSWORD}@gateway/v1",
    }
    return Reply.error(401, f"Unauthorized: {json.dumps(echoed)}", type="auth_error", code="invalid_api_key")


def _chat(client: openai.OpenAI) -> BaseException:
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}])
    return raised.value


@pytest.mark.parametrize("content", CAPTURE_MODES)
def test_401_echoing_credentials_records_no_secret_capture_on_or_off(
    otel: Any, instrument: Any, server: FakeOpenAIServer, content: str | None
) -> None:
    instrument(content)
    server.responder = _echo_credentials
    client = _client(server)
    error = _chat(client)
    message = str(error)
    assert all(secret in message for secret in SECRETS), message  # the leak this test guards against

    span = otel.span("chat gpt-4o-mini")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.AuthenticationError"
    if content is None:
        assert span.status.description == "openai.AuthenticationError: HTTP 401, code invalid_api_key"
    else:
        assert span.status.description and "[REDACTED]" in span.status.description
    assert_not_recorded(otel, SECRETS)


def test_400_quoting_the_prompt_with_capture_off_records_type_and_provider_code(
    otel: Any, instrument: Any, server: FakeOpenAIServer
) -> None:
    instrument()
    server.enqueue(
        Reply.error(400, f"maximum context length is 8 tokens: '{PROMPT}'", code="context_length_exceeded")
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    assert PROMPT in str(_chat(client))

    span = otel.span("chat gpt-4o-mini")
    assert span.status.description == "openai.BadRequestError: HTTP 400, code context_length_exceeded"
    assert_not_recorded(otel, [PROMPT, "PRIVATE-PROMPT"])


def test_400_quoting_the_prompt_with_capture_on_keeps_the_message(
    otel: Any, instrument: Any, server: FakeOpenAIServer
) -> None:
    instrument("SPAN_ONLY")
    server.enqueue(Reply.error(400, f"bad request: {PROMPT}", code="invalid_value"))
    _chat(openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0))
    span = otel.span("chat gpt-4o-mini")
    assert PROMPT in (span.status.description or "")


@pytest.mark.parametrize("content", CAPTURE_MODES)
def test_failed_call_records_the_exception_as_span_event_and_genai_log_event(
    otel: Any, instrument: Any, server: FakeOpenAIServer, content: str | None
) -> None:
    instrument(content)
    server.enqueue(Reply.error(400, f"bad request: {PROMPT}", code="invalid_value"))
    _chat(_client(server))

    span = otel.span("chat gpt-4o-mini")
    (event,) = [e for e in span.events if e.name == "exception"]
    attrs = dict(event.attributes or {})
    assert attrs["exception.type"] == "openai.BadRequestError"
    stack = attrs["exception.stacktrace"]
    assert stack.startswith("Traceback (most recent call last):")
    assert "_base_client.py" in stack  # where it was raised
    assert stack.rstrip().endswith(f"openai.BadRequestError: {attrs['exception.message']}")
    if content is None:
        assert attrs["exception.message"] == "HTTP 400, code invalid_value"
        assert PROMPT not in stack
    else:
        assert PROMPT in attrs["exception.message"]

    logs = [r for r in otel.logs() if r.log_record.event_name == "gen_ai.client.operation.exception"]
    assert len(logs) == 1
    record = logs[0].log_record
    assert record.severity_number.value == 13  # WARN
    assert record.span_id == span.context.span_id and record.trace_id == span.context.trace_id
    assert dict(record.attributes or {}) == attrs
    assert_not_recorded(otel, SECRETS)


def test_chat_openai_span_failed_by_an_echoing_401_is_scrubbed_too(
    otel: Any, instrument: Any, server: FakeOpenAIServer
) -> None:
    """The LangChain chat span and the agent around it fail with the openai exception: the credentials
    the openai adapter registered for that exception are scrubbed from them too (capture on)."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    instrument("SPAN_AND_EVENT", openai=True, langchain=True)
    server.responder = _echo_credentials
    model = ChatOpenAI(
        model="gpt-4o-mini",
        api_key=API_KEY,  # type: ignore[arg-type]
        organization=ORGANIZATION,
        base_url=server.base_url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@"),
        default_headers={
            "X-Gateway-Auth": f"Bearer {HEADER_TOKEN}",
            "x-api-key": X_API_KEY,
            "OpenAI-Project": PROJECT,
        },
        default_query={"key": QUERY_KEY},
        max_retries=0,
    )

    @manual.agent("helper")
    def ask() -> Any:
        return model.invoke([HumanMessage(PROMPT)])

    manual.configure(**otel.providers)
    try:
        with pytest.raises(openai.AuthenticationError) as raised:
            ask()
    finally:
        manual.reset()
    assert all(secret in str(raised.value) for secret in SECRETS)
    errored = [s for s in otel.spans() if s.status.status_code is StatusCode.ERROR]
    assert {s.name for s in errored} >= {"chat gpt-4o-mini", "invoke_agent helper"}
    assert_not_recorded(otel, SECRETS)


def test_langchain_tool_error_with_capture_off_does_not_quote_the_argument(
    otel: Any, instrument: Any
) -> None:
    from langchain_core.tools import tool

    instrument(openai=False, langchain=True)

    @tool
    def lookup(city: str) -> str:
        """Looks a city up."""
        raise ValueError(f"no such city: {city}")

    with pytest.raises(ValueError):
        lookup.invoke({"city": "SECRET-CITY-42"})
    span = otel.span("execute_tool lookup")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "ValueError"
    assert_not_recorded(otel, ["SECRET-CITY-42"])


def test_manual_tool_error_with_capture_off_does_not_quote_the_argument(
    otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    manual.configure(**otel.providers)
    try:

        @manual.tool
        def lookup(city: str) -> str:
            raise KeyError(f"unknown city {city}")

        with pytest.raises(KeyError):
            lookup("SECRET-CITY-42")
    finally:
        manual.reset()
    assert otel.span("execute_tool lookup").status.description == "KeyError"
    assert_not_recorded(otel, ["SECRET-CITY-42"])
