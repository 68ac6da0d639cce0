"""The client-agnostic stream proxies: chunks unchanged, the end reported exactly once, and how."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from agent_otel.telemetry.streams import (
    END_ABANDONED,
    END_CLOSED,
    END_ERROR,
    END_EXHAUSTED,
    AsyncStreamProxy,
    SyncStreamProxy,
)


class Boom(Exception):
    pass


class FakeStream:
    """Shaped like openai.Stream: __iter__ is a generator over one shared iterator; __next__, close, with."""

    def __init__(self, items: list[Any], fail_at: int | None = None) -> None:
        self.items = items
        self.fail_at = fail_at
        self.closed = 0
        self.extra = "forwarded"
        self._iterator = self._gen()

    def _gen(self) -> Iterator[Any]:
        for i, item in enumerate(self.items):
            if i == self.fail_at:
                raise Boom(f"failed at {i}")
            yield item

    def __iter__(self) -> Iterator[Any]:
        yield from self._iterator

    def __next__(self) -> Any:
        return self._iterator.__next__()

    def close(self) -> None:
        self.closed += 1

    def __enter__(self) -> FakeStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class FakeAsyncStream:
    def __init__(self, items: list[Any], fail_at: int | None = None, delay: float = 0.0) -> None:
        self.items = items
        self.fail_at = fail_at
        self.delay = delay
        self.closed = 0
        self._iterator = self._gen()

    async def _gen(self) -> AsyncIterator[Any]:
        for i, item in enumerate(self.items):
            if self.delay:
                await asyncio.sleep(self.delay)
            if i == self.fail_at:
                raise Boom(f"failed at {i}")
            yield item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[Any]:
        async for item in self._iterator:
            yield item

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        await self.close()

    async def __aenter__(self) -> FakeAsyncStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class Recorder:
    def __init__(self) -> None:
        self.chunks: list[Any] = []
        self.ends: list[tuple[BaseException | None, str]] = []

    def on_chunk(self, chunk: Any) -> None:
        self.chunks.append(chunk)

    def on_end(self, error: BaseException | None, how: str) -> None:
        self.ends.append((error, how))


def sync_proxy(items: list[Any], **kw: Any) -> tuple[FakeStream, SyncStreamProxy, Recorder]:
    rec = Recorder()
    stream = FakeStream(items, **kw)
    return stream, SyncStreamProxy(stream, rec.on_chunk, rec.on_end), rec


def async_proxy(items: list[Any], **kw: Any) -> tuple[FakeAsyncStream, AsyncStreamProxy, Recorder]:
    rec = Recorder()
    stream = FakeAsyncStream(items, **kw)
    return stream, AsyncStreamProxy(stream, rec.on_chunk, rec.on_end), rec


ITEMS = [{"n": 1}, {"n": 2}, {"n": 3}]

# ------------------------------------------------------------------------------------------ sync


def test_sync_for_loop_sees_every_chunk_unchanged_and_ends_exhausted() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    got = list(proxy)
    assert got == ITEMS and all(a is b for a, b in zip(got, ITEMS, strict=True))
    assert rec.chunks == ITEMS
    assert rec.ends == [(None, END_EXHAUSTED)]


def test_sync_proxy_keeps_type_and_attributes() -> None:
    stream, proxy, _ = sync_proxy(ITEMS)
    assert isinstance(proxy, FakeStream)
    assert proxy.extra == "forwarded"
    assert proxy.__wrapped__ is stream


def test_sync_next_loop_ends_exhausted_once() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    assert [next(proxy) for _ in ITEMS] == ITEMS
    with pytest.raises(StopIteration):
        next(proxy)
    with pytest.raises(StopIteration):
        next(proxy)
    assert rec.ends == [(None, END_EXHAUSTED)]


def test_sync_close_midway_ends_closed_and_closes_the_stream() -> None:
    stream, proxy, rec = sync_proxy(ITEMS)
    next(proxy)
    proxy.close()
    proxy.close()
    assert stream.closed == 2
    assert rec.ends == [(None, END_CLOSED)]


def test_sync_with_block_returns_the_proxy_and_ends_closed() -> None:
    stream, proxy, rec = sync_proxy(ITEMS)
    with proxy as entered:
        assert entered is proxy
        next(iter(entered))
    assert stream.closed == 1
    assert rec.ends == [(None, END_CLOSED)]


def test_sync_break_out_of_for_ends_closed_at_once() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    for _chunk in proxy:
        break
    assert rec.ends == [(None, END_CLOSED)]
    assert rec.chunks == ITEMS[:1]


def test_sync_garbage_collected_unfinished_is_abandoned() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    next(proxy)
    del proxy
    gc.collect()
    assert rec.ends == [(None, END_ABANDONED)]


def test_sync_mid_stream_error_reaches_caller_unchanged_and_ends_error() -> None:
    _, proxy, rec = sync_proxy(ITEMS, fail_at=2)
    seen = []
    with pytest.raises(Boom) as info:
        for chunk in proxy:
            seen.append(chunk)
    assert seen == ITEMS[:2]
    assert len(rec.ends) == 1
    error, how = rec.ends[0]
    assert how == END_ERROR and error is info.value


def test_sync_error_through_next_ends_error() -> None:
    _, proxy, rec = sync_proxy(ITEMS, fail_at=0)
    with pytest.raises(Boom) as info:
        next(proxy)
    assert rec.ends == [(info.value, END_ERROR)]


def test_sync_exception_in_callers_loop_body_ends_closed_not_error() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    with pytest.raises(KeyError):
        for _chunk in proxy:
            raise KeyError("caller's own bug")
    assert rec.ends == [(None, END_CLOSED)]


def test_sync_on_chunk_fault_costs_only_that_chunk(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def bad_first_chunk(chunk: Any) -> None:
        calls.append(chunk)
        if len(calls) == 1:
            raise ValueError("our bug")

    ends: list[Any] = []
    proxy = SyncStreamProxy(FakeStream(ITEMS), bad_first_chunk, lambda e, h: ends.append(h))
    with caplog.at_level(logging.DEBUG, logger="agent_otel"):
        assert list(proxy) == ITEMS
    assert calls == ITEMS  # every later chunk is still seen
    assert ends == [END_EXHAUSTED]
    assert any("on_chunk" in r.getMessage() for r in caplog.records)


async def test_async_on_chunk_fault_costs_only_that_chunk() -> None:
    calls = []

    def bad_first_chunk(chunk: Any) -> None:
        calls.append(chunk)
        if len(calls) == 1:
            raise ValueError("our bug")

    proxy = AsyncStreamProxy(FakeAsyncStream(ITEMS), bad_first_chunk, lambda e, h: None)
    assert [c async for c in proxy] == ITEMS
    assert calls == ITEMS


def test_sync_on_end_fault_is_swallowed() -> None:
    def bad_end(error: Any, how: str) -> None:
        raise RuntimeError("our bug")

    proxy = SyncStreamProxy(FakeStream(ITEMS), None, bad_end)
    assert list(proxy) == ITEMS  # no exception reaches the caller


def test_sync_end_reported_once_whatever_follows() -> None:
    stream, proxy, rec = sync_proxy(ITEMS)
    list(proxy)
    proxy.close()
    with proxy:
        pass
    del proxy
    gc.collect()
    assert rec.ends == [(None, END_EXHAUSTED)]
    assert stream.closed == 2


# ------------------------------------------------------------------------------------------ async


async def test_async_for_sees_every_chunk_and_ends_exhausted() -> None:
    _, proxy, rec = async_proxy(ITEMS)
    assert isinstance(proxy, FakeAsyncStream)
    got = [c async for c in proxy]
    assert got == ITEMS and rec.chunks == ITEMS
    assert rec.ends == [(None, END_EXHAUSTED)]


async def test_async_anext_loop_ends_exhausted() -> None:
    _, proxy, rec = async_proxy(ITEMS)
    for _ in ITEMS:
        await proxy.__anext__()
    with pytest.raises(StopAsyncIteration):
        await proxy.__anext__()
    assert rec.ends == [(None, END_EXHAUSTED)]


async def test_async_close_and_aclose_end_closed() -> None:
    stream, proxy, rec = async_proxy(ITEMS)
    await proxy.__anext__()
    await proxy.close()
    await proxy.aclose()
    assert stream.closed == 2
    assert rec.ends == [(None, END_CLOSED)]


async def test_async_with_returns_proxy_and_ends_closed() -> None:
    stream, proxy, rec = async_proxy(ITEMS)
    async with proxy as entered:
        assert entered is proxy
        async for _chunk in entered:
            break
    assert stream.closed == 1
    assert [h for _, h in rec.ends] == [END_CLOSED]


async def test_async_break_ends_closed_after_the_loop_turns() -> None:
    _, proxy, rec = async_proxy(ITEMS)
    async for _chunk in proxy:
        break
    for _ in range(3):
        await asyncio.sleep(0)
    assert rec.ends == [(None, END_CLOSED)]


async def test_async_error_reaches_caller_unchanged() -> None:
    _, proxy, rec = async_proxy(ITEMS, fail_at=1)
    with pytest.raises(Boom) as info:
        async for _chunk in proxy:
            pass
    assert rec.ends == [(info.value, END_ERROR)]


async def test_async_cancellation_ends_error_with_cancelled() -> None:
    _, proxy, rec = async_proxy(ITEMS, delay=10)

    async def consume() -> None:
        async for _chunk in proxy:
            pass

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(rec.ends) == 1
    error, how = rec.ends[0]
    assert how == END_ERROR and isinstance(error, asyncio.CancelledError)


async def test_async_garbage_collected_is_abandoned() -> None:
    _, proxy, rec = async_proxy(ITEMS)
    await proxy.__anext__()
    del proxy
    gc.collect()
    assert rec.ends == [(None, END_ABANDONED)]


async def test_async_aclose_missing_on_stream_raises_like_the_stream() -> None:
    class NoAclose(FakeAsyncStream):
        aclose = None  # type: ignore[assignment]

    rec = Recorder()
    proxy = AsyncStreamProxy(NoAclose(ITEMS), rec.on_chunk, rec.on_end)
    with pytest.raises(TypeError):
        await proxy.aclose()


# ------------------------------------------------------------------ the caller's `with` block decides


def test_sync_exception_in_loop_inside_with_ends_error_with_it_once_at_exit() -> None:
    stream, proxy, rec = sync_proxy(ITEMS)
    with pytest.raises(KeyError) as info, proxy:
        for _chunk in proxy:
            raise KeyError("caller's own bug")
    assert rec.ends == [(info.value, END_ERROR)]
    assert stream.closed == 1


def test_sync_exception_after_exhausting_inside_with_ends_error() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    with pytest.raises(KeyError) as info, proxy:
        list(proxy)
        assert rec.ends == []  # the block decides
        raise KeyError("after the last chunk")
    assert rec.ends == [(info.value, END_ERROR)]


def test_sync_break_inside_with_ends_closed_when_the_block_exits() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    with proxy:
        for _chunk in proxy:
            break
        assert rec.ends == []
    assert rec.ends == [(None, END_CLOSED)]


def test_sync_exhausted_inside_with_ends_exhausted_at_exit() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    with proxy:
        assert list(proxy) == ITEMS
    assert rec.ends == [(None, END_EXHAUSTED)]


def test_sync_close_that_raises_ends_error_with_it() -> None:
    class FailingClose(FakeStream):
        def close(self) -> None:
            raise Boom("close failed")

    rec = Recorder()
    proxy = SyncStreamProxy(FailingClose(ITEMS), rec.on_chunk, rec.on_end)
    next(proxy)
    with pytest.raises(Boom) as info:
        proxy.close()
    assert rec.ends == [(info.value, END_ERROR)]


def test_sync_enclosing_block_hold_and_release_decide_the_end() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    proxy._self_hold()
    assert list(proxy) == ITEMS
    assert rec.ends == []
    error = KeyError("the block failed")
    proxy._self_release(error)
    proxy._self_release(None)
    assert rec.ends == [(error, END_ERROR)]


def test_sync_held_stream_garbage_collected_reports_how_it_ended() -> None:
    _, proxy, rec = sync_proxy(ITEMS)
    proxy._self_hold()
    list(proxy)
    del proxy
    gc.collect()
    assert rec.ends == [(None, END_EXHAUSTED)]


async def test_async_exception_in_loop_inside_async_with_ends_error_at_exit_not_later() -> None:
    stream, proxy, rec = async_proxy(ITEMS)
    with pytest.raises(KeyError) as info:
        async with proxy:
            async for _chunk in proxy:
                raise KeyError("caller's own bug")
    assert rec.ends == [(info.value, END_ERROR)]  # at once, not when asyncio finalizes the generator
    assert stream.closed == 1
    for _ in range(3):
        await asyncio.sleep(0)
    assert rec.ends == [(info.value, END_ERROR)]


async def test_async_aclose_that_raises_ends_error_with_it() -> None:
    class FailingClose(FakeAsyncStream):
        async def aclose(self) -> None:
            raise Boom("close failed")

    rec = Recorder()
    proxy = AsyncStreamProxy(FailingClose(ITEMS), rec.on_chunk, rec.on_end)
    with pytest.raises(Boom) as info:
        await proxy.aclose()
    assert rec.ends == [(info.value, END_ERROR)]
