"""The request reader: the keyword arguments of `messages.create` / `stream` / `parse` into request facts.

A `facts.RequestReader[dict]`, run by the core only for a call whose details are recorded. `extra_body`
values win over keyword arguments, as in the SDK (anthropic >= 1.0 takes `temperature`, `top_p` and
`top_k` only through `extra_body`). Read: `max_tokens`, `temperature`, `top_p`, `top_k`,
`stop_sequences`, `stream`, the reasoning level (`output_config.effort`, the effort string sent: a
thinking *budget* is a token count, which the conventions do not map to a level), the output type
(`json` for a structured-output format or a `parse(output_format=...)` model), and, with content capture
on, `system`, `messages` and `tools`. Values are type-checked: the SDK's `omit`/`NOT_GIVEN` sentinels are
skipped. A caller's iterator as `messages=` or `tools=` is never read here: it is swapped for a
recording iterator the SDK consumes (the openai adapter's helper), turned into content after the call.
"""

from __future__ import annotations

from typing import Any

from agent_otel.instrumentation.anthropic import _content as parts
from agent_otel.telemetry.facts import Content, ModelRequest


def _number(value: Any) -> Any:
    return value if type(value) in (float, int) else None


def _params(kwargs: dict[str, Any]) -> dict[str, Any]:
    extra = kwargs.get("extra_body")
    if isinstance(extra, dict) and extra:
        return {**kwargs, **extra}
    return kwargs


def _record_iterable(value: Any, sink: list[Any]) -> Any:
    for item in value:
        sink.append(item)
        yield item


def _capture(content: Content, kwargs: dict[str, Any], key: str, assign: Any) -> None:
    value = kwargs.get(key)
    if value is None or isinstance(value, (bool, int, float)):
        return
    if parts.is_materialized(value):
        assign(content, value)
        return
    if not hasattr(value, "__iter__"):  # the SDK's omit / NOT_GIVEN
        return
    sink: list[Any] = []
    kwargs[key] = _record_iterable(value, sink)
    content.defer(lambda target: assign(target, sink))


def _set_messages(content: Content, messages: Any) -> None:
    content.input_messages = parts.input_messages(messages)


def _set_tools(content: Content, tools: Any) -> None:
    found = parts.tool_definitions(tools)
    if found:
        content.tool_definitions = found


def messages(request: ModelRequest, kwargs: dict[str, Any], content: Content | None) -> None:
    params = _params(kwargs)
    max_tokens = params.get("max_tokens")
    if type(max_tokens) is int:
        request.max_tokens = max_tokens
    for name in ("temperature", "top_p"):
        value = _number(params.get(name))
        if value is not None:
            setattr(request, name, value)
    top_k = params.get("top_k")
    if type(top_k) is int:
        request.top_k = top_k
    stop = params.get("stop_sequences")
    if isinstance(stop, (list, tuple)) and stop and all(isinstance(s, str) for s in stop):
        request.stop_sequences = list(stop)
    if params.get("stream") is True:
        request.stream = True
    output_config = params.get("output_config")
    if isinstance(output_config, dict):
        effort = output_config.get("effort")
        if isinstance(effort, str):
            request.reasoning_level = effort
        fmt = output_config.get("format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            request.output_type = "json"
    fmt = params.get("output_format")
    if isinstance(fmt, type) or (isinstance(fmt, dict) and fmt.get("type") == "json_schema"):
        request.output_type = "json"
    if content is None:
        return
    system = params.get("system")
    if isinstance(system, (str, list, tuple)):
        content.system_instructions = parts.system_instructions(system)
    _capture(content, kwargs, "messages", _set_messages)
    _capture(content, kwargs, "tools", _set_tools)
