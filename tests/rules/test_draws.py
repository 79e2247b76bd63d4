"""Weighted draws the rules share: one by weight, several without replacement (`draws`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numba import njit

from pipsim.rules import draws
from tests.strategies import seeds, unit

# Many draws from one generator, in compiled loops (a Python call per draw costs more than it).


@njit(cache=True)
def _choices(rng: np.random.Generator, weights: np.ndarray, times: int) -> np.ndarray:
    out = np.empty(times, dtype=np.int64)
    for t in range(times):
        out[t] = draws.choose(rng, weights, len(weights))
    return out


@njit(cache=True)
def _samples(rng: np.random.Generator, weights: np.ndarray, k: int, times: int) -> np.ndarray:
    """``times`` samples of ``k``: a row each, -1 after the last index drawn."""
    out = np.full((times, k), -1, dtype=np.int64)
    for t in range(times):
        draws.sample(rng, weights, len(weights), k, out[t])
    return out


@njit(cache=True)
def _plans(rng: np.random.Generator, rate: float, times: int) -> np.ndarray:
    out = np.empty(times, dtype=np.int64)
    for t in range(times):
        out[t] = draws.whole_and_chance(rng, rate)
    return out


@njit(cache=True)
def _events(rng: np.random.Generator, probability: float, times: int) -> np.ndarray:
    out = np.empty(times, dtype=np.bool_)
    for t in range(times):
        out[t] = draws.happens(rng, probability)
    return out


def _sample(rng: np.random.Generator, weights, k: int) -> list[int]:
    weights = np.asarray(weights, dtype=float)
    out = np.full(len(weights), -1, dtype=np.int64)
    drawn = draws.sample(rng, weights, len(weights), k, out)
    assert np.all(out[drawn:] == -1)  # nothing written past the indices drawn
    return out[:drawn].tolist()


# --- one index by weight -----------------------------------------------------------------------
@given(
    weights=hnp.arrays(
        np.float64, st.integers(1, 20), elements=st.floats(0.0, 10.0, allow_subnormal=False)
    ),
    seed=seeds,
)
def test_choose_draws_an_index_of_positive_weight(weights, seed):
    assume(weights.sum() > 0)
    drawn = draws.choose(np.random.default_rng(seed), weights, len(weights))
    assert 0 <= drawn < len(weights)
    assert weights[drawn] > 0


def test_choose_is_proportional_to_the_weights():
    rng = np.random.default_rng(7)
    weights = np.array([1.0, 0.0, 3.0, 6.0])
    drawn = _choices(rng, weights, 20_000)
    shares = np.bincount(drawn, minlength=4) / 20_000
    np.testing.assert_allclose(shares, weights / weights.sum(), atol=0.015)
    assert shares[1] == 0.0


def test_choose_reads_only_the_first_count_weights():
    rng = np.random.default_rng(0)
    weights = np.array([0.0, 1.0, 1e9])
    assert all(draws.choose(rng, weights, 2) == 1 for _ in range(50))


# --- several without replacement ---------------------------------------------------------------
@given(
    weights=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.01, 10.0)),
    data=st.data(),
    seed=seeds,
)
def test_sample_draws_k_distinct_indices(weights, data, seed):
    k = data.draw(st.integers(1, len(weights)))
    drawn = _sample(np.random.default_rng(seed), weights, k)
    assert len(drawn) == k
    assert len(set(drawn)) == k
    assert all(0 <= i < len(weights) for i in drawn)


def test_sample_never_draws_a_weight_of_zero():
    rng = np.random.default_rng(3)
    # fewer positive weights than k: all of them, and no more
    assert sorted(_sample(rng, [0.0, 1.0, 0.0, 2.0], 3)) == [1, 3]
    assert _sample(rng, [5.0, 0.0, 0.0, 0.0], 2) == [0]
    assert _sample(rng, [0.0, 0.0], 2) == []


def test_sample_of_one_is_proportional_to_the_weights():
    rng = np.random.default_rng(11)
    drawn = _samples(rng, np.array([1.0, 2.0, 7.0]), 1, 20_000)[:, 0]
    shares = np.bincount(drawn, minlength=3) / 20_000
    np.testing.assert_allclose(shares, [0.1, 0.2, 0.7], atol=0.015)


def test_sample_of_two_follows_drawing_one_at_a_time():
    # Drawing two of weights 1, 2, 7 one at a time without replacement, an item is left out
    # when the other two come first, in either order: item 0 with 0.2 * 7/8 + 0.7 * 2/3.
    rng = np.random.default_rng(13)
    n = 20_000
    left = 3 - _samples(rng, np.array([1.0, 2.0, 7.0]), 2, n).sum(axis=1)
    expected = [0.2 * 7 / 8 + 0.7 * 2 / 3, 0.1 * 7 / 9 + 0.7 * 1 / 3, 0.1 * 2 / 9 + 0.2 * 1 / 8]
    np.testing.assert_allclose(np.bincount(left, minlength=3) / n, expected, atol=0.015)


def test_sample_lists_the_first_drawn_first():
    # the first index listed follows the law of a single draw
    rng = np.random.default_rng(17)
    first = _samples(rng, np.array([1.0, 2.0, 7.0]), 3, 20_000)[:, 0]
    np.testing.assert_allclose(
        np.bincount(first, minlength=3) / 20_000, [0.1, 0.2, 0.7], atol=0.015
    )


def test_sample_prefers_heavy_indices():
    rng = np.random.default_rng(1)
    weights = np.full(10, 1e-6)
    weights[[3, 5, 8]] = 1.0
    picks = [set(row.tolist()) for row in _samples(rng, weights, 3, 50)]
    assert sum(p == {3, 5, 8} for p in picks) >= 45


# --- plans and chances -------------------------------------------------------------------------
@given(rate=st.floats(0.0, 20.0), seed=seeds)
def test_whole_and_chance_is_the_whole_part_or_one_more(rate, seed):
    assert draws.whole_and_chance(np.random.default_rng(seed), rate) in (int(rate), int(rate) + 1)


@pytest.mark.parametrize("rate", [0.3, 1.0, 2.75])
def test_whole_and_chance_averages_to_the_rate(rate):
    rng = np.random.default_rng(5)
    mean = _plans(rng, rate, 20_000).mean()
    assert mean == pytest.approx(rate, abs=0.02)


@given(seed=seeds)
def test_certain_and_impossible_events(seed):
    rng = np.random.default_rng(seed)
    assert draws.happens(rng, 1.0)
    assert not draws.happens(rng, 0.0)


@given(p=unit)
def test_happens_with_its_probability(p):
    rng = np.random.default_rng(0)
    share = _events(rng, p, 20_000).mean()
    assert share == pytest.approx(p, abs=0.015)
