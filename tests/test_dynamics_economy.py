"""The economy: market drift and noise, joint benefits and their spill-over, growth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim.dynamics import economy
from tests.strategies import seeds, unit

effects = st.floats(0.0, 5.0)


@st.composite
def firm_counts(draw):
    n_firms = draw(st.integers(1, 500))
    return draw(st.integers(1, n_firms)), n_firms


@given(effect=effects, a=unit, counts=firm_counts())
def test_split_benefit_shares(effect, a, counts):
    members, n = counts
    own, spill = economy.split_benefit(effect, a, members, n)
    assert own == pytest.approx(a * effect)
    assert spill == pytest.approx((1 - a) * effect * members / n)
    assert own >= 0 and spill >= 0


@given(effect=effects, a=unit, counts=firm_counts())
def test_split_benefit_conserves_the_benefit(effect, a, counts):
    # members keep `own` each, every firm of the territory gets `spill`: in total the benefit
    # is `effect` per member, however appropriable
    members, n = counts
    own, spill = economy.split_benefit(effect, a, members, n)
    assert own * members + spill * n == pytest.approx(effect * members)


def test_split_benefit_extremes():
    assert economy.split_benefit(0.4, 1.0, 5, 100) == (pytest.approx(0.4), pytest.approx(0.0))
    assert economy.split_benefit(0.4, 0.0, 5, 100) == (pytest.approx(0.0), pytest.approx(0.02))


@given(seed=seeds, n=st.integers(1, 50), growth=st.floats(-0.5, 0.5), vol=st.floats(0.0, 0.5))
def test_market_factor_is_reproducible_with_a_seeded_generator(seed, n, growth, vol):
    a = economy.market_factor(np.random.default_rng(seed), n, growth, vol)
    b = economy.market_factor(np.random.default_rng(seed), n, growth, vol)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (n,)
    assert np.all(a > 0)


def test_market_factor_differs_between_seeds():
    a = economy.market_factor(np.random.default_rng(1), 20, 0.0, 0.05)
    b = economy.market_factor(np.random.default_rng(2), 20, 0.0, 0.05)
    assert not np.array_equal(a, b)


@given(growth=st.floats(-0.5, 0.5))
def test_market_factor_without_noise_compounds_to_the_annual_growth(growth):
    f = economy.market_factor(np.random.default_rng(0), 3, growth, 0.0)
    assert np.all(f == f[0])
    assert f[0] ** 12 == pytest.approx(1 + growth)


@pytest.mark.parametrize("vol", [0.01, 0.1, 0.3])
def test_market_noise_has_mean_one(vol):
    # the lognormal noise is corrected so that it does not bias sales on average
    f = economy.market_factor(np.random.default_rng(42), 200_000, 0.0, vol)
    assert f.mean() == pytest.approx(1.0, abs=6 * vol / np.sqrt(200_000) + 1e-4)
    assert f.std() == pytest.approx(vol, rel=0.1)


def test_growth_over_a_mask():
    index = np.array([1.2, 0.9, 1.5, 1.0])
    mask = np.array([True, True, False, False])
    assert economy.growth(index, mask) == pytest.approx(0.05)
    assert economy.growth(index, np.zeros(4, dtype=bool)) == 0.0
