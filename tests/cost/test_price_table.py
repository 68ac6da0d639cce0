"""PriceTable: the shipped table, strict model lookup, and overrides from a file and from `prices=`."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

from agent_otel.telemetry.cost import ModelPrice, PriceTable, parse_prices


@pytest.fixture(scope="module")
def shipped() -> PriceTable:
    return PriceTable.build()


def test_every_shipped_price_has_a_date_a_source_and_sane_numbers(shipped: PriceTable) -> None:
    assert len(shipped) >= 40
    for name, price in shipped.models().items():
        assert price.as_of and len(price.as_of) == 10, name
        assert price.source and price.source.startswith("https://"), name
        assert price.provider, name
        assert price.currency == "USD", name
        for value in (price.input, price.output, price.cached_input, price.cache_write, price.reasoning):
            assert value is None or (math.isfinite(value) and value >= 0), name
        if price.cached_input is not None:
            assert price.cached_input < price.input, name


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),  # dated snapshot
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # a snapshot priced differently has its own entry
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4-0613", "gpt-4"),
        ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
        ("o1-2024-12-17", "o1"),
        ("o1-mini-2024-09-12", "o1-mini"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet"),  # Bedrock
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),  # Bedrock inference profile
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),  # Vertex
        ("openai/gpt-4.1-mini", "gpt-4.1-mini"),  # router-style provider prefix
        ("GPT-4o", "gpt-4o"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
    ],
)
def test_lookup_finds_snapshots_and_prefixed_names(shipped: PriceTable, model: str, expected: str) -> None:
    assert shipped.lookup(model) is shipped.models()[expected]


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o-mini-tts",  # a different product, never the base model's price
        "gpt-5.1-codex-max",
        "gpt-4o-realtime-preview",
        "o1-preview-2024-09-12",
        "ft:gpt-4o-mini-2024-07-18:acme::abc123",  # fine-tunes are billed differently
        "my-azure-deployment",
        "llama3:8b",
        "",
        None,
    ],
)
def test_unknown_models_and_variants_have_no_price(shipped: PriceTable, model: str | None) -> None:
    assert shipped.lookup(model) is None


def test_variants_priced_differently_never_fall_back_to_the_base_model(shipped: PriceTable) -> None:
    assert shipped.lookup("gpt-5-pro").input == 15.0  # not gpt-5's 1.25
    assert shipped.lookup("o1-pro").input == 150.0  # not o1's 15
    assert shipped.lookup("o1-mini").input == 1.1
    assert shipped.lookup("claude-opus-4-5").input == 5.0  # not claude-opus-4's 15


def test_lookup_is_memoised_and_bounded(shipped: PriceTable) -> None:
    table = PriceTable({"m": ModelPrice(input=1.0, output=1.0)})
    assert table.lookup("m-2024-01-01") is table.lookup("m-2024-01-01")
    for i in range(5000):
        table.lookup(f"unknown-{i}")
    assert len(table._memo) <= 4096


def test_pricing_file_overrides_extends_and_removes(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "currency": "EUR",
                "models": {
                    "gpt-4o": {"input": 1.0, "output": 2.0},
                    "my-model": {"input": 0.5, "output": 1.5, "cached_input": 0.1, "currency": "USD"},
                    "gpt-4.1": None,
                },
            }
        )
    )
    table = PriceTable.build(path)
    assert table.lookup("gpt-4o") == ModelPrice(input=1.0, output=2.0, currency="EUR")
    assert table.lookup("gpt-4o-2024-08-06").currency == "EUR"
    assert table.lookup("my-model").cached_input == 0.1
    assert table.lookup("my-model").currency == "USD"
    assert table.lookup("gpt-4.1") is None  # removed: unknown, so no cost
    assert table.lookup("gpt-5") is not None  # the rest of the shipped table is kept


def test_user_model_names_match_in_any_case_and_with_snapshots() -> None:
    table = PriceTable.build(prices={"Acme-Large": {"input": 1.0, "output": 2.0}})
    for name in ("Acme-Large", "acme-large", "ACME-LARGE-2025-01-01", "acme/acme-large"):
        assert table.lookup(name) == ModelPrice(input=1.0, output=2.0), name


def test_prices_argument_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"my-model": {"input": 0.5, "output": 1.5}}))  # bare mapping form
    table = PriceTable.build(
        path, {"my-model": {"input": 9.0, "output": 9.0}, "other": ModelPrice(input=1.0, output=1.0)}
    )
    assert table.lookup("my-model").input == 9.0
    assert table.lookup("other").input == 1.0


def test_a_bad_file_is_logged_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with caplog.at_level(logging.ERROR, logger="agent_otel.telemetry.cost"):
        table = PriceTable.build(path)
    assert table.lookup("gpt-4o") is not None
    assert "cannot load pricing file" in caplog.text
    with caplog.at_level(logging.ERROR, logger="agent_otel.telemetry.cost"):
        assert PriceTable.build(tmp_path / "missing.json").lookup("gpt-4o") is not None
    assert "missing.json" in caplog.text


@pytest.mark.parametrize(
    "bad",
    [
        {"output": 1.0},  # no input price
        {"input": -1.0, "output": 1.0},
        {"input": "cheap", "output": 1.0},
        {"input": float("nan"), "output": 1.0},
        {"input": True, "output": 1.0},
        {"input": 1.0, "cached_input": [1], "output": 1.0},
        "1.0",
    ],
)
def test_a_bad_entry_is_skipped_and_the_rest_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: object
) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"models": {"bad": bad, "good": {"input": 1.0, "output": 2.0}}}))
    with caplog.at_level(logging.ERROR, logger="agent_otel.telemetry.cost"):
        table = PriceTable.build(path, {"bad2": bad})  # type: ignore[dict-item]
    assert table.lookup("good") == ModelPrice(input=1.0, output=2.0)
    assert table.lookup("bad") is None
    assert table.lookup("bad2") is None
    assert "'bad'" in caplog.text and "'bad2'" in caplog.text


def test_parse_prices_rejects_a_document_that_is_not_an_object() -> None:
    with pytest.raises(ValueError):
        parse_prices([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_prices({"models": [1, 2]})
