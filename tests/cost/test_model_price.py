"""ModelPrice.cost: the arithmetic, checked against hand-computed values (prices are per million tokens)."""

from __future__ import annotations

import pytest

from agent_otel.telemetry.cost import ModelPrice

# gpt-4o as shipped: input 2.50, cached input 1.25, output 10.00 (USD per 1M tokens).
GPT_4O = ModelPrice(input=2.5, cached_input=1.25, output=10.0)
# o4-mini: input 1.10, cached 0.275, output 4.40; reasoning billed as output (no reasoning price).
O4_MINI = ModelPrice(input=1.1, cached_input=0.275, output=4.4)
# claude-sonnet-4: input 3, cache read 0.30, 5-minute cache write 3.75, output 15.
SONNET_4 = ModelPrice(input=3.0, cached_input=0.3, cache_write=3.75, output=15.0)


def test_plain_input_and_output() -> None:
    # 1000 * 2.5 + 500 * 10 = 7500 micro-dollars.
    assert GPT_4O.cost(1000, 500) == 0.0075


def test_openai_cached_input_is_priced_at_the_cached_rate() -> None:
    # OpenAI: prompt_tokens=2000 includes cached_tokens=1536.
    # 464 * 2.5 + 1536 * 1.25 + 100 * 10 = 1160 + 1920 + 1000 = 4080 micro-dollars.
    assert GPT_4O.cost(2000, 100, cache_read_tokens=1536) == pytest.approx(0.00408, abs=1e-12)


def test_openai_reasoning_tokens_are_output_at_the_output_price() -> None:
    # completion_tokens=1200 includes reasoning_tokens=1000; both at 4.40.
    # 300 * 1.1 + 1200 * 4.4 = 330 + 5280 = 5610 micro-dollars, whatever the reasoning split.
    assert O4_MINI.cost(300, 1200, reasoning_tokens=1000) == pytest.approx(0.00561, abs=1e-12)
    assert O4_MINI.cost(300, 1200, reasoning_tokens=1000) == O4_MINI.cost(300, 1200)


def test_openai_cache_write_costs_the_input_price_when_no_write_price() -> None:
    # 1000 input of which 400 written to the cache: no surcharge, 1000 * 2.5 = 2500 micro-dollars.
    assert GPT_4O.cost(1000, 0, cache_write_tokens=400) == 0.0025


def test_anthropic_cache_reads_and_writes_at_their_own_prices() -> None:
    # GenAI input_tokens = 100 fresh + 2000 cache read + 1000 cache write = 3100.
    # 100 * 3 + 2000 * 0.30 + 1000 * 3.75 + 50 * 15 = 300 + 600 + 3750 + 750 = 5400 micro-dollars.
    assert SONNET_4.cost(3100, 50, cache_read_tokens=2000, cache_write_tokens=1000) == pytest.approx(
        0.0054, abs=1e-12
    )


def test_separate_reasoning_price_is_used_when_given() -> None:
    price = ModelPrice(input=1.0, output=10.0, reasoning=20.0)
    # 100 * 1 + (500 - 200) * 10 + 200 * 20 = 100 + 3000 + 4000 = 7100 micro-dollars.
    assert price.cost(100, 500, reasoning_tokens=200) == pytest.approx(0.0071, abs=1e-12)


def test_subsets_larger_than_their_total_are_clamped() -> None:
    # cache reads (5000) cannot exceed input (1000): all 1000 at 1.25, none at 2.5.
    assert GPT_4O.cost(1000, 0, cache_read_tokens=5000) == 0.00125
    # reads take the whole input, so the cache writes have nothing left to take.
    assert SONNET_4.cost(1000, 0, cache_read_tokens=1000, cache_write_tokens=1000) == pytest.approx(
        0.0003, abs=1e-12
    )
    # reasoning (900) cannot exceed output (100).
    price = ModelPrice(input=0.0, output=10.0, reasoning=20.0)
    assert price.cost(0, 100, reasoning_tokens=900) == pytest.approx(0.002, abs=1e-12)


def test_missing_and_negative_counts_count_as_zero() -> None:
    assert GPT_4O.cost(None, None) == 0.0
    assert GPT_4O.cost(-100, 500) == 0.005
    assert GPT_4O.cost(1000, -1, cache_read_tokens=-5) == 0.0025


def test_no_float_noise_in_the_result() -> None:
    # 3 * 0.1 per million is 3.0000000000000004e-07 in naive float arithmetic.
    assert ModelPrice(input=0.1, output=0.0).cost(3, 0) == 3e-07
