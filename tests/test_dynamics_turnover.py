"""Turnover: monthly hazards, vacancies and the relationships a technician takes along."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim.dynamics import turnover
from tests.strategies import seeds, unit, unit_arrays


@given(r=unit)
def test_monthly_probability_compounds_back_to_the_annual_rate(r):
    m = turnover.monthly_probability(r)
    assert 0.0 <= m <= 1.0
    assert 1.0 - (1.0 - m) ** 12 == pytest.approx(r, abs=1e-12)


@given(r=unit)
def test_monthly_probability_is_between_a_twelfth_and_the_annual_rate(r):
    m = turnover.monthly_probability(r)
    assert r / 12 - 1e-12 <= m <= r + 1e-12


def test_monthly_probability_limits():
    assert turnover.monthly_probability(0.0) == 0.0
    assert turnover.monthly_probability(1.0) == 1.0


@pytest.mark.parametrize("r", [1e-17, 1e-20])
def test_a_tiny_positive_rate_is_a_positive_monthly_chance(r):
    assert turnover.monthly_probability(r) > 0.0


@given(r1=unit, r2=unit)
def test_monthly_probability_is_monotone(r1, r2):
    low, high = sorted((r1, r2))
    assert turnover.monthly_probability(low) <= turnover.monthly_probability(high)


@given(seed=seeds, mean=st.floats(0.0, 36.0))
def test_vacancy_months_is_a_whole_number_of_months(seed, mean):
    v = turnover.vacancy_months(np.random.default_rng(seed), mean)
    assert isinstance(v, int)
    assert v >= 0


@pytest.mark.parametrize("mean", [-1.0, 0.0])
def test_no_vacancy_when_posts_are_filled_at_once(mean):
    rng = np.random.default_rng(0)
    assert all(turnover.vacancy_months(rng, mean) == 0 for _ in range(100))


@pytest.mark.parametrize("mean", [0.5, 3.0, 12.0])
def test_vacancy_months_average_to_the_mean(mean):
    rng = np.random.default_rng(2024)
    n = 20_000
    draws = np.array([turnover.vacancy_months(rng, mean) for _ in range(n)])
    sd = np.sqrt(mean * (1 + mean))  # geometric on 0, 1, 2, ... with this mean
    assert draws.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(n))


@given(rel=unit_arrays(12), caseload=st.lists(st.booleans(), min_size=12, max_size=12))
def test_departure_zeroes_the_caseload_only(rel, caseload):
    caseload = np.array(caseload)
    original = rel.copy()
    after = turnover.relationships_after_departure(rel, caseload)
    np.testing.assert_array_equal(after[caseload], 0.0)
    np.testing.assert_array_equal(after[~caseload], rel[~caseload])
    np.testing.assert_array_equal(rel, original)  # the input is not modified


def test_departure_accepts_an_index_array():
    after = turnover.relationships_after_departure(np.array([0.5, 0.6, 0.7]), np.array([0, 2]))
    np.testing.assert_array_equal(after, [0.0, 0.6, 0.0])
