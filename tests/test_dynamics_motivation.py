"""Motivation: spending it, restoring it with results, dropping out and joining."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.dynamics import motivation
from tests.strategies import unit, unit_arrays


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-6)
    return low, high


# --- spending and restoring --------------------------------------------------------------------
@given(m=unit_arrays(st.integers(1, 10)), cost=st.floats(0.0, 2.0))
def test_a_month_of_taking_part_costs_motivation_down_to_zero(m, cost):
    after = motivation.spend(m, cost)
    assert np.all((after >= 0.0) & (after <= m))
    enough = m >= cost
    np.testing.assert_allclose(m[enough] - after[enough], cost, atol=1e-12)
    np.testing.assert_array_equal(after[~enough], 0.0)


@given(m=unit_arrays(st.integers(1, 10)), amount=st.floats(0.0, 3.0))
def test_reward_is_bounded_and_raises_motivation(m, amount):
    after = motivation.reward(m, amount)
    assert np.all((after >= m) & (after <= 1.0))


@given(m=unit, amount=st.floats(1.0, 3.0))
def test_a_full_reward_restores_full_motivation(m, amount):
    assert motivation.reward(m, amount) == pytest.approx(1.0)


@given(m=st.floats(0.0, 0.99), a1=unit, a2=unit)
def test_bigger_rewards_restore_more(m, a1, a2):
    low, high = _ordered_pair(a1, a2)
    assert motivation.reward(m, high) > motivation.reward(m, low)


# --- dropping out ------------------------------------------------------------------------------
@given(patience=st.floats(1.0, 120.0), share=unit, m=st.floats(0.1, 1.0))
def test_patient_motivated_firm_never_drops_out(patience, share, m):
    waiting = share * patience  # not past its patience
    p = motivation.dropout_probability(np.array([waiting]), np.array([patience]), np.array([m]))
    assert p[0] == 0.0


@given(patience=st.floats(1.0, 120.0), extra=st.floats(0.01, 50.0), m=unit)
def test_firm_waiting_past_its_patience_may_drop_out(patience, extra, m):
    p = motivation.dropout_probability(
        np.array([patience + extra]), np.array([patience]), np.array([m])
    )
    assert 0.0 < p[0] <= 1.0


@given(waiting=st.floats(0.0, 200.0), patience=st.floats(1.0, 120.0), m=st.floats(0.0, 0.099))
def test_discouraged_firm_may_drop_out(waiting, patience, m):
    p = motivation.dropout_probability(np.array([waiting]), np.array([patience]), np.array([m]))
    assert 0.0 < p[0] <= 1.0


def test_impatient_and_discouraged_firms_leave_fastest():
    waiting, patience = np.array([0.0, 20.0, 0.0, 20.0]), np.full(4, 10.0)
    m = np.array([0.5, 0.5, 0.0, 0.0])
    p = motivation.dropout_probability(waiting, patience, m)
    assert p[0] == 0.0
    assert p[3] > max(p[1], p[2]) > 0.0


# --- what firms expect -------------------------------------------------------------------------
@given(tc=unit_arrays(6), tp=unit_arrays(6), a=unit)
def test_expected_benefit_is_between_its_two_sources(tc, tp, a):
    e = motivation.expected_benefit(tc, tp, a)
    assert np.all(e >= np.minimum(tc, tp) - 1e-12)
    assert np.all(e <= np.maximum(tc, tp) + 1e-12)


def test_appropriable_benefits_come_through_collective_action_the_rest_from_the_state():
    tc, tp = np.array([0.8]), np.array([0.2])
    assert motivation.expected_benefit(tc, tp, 1.0)[0] == pytest.approx(0.8)
    assert motivation.expected_benefit(tc, tp, 0.0)[0] == pytest.approx(0.2)


@given(tc=unit, p1=unit, p2=unit, a=st.floats(0.0, 0.99))
def test_trust_in_the_state_matters_when_benefits_leak(tc, p1, p2, a):
    low, high = _ordered_pair(p1, p2)
    e = motivation.expected_benefit(np.array([tc, tc]), np.array([low, high]), a)
    assert e[1] > e[0]


# --- joining -----------------------------------------------------------------------------------
@given(rate=unit, share=unit, expected=unit_arrays(6))
def test_join_probability_is_a_probability(rate, share, expected):
    p = motivation.join_probability(rate, share, expected)
    assert p.shape == expected.shape
    assert np.all((p >= 0.0) & (p <= 1.0))


@given(rate=unit, expected=unit_arrays(6))
def test_nobody_joins_without_results_to_see(rate, expected):
    np.testing.assert_array_equal(motivation.join_probability(rate, 0.0, expected), 0.0)


@given(rate=st.floats(0.01, 0.5), expected=unit, s1=unit, s2=unit)
def test_more_visible_results_attract_more_firms(rate, expected, s1, s2):
    low, high = _ordered_pair(s1, s2)
    firm = np.array([expected])
    assert (
        motivation.join_probability(rate, high, firm)[0]
        > motivation.join_probability(rate, low, firm)[0]
    )


@given(rate=st.floats(0.01, 0.5), share=st.floats(0.01, 1.0), e1=unit, e2=unit)
def test_join_probability_rises_with_the_expected_benefit(rate, share, e1, e2):
    low, high = _ordered_pair(e1, e2)
    p = motivation.join_probability(rate, share, np.array([low, high]))
    assert p[1] > p[0]


def test_a_distrusted_ministry_keeps_firms_away_where_benefits_leak():
    tc = np.array([0.6, 0.6])
    tp = np.array([0.1, 0.9])  # a ministry that broke its promises, and one that kept them
    leaky = motivation.join_probability(0.2, 0.5, motivation.expected_benefit(tc, tp, 0.2))
    private = motivation.join_probability(0.2, 0.5, motivation.expected_benefit(tc, tp, 1.0))
    assert leaky[0] < leaky[1]
    assert private[0] == pytest.approx(private[1])


@given(share=unit, expected=unit_arrays(6))
def test_nobody_joins_without_word_of_mouth(share, expected):
    np.testing.assert_array_equal(motivation.join_probability(0.0, share, expected), 0.0)
