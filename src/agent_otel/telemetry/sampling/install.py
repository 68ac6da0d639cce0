"""What `AGENT_OTEL_SAMPLING=tail` does: put the tail sampler in front of the processors already configured.

Zero-code, `opentelemetry-instrument` builds the TracerProvider and its `BatchSpanProcessor(exporter)`
(and the LoggerProvider and its `BatchLogRecordProcessor`) before any instrumentor runs, and the SDK has
no public way to put a processor *in front of* another: `add_span_processor` appends, and every processor
sees every span. Nor can anything else reach those processors without replacing the user's configuration
(an exporter wrapper would need `OTEL_TRACES_EXPORTER` changed and never sees a span start; a configurator
entry point would replace the distro's). So every agent-otel instrumentor's `instrument()` calls `install`
(idempotent: once per provider), which moves the processors configured so far behind one
`TailSamplingSpanProcessor` (and `TailSamplingLogRecordProcessor`), keeping them and their order.

PRIVATE SDK STATE, the only one used: the provider's multi-processor (`TracerProvider._active_span_processor`
and `LoggerProvider._multi_log_record_processor`), whose `_span_processors` / `_log_record_processors`
tuple and `_lock` the SDK itself iterates and guards (unchanged since SDK 1.0). We replace the tuple under
its lock, so tracers created earlier (they hold the multi-processor, not the tuple) see the change.
tests/telemetry/sampling/test_install.py::test_sdk_private_processor_lists_the_installer_relies_on is the
contract test. A provider without them (not the SDK's) is left alone, with a warning.
Processors added to the provider after `instrument()` sit beside the sampler, not behind it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk._logs import LogRecordProcessor, SynchronousMultiLogRecordProcessor
from opentelemetry.sdk.trace import SpanProcessor, SynchronousMultiSpanProcessor

from agent_otel.config import sampling_from_env
from agent_otel.telemetry.safety import report
from agent_otel.telemetry.sampling.logs import TailSamplingLogRecordProcessor
from agent_otel.telemetry.sampling.policy import TailSamplingPolicy
from agent_otel.telemetry.sampling.processor import TailSamplingSpanProcessor

_logger = logging.getLogger("agent_otel")
_lock = threading.Lock()
_installed: weakref.WeakKeyDictionary[Any, TailSamplingSpanProcessor] = weakref.WeakKeyDictionary()


def install_from_env(**kwargs: Any) -> TailSamplingSpanProcessor | None:
    """`instrument(**kwargs)`'s hook: install when AGENT_OTEL_SAMPLING=tail (or `sampling="tail"`)."""
    try:
        wanted = sampling_from_env(**{k: v for k, v in kwargs.items() if k.startswith("sampling")})
        if not wanted.tail:
            return None
        return install(
            TailSamplingPolicy.from_options(wanted.options),
            tracer_provider=kwargs.get("tracer_provider"),
            logger_provider=kwargs.get("logger_provider"),
            meter_provider=kwargs.get("meter_provider"),
        )
    except Exception as exc:
        report("agent_otel.telemetry.sampling.install", exc)
        return None


def install(
    policy: TailSamplingPolicy | None = None,
    *,
    tracer_provider: Any = None,
    logger_provider: Any = None,
    meter_provider: Any = None,
) -> TailSamplingSpanProcessor | None:
    """Put a tail sampler in front of the span (and log record) processors of the given providers
    (default: the global ones). Returns it; a second call for the same provider returns the first one."""
    provider = tracer_provider or trace.get_tracer_provider()
    multi = getattr(provider, "_active_span_processor", None)
    if not isinstance(getattr(multi, "_span_processors", None), tuple) or not hasattr(multi, "_lock"):
        _logger.warning(
            "agent-otel: tail sampling needs the OpenTelemetry SDK's TracerProvider set up before "
            "instrument() (found %s); nothing installed. Without opentelemetry-instrument, add "
            "TailSamplingSpanProcessor to your provider yourself (README, 'Tail sampling').",
            type(provider).__name__,
        )
        return None
    with _lock:
        sampler = _installed.get(provider)
        if sampler is not None:
            return sampler
        sampler = next((p for p in multi._span_processors if isinstance(p, TailSamplingSpanProcessor)), None)
        if sampler is None:
            behind = SynchronousMultiSpanProcessor()
            with multi._lock:
                for processor in multi._span_processors:
                    behind.add_span_processor(processor)
                sampler = TailSamplingSpanProcessor(behind, policy, meter_provider=meter_provider)
                multi._span_processors = (sampler,)
        _installed[provider] = sampler
    _install_logs(sampler, logger_provider)
    return sampler


def _install_logs(sampler: TailSamplingSpanProcessor, logger_provider: Any) -> None:
    if logger_provider is None:
        from opentelemetry._logs import get_logger_provider

        logger_provider = get_logger_provider()
    multi = getattr(logger_provider, "_multi_log_record_processor", None)
    if not isinstance(getattr(multi, "_log_record_processors", None), tuple) or not hasattr(multi, "_lock"):
        return  # no SDK LoggerProvider: no log records to hold back
    with multi._lock:
        current: tuple[LogRecordProcessor, ...] = multi._log_record_processors
        if any(isinstance(p, TailSamplingLogRecordProcessor) for p in current):
            return
        behind = SynchronousMultiLogRecordProcessor()
        for processor in current:
            behind.add_log_record_processor(processor)
        multi._log_record_processors = (TailSamplingLogRecordProcessor(behind, sampler),)


def installed(tracer_provider: Any) -> SpanProcessor | None:
    """The sampler `install` put on `tracer_provider`, if any."""
    return _installed.get(tracer_provider)
