"""openai's raw-response body reading (the `parse()`/`close()` hooks are shared: `_client/raw.py`).

`unvalidated_body(raw, kind)` is what a `with_raw_response.parse(...)` call is read from: the body as
the API's own response type, built without validation, so the caller's `response_format` /
`text_format` (the SDK's post-parser) is never run by us.
"""

from __future__ import annotations

from typing import Any


def unvalidated_body(raw: Any, kind: str) -> Any:
    """The JSON body of a read `LegacyAPIResponse` as `ChatCompletion` / `Response`, unvalidated."""
    body = raw.http_response.json()
    if not isinstance(body, dict):
        return None
    if kind == "responses":
        from openai.types.responses import Response

        return Response.construct(**body)
    from openai.types.chat import ChatCompletion

    return ChatCompletion.construct(**body)
