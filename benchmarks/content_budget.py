"""Cost of the content layer (issue 14): `python -m benchmarks.content_budget [--quick]`.

A 20-message conversation of 2 KB a message (about 41 KB of JSON) sent through the real openai client on
an in-process `MockTransport`, instrumented by agent-otel with content capture on (SPAN_ONLY) and the full
SDK, each instrumented call paired with an uninstrumented one (process CPU time, median of the paired
differences). Cases:

- content on, default budget (64 KiB: the conversation fits; blobs are looked for, nothing is cut);
- content on, AGENT_OTEL_CONTENT_MAX_LENGTH=8000 (oldest messages dropped, JSON kept valid);
- content on, the built-in redactors (`AGENT_OTEL_CONTENT_REDACTOR=builtin`), default budget;
- and the serialization alone, both ways: `json.dumps(asdict(...))` as before issue 14, against
  `ContentPolicy.span_attributes` (stubs, budget, redaction);
- content off, and content on under an unsampled parent: none of the content layer runs. Checked with
  `cProfile`: no function of content_budget.py, content_blobs.py, redaction.py or content_sampling.py
  (nor ContentPolicy.prepare) is called. Their cost is the issue 9 rows of `benchmarks.openai_overhead`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from benchmarks._common import Row, Stats, full_sdk, paired, summary_row
from benchmarks._openai_host import _client

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
LAYER_FILES = ("content_budget.py", "content_blobs.py", "redaction.py", "content_sampling.py")
MESSAGES = 20
ORIGINAL_CREATE: Any = None  # openai's own Completions.create, taken before anything is instrumented
MESSAGE_SIZE = 2048


def conversation() -> list[dict[str, str]]:
    words = "the quick brown fox jumps over the lazy dog, mailing ops@example.com about order 1234. "
    out = []
    for i in range(MESSAGES):
        text = (f"message {i:02d}: " + words * 40)[:MESSAGE_SIZE]
        out.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
    return out


@contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def instrumented(sdk: dict[str, Any], env: dict[str, str | None]) -> Iterator[None]:
    from agent_otel.instrumentation.openai import OpenAIInstrumentor

    with environment(env):
        inst = OpenAIInstrumentor()
        inst.instrument(
            tracer_provider=sdk["tracer_provider"],
            meter_provider=sdk["meter_provider"],
            logger_provider=sdk["logger_provider"],
        )
    try:
        yield
    finally:
        inst.uninstrument()


def _calls(messages: list[dict[str, str]]) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(the original create, the instrumented one) on one mock client."""
    from agent_otel.testing import Reply, chat_completion

    resource = _client(Reply.json(chat_completion("Hi!", model="gpt-4o-mini-2024-07-18"))).chat.completions
    original = ORIGINAL_CREATE

    def call_plain() -> Any:
        return original(resource, model="gpt-4o-mini", messages=messages)

    def call_traced() -> Any:
        return resource.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]

    return call_plain, call_traced


def end_to_end(sdk: dict[str, Any], env: dict[str, str | None], n: int) -> Stats:
    messages = conversation()
    with instrumented(sdk, env):
        plain, traced = _calls(messages)
        for _ in range(20):
            plain()
            traced()
        return Stats.of(paired(plain, traced, n))


def serialization(n: int) -> dict[str, float]:
    """Median µs of turning the conversation's content into span attributes, old way and ours."""
    from opentelemetry.util.genai.utils import gen_ai_json_dumps

    from agent_otel.config import Settings
    from agent_otel.telemetry.content import ContentPolicy
    from agent_otel.telemetry.facts import Content
    from agent_otel.telemetry.messages import InputMessage, TextPart

    messages = [InputMessage(role=m["role"], parts=[TextPart(content=m["content"])]) for m in conversation()]
    out: dict[str, float] = {}

    def timed(fn: Callable[[], Any]) -> float:
        samples = []
        for _ in range(n):
            t0 = time.process_time_ns()
            fn()
            samples.append((time.process_time_ns() - t0) / 1000)
        return statistics.median(samples)

    out["json.dumps(asdict) (before issue 14)"] = timed(
        lambda: gen_ai_json_dumps([asdict(m) for m in messages])
    )
    with environment({CONTENT_ENV: "SPAN_ONLY"}):
        for label, settings in (
            ("ContentPolicy, default budget", Settings()),
            ("ContentPolicy, budget 8000", Settings(content_max_length=8000)),
            ("ContentPolicy, built-in redactors", Settings(content_redactor="builtin")),
        ):
            policy = ContentPolicy(None, settings)
            out[label] = timed(lambda p=policy: p.span_attributes(Content(input_messages=list(messages))))
    return out


