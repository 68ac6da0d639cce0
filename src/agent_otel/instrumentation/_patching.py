"""Monkey-patching with exact restoration.

`Patcher.wrap(owner, "Class.method", wrapper)` installs a wrapt `FunctionWrapper` on a class (or module)
attribute and remembers the attribute's original value, as stored in the owner's `__dict__`, so that
`restore()` puts back the very same object (tests check this by identity). A missing target (an older
library version without that method) is logged at DEBUG and skipped, never an error.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

import wrapt

_logger = logging.getLogger(__name__)

_MISSING = object()


class Patcher:
    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, Any]] = []

    def wrap(self, module: str | Any, path: str, wrapper: Callable[..., Any]) -> bool:
        """Wrap `module.path` (e.g. ("openai.resources.chat.completions", "Completions.create")).

        Returns False, and wraps nothing, when the module or attribute does not exist.
        """
        try:
            owner: Any = importlib.import_module(module) if isinstance(module, str) else module
            *parents, attr = path.split(".")
            for name in parents:
                owner = getattr(owner, name)
        except (ImportError, AttributeError):
            _logger.debug("agent-otel: %s.%s not found; not instrumented", module, path)
            return False
        original = vars(owner).get(attr, _MISSING) if hasattr(owner, "__dict__") else _MISSING
        if original is _MISSING:
            _logger.debug("agent-otel: %s.%s is inherited or missing; not instrumented", module, path)
            return False
        wrapt.wrap_function_wrapper(owner, attr, wrapper)
        self._saved.append((owner, attr, original))
        return True

    def restore(self) -> None:
        """Put every wrapped attribute back, newest first."""
        while self._saved:
            owner, attr, original = self._saved.pop()
            setattr(owner, attr, original)

    @property
    def targets(self) -> list[tuple[Any, str, Any]]:
        return list(self._saved)
