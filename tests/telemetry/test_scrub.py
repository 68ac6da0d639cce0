"""The secrets scrubber's collectors and replacement (telemetry/scrub.py)."""

from __future__ import annotations

import base64

from agent_otel.telemetry import scrub
from agent_otel.telemetry.failures import provider_detail


def test_url_userinfo_is_collected_raw_decoded_and_as_basic_auth() -> None:
    found = set(scrub.url_userinfo("https://bob:p%40ss-word@api.example.com/v1"))
    assert {"bob", "p%40ss-word", "p@ss-word", "bob:p@ss-word"} <= found
    assert base64.b64encode(b"bob:p@ss-word").decode() in found
    assert not list(scrub.url_userinfo("https://api.example.com/v1"))


def test_auth_like_headers_and_long_values_are_secrets_short_ordinary_ones_are_not() -> None:
    basic = base64.b64encode(b"carol:hunter2-pw").decode()
    found = set(
        scrub.header_values(
            {"Authorization": f"Basic {basic}", "X-Api-Key": "k-123", "X-Trace": "on", "X-Long": "x" * 20}
        )
    )
    assert {f"Basic {basic}", basic, "carol:hunter2-pw", "hunter2-pw", "k-123", "x" * 20} <= found
    assert "on" not in found


def test_secrets_are_replaced_longest_first_with_their_encodings() -> None:
    secrets = scrub.Secrets(["sk-abc123", "sk-abc123-extended", "a/b c", "xy"])
    text = 'key sk-abc123-extended, sk-abc123, "a%2Fb%20c", xy'
    assert secrets.scrub(text) == f'key {scrub.REDACTED}, {scrub.REDACTED}, "{scrub.REDACTED}", xy'


def test_a_failing_collector_yields_no_secrets() -> None:
    def broken() -> list[str]:
        raise RuntimeError("boom")

    assert not scrub.resolve(broken)


def test_secrets_remembered_for_an_exception_follow_its_chain() -> None:
    try:
        try:
            raise ValueError("inner")
        except ValueError as inner:
            scrub.remember(inner, scrub.Secrets(["token-inner-1"]))
            raise KeyError("outer") from inner
    except KeyError as outer:
        assert scrub.for_exception(outer).values >= {"token-inner-1"}


def test_provider_detail_reads_status_and_code_and_ignores_free_text_codes() -> None:
    class StatusError(Exception):
        status_code = 429
        body = {"error": {"type": "rate_limit_error", "message": "slow down"}}

    class Weird(Exception):
        code = "not a code: it has spaces"

    assert provider_detail(StatusError()) == "HTTP 429, code rate_limit_error"
    assert provider_detail(Weird()) is None
    assert provider_detail(ValueError("x")) is None
