"""The raw-response callbacks an adapter's `Operation` shares (called by the `_client/raw.py` hooks).

`RawEndings` is a mixin: `on_parsed(out)` (the caller parsed a raw response: a stream is handed back
inside our proxy, a body completes the call) and `on_parse_error(error)`. The adapter provides
`wrap_stream`, `_complete`, `_end`, the attributes below, and `_where` (its fault-report prefix).
`on_closed` / `on_released` differ by provider (how a held block ends) and stay in the adapters.
"""

from __future__ import annotations

from typing import Any, ClassVar

from agent_otel.telemetry.model_call import Failure
from agent_otel.telemetry.safety import report


class RawEndings:
    __slots__ = ()
    _where: ClassVar[str]
    # Declared by the adapter's Operation.
    ended: bool
    owner: Any
    proxy_ref: Any
    state: Any

    def _end(self, error: Failure | None) -> None:
        raise NotImplementedError

    def _complete(self, result: Any) -> None:
        raise NotImplementedError

    def wrap_stream(self, stream: Any) -> Any:
        """Hand the caller our stream proxy in place of `stream`; the call then ends with the stream."""
        raise NotImplementedError

    def on_parsed(self, out: Any) -> Any:
        """The caller parsed a raw response: return what it should get (the proxied stream, or `out`)."""
        try:
            if isinstance(out, self.owner.stream_types):
                existing = self.proxy_ref() if self.proxy_ref is not None else None
                if existing is not None and existing.__wrapped__ is out:
                    return existing
                if self.ended or self.state is not None:
                    return out
                return self.wrap_stream(out)
            if not self.ended:
                self._complete(out)
        except Exception as exc:
            report(f"{self._where}.on_parsed", exc)
            self._end(None)
        return out

    def on_parse_error(self, error: BaseException) -> None:
        if not self.ended and self.state is None:
            self._end(error)
