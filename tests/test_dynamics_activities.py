"""Activities: attendance, non-compliance, venture success and forming groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim.dynamics import activities
from tests.strategies import seeds, unit, unit_arrays

small_risk = st.floats(0.001, 0.1)  # small enough that the probability is never capped at 1


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-6)
    return low, high


# --- non-compliance ----------------------------------------------------------------------------
@given(risk=unit, t=unit_arrays(6), m=unit_arrays(6), a=unit)
def test_noncompliance_probability_is_a_probability(risk, t, m, a):
    p = activities.noncompliance_probability(risk, t, m, a)
    assert np.all((p >= 0.0) & (p <= 1.0))


@given(risk=small_risk, t1=unit, t2=unit, m=unit, a=unit)
def test_noncompliance_rises_as_trust_falls(risk, t1, t2, m, a):
    low, high = _ordered_pair(t1, t2)
    p = activities.noncompliance_probability(risk, np.array([low, high]), np.array([m, m]), a)
    assert p[0] > p[1]


@given(risk=small_risk, t=st.floats(0.0, 0.99), m1=unit, m2=unit, a=unit)
def test_noncompliance_rises_as_motivation_falls(risk, t, m1, m2, a):
    low, high = _ordered_pair(m1, m2)
    p = activities.noncompliance_probability(risk, np.array([t, t]), np.array([low, high]), a)
    assert p[0] > p[1]


@given(risk=small_risk, t=st.floats(0.0, 0.99), m=unit, a1=unit, a2=unit)
def test_noncompliance_rises_as_appropriability_falls(risk, t, m, a1, a2):
    low, high = _ordered_pair(a1, a2)
    tt, mm = np.array([t]), np.array([m])
    assert (
        activities.noncompliance_probability(risk, tt, mm, low)[0]
        > activities.noncompliance_probability(risk, tt, mm, high)[0]
    )


@given(risk=unit)
def test_noncompliance_risk_is_the_reference_members_chance(risk):
    # the docstring: trusts nobody, half motivated, keeps the whole benefit
    p = activities.noncompliance_probability(risk, np.array([0.0]), np.array([0.5]), 1.0)
    assert p[0] == pytest.approx(risk)


def test_no_risk_means_nobody_defects():
    p = activities.noncompliance_probability(0.0, np.zeros(3), np.zeros(3), 0.0)
    np.testing.assert_array_equal(p, np.zeros(3))


def test_full_trust_means_nobody_defects():
    p = activities.noncompliance_probability(0.5, np.ones(3), np.zeros(3), 0.0)
    np.testing.assert_array_equal(p, np.zeros(3))


# --- attendance --------------------------------------------------------------------------------
def _attend(m: float, tc: float, ta: float, d: float) -> float:
    return float(
        activities.attendance_probability(np.array([m]), np.array([tc]), np.array([ta]), d)[0]
    )


@given(m=unit_arrays(5), tc=unit_arrays(5), ta=unit_arrays(5), d=unit)
def test_attendance_probability_is_one_per_firm(m, tc, ta, d):
    assert activities.attendance_probability(m, tc, ta, d).shape == m.shape


def test_only_a_keen_trusting_firm_next_door_attends_for_sure():
    assert _attend(1.0, 1.0, 1.0, 0.0) == pytest.approx(1.0)
    assert _attend(1.0, 1.0, 1.0, 0.5) < 1.0
    assert _attend(1.0, 0.0, 1.0, 0.0) < 1.0 and _attend(1.0, 1.0, 0.0, 0.0) < 1.0


@given(m=st.floats(0.01, 1.0), tc=unit, ta=unit, d1=unit, d2=unit)
def test_attendance_falls_with_distance(m, tc, ta, d1, d2):
    near, far = _ordered_pair(d1, d2)
    assert _attend(m, tc, ta, far) < _attend(m, tc, ta, near)


@given(tc=unit, ta=unit, d=unit)
def test_unmotivated_firms_do_not_attend(tc, ta, d):
    assert _attend(0.0, tc, ta, d) == 0.0


@given(tc=unit, ta=unit, d=st.floats(0.0, 0.99), m1=unit, m2=unit)
def test_motivated_firms_attend_more(tc, ta, d, m1, m2):
    low, high = _ordered_pair(m1, m2)
    assert _attend(low, tc, ta, d) < _attend(high, tc, ta, d)


@given(m=st.floats(0.01, 1.0), tc=unit, d=st.floats(0.0, 0.99), a1=unit, a2=unit)
def test_firms_that_trust_the_organisers_attend_more(m, tc, d, a1, a2):
    low, high = _ordered_pair(a1, a2)
    assert _attend(m, tc, low, d) < _attend(m, tc, high, d)


@given(m=st.floats(0.01, 1.0), ta=unit, d=st.floats(0.0, 0.99), c1=unit, c2=unit)
def test_firms_that_believe_in_collective_action_attend_more(m, ta, d, c1, c2):
    low, high = _ordered_pair(c1, c2)
    assert _attend(m, low, ta, d) < _attend(m, high, ta, d)


# --- venture success ---------------------------------------------------------------------------
@given(cap=unit_arrays(st.integers(1, 10)))
def test_group_capability_is_between_mean_and_max(cap):
    c = activities.group_capability(cap)
    assert cap.mean() - 1e-12 <= c <= cap.max() + 1e-12


@given(base=unit, cap=unit_arrays(st.integers(1, 10)))
def test_venture_success_probability_is_at_most_the_base_rate(base, cap):
    p = activities.venture_success_probability(base, cap)
    assert 0.6 * base - 1e-12 <= p <= base + 1e-12


def test_a_lead_firm_carries_a_weak_group():
    weak = np.array([0.1, 0.1, 0.1])
    led = np.array([0.1, 0.1, 0.9])
    assert activities.venture_success_probability(
        0.8, led
    ) > activities.venture_success_probability(0.8, weak)


# --- partners and groups -----------------------------------------------------------------------
@given(t=unit_arrays(8), m=unit_arrays(8))
def test_partner_weights_are_positive(t, m):
    assert np.all(activities.partner_weights(t, m) > 0)


@given(t1=unit, t2=unit, m=unit)
def test_firms_prefer_partners_they_trust(t1, t2, m):
    low, high = _ordered_pair(t1, t2)
    w = activities.partner_weights(np.array([low, high]), np.array([m, m]))
    assert w[1] > w[0]


@st.composite
def group_problems(draw):
    n = draw(st.integers(1, 25))
    candidates = np.array(
        draw(st.lists(st.integers(0, 60), min_size=n, max_size=n, unique=True)), dtype=int
    )
    founder = int(draw(st.sampled_from(list(candidates))))
    weights = draw(hnp.arrays(np.float64, n, elements=st.floats(0.01, 5.0)))
    size = draw(st.integers(1, 30))
    return founder, candidates, weights, size


@given(problem=group_problems(), seed=seeds)
def test_pick_group_returns_distinct_candidates_led_by_the_founder(problem, seed):
    founder, candidates, weights, size = problem
    group = activities.pick_group(np.random.default_rng(seed), founder, candidates, weights, size)
    assert group[0] == founder
    assert len(set(group.tolist())) == len(group)
    assert set(group.tolist()) <= set(candidates.tolist())
    assert 1 <= len(group) <= max(size, 1)
    # as large as it can be: the founder plus min(size - 1, others) partners
    assert len(group) == max(1, min(size, len(candidates)))


def test_pick_group_with_only_the_founder_is_the_founder_alone():
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(
        activities.pick_group(rng, 7, np.array([7]), np.array([1.0]), 5), [7]
    )


def test_pick_group_prefers_heavy_partners():
    rng = np.random.default_rng(1)
    candidates = np.arange(10)
    weights = np.full(10, 1e-6)
    weights[[3, 5, 8]] = 1.0
    picks = [
        set(activities.pick_group(rng, 0, candidates, weights, 4)[1:].tolist()) for _ in range(50)
    ]
    assert sum(p == {3, 5, 8} for p in picks) >= 45


# --- weighted draws ----------------------------------------------------------------------------
@given(
    weights=hnp.arrays(
        np.float64, st.integers(1, 20), elements=st.floats(0.0, 10.0, allow_subnormal=False)
    ),
    seed=seeds,
)
def test_weighted_choice_draws_an_index_of_positive_weight(weights, seed):
    assume(weights.sum() > 0)
    i = activities.weighted_choice(np.random.default_rng(seed), weights)
    assert 0 <= i < len(weights)
    assert weights[i] > 0


def test_weighted_choice_is_proportional_to_the_weights():
    rng = np.random.default_rng(7)
    weights = np.array([1.0, 0.0, 3.0, 6.0])
    draws = (
        np.bincount([activities.weighted_choice(rng, weights) for _ in range(20_000)], minlength=4)
        / 20_000
    )
    np.testing.assert_allclose(draws, weights / weights.sum(), atol=0.015)
    assert draws[1] == 0.0


@given(
    weights=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.01, 10.0)),
    data=st.data(),
    seed=seeds,
)
def test_weighted_sample_draws_k_distinct_indices(weights, data, seed):
    k = data.draw(st.integers(1, len(weights)))
    idx = activities.weighted_sample(np.random.default_rng(seed), weights, k)
    assert len(idx) == k
    assert len(set(idx.tolist())) == k
    assert all(0 <= i < len(weights) for i in idx)


def test_weighted_sample_first_pick_is_proportional_to_the_weights():
    # sampling one without replacement is the same law as a weighted choice
    rng = np.random.default_rng(11)
    weights = np.array([1.0, 2.0, 7.0])
    draws = (
        np.bincount(
            [int(activities.weighted_sample(rng, weights, 1)[0]) for _ in range(20_000)],
            minlength=3,
        )
        / 20_000
    )
    np.testing.assert_allclose(draws, weights / weights.sum(), atol=0.015)


def test_weighted_sample_includes_heavy_items_more_often():
    rng = np.random.default_rng(12)
    weights = np.array([0.1, 0.1, 5.0, 0.1, 0.1])
    hits = sum(2 in activities.weighted_sample(rng, weights, 2).tolist() for _ in range(2000))
    assert hits > 1900


def test_event_kinds_are_well_formed():
    assert activities.EVENT_KINDS
    for kind in activities.EVENT_KINDS:
        assert kind.trust_gain_factor > 0
        assert 0 < kind.invited_share <= 1
        assert 0 <= kind.collective_action_gain <= 1
        assert kind.weight > 0
