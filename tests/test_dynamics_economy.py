"""The economy: market drift and noise, joint benefits and their spill-over, net growth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim.dynamics import economy
from tests.strategies import seeds, unit

effects = st.floats(0.0, 5.0)


@st.composite
def firm_counts(draw):
    n_firms = draw(st.integers(1, 500))
    return draw(st.integers(1, n_firms)), n_firms


# --- who gets a joint benefit ------------------------------------------------------------------
@given(effect=effects, a=unit, counts=firm_counts())
def test_split_benefit_conserves_the_benefit(effect, a, counts):
    # members keep `own` each, every firm of the territory gets `spill`: in total the benefit
    # is `effect` per member, however appropriable
    members, n = counts
    own, spill = economy.split_benefit(effect, a, members, n)
    assert own >= 0 and spill >= 0
    assert own * members + spill * n == pytest.approx(effect * members)


@given(data=st.data(), a=unit, n_firms=st.integers(10, 500))
def test_split_benefit_conserves_the_benefit_of_each_venture_in_an_array(data, a, n_firms):
    k = data.draw(st.integers(1, 8))
    effect = data.draw(hnp.arrays(np.float64, k, elements=effects))
    members = data.draw(hnp.arrays(np.int64, k, elements=st.integers(1, 10)))
    own, spill = economy.split_benefit(effect, a, members, n_firms)
    assert own.shape == spill.shape == (k,)
    np.testing.assert_allclose(own * members + spill * n_firms, effect * members, atol=1e-12)


def test_split_benefit_extremes():
    assert economy.split_benefit(0.4, 1.0, 5, 100) == (pytest.approx(0.4), pytest.approx(0.0))
    assert economy.split_benefit(0.4, 0.0, 5, 100) == (pytest.approx(0.0), pytest.approx(0.02))


@given(effect=st.floats(0.01, 5.0), a1=unit, a2=unit, counts=firm_counts())
def test_more_appropriable_benefits_stay_with_the_members(effect, a1, a2, counts):
    low, high = sorted((a1, a2))
    members, n = counts
    own_low, spill_low = economy.split_benefit(effect, low, members, n)
    own_high, spill_high = economy.split_benefit(effect, high, members, n)
    assert own_high >= own_low
    assert spill_high <= spill_low


# --- the market --------------------------------------------------------------------------------
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


# --- growth ------------------------------------------------------------------------------------
def test_growth_over_a_mask():
    index = np.array([1.2, 0.9, 1.5, 1.0])
    mask = np.array([True, True, False, False])
    assert economy.growth(index, mask) == pytest.approx(0.05)
    assert economy.growth(index, np.zeros(4, dtype=bool)) == 0.0


INDEX = np.array([1.30, 1.20, 1.10, 1.05, 1.00])
TREATED = np.array([True, True, False, False, False])
COMPARISON = np.array([False, False, False, True, True])
MARKET_ONLY = np.array([1.04, 1.06, 1.02, 1.05, 1.00])


def test_net_growth_against_the_comparison_firms():
    # treated firms average 1.25, comparison firms 1.025: 1.25 / 1.025 - 1
    net = economy.net_growth(INDEX, TREATED, COMPARISON, MARKET_ONLY)
    assert net == pytest.approx(0.225 / 1.025)


def test_net_growth_without_comparison_firms_falls_back_to_the_market_alone():
    # the market alone took the treated firms to 1.05 on average
    nobody = np.zeros(5, dtype=bool)
    assert economy.net_growth(INDEX, TREATED, nobody, MARKET_ONLY) == pytest.approx(0.2 / 1.05)


def test_net_growth_ignores_the_market_only_index_when_there_is_a_comparison_group():
    other_market = np.full(5, 3.0)
    assert economy.net_growth(INDEX, TREATED, COMPARISON, other_market) == pytest.approx(
        economy.net_growth(INDEX, TREATED, COMPARISON, MARKET_ONLY)
    )


def test_net_growth_with_nobody_treated_is_zero():
    nobody = np.zeros(5, dtype=bool)
    assert economy.net_growth(INDEX, nobody, COMPARISON, MARKET_ONLY) == 0.0


def test_firms_that_grew_like_the_market_have_no_net_growth():
    assert economy.net_growth(MARKET_ONLY, TREATED, np.zeros(5, dtype=bool), MARKET_ONLY) == 0.0
    same = np.full(5, 1.3)
    assert economy.net_growth(same, TREATED, COMPARISON, MARKET_ONLY) == pytest.approx(0.0)


@st.composite
def indices_and_groups(draw):
    n = draw(st.integers(2, 30))
    index = draw(hnp.arrays(np.float64, n, elements=st.floats(0.5, 2.0)))
    market = draw(hnp.arrays(np.float64, n, elements=st.floats(0.5, 2.0)))
    treated = draw(hnp.arrays(np.bool_, n))
    treated[0] = True
    comparison = draw(hnp.arrays(np.bool_, n)) & ~treated
    return index, market, treated, comparison


@given(case=indices_and_groups(), shock=st.floats(0.5, 1.5))
def test_a_shock_that_hits_every_firm_alike_nets_out(case, shock):
    index, market, treated, comparison = case
    assert economy.net_growth(index * shock, treated, comparison, market * shock) == pytest.approx(
        economy.net_growth(index, treated, comparison, market), rel=1e-9, abs=1e-12
    )


@given(case=indices_and_groups(), lift=st.floats(0.01, 0.5))
def test_a_gain_of_the_treated_firms_alone_raises_net_growth(case, lift):
    index, market, treated, comparison = case
    lifted = index * (1.0 + lift * treated)
    assert economy.net_growth(lifted, treated, comparison, market) > economy.net_growth(
        index, treated, comparison, market
    )


@given(case=indices_and_groups(), lift=st.floats(0.01, 0.5))
def test_a_gain_of_the_comparison_firms_alone_lowers_net_growth(case, lift):
    index, market, treated, comparison = case
    assume(comparison.any())
    lifted = index * (1.0 + lift * comparison)
    assert economy.net_growth(lifted, treated, comparison, market) < economy.net_growth(
        index, treated, comparison, market
    )