def layer_calls(sdk: dict[str, Any], env: dict[str, str | None], unsampled: bool) -> int:
    """How many calls into the content layer 20 instrumented calls make (profiled)."""
    from opentelemetry import context, trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    messages = conversation()
    with instrumented(sdk, env):
        _, traced = _calls(messages)
        token = None
        if unsampled:
            parent = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(0))
            token = context.attach(trace.set_span_in_context(NonRecordingSpan(parent)))
        profile = cProfile.Profile()
        try:
            profile.enable()
            for _ in range(20):
                traced()
            profile.disable()
        finally:
            if token is not None:
                context.detach(token)
    stats = pstats.Stats(profile)
    count = 0
    for (filename, _, name), (calls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        ours = os.path.join("agent_otel", "telemetry", "") in filename
        policy = filename.endswith(os.sep + "content.py") and name in ("prepare", "new")
        in_layer = ours and (filename.endswith(LAYER_FILES) or policy)
        if in_layer:
            count += calls
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (noisier)")
    parser.add_argument("--n", type=int, default=None, help="pairs per case (600, quick 100)")
    args = parser.parse_args(argv)
    n = args.n or (100 if args.quick else 600)
    global ORIGINAL_CREATE
    from openai.resources.chat.completions import Completions

    ORIGINAL_CREATE = vars(Completions)["create"]
    sdk = full_sdk()
    print(f"conversation: {MESSAGES} messages x {MESSAGE_SIZE} chars; {n} pairs per case")

    print("serialization alone (median µs):")
    for label, value in serialization(n).items():
        print(f"  {label:42s} {value:8.1f}")

    cases = {
        "content on, default budget": {CONTENT_ENV: "SPAN_ONLY"},
        "content on, budget 8000 chars": {CONTENT_ENV: "SPAN_ONLY", "AGENT_OTEL_CONTENT_MAX_LENGTH": "8000"},
        "content on, built-in redactors": {
            CONTENT_ENV: "SPAN_ONLY",
            "AGENT_OTEL_CONTENT_REDACTOR": "builtin",
        },
    }
    print("end to end, openai chat call (added µs, median of paired differences):")
    added: dict[str, float] = {}
    for label, env in cases.items():
        stats = end_to_end(sdk, env, n)
        added[label] = stats.added
        iqr = f"IQR {stats.q1:.1f}..{stats.q3:.1f}; base {stats.base:.0f}"
        print(f"  {label:34s} +{stats.added:8.1f} µs  ({iqr})")
    base = added["content on, default budget"]
    for label, limit in zip(list(cases)[1:], (1000.0, 2500.0), strict=True):
        extra = added[label] - base
        case = f"20 x 2 KB conversation, {label.split(', ')[1]} (over the default)"
        summary_row(Row(case, extra, None, "-", "µs", f"<= {limit:.0f} µs", extra <= limit))

    off = layer_calls(sdk, {CONTENT_ENV: None}, unsampled=False)
    unsampled = layer_calls(sdk, {CONTENT_ENV: "SPAN_ONLY", "AGENT_OTEL_CONTENT_REDACTOR": "builtin"}, True)
    print(f"content-layer calls in 20 calls: capture off {off}, unsampled with content on {unsampled}")
    summary_row(Row("content layer calls, capture off", float(off), None, "-", "calls", "0", off == 0))
    summary_row(
        Row("content layer calls, unsampled", float(unsampled), None, "-", "calls", "0", unsampled == 0)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
