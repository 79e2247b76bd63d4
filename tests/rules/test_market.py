"""The market: monthly hazards, drift and noise, shocks, and who gets a joint benefit (`market`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim.rules import market
from tests.rules.states import copy_state, replace_rules, state
from tests.strategies import seeds, unit

effects = st.floats(0.0, 5.0)


# --- monthly chances of annual rates -----------------------------------------------------------
@given(r=unit)
def test_monthly_probability_compounds_back_to_the_annual_rate(r):
    m = market.monthly_probability(r)
    assert 0.0 <= m <= 1.0
    assert 1.0 - (1.0 - m) ** 12 == pytest.approx(r, abs=1e-12)


@given(r=unit)
def test_monthly_probability_is_between_a_twelfth_and_the_annual_rate(r):
    m = market.monthly_probability(r)
    assert r / 12 - 1e-12 <= m <= r + 1e-12


def test_monthly_probability_limits():
    assert market.monthly_probability(0.0) == 0.0
    assert market.monthly_probability(1.0) == 1.0


@pytest.mark.parametrize("r", [1e-17, 1e-20])
def test_a_tiny_positive_rate_is_a_positive_monthly_chance(r):
    assert market.monthly_probability(r) > 0.0


@given(r1=unit, r2=unit)
def test_monthly_probability_is_monotone(r1, r2):
    low, high = sorted((r1, r2))
    assert market.monthly_probability(low) <= market.monthly_probability(high)


# --- who gets a joint benefit ------------------------------------------------------------------
@st.composite
def firm_counts(draw):
    n_firms = draw(st.integers(1, 500))
    return draw(st.integers(1, n_firms)), n_firms


@given(effect=effects, a=unit, counts=firm_counts())
def test_a_joint_benefit_is_conserved(effect, a, counts):
    # members keep `own` each, every firm of the territory gets `spill`: in total the benefit
    # is `effect` per member, however appropriable
    members, n = counts
    own, spill = market.own_gain(effect, a), market.spill_over(effect, a, members, n)
    assert own >= 0 and spill >= 0
    assert own * members + spill * n == pytest.approx(effect * members)


def test_joint_benefit_extremes():
    assert market.own_gain(0.4, 1.0) == pytest.approx(0.4)
    assert market.spill_over(0.4, 1.0, 5, 100) == pytest.approx(0.0)
    assert market.own_gain(0.4, 0.0) == pytest.approx(0.0)
    assert market.spill_over(0.4, 0.0, 5, 100) == pytest.approx(0.02)


@given(effect=st.floats(0.01, 5.0), a1=unit, a2=unit, counts=firm_counts())
def test_more_appropriable_benefits_stay_with_the_members(effect, a1, a2, counts):
    low, high = sorted((a1, a2))
    members, n = counts
    assert market.own_gain(effect, high) >= market.own_gain(effect, low)
    assert market.spill_over(effect, high, members, n) <= market.spill_over(effect, low, members, n)


# --- net growth --------------------------------------------------------------------------------
def test_net_growth_is_the_ratio_of_mean_indices_minus_one():
    assert market.net_growth(1.25, 1.025) == pytest.approx(0.225 / 1.025)
    assert market.net_growth(1.3, 1.3) == 0.0


@given(treated=st.floats(0.5, 2.0), reference=st.floats(0.5, 2.0), shock=st.floats(0.5, 1.5))
def test_a_shock_to_both_nets_out(treated, reference, shock):
    assert market.net_growth(treated * shock, reference * shock) == pytest.approx(
        market.net_growth(treated, reference), rel=1e-9, abs=1e-12
    )


# --- the market's month ------------------------------------------------------------------------
def _market_month(seed: int, n: int, months: int = 1, **rules) -> np.ndarray:
    """Each firm's market index after ``months`` of `month_of_market` on a state of ``n`` firms."""
    s, p = state(3, **{"demand_shock_rate": 0.0, **rules})
    s, p = copy_state(s, market_index=np.ones((1, n))), replace_rules(p, n=n)
    rng = np.random.default_rng(seed)
    for month in range(1, months + 1):
        market.month_of_market(s, p, 0, rng, month)
    return s.market_index[0]


@given(seed=seeds, n=st.integers(1, 50), growth=st.floats(-0.5, 0.5), vol=st.floats(0.0, 0.5))
def test_the_market_is_reproducible_with_a_seeded_generator(seed, n, growth, vol):
    kw = dict(market_growth=growth, sales_volatility=vol)
    a, b = _market_month(seed, n, **kw), _market_month(seed, n, **kw)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (n,)
    assert np.all(a > 0)


def test_the_market_differs_between_seeds():
    kw = dict(market_growth=0.0, sales_volatility=0.05)
    assert not np.array_equal(_market_month(1, 20, **kw), _market_month(2, 20, **kw))


@given(growth=st.floats(-0.5, 0.5))
def test_without_noise_the_market_compounds_to_the_annual_growth(growth):
    f = _market_month(0, 3, months=12, market_growth=growth, sales_volatility=0.0)
    assert np.all(f == f[0])
    assert f[0] == pytest.approx(1 + growth)


@pytest.mark.parametrize("vol", [0.01, 0.1, 0.3])
def test_market_noise_has_mean_one(vol):
    # the lognormal noise is corrected so that it does not bias sales on average
    f = _market_month(42, 200_000, market_growth=0.0, sales_volatility=vol)
    assert f.mean() == pytest.approx(1.0, abs=6 * vol / np.sqrt(200_000) + 1e-4)
    assert f.std() == pytest.approx(vol, rel=0.1)


@given(size=unit)
def test_a_demand_shock_cuts_every_firms_sales_alike(size):
    f = _market_month(
        0, 5, sales_volatility=0.0, market_growth=0.0, demand_shock_rate=1.0, demand_shock_size=size
    )
    np.testing.assert_allclose(f, 1.0 - size, rtol=1e-12, atol=1e-15)
