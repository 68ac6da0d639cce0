"""The pricing table and cost computation.

Prices are USD per million tokens, shipped in `pricing.json` (each with its date and source) and
extended or overridden by a JSON file named in AGENT_OTEL_PRICING_FILE or passed to `instrument()`
(`pricing_file=` or `prices=`). A model the table does not know gets no cost, never zero.

Token accounting follows the GenAI conventions: `input_tokens` includes cache reads and writes and
`output_tokens` includes reasoning tokens, so each subset is priced at its own rate and removed from
the plain rate. For OpenAI, cache writes cost the input price and reasoning the output price, which
are the defaults when an entry gives no `cache_write` or `reasoning` price.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

_logger = logging.getLogger(__name__)

_PER = 1_000_000.0


@dataclass(frozen=True)
class ModelPrice:
    """Prices for one model, USD (or `currency`) per million tokens."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    currency: str = "USD"
    provider: str | None = None
    as_of: str | None = None
    source: str | None = None

    def cost(
        self,
        input_tokens: int | None,
        output_tokens: int | None,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        reasoning_tokens: int | None = None,
    ) -> float:
        inp = input_tokens or 0
        out = output_tokens or 0
        cread = min(cache_read_tokens or 0, inp)
        cwrite = min(cache_write_tokens or 0, inp - cread)
        reason = min(reasoning_tokens or 0, out)
        cached_price = self.input if self.cached_input is None else self.cached_input
        write_price = self.input if self.cache_write is None else self.cache_write
        reasoning_price = self.output if self.reasoning is None else self.reasoning
        total = (
            (inp - cread - cwrite) * self.input
            + cread * cached_price
            + cwrite * write_price
            + (out - reason) * self.output
            + reason * reasoning_price
        )
        return total / _PER


def _entry(name: str, raw: Mapping[str, Any], currency: str) -> ModelPrice:
    try:
        return ModelPrice(
            input=float(raw["input"]),
            output=float(raw.get("output", 0.0)),
            cached_input=None if raw.get("cached_input") is None else float(raw["cached_input"]),
            cache_write=None if raw.get("cache_write") is None else float(raw["cache_write"]),
            reasoning=None if raw.get("reasoning") is None else float(raw["reasoning"]),
            currency=str(raw.get("currency", currency)),
            provider=raw.get("provider"),
            as_of=raw.get("as_of"),
            source=raw.get("source"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"price for model {name!r} is invalid: {exc!r} (needs at least 'input')") from exc


def parse_prices(document: Mapping[str, Any]) -> dict[str, ModelPrice]:
    """Parse a pricing document: {"currency": "USD", "models": {name: {input, output, ...}}}.

    A bare {name: {...}} mapping is accepted too.
    """
    currency = str(document.get("currency", "USD"))
    models = document.get("models", None)
    if models is None:
        models = {k: v for k, v in document.items() if not k.startswith("_") and isinstance(v, Mapping)}
    if not isinstance(models, Mapping):
        raise ValueError("pricing document: 'models' must be an object of model name to prices")
    return {str(name): _entry(str(name), raw, currency) for name, raw in models.items()}


def load_price_file(path: str | Path) -> dict[str, ModelPrice]:
    with open(path, encoding="utf-8") as fh:
        return parse_prices(json.load(fh))


def _shipped() -> dict[str, ModelPrice]:
    text = resources.files("agent_otel.telemetry").joinpath("pricing.json").read_text("utf-8")
    return parse_prices(json.loads(text))


class PriceTable:
    """Looks models up: exact name first, then the longest known prefix (dated snapshots)."""

    def __init__(self, prices: Mapping[str, ModelPrice]) -> None:
        self._prices = dict(prices)
        self._by_length = sorted(self._prices, key=len, reverse=True)
        self._memo: dict[str, ModelPrice | None] = {}

    @classmethod
    def build(
        cls,
        pricing_file: str | Path | None = None,
        prices: Mapping[str, ModelPrice | Mapping[str, Any]] | None = None,
    ) -> PriceTable:
        """The shipped table, then `pricing_file`, then `prices` (each overriding what came before).

        A file that cannot be read is logged and skipped: a bad price file must not stop the app.
        """
        table = _shipped()
        if pricing_file:
            try:
                table.update(load_price_file(pricing_file))
            except (OSError, ValueError) as exc:
                _logger.error("agent-otel: cannot load pricing file %s: %s", pricing_file, exc)
        if prices:
            for name, value in prices.items():
                table[name] = value if isinstance(value, ModelPrice) else _entry(name, value, "USD")
        return cls(table)

    def lookup(self, model: str | None) -> ModelPrice | None:
        if not model:
            return None
        memo = self._memo
        if model in memo:
            return memo[model]
        found = self._prices.get(model)
        if found is None:
            for known in self._by_length:
                if model.startswith(known) and model[len(known) : len(known) + 1] in ("-", ":", "@", ""):
                    found = self._prices[known]
                    break
        if len(memo) < 4096:
            memo[model] = found
        return found

    def __contains__(self, model: str) -> bool:
        return self.lookup(model) is not None
