"""Raw-response paths (openai and anthropic): `with_raw_response` with `stream=True`, and
`with_streaming_response`.

Both SDKs are Stainless-generated and share these response types' shape (`parse()`, `close()`,
`http_response`). The caller gets the very same response object; we only shadow two of its methods
with instance attributes, which call the class's own method and then tell the `Operation`:

- `parse()`: a parsed body ends the span with response attributes; a parsed `Stream`/`AsyncStream` is
  replaced by our stream proxy (the span then ends with the stream). A parse that raises fails the span
  with that exception, which still reaches the caller.
- `close()` (`with_streaming_response` only; also what leaving its `with` block calls): ends the span if
  nothing else has (a stream still being read ends as "closed").

A `weakref.finalize` on the response ends the span if the response is dropped before either: a success
when the caller read the body to its end itself, "closed" when it was closed unread, else abandoned.
The hooks hold the response only weakly, so they create no reference cycle.
"""

from __future__ import annotations

import weakref
from typing import Any

# The Stainless SDKs' private protocol between `with_raw_response` / `with_streaming_response` and the
# resource methods: this header's value says what a method returns. openai (openai/_legacy_response.py and
# openai/_response.py, RAW_RESPONSE_HEADER): "true" a LegacyAPIResponse, "stream" an unread APIResponse;
# anthropic (`anthropic._constants.RAW_RESPONSE_HEADER`): "raw" (0.51: "true") a read response, "stream"
# an unread one. tests/openai/test_openai_private_api.py and tests/anthropic/test_anthropic_private_api.py
# guard it.
RAW_RESPONSE_HEADER = "X-Stainless-Raw-Response"


def hook_legacy_stream(op: Any, raw: Any) -> None:
    """`LegacyAPIResponse` of a `stream=True` call: its (sync) `parse()` builds the stream."""
    ref = weakref.ref(raw)
    parse_method = type(raw).parse

    def parse(*args: Any, **kwargs: Any) -> Any:
        try:
            out = parse_method(ref(), *args, **kwargs)
        except BaseException as exc:
            op.on_parse_error(exc)
            raise
        return op.on_parsed(out)

    raw.parse = parse
    weakref.finalize(raw, op.on_released, getattr(raw, "http_response", None))


def hook_streamed_response(op: Any, raw: Any, is_async: bool) -> None:
    """`APIResponse` / `AsyncAPIResponse` from `with_streaming_response`: body not read yet."""
    ref = weakref.ref(raw)
    cls = type(raw)
    parse_method = cls.parse
    close_method = cls.close

    if is_async:

        async def aparse(*args: Any, **kwargs: Any) -> Any:
            try:
                out = await parse_method(ref(), *args, **kwargs)
            except BaseException as exc:
                op.on_parse_error(exc)
                raise
            return op.on_parsed(out)

        async def aclose() -> Any:
            try:
                return await close_method(ref())
            finally:
                op.on_closed()

        raw.parse = aparse
        raw.close = aclose
    else:

        def parse(*args: Any, **kwargs: Any) -> Any:
            try:
                out = parse_method(ref(), *args, **kwargs)
            except BaseException as exc:
                op.on_parse_error(exc)
                raise
            return op.on_parsed(out)

        def close() -> Any:
            try:
                return close_method(ref())
            finally:
                op.on_closed()

        raw.parse = parse
        raw.close = close
    weakref.finalize(raw, op.on_released, getattr(raw, "http_response", None))
