"""The pricing table and cost computation.

Prices are per million tokens (USD unless an entry says otherwise), shipped in `pricing.json` (each
with its date and source) and extended or overridden by a JSON file named in AGENT_OTEL_PRICING_FILE
or passed to `instrument()` (`pricing_file=` or `prices=`). A model the table does not know gets no
cost, never zero; an entry set to `null` removes a shipped model (it is then unknown).

Token accounting follows the GenAI conventions: `input_tokens` includes cache reads and writes and
`output_tokens` includes reasoning tokens, so each subset is priced at its own rate and removed from
the plain rate. When an entry gives no `cached_input`, `cache_write` or `reasoning` price, those tokens
cost the plain input or output price: that is how OpenAI bills cache writes (free beyond the input
price) and reasoning tokens (output price).

Model lookup is deliberately strict, because a wrong price is worse than none: the exact name, then
the name without a provider prefix (`openai/gpt-4o`, Bedrock's `us.anthropic.claude-...`) and without
a snapshot suffix (a date such as `-2024-08-06`, `-20250514`, `-0613` or `@20240620`, a version
number such as `-001`, `-latest`, a Bedrock version `-v1:0`). Variants that are priced differently
(`gpt-5-pro`, `o1-mini`, `gpt-4o-mini-tts`) never fall back to their base model's price.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from agent_otel.telemetry.facts import Usage

_logger = logging.getLogger(__name__)

_PER = 1_000_000.0
_MEMO_LIMIT = 4096

# A leading "<provider>/" (OpenRouter, LiteLLM, Gemini's "models/") or Bedrock "<region>.<vendor>.".
_PROVIDER_PREFIX = re.compile(
    r"^(?:[a-z0-9_-]+/)+|^(?:[a-z]{2}\.)?(?:anthropic|openai|meta|mistral|cohere)\."
)
# Snapshot suffixes, stripped one at a time from the end: Bedrock version, date, "-latest".
_SNAPSHOT_SUFFIXES = (
    re.compile(r"-v\d+(?::\d+)?$"),  # anthropic.claude-3-5-sonnet-20240620-v1:0
    re.compile(r"[-@](?:\d{4}-\d{2}-\d{2}|\d{8})$"),  # gpt-4o-2024-08-06, claude-...-20250514, @20240620
    re.compile(r"-\d{3,4}$"),  # gpt-4-0613, gpt-3.5-turbo-0125, gemini-2.0-flash-001
    re.compile(r"-latest$"),  # claude-3-5-sonnet-latest
)


@dataclass(frozen=True)
class ModelPrice:
    """Prices for one model, `currency` (USD by default) per million tokens."""

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
        """The cost of one call.

        `input_tokens` includes `cache_read_tokens` and `cache_write_tokens`; `output_tokens` includes
        `reasoning_tokens` (the GenAI conventions' accounting). Subsets larger than their total are
        clamped to it; negative or missing counts count as zero.
        """
        inp = input_tokens if type(input_tokens) is int and input_tokens > 0 else _count(input_tokens)
        out = output_tokens if type(output_tokens) is int and output_tokens > 0 else _count(output_tokens)
        if not (cache_read_tokens or cache_write_tokens or reasoning_tokens):
            # No subset to price apart (the common case): the same sum as below, without its zero terms.
            return round((inp * self.input + out * self.output) / _PER, 12)
        cread = min(_count(cache_read_tokens), inp)
        cwrite = min(_count(cache_write_tokens), inp - cread)
        reason = min(_count(reasoning_tokens), out)
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
        # Rounded to 1e-12 of the currency unit: keeps 0.0075 from printing as 0.007500000000000001.
        return round(total / _PER, 12)


def _count(value: int | None) -> int:
    if not value or value < 0:
        return 0
    return int(value)


def _price(name: str, raw: Mapping[str, Any], field: str, required: bool) -> float | None:
    value = raw.get(field)
    if value is None:
        if required:
            raise ValueError(f"price for model {name!r} has no {field!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"price for model {name!r}: {field!r} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"price for model {name!r}: {field!r} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"price for model {name!r}: {field!r} must be a finite number >= 0, got {value!r}")
    return number


def _entry(name: str, raw: Mapping[str, Any], currency: str) -> ModelPrice:
    """One model's prices; raises ValueError when they are not usable."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"price for model {name!r} must be an object, got {type(raw).__name__}")
    try:
        return ModelPrice(
            input=_price(name, raw, "input", required=True),  # type: ignore[arg-type]
            output=_price(name, raw, "output", required=False) or 0.0,
            cached_input=_price(name, raw, "cached_input", required=False),
            cache_write=_price(name, raw, "cache_write", required=False),
            reasoning=_price(name, raw, "reasoning", required=False),
            currency=str(raw.get("currency") or currency),
            provider=None if raw.get("provider") is None else str(raw["provider"]),
            as_of=None if raw.get("as_of") is None else str(raw["as_of"]),
            source=None if raw.get("source") is None else str(raw["source"]),
        )
    except ValueError:
        raise
    except (TypeError, KeyError) as exc:  # a mapping whose values misbehave
        raise ValueError(f"price for model {name!r} is invalid: {exc!r}") from exc


def parse_prices(document: Mapping[str, Any]) -> dict[str, ModelPrice | None]:
    """Parse a pricing document: {"currency": "USD", "models": {name: {input, output, ...} | null}}.

    A bare {name: {...}} mapping is accepted too. A `null` entry means "remove this model". An entry
    that is not usable is logged and skipped; the others are kept.
    """
    if not isinstance(document, Mapping):
        raise ValueError(f"a pricing document must be a JSON object, got {type(document).__name__}")
    currency = str(document.get("currency") or "USD")
    models = document.get("models", None)
    if models is None:
        models = {
            k: v
            for k, v in document.items()
            if not str(k).startswith("_") and (v is None or isinstance(v, Mapping))
        }
    if not isinstance(models, Mapping):
        raise ValueError("pricing document: 'models' must be an object of model name to prices")
    out: dict[str, ModelPrice | None] = {}
    for name, raw in models.items():
        if raw is None:
            out[str(name)] = None
            continue
        try:
            out[str(name)] = _entry(str(name), raw, currency)
        except ValueError as exc:
            _logger.error("agent-otel: ignoring a price: %s", exc)
    return out


def load_price_file(path: str | Path) -> dict[str, ModelPrice | None]:
    with open(path, encoding="utf-8") as fh:
        return parse_prices(json.load(fh))


def _shipped() -> dict[str, ModelPrice | None]:
    text = resources.files("agent_otel.telemetry").joinpath("pricing.json").read_text("utf-8")
    return parse_prices(json.loads(text))


def _apply(table: dict[str, ModelPrice], updates: Mapping[str, ModelPrice | None]) -> None:
    for name, price in updates.items():
        if price is None:
            table.pop(name, None)
        else:
            table[name] = price


class PriceTable:
    """Looks models up: the exact name, then without provider prefix and snapshot suffix."""

    def __init__(self, prices: Mapping[str, ModelPrice]) -> None:
        self._prices = dict(prices)
        self._lower = {name.lower(): price for name, price in self._prices.items()}
        self._memo: dict[str, ModelPrice | None] = {}

    @classmethod
    def build(
        cls,
        pricing_file: str | Path | None = None,
        prices: Mapping[str, ModelPrice | Mapping[str, Any] | None] | None = None,
    ) -> PriceTable:
        """The shipped table, then `pricing_file`, then `prices` (each overriding what came before).

        A file that cannot be read and an entry that is not usable are logged and skipped: a bad
        price must not stop the app.
        """
        table: dict[str, ModelPrice] = {}
        _apply(table, _shipped())
        if pricing_file:
            try:
                _apply(table, load_price_file(pricing_file))
            except (OSError, ValueError) as exc:
                _logger.error("agent-otel: cannot load pricing file %s: %s", pricing_file, exc)
        if prices:
            try:
                items = list(prices.items())
            except Exception as exc:
                _logger.error("agent-otel: ignoring prices=%r: %s", prices, exc)
                items = []
            for name, value in items:
                if value is None or isinstance(value, ModelPrice):
                    _apply(table, {str(name): value})
                    continue
                try:
                    table[str(name)] = _entry(str(name), value, "USD")
                except ValueError as exc:
                    _logger.error("agent-otel: ignoring a price: %s", exc)
        return cls(table)

    def lookup(self, model: str | None) -> ModelPrice | None:
        if not model or not isinstance(model, str):
            return None
        memo = self._memo
        if model in memo:
            return memo[model]
        found = self._find(model)
        if len(memo) < _MEMO_LIMIT:
            memo[model] = found
        return found

    def _find(self, model: str) -> ModelPrice | None:
        found = self._prices.get(model)
        if found is not None:
            return found
        prices = self._lower
        name = model.strip().lower()
        found = prices.get(name)
        if found is not None:
            return found
        unprefixed = _PROVIDER_PREFIX.sub("", name, count=1)
        if unprefixed != name:
            found = prices.get(unprefixed)
            if found is not None:
                return found
            name = unprefixed
        for suffix in _SNAPSHOT_SUFFIXES:
            stripped = suffix.sub("", name, count=1)
            if stripped != name and stripped:
                name = stripped
                found = prices.get(name)
                if found is not None:
                    return found
        return None

    def __contains__(self, model: str) -> bool:
        return self.lookup(model) is not None

    def __len__(self) -> int:
        return len(self._prices)

    def models(self) -> dict[str, ModelPrice]:
        """A copy of every known model's price, by name."""
        return dict(self._prices)


@dataclass(slots=True)
class Cost:
    """The cost of one call."""

    amount: float
    currency: str


def price_usage(
    prices: PriceTable | None, usage: Usage, response_model: str | None, request_model: str | None
) -> Cost | None:
    """The one price lookup every path uses: the response model's price, else the request model's; None
    when cost is off, nothing was used, or neither model is known."""
    if prices is None or not (usage.input or usage.output):
        return None
    price = prices.lookup(response_model) or prices.lookup(request_model)
    if price is None:
        return None
    amount = price.cost(usage.input, usage.output, usage.cache_read, usage.cache_write, usage.reasoning)
    return Cost(amount, price.currency)
