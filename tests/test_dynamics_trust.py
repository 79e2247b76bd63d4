"""The trust dynamics: growth, loss, erosion, group blocks, agency trust and cohesion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.dynamics import trust, turnover
from tests.strategies import gains, loss_ratios, matrix_and_group, unit, unit_arrays


# --- bounds ------------------------------------------------------------------------------------
@given(t=unit, b=unit, g=st.floats(0.0, 2.0), r=loss_ratios, rate=unit)
def test_scalar_dynamics_stay_in_unit_interval(t, b, g, r, rate):
    for value in (trust.reinforce(t, g), trust.undermine(t, g, r), trust.erode(t, b, rate)):
        assert 0.0 <= float(value) <= 1.0


@given(data=st.data(), g=unit, r=loss_ratios, rate=unit)
def test_array_dynamics_stay_in_unit_interval_and_keep_shape(data, g, r, rate):
    n = data.draw(st.integers(1, 20))
    t, b = data.draw(unit_arrays(n)), data.draw(unit_arrays(n))
    for value in (trust.reinforce(t, g), trust.undermine(t, g, r), trust.erode(t, b, rate)):
        assert value.shape == t.shape
        assert np.all((value >= 0.0) & (value <= 1.0))


# --- reinforce ---------------------------------------------------------------------------------
@given(t=st.floats(0.0, 0.999), g=gains)
def test_reinforce_raises_trust(t, g):
    assert trust.reinforce(t, g) > t


@given(g=unit)
def test_full_trust_cannot_grow(g):
    assert trust.reinforce(1.0, g) == 1.0


@given(t1=unit, t2=unit, g=gains)
def test_reinforce_gains_shrink_as_trust_saturates(t1, t2, g):
    low, high = sorted((t1, t2))
    assume(high - low > 1e-6)
    assert trust.reinforce(high, g) - high < trust.reinforce(low, g) - low


@given(g=gains)
def test_repeated_reinforcement_saturates_towards_one(g):
    t, steps = 0.0, []
    for _ in range(2000):
        new = float(trust.reinforce(t, g))
        steps.append(new - t)
        t = new
    assert t <= 1.0
    assert all(later <= earlier for earlier, later in zip(steps, steps[1:], strict=False))
    # after n steps the gap is (1 - g)^n of the initial gap
    assert 1.0 - t == pytest.approx((1.0 - g) ** 2000, abs=1e-9)


def test_reinforce_caps_the_gain_at_the_whole_gap():
    assert trust.reinforce(0.3, 5.0) == 1.0


# --- undermine ---------------------------------------------------------------------------------
@given(t=st.floats(1e-3, 1.0), g=gains, r=loss_ratios)
def test_undermine_lowers_trust(t, g, r):
    assert trust.undermine(t, g, r) < t


@given(t=unit, g=gains, r=loss_ratios)
def test_undermine_never_goes_below_zero(t, g, r):
    assert trust.undermine(t, g, r) >= 0.0
    assert trust.undermine(0.0, g, r) == 0.0


@given(data=st.data(), g=gains, r=loss_ratios)
def test_one_failure_costs_more_than_one_success_adds(data, g, r):
    t = data.draw(st.floats(g, 1.0))
    loss = t - trust.undermine(t, g, r)
    gain = trust.reinforce(t, g) - t
    assert loss > gain


@given(t=unit_arrays(st.integers(1, 20)), g=gains, r=loss_ratios)
def test_failure_outweighs_success_elementwise(t, g, r):
    t = np.maximum(t, g)
    assert np.all(t - trust.undermine(t, g, r) > trust.reinforce(t, g) - t)


@given(t=st.floats(0.5, 1.0), g=st.floats(0.01, 0.05), r1=loss_ratios, r2=loss_ratios)
def test_larger_loss_ratio_costs_more(t, g, r1, r2):
    low, high = sorted((r1, r2))
    assume(high - low > 1e-3)
    assert trust.undermine(t, g, high) < trust.undermine(t, g, low)


# --- erode -------------------------------------------------------------------------------------
@given(t=unit, rate=unit)
def test_erode_moves_towards_zero_without_a_baseline(t, rate):
    eroded = float(trust.erode(t, 0.0, rate))
    assert 0.0 <= eroded <= t
    if t > 1e-6 and rate > 1e-6:  # (smaller steps vanish in float rounding)
        assert eroded < t


@given(t=unit_arrays(st.integers(2, 20)), rate=st.floats(0.0, 0.99))
def test_erode_is_proportional(t, rate):
    eroded = trust.erode(t, np.zeros_like(t), rate)
    positive = t > 1e-3
    # every firm keeps the same share (1 - rate) of its trust
    np.testing.assert_allclose(eroded[positive] / t[positive], 1.0 - rate, rtol=1e-9)


@given(t=unit, b=unit, rate=unit)
def test_erode_moves_built_trust_proportionally_back_to_the_baseline(t, b, rate):
    eroded = float(trust.erode(t, b, rate))
    if t >= b:  # what the project built fades by the share `rate`, never below the baseline
        assert b - 1e-12 <= eroded <= t
        assert eroded - b == pytest.approx((1.0 - rate) * (t - b), abs=1e-12)
    else:  # trust lost below the baseline does not erode further (nor recover)
        assert eroded == t


def test_erode_limits():
    t, b = np.array([0.0, 0.2, 0.9, 0.5]), np.array([0.0, 0.1, 0.3, 0.7])
    np.testing.assert_array_equal(trust.erode(t, b, 0.0), t)
    np.testing.assert_allclose(trust.erode(t, b, 1.0), np.minimum(t, b))


# --- group blocks ------------------------------------------------------------------------------
def _outside_block(n: int, group: np.ndarray) -> np.ndarray:
    mask = np.ones((n, n), dtype=bool)
    mask[np.ix_(group, group)] = False
    return mask


@given(mg=matrix_and_group(min_n=2, max_n=10, min_group=2), g=gains)
def test_reinforce_group_only_touches_the_groups_block(mg, g):
    before, group = mg
    after = before.copy()
    trust.reinforce_group(after, group, g)
    outside = _outside_block(len(before), group)
    np.testing.assert_array_equal(after[outside], before[outside])
    block = np.ix_(group, group)
    assert np.all(after[block] >= before[block])
    below_one = before[block] < 1.0 - 1e-9
    assert np.all(after[block][below_one] > before[block][below_one])


@given(mg=matrix_and_group(min_n=2, max_n=10, min_group=2), g=gains, r=loss_ratios)
def test_undermine_group_only_touches_the_groups_block(mg, g, r):
    before, group = mg
    after = before.copy()
    trust.undermine_group(after, group, g, r)
    outside = _outside_block(len(before), group)
    np.testing.assert_array_equal(after[outside], before[outside])
    block = np.ix_(group, group)
    assert np.all(after[block] <= before[block])
    positive = before[block] > 1e-9
    assert np.all(after[block][positive] < before[block][positive])
    assert np.all(after >= 0.0)


@given(mg=matrix_and_group(min_n=3, max_n=10, min_group=2), g=gains, r=loss_ratios)
def test_undermine_towards_only_touches_trust_in_the_culprit(mg, g, r):
    before, group = mg
    culprit, observers = int(group[0]), group[1:]
    after = before.copy()
    trust.undermine_towards(after, observers, culprit, g, r)
    touched = np.zeros_like(before, dtype=bool)
    touched[observers, culprit] = True
    np.testing.assert_array_equal(after[~touched], before[~touched])
    assert np.all(after[observers, culprit] <= before[observers, culprit])


# --- trust in a group --------------------------------------------------------------------------
@given(mg=matrix_and_group(min_n=2, max_n=10, min_group=2), diag=unit)
def test_trust_in_group_ignores_the_diagonal(mg, diag):
    matrix, group = mg
    other = matrix.copy()
    np.fill_diagonal(other, diag)
    np.testing.assert_allclose(
        trust.trust_in_group(matrix, group), trust.trust_in_group(other, group), atol=1e-12
    )
    assert trust.mean_mutual_trust(matrix, group) == pytest.approx(
        trust.mean_mutual_trust(other, group), abs=1e-12
    )


@given(mg=matrix_and_group(min_n=2, max_n=10, min_group=2))
def test_trust_in_group_is_each_members_mean_over_the_others(mg):
    matrix, group = mg
    got = trust.trust_in_group(matrix, group)
    for row, i in enumerate(group):
        others = [j for j in group if j != i]
        assert got[row] == pytest.approx(np.mean(matrix[i, others]))
    assert np.all((got >= 0.0) & (got <= 1.0))


def test_trust_in_group_of_uniform_trust_is_that_trust():
    matrix = np.full((5, 5), 0.3)
    np.fill_diagonal(matrix, 1.0)
    group = np.array([0, 2, 4])
    np.testing.assert_allclose(trust.trust_in_group(matrix, group), 0.3)
    assert trust.mean_mutual_trust(matrix, group) == pytest.approx(0.3)


def test_lone_member_trusts_nobody_and_has_no_mutual_trust():
    matrix = np.ones((3, 3))
    np.testing.assert_array_equal(trust.trust_in_group(matrix, np.array([1])), np.zeros(1))
    assert math.isnan(trust.mean_mutual_trust(matrix, np.array([1])))
    assert math.isnan(trust.mean_mutual_trust(matrix, np.array([], dtype=int)))


# --- cohesion ----------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_cohesion_of_a_fully_trusting_group_is_one(n):
    assert trust.cohesion(np.ones((n, n)), np.arange(n)) == 1.0


@pytest.mark.parametrize("n", [2, 5, 12])
def test_cohesion_when_nobody_trusts_is_one_over_n(n):
    matrix = np.zeros((n, n))
    np.fill_diagonal(matrix, 1.0)
    assert trust.cohesion(matrix, np.arange(n)) == pytest.approx(1.0 / n)


def test_cohesion_of_no_members_is_zero():
    assert trust.cohesion(np.ones((3, 3)), np.array([], dtype=int)) == 0.0


def test_cohesion_counts_only_mutual_ties_and_the_largest_component():
    matrix = np.zeros((6, 6))
    matrix[np.ix_([0, 1, 2], [0, 1, 2])] = 0.9  # a trusting clique of three
    matrix[3, 4] = 0.9  # one-way trust is no tie
    matrix[4, 5] = matrix[5, 4] = 0.6  # a mutual pair
    assert trust.cohesion(matrix, np.arange(6)) == pytest.approx(3 / 6)
    assert trust.cohesion(matrix, np.array([3, 4, 5])) == pytest.approx(2 / 3)
    assert trust.cohesion(matrix, np.arange(6), threshold=0.95) == pytest.approx(1 / 6)


@given(mg=matrix_and_group(min_n=1, max_n=10, min_group=1))
def test_cohesion_is_between_one_over_n_and_one(mg):
    matrix, members = mg
    c = trust.cohesion(matrix, members)
    assert 1.0 / len(members) - 1e-12 <= c <= 1.0


# --- trust in the executing agency -------------------------------------------------------------
@given(rel=unit_arrays(8), inst=unit_arrays(8), w=unit)
def test_trust_in_agency_is_within_its_parts(rel, inst, w):
    value = trust.trust_in_agency(rel, inst, w)
    assert np.all(value >= np.minimum(rel, inst) - 1e-12)
    assert np.all(value <= np.maximum(rel, inst) + 1e-12)


@given(
    rel=unit_arrays(10),
    inst=unit_arrays(10),
    w=st.floats(0.01, 1.0),
    caseload=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_departing_technician_lowers_trust_in_agency_of_exactly_its_caseload(
    rel, inst, w, caseload
):
    caseload = np.array(caseload)
    before = trust.trust_in_agency(rel, inst, w)
    rel_after = turnover.relationships_after_departure(rel, caseload)
    after = trust.trust_in_agency(rel_after, inst, w)
    lost = caseload & (rel > 1e-9)  # (smaller relationships vanish in float rounding)
    # exactly the caseload firms that had a relationship lose trust ...
    assert np.all(after[lost] < before[lost])
    kept = ~caseload
    np.testing.assert_array_equal(after[kept], before[kept])
    # ... and they lose the relationship_weight share of what the relationship was worth
    np.testing.assert_allclose(before - after, w * rel * caseload, atol=1e-12)


def test_departure_with_zero_relationship_weight_changes_nothing():
    rel, inst = np.array([0.9, 0.5, 0.1]), np.array([0.4, 0.4, 0.4])
    after = turnover.relationships_after_departure(rel, np.array([True, True, False]))
    np.testing.assert_array_equal(
        trust.trust_in_agency(after, inst, 0.0), trust.trust_in_agency(rel, inst, 0.0)
    )
