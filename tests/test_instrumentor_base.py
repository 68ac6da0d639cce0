"""The behaviour every agent-otel instrumentor inherits from `AgentOtelInstrumentor`: settings, the
enable switch, a missing library, a failing install, and the thread-propagation switch."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from agent_otel import threads
from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry

ORIGINAL_SUBMIT = vars(ThreadPoolExecutor)["submit"]


class _Target:
    def method(self) -> str:
        return "original"


class _Probe(AgentOtelInstrumentor):
    library_module = "json"  # always importable
    dependencies = ()
    scope_name = "agent_otel.test"
    installs = 0
    fail_install = False

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        type(self).installs += 1
        patcher.wrap(__name__, "_Target.method", lambda wrapped, inst, a, kw: "patched")
        if self.fail_install:
            raise RuntimeError("library changed shape")


class _Absent(_Probe):
    _instance = None  # BaseInstrumentor is a per-class singleton; don't inherit _Probe's instance
    library_module = "agent_otel_no_such_library"


@pytest.fixture(autouse=True)
def _reset(monkeypatch: pytest.MonkeyPatch) -> Any:
    for var in ("AGENT_OTEL_ENABLED", "AGENT_OTEL_PROPAGATE_THREADS"):
        monkeypatch.delenv(var, raising=False)
    _Probe.installs = 0
    _Probe.fail_install = False
    yield
    for cls in (_Probe, _Absent):
        if cls().is_instrumented_by_opentelemetry:
            cls().uninstrument()
    assert vars(ThreadPoolExecutor)["submit"] is ORIGINAL_SUBMIT


def test_instrument_patches_and_uninstrument_restores_by_identity(otel: Any) -> None:
    original = vars(_Target)["method"]
    probe = _Probe()
    probe.instrument(**otel.providers)
    assert _Target().method() == "patched"
    assert probe.active and isinstance(probe.telemetry, Telemetry)
    probe.instrument(**otel.providers)  # a second instrument() does nothing
    assert _Probe.installs == 1
    probe.uninstrument()
    assert vars(_Target)["method"] is original
    assert not probe.active


def test_disabled_by_environment(otel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_OTEL_ENABLED", "false")
    _Probe().instrument(**otel.providers)
    assert _Probe.installs == 0
    assert _Target().method() == "original"


def test_missing_library_is_not_an_error(otel: Any) -> None:
    _Absent().instrument(**otel.providers)
    assert _Probe.installs == 0
    assert _Target().method() == "original"


def test_a_failing_install_is_undone_and_logged(otel: Any, caplog: pytest.LogCaptureFixture) -> None:
    _Probe.fail_install = True
    with caplog.at_level(logging.ERROR):
        _Probe().instrument(**otel.providers)  # must not raise
    assert _Target().method() == "original"
    assert "could not instrument" in caplog.text
    assert not threads.installed()


def test_thread_propagation_is_on_by_default_and_reference_counted(otel: Any) -> None:
    _Probe().instrument(**otel.providers)
    _Absent.library_module = "json"
    try:
        _Absent().instrument(**otel.providers)
        assert threads.installed()
        _Probe().uninstrument()
        assert threads.installed(), "the other instrumentor still needs it"
        _Absent().uninstrument()
        assert vars(ThreadPoolExecutor)["submit"] is ORIGINAL_SUBMIT
    finally:
        _Absent.library_module = "agent_otel_no_such_library"


@pytest.mark.parametrize("how", ["kwarg", "env"])
def test_thread_propagation_can_be_turned_off(otel: Any, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "env":
        monkeypatch.setenv("AGENT_OTEL_PROPAGATE_THREADS", "false")
        _Probe().instrument(**otel.providers)
    else:
        _Probe().instrument(propagate_threads=False, **otel.providers)
    assert _Probe.installs == 1
    assert not threads.installed()
