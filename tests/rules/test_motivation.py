"""Motivation: spending it, restoring it with results, dropping out and joining (`motivation`)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.rules import motivation
from tests.strategies import unit, unit_arrays


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-6)
    return low, high


# --- spending and restoring --------------------------------------------------------------------
@given(m=unit_arrays(st.integers(1, 10)), cost=st.floats(0.0, 2.0))
def test_a_month_of_taking_part_costs_motivation_down_to_zero(m, cost):
    for before in m:
        after = motivation.spend(before, cost)
        assert 0.0 <= after <= before
        if before >= cost:
            assert before - after == pytest.approx(cost, abs=1e-12)
        else:
            assert after == 0.0


@given(m=unit, amount=st.floats(0.0, 3.0))
def test_reward_is_bounded_and_raises_motivation(m, amount):
    assert m <= motivation.reward(m, amount) <= 1.0


@given(m=unit, amount=st.floats(1.0, 3.0))
def test_a_full_reward_restores_full_motivation(m, amount):
    assert motivation.reward(m, amount) == pytest.approx(1.0)


@given(m=st.floats(0.0, 0.99), a1=unit, a2=unit)
def test_bigger_rewards_restore_more(m, a1, a2):
    low, high = _ordered_pair(a1, a2)
    assert motivation.reward(m, high) > motivation.reward(m, low)


# --- dropping out ------------------------------------------------------------------------------
_dropout = motivation.dropout_probability  # (months waiting, patience, motivation)


@given(patience=st.floats(1.0, 120.0), share=unit, m=st.floats(0.1, 1.0))
def test_patient_motivated_firm_never_drops_out(patience, share, m):
    assert _dropout(share * patience, patience, m) == 0.0  # not past its patience


@given(patience=st.floats(1.0, 120.0), extra=st.floats(0.01, 50.0), m=unit)
def test_firm_waiting_past_its_patience_may_drop_out(patience, extra, m):
    assert 0.0 < _dropout(patience + extra, patience, m) <= 1.0


@given(waiting=st.floats(0.0, 200.0), patience=st.floats(1.0, 120.0), m=st.floats(0.0, 0.099))
def test_discouraged_firm_may_drop_out(waiting, patience, m):
    assert 0.0 < _dropout(waiting, patience, m) <= 1.0


def test_impatient_and_discouraged_firms_leave_fastest():
    content, impatient = _dropout(0.0, 10.0, 0.5), _dropout(20.0, 10.0, 0.5)
    discouraged, both = _dropout(0.0, 10.0, 0.0), _dropout(20.0, 10.0, 0.0)
    assert content == 0.0
    assert both > max(impatient, discouraged) > 0.0
    assert (impatient, discouraged, both) == pytest.approx((0.1, 0.3, 0.4))


# --- what firms expect -------------------------------------------------------------------------
@given(tc=unit, tp=unit, a=unit)
def test_expected_benefit_is_between_its_two_sources(tc, tp, a):
    e = motivation.expected_benefit(tc, tp, a)
    assert min(tc, tp) - 1e-12 <= e <= max(tc, tp) + 1e-12


def test_appropriable_benefits_come_through_collective_action_the_rest_from_the_state():
    assert motivation.expected_benefit(0.8, 0.2, 1.0) == pytest.approx(0.8)
    assert motivation.expected_benefit(0.8, 0.2, 0.0) == pytest.approx(0.2)


@given(tc=unit, p1=unit, p2=unit, a=st.floats(0.0, 0.99))
def test_trust_in_the_state_matters_when_benefits_leak(tc, p1, p2, a):
    low, high = _ordered_pair(p1, p2)
    assert motivation.expected_benefit(tc, high, a) > motivation.expected_benefit(tc, low, a)


# --- joining -----------------------------------------------------------------------------------
_join = motivation.join_probability  # (rate, share with results, expected benefit)


@given(rate=unit, share=unit, expected=unit)
def test_join_probability_is_a_probability(rate, share, expected):
    assert 0.0 <= _join(rate, share, expected) <= 1.0


@given(rate=unit, expected=unit)
def test_nobody_joins_without_results_to_see(rate, expected):
    assert _join(rate, 0.0, expected) == 0.0


@given(rate=st.floats(0.01, 0.5), expected=unit, s1=unit, s2=unit)
def test_more_visible_results_attract_more_firms(rate, expected, s1, s2):
    low, high = _ordered_pair(s1, s2)
    assert _join(rate, high, expected) > _join(rate, low, expected)


@given(rate=st.floats(0.01, 0.5), share=st.floats(0.01, 1.0), e1=unit, e2=unit)
def test_join_probability_rises_with_the_expected_benefit(rate, share, e1, e2):
    low, high = _ordered_pair(e1, e2)
    assert _join(rate, share, high) > _join(rate, share, low)


def test_a_distrusted_ministry_keeps_firms_away_where_benefits_leak():
    # a ministry that broke its promises (0.1), and one that kept them (0.9)
    leaky = [_join(0.2, 0.5, motivation.expected_benefit(0.6, tp, 0.2)) for tp in (0.1, 0.9)]
    private = [_join(0.2, 0.5, motivation.expected_benefit(0.6, tp, 1.0)) for tp in (0.1, 0.9)]
    assert leaky[0] < leaky[1]
    assert private[0] == pytest.approx(private[1])


@given(share=unit, expected=unit)
def test_nobody_joins_without_word_of_mouth(share, expected):
    assert _join(0.0, share, expected) == 0.0


@given(p=st.floats(1.0, 60.0), t1=unit, t2=unit, sunk=st.floats(0.0, 48.0))
def test_members_who_trust_their_partners_are_more_patient(p, t1, t2, sunk):
    low, high = sorted((t1, t2))
    assume(high - low > 1e-6)
    assert motivation.patience_in_a_group(p, high, sunk) > motivation.patience_in_a_group(
        p, low, sunk
    )


@given(p=st.floats(1.0, 60.0), t=unit, sunk=st.floats(0.0, 48.0))
def test_what_a_member_has_sunk_keeps_it_waiting(p, t, sunk):
    assert motivation.patience_in_a_group(p, t, sunk + 1.0) > motivation.patience_in_a_group(
        p, t, sunk
    )
    assert motivation.patience_in_a_group(p, 0.0, 0.0) == p
