"""The credentials an openai client was configured with, for the core's secrets scrubber.

`source(resource)` is called once per sampled call and only captures the resource's client: nothing is
read until the call fails (see telemetry/scrub.py). It covers `api_key` (and `admin_api_key`),
`organization`, `project`, `webhook_secret`, Azure's `azure_ad_token`, the credential-like values of
`default_headers` and `default_query`, and the userinfo of `base_url` (`https://user:pass@host/`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent_otel.telemetry import scrub

_PLAIN = ("api_key", "admin_api_key", "organization", "project", "webhook_secret", "_azure_ad_token")


def collect(client: Any) -> Iterator[str]:
    for name in _PLAIN:
        yield from scrub.credential(getattr(client, name, None))
    yield from scrub.header_values(getattr(client, "_custom_headers", None))
    yield from scrub.query_values(getattr(client, "_custom_query", None))
    yield from scrub.url_userinfo(getattr(client, "base_url", None))


def source(resource: Any) -> scrub.SecretSource | None:
    client = getattr(resource, "_client", None)
    if client is None:
        return None
    return lambda: collect(client)
