"""Wrapping a function (plain, coroutine, generator or async generator) in a manual operation."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from agent_otel.manual._current import _enter, _leave
from agent_otel.manual._operations import Operation

if TYPE_CHECKING:
    from agent_otel.manual._specs import _Spec

_F = TypeVar("_F", bound=Callable[..., Any])


def _default_name(fn: Callable[..., Any]) -> str:
    return str(getattr(fn, "__name__", None) or type(fn).__name__)


def _argument_reader(fn: Callable[..., Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], Any]:
    """Reads a call's arguments as a {parameter: value} dict (without self/cls), only when asked."""
    try:
        signature: inspect.Signature | None = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None

    def read(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            if signature is None:
                raise TypeError("no signature")
            bound = signature.bind_partial(*args, **kwargs)
        except TypeError:  # the call itself is wrong: the function will say so
            return {"args": list(args), **kwargs} if args else dict(kwargs)
        out: dict[str, Any] = {}
        for name, value in bound.arguments.items():
            kind = signature.parameters[name].kind
            if name in ("self", "cls") and kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                continue
            if kind is inspect.Parameter.VAR_KEYWORD:
                out.update(value)
            else:
                out[name] = value
        return out

    return read


def _decorate(spec: _Spec[Any], fn: _F) -> _F:
    name = spec.name or _default_name(fn)
    read_arguments = _argument_reader(fn) if spec.kind == "tool" else None

    def arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any] | None:
        if read_arguments is None:
            return None
        return lambda: read_arguments(args, kwargs)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            try:
                agen = fn(*args, **kwargs)
                send: Any = None
                thrown: BaseException | None = None
                while True:
                    entered = _enter(spec, op)
                    try:
                        item = await (agen.athrow(thrown) if thrown is not None else agen.asend(send))
                    finally:
                        _leave(entered)
                    thrown = None
                    try:
                        send = yield item
                    except GeneratorExit:
                        raise
                    except BaseException as exc:  # thrown in by the consumer: hand it to the generator
                        thrown = exc
            except StopAsyncIteration:
                spec._end(op, None)
            except GeneratorExit as exc:
                entered = _enter(spec, op)
                try:
                    await agen.aclose()
                finally:
                    _leave(entered)
                    spec._end(op, exc)
                raise
            except BaseException as exc:
                spec._end(op, exc)
                raise

        return async_generator_wrapper  # type: ignore[return-value]

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            try:
                gen = fn(*args, **kwargs)
                send: Any = None
                thrown: BaseException | None = None
                while True:
                    entered = _enter(spec, op)
                    try:
                        item = gen.throw(thrown) if thrown is not None else gen.send(send)
                    finally:
                        _leave(entered)
                    thrown = None
                    try:
                        send = yield item
                    except GeneratorExit:
                        raise
                    except BaseException as exc:  # thrown in by the consumer: hand it to the generator
                        thrown = exc
            except StopIteration as stop:
                spec._end(op, None)
                return stop.value
            except GeneratorExit as exc:
                entered = _enter(spec, op)
                try:
                    gen.close()
                finally:
                    _leave(entered)
                    spec._end(op, exc)
                raise
            except BaseException as exc:
                spec._end(op, exc)
                raise

        return generator_wrapper  # type: ignore[return-value]

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def coroutine_wrapper(*args: Any, **kwargs: Any) -> Any:
            op = spec._begin(name, None, arguments(args, kwargs))
            entered = _enter(spec, op)
            try:
                result = await fn(*args, **kwargs)
            except BaseException as exc:
                _leave(entered)
                spec._end(op, exc)
                raise
            _leave(entered)
            spec._end(op, None, result)
            return result

        return coroutine_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        op = spec._begin(name, None, arguments(args, kwargs))
        entered = _enter(spec, op)
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            _leave(entered)
            spec._end(op, exc)
            raise
        _leave(entered)
        if inspect.iscoroutine(result):
            # A callable that does not look async returned a coroutine: the operation lasts until
            # it has been awaited.
            return _finish_when_awaited(spec, op, result)
        spec._end(op, None, result)
        return result

    return wrapper  # type: ignore[return-value]


async def _finish_when_awaited(spec: _Spec[Any], op: Operation, awaitable: Awaitable[Any]) -> Any:
    entered = _enter(spec, op)
    try:
        result = await awaitable
    except BaseException as exc:
        _leave(entered)
        spec._end(op, exc)
        raise
    _leave(entered)
    spec._end(op, None, result)
    return result
