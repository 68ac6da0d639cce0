"""The lazy-patching instrumentor skeleton (openai, anthropic, mcp): patch each module when it is imported.

`instrument()` imports nothing from the library: a wrapt post-import hook on `library_module` (run at
once if it already is imported) asks the subclass for its targets, `_on_library(module)` ->
{module name: [(path, wrapper)]}, and registers one post-import hook per module, which wraps that
module's targets when it is first imported (so an app pays only for what it uses). `patched` lists what
was wrapped ("module:Class.method").

wrapt cannot remove an import hook, so every hook checks that the `Installation` that registered it is
still the live one (`uninstrument()` kills it), and patches a module once per installation.
"""

from __future__ import annotations

from typing import Any

import wrapt

from agent_otel.instrumentation._base import AgentOtelInstrumentor
from agent_otel.instrumentation._patching import Patcher
from agent_otel.telemetry.core import Telemetry
from agent_otel.telemetry.safety import report

# module name -> [(path, wrapper)]; a subclass may use other path values it handles itself (`_handled`).
Targets = dict[str, list[tuple[Any, Any]]]


class Installation:
    """One `instrument()`: its import hooks stay registered for good (wrapt cannot remove them), so
    each checks that the installation that registered it is still the live one."""

    __slots__ = ("alive", "hooked")

    def __init__(self) -> None:
        self.alive = True
        self.hooked: set[str] = set()


class LazyPatchingInstrumentor(AgentOtelInstrumentor):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        if not hasattr(self, "patched"):
            self.patched: list[str] = []
            self._installation: Installation | None = None

    def _install(self, telemetry: Telemetry, patcher: Patcher, **kwargs: Any) -> None:
        installation = self._new_installation()

        def on_library(module: Any) -> None:
            if installation.alive:
                try:
                    self._hook_targets(self._on_library(module), patcher, installation)
                except Exception as exc:
                    report(f"{self.scope_name}.install", exc)

        wrapt.register_post_import_hook(on_library, self.library_module)

    def _new_installation(self) -> Installation:
        installation = self._installation = Installation()
        self.patched = []
        return installation

    def _on_library(self, module: Any) -> Targets:
        """The library was imported: what to patch, by module."""
        raise NotImplementedError

    def _hook_targets(self, targets: Targets, patcher: Patcher, installation: Installation) -> None:
        for module_name, paths in targets.items():
            wrapt.register_post_import_hook(
                self._patch_hook(module_name, paths, patcher, installation), module_name
            )

    def _patch_hook(
        self, module_name: str, targets: list[tuple[Any, Any]], patcher: Patcher, installation: Installation
    ) -> Any:
        def hook(module: Any) -> None:
            if not installation.alive or module_name in installation.hooked:
                return
            installation.hooked.add(module_name)
            for path, wrapper in targets:
                try:
                    if self._handled(module, path):
                        continue
                    if patcher.wrap(module, path, wrapper):
                        self.patched.append(f"{module_name}:{path}")
                except Exception as exc:
                    report(f"{self.scope_name}.patch", exc)

        return hook

    def _handled(self, module: Any, path: Any) -> bool:
        """True when `path` of `module` is not to be wrapped (already is, or the subclass did something
        else with it). Called inside the hook's guard."""
        return False

    def _remove(self, **kwargs: Any) -> None:
        if self._installation is not None:
            self._installation.alive = False
            self._installation = None
        self.patched = []
