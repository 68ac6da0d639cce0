"""Stream proxies shared by every client adapter: they end exactly once and cost little per chunk.

`SyncStreamProxy(stream, on_chunk, on_end)` / `AsyncStreamProxy(...)` wrap a library's stream object
(openai's `Stream` / `AsyncStream`, or any iterator that is also a context manager) in a wrapt proxy, so
the caller keeps every attribute and `isinstance(proxy, type(stream))` still holds. The proxy sees
every chunk on its way to the caller, unchanged, and calls:

- `on_chunk(chunk)` for each chunk (optional; a fault in it is logged, once per kind of fault, and costs
  only that chunk: the next chunk is offered to `on_chunk` again);
- `on_end(error, how)` exactly once, where `how` says how the stream ended:

  ========================  ===================================================  ==========
  how                       when                                                 error
  ========================  ===================================================  ==========
  ``END_EXHAUSTED``         the iterator was read to its end                     None
  ``END_CLOSED``            ``close()``/``aclose()``, leaving a ``with`` block,  None
                            or breaking out of a ``for`` loop over the proxy
  ``END_ERROR``             reading the next chunk raised (a mid-stream API      the exception
                            error, a dropped connection, task cancellation),
                            ``close()`` raised, or an exception left the
                            proxy's ``with`` block
  ``END_ABANDONED``         the proxy was garbage-collected before any of the    None
                            above (fallback in ``__del__``)
  ========================  ===================================================  ==========

  What each means for the span is the core's one policy (`ModelCall.end_stream`): exhausted and closed
  are OK, closed also sets ``agent_otel.stream.end="closed"``; abandoned is ERROR ``_OTHER`` with
  ``agent_otel.stream.end="abandoned"``; error is ERROR with the exception.

Inside the proxy's own ``with`` block the block decides: an exhausted or closed stream (a ``break``
included) only notes how it ended, and ``__exit__`` reports it, or ``END_ERROR`` with the exception that
left the block (the caller's own, from its loop body or after it). Outside a ``with`` block an exception
in the caller's loop body cannot be told from a ``break`` (Python closes the generator the same way), so
it ends ``END_CLOSED``. `_self_hold()` / `_self_release(error)` give an enclosing block of the client
library (a streaming helper's ``with``) the same say.

Per chunk the proxy does one Python-level call of `on_chunk` and nothing else: no context attach, no
metric, no lock. Outside a ``with`` block, breaking out of ``for chunk in proxy`` is seen at once
(CPython closes the generator that ``__iter__`` returned), and ``async for`` a moment later (asyncio
finalizes the async generator on its next loop iteration). Exceptions from the wrapped stream reach
the caller unchanged (same object); this module never imports a client library.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import wrapt

from agent_otel.telemetry.safety import report

__all__ = [
    "END_ABANDONED",
    "END_CLOSED",
    "END_ERROR",
    "END_EXHAUSTED",
    "AsyncStreamProxy",
    "OnChunk",
    "OnEnd",
    "SyncStreamProxy",
]

END_EXHAUSTED = "exhausted"
END_CLOSED = "closed"
END_ERROR = "error"
END_ABANDONED = "abandoned"

OnChunk = Callable[[Any], None]
OnEnd = Callable[[BaseException | None, str], None]

_WHERE_CHUNK = "agent_otel.telemetry.streams.on_chunk"
_WHERE_END = "agent_otel.telemetry.streams.on_end"


class _Sink:
    """Where the proxy finds `on_chunk` for each chunk: a plain object, because reading an attribute of
    the wrapt proxy itself costs ~70 ns (a third of the per-chunk budget)."""

    __slots__ = ("on_chunk",)

    def __init__(self, on_chunk: OnChunk | None) -> None:
        self.on_chunk = on_chunk


class _StreamProxyBase(wrapt.BaseObjectProxy):  # type: ignore[misc]
    """State and the end-once logic shared by the sync and async proxies."""

    def __init__(self, wrapped: Any, on_chunk: OnChunk | None, on_end: OnEnd) -> None:
        super().__init__(wrapped)
        self._self_sink = _Sink(on_chunk)
        self._self_on_end: OnEnd | None = on_end
        self._self_holds = 0  # enclosing `with` blocks that decide the end
        self._self_pending: str | None = None  # how the stream ended while held

    def _self_hold(self) -> None:
        """An enclosing block now decides the end: exhausted/closed are only noted until `release`."""
        self._self_holds += 1

    def _self_release(self, error: BaseException | None) -> None:
        """The enclosing block exited (with `error` if an exception left it): report the end."""
        if self._self_holds > 0:
            self._self_holds -= 1
        if self._self_holds:
            return
        if error is not None:
            self._self_end(error, END_ERROR)
        else:
            self._self_end(None, self._self_pending or END_CLOSED)

    @property
    def _self_ended(self) -> bool:
        """True once `on_end` has been called (or the proxy was told to stop observing)."""
        return self._self_on_end is None

    def _self_end(self, error: BaseException | None, how: str) -> None:
        on_end = self._self_on_end
        if on_end is None:
            return
        if self._self_holds and how in (END_EXHAUSTED, END_CLOSED):
            self._self_pending = how  # the enclosing block reports it (the latest wins: reading may go on)
            return
        self._self_on_end = None
        self._self_sink.on_chunk = None
        try:
            on_end(error, how)
        except Exception as exc:
            report(_WHERE_END, exc)

    def _self_chunk_fault(self, exc: Exception) -> None:
        report(_WHERE_CHUNK, exc)  # this chunk only: the next one is offered to on_chunk again

    def __del__(self) -> None:
        try:
            if self._self_on_end is not None:
                self._self_holds = 0
                self._self_end(None, self._self_pending or END_ABANDONED)
        except Exception:  # interpreter shutdown, half-built proxy: nothing to do
            pass


class SyncStreamProxy(_StreamProxyBase):
    """Proxy for a synchronous stream: iteration, `next()`, `close()` and the context manager."""

    def __iter__(self) -> Iterator[Any]:
        return self._self_iterate()

    def _self_iterate(self) -> Iterator[Any]:
        sink = self._self_sink
        try:
            for chunk in self.__wrapped__:
                on_chunk = sink.on_chunk
                if on_chunk is not None:
                    try:
                        on_chunk(chunk)
                    except Exception as exc:
                        self._self_chunk_fault(exc)
                try:
                    yield chunk
                except GeneratorExit:  # break, or the generator closed: a caller's exception looks the same
                    self._self_end(None, END_CLOSED)
                    raise
        except GeneratorExit:
            raise
        except BaseException as exc:  # from the stream, or thrown in by the caller
            self._self_end(exc, END_ERROR)
            raise
        self._self_end(None, END_EXHAUSTED)

    def __next__(self) -> Any:
        try:
            chunk = self.__wrapped__.__next__()
        except StopIteration:
            self._self_end(None, END_EXHAUSTED)
            raise
        except BaseException as exc:
            self._self_end(exc, END_ERROR)
            raise
        on_chunk = self._self_sink.on_chunk
        if on_chunk is not None:
            try:
                on_chunk(chunk)
            except Exception as exc:
                self._self_chunk_fault(exc)
        return chunk

    def close(self) -> Any:
        try:
            result = self.__wrapped__.close()
        except BaseException as exc:
            self._self_end(exc, END_ERROR)
            raise
        self._self_end(None, END_CLOSED)
        return result

    def __enter__(self) -> SyncStreamProxy:
        self.__wrapped__.__enter__()
        self._self_hold()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            suppressed = self.__wrapped__.__exit__(exc_type, exc, tb)
        except BaseException as raised:
            self._self_release(raised)
            raise
        self._self_release(None if suppressed else exc)
        return suppressed


class AsyncStreamProxy(_StreamProxyBase):
    """Proxy for an asynchronous stream: `async for`, `__anext__`, `close()`/`aclose()`, `async with`."""

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._self_aiterate()

    async def _self_aiterate(self) -> AsyncIterator[Any]:
        # Pull with the stream's own __anext__ rather than `async for` over its __aiter__: no second async
        # generator is created, so breaking out leaves the stream's internals exactly as without the proxy
        # (asyncio finalizes async generators concurrently at shutdown; an extra one in the chain races).
        wrapped = self.__wrapped__
        source = wrapped if hasattr(type(wrapped), "__anext__") else wrapped.__aiter__()
        pull = source.__anext__
        sink = self._self_sink
        while True:
            try:
                chunk = await pull()
            except StopAsyncIteration:
                self._self_end(None, END_EXHAUSTED)
                return
            except BaseException as exc:
                self._self_end(exc, END_ERROR)
                raise
            on_chunk = sink.on_chunk
            if on_chunk is not None:
                try:
                    on_chunk(chunk)
                except Exception as exc:
                    self._self_chunk_fault(exc)
            try:
                yield chunk
            except GeneratorExit:
                self._self_end(None, END_CLOSED)
                raise
            except BaseException as exc:  # thrown in by the caller (athrow)
                self._self_end(exc, END_ERROR)
                raise

    async def __anext__(self) -> Any:
        try:
            chunk = await self.__wrapped__.__anext__()
        except StopAsyncIteration:
            self._self_end(None, END_EXHAUSTED)
            raise
        except BaseException as exc:
            self._self_end(exc, END_ERROR)
            raise
        on_chunk = self._self_sink.on_chunk
        if on_chunk is not None:
            try:
                on_chunk(chunk)
            except Exception as exc:
                self._self_chunk_fault(exc)
        return chunk

    async def close(self) -> Any:
        try:
            result = await self.__wrapped__.close()
        except BaseException as exc:
            self._self_end(exc, END_ERROR)
            raise
        self._self_end(None, END_CLOSED)
        return result

    async def aclose(self) -> Any:
        close = self.__wrapped__.aclose  # AttributeError if the stream has none, as without the proxy
        try:
            result = await close()
        except BaseException as exc:
            self._self_end(exc, END_ERROR)
            raise
        self._self_end(None, END_CLOSED)
        return result

    async def __aenter__(self) -> AsyncStreamProxy:
        await self.__wrapped__.__aenter__()
        self._self_hold()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            suppressed = await self.__wrapped__.__aexit__(exc_type, exc, tb)
        except BaseException as raised:
            self._self_release(raised)
            raise
        self._self_release(None if suppressed else exc)
        return suppressed
