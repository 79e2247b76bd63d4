"""Activities: who attends and meets, who complies, what succeeds, and who forms groups."""

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


# --- attendance and contact --------------------------------------------------------------------
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


@given(m=unit, tc=unit, ta=unit, d1=unit, d2=unit)
def test_attendance_falls_with_distance(m, tc, ta, d1, d2):
    near, far = _ordered_pair(d1, d2)
    assert _attend(m, tc, ta, far) < _attend(m, tc, ta, near)


@given(m=unit, tc=unit, ta=unit, d=unit)
def test_distance_keeps_away_at_most_the_distance_absence_share(m, tc, ta, d):
    assert _attend(m, tc, ta, d) >= (1.0 - activities.DISTANCE_ABSENCE) * _attend(m, tc, ta, 0.0)


def test_the_most_distant_firms_keep_all_but_the_distance_absence_share():
    assert _attend(0.5, 0.5, 0.5, 1.0) / _attend(0.5, 0.5, 0.5, 0.0) == pytest.approx(
        1.0 - activities.DISTANCE_ABSENCE
    )
    assert 0.0 < activities.DISTANCE_ABSENCE < 0.5


@given(tc=unit, ta=unit, d=unit, m1=unit, m2=unit)
def test_motivated_firms_attend_more(tc, ta, d, m1, m2):
    low, high = _ordered_pair(m1, m2)
    assert _attend(low, tc, ta, d) < _attend(high, tc, ta, d)


@given(m=unit, tc=unit, d=unit, a1=unit, a2=unit)
def test_firms_that_trust_the_organisers_attend_more(m, tc, d, a1, a2):
    low, high = _ordered_pair(a1, a2)
    assert _attend(m, tc, low, d) < _attend(m, tc, high, d)


@given(m=unit, ta=unit, d=unit, c1=unit, c2=unit)
def test_firms_that_believe_in_collective_action_attend_more(m, ta, d, c1, c2):
    low, high = _ordered_pair(c1, c2)
    assert _attend(m, low, ta, d) < _attend(m, high, ta, d)


@given(rate=st.floats(0.01, 1.0), d1=unit, d2=unit)
def test_spontaneous_contact_falls_with_distance(rate, d1, d2):
    near, far = _ordered_pair(d1, d2)
    assert activities.spontaneous_contact_probability(
        rate, far
    ) < activities.spontaneous_contact_probability(rate, near)


@given(rate=unit)
def test_spontaneous_contact_runs_from_the_rate_for_neighbours_to_none_at_distance_one(rate):
    assert activities.spontaneous_contact_probability(rate, 0.0) == pytest.approx(rate)
    assert activities.spontaneous_contact_probability(rate, 1.0) == 0.0


# --- non-compliance ----------------------------------------------------------------------------
def _defect(risk: float, t: float, m: float, a: float, tp: float) -> float:
    p = activities.noncompliance_probability(risk, np.array([t]), np.array([m]), a, np.array([tp]))
    return float(p[0])


@given(risk=unit, t=unit_arrays(6), m=unit_arrays(6), a=unit, tp=unit_arrays(6))
def test_noncompliance_probability_is_a_probability(risk, t, m, a, tp):
    p = activities.noncompliance_probability(risk, t, m, a, tp)
    assert p.shape == t.shape
    assert np.all((p >= 0.0) & (p <= 1.0))


@given(risk=small_risk, t1=unit, t2=unit, m=unit, a=unit, tp=unit)
def test_noncompliance_rises_with_distrust_of_the_group(risk, t1, t2, m, a, tp):
    low, high = _ordered_pair(t1, t2)
    assert _defect(risk, low, m, a, tp) > _defect(risk, high, m, a, tp)


@given(risk=small_risk, t=st.floats(0.0, 0.99), m1=unit, m2=unit, a=unit, tp=unit)
def test_noncompliance_rises_as_motivation_falls(risk, t, m1, m2, a, tp):
    low, high = _ordered_pair(m1, m2)
    assert _defect(risk, t, low, a, tp) > _defect(risk, t, high, a, tp)


@given(risk=small_risk, t=st.floats(0.0, 0.99), m=unit, a1=unit, a2=unit, tp=st.floats(0, 0.99))
def test_noncompliance_rises_as_appropriability_falls(risk, t, m, a1, a2, tp):
    low, high = _ordered_pair(a1, a2)
    assert _defect(risk, t, m, low, tp) > _defect(risk, t, m, high, tp)


@given(risk=small_risk, t=st.floats(0.0, 0.99), m=unit, a=st.floats(0, 0.99), p1=unit, p2=unit)
def test_noncompliance_falls_when_the_public_sector_is_trusted(risk, t, m, a, p1, p2):
    low, high = _ordered_pair(p1, p2)
    assert _defect(risk, t, m, a, high) < _defect(risk, t, m, a, low)


@given(risk=small_risk, t=unit, m=unit, a1=unit, a2=unit)
def test_a_trusted_public_sector_removes_the_temptation_of_the_leak(risk, t, m, a1, a2):
    assert _defect(risk, t, m, a1, 1.0) == pytest.approx(_defect(risk, t, m, a2, 1.0))


@given(risk=small_risk, t=unit, m=unit, p1=unit, p2=unit)
def test_trust_in_the_public_sector_does_not_matter_when_members_keep_the_benefit(
    risk, t, m, p1, p2
):
    assert _defect(risk, t, m, 1.0, p1) == pytest.approx(_defect(risk, t, m, 1.0, p2))


@given(risk=unit)
def test_noncompliance_risk_is_the_reference_members_chance(risk):
    # the docstring: trusts nobody, half motivated, keeps the whole benefit
    assert _defect(risk, 0.0, 0.5, 1.0, 0.0) == pytest.approx(risk)


def test_nobody_defects_without_risk_or_in_a_fully_trusted_group():
    assert _defect(0.0, 0.0, 0.0, 0.0, 0.0) == 0.0
    assert _defect(0.5, 1.0, 0.0, 0.0, 0.0) == 0.0


def test_per_member_risks_are_accepted():
    risk = np.array([0.01, 0.05])  # a less reliable member fails more often
    p = activities.noncompliance_probability(risk, np.zeros(2), np.full(2, 0.5), 1.0, np.zeros(2))
    assert p[1] > p[0]


# --- venture success ---------------------------------------------------------------------------
@st.composite
def capabilities_and_groups(draw):
    n = draw(st.integers(1, 10))
    capability = draw(unit_arrays(n))
    members = draw(hnp.arrays(np.bool_, (draw(st.integers(1, 4)), n)))
    members[:, 0] |= ~members.any(axis=1)  # every group has a member
    return capability, members


@given(cg=capabilities_and_groups())
def test_group_capability_is_between_its_members_mean_and_best(cg):
    capability, members = cg
    got = activities.group_capability(capability, members)
    assert got.shape == (members.shape[0],)
    for g, row in enumerate(members):
        assert capability[row].mean() - 1e-12 <= got[g] <= capability[row].max() + 1e-12


@given(cg=capabilities_and_groups(), noise=unit)
def test_group_capability_ignores_non_members(cg, noise):
    capability, members = cg
    other = np.where(members[0], capability, noise)
    np.testing.assert_allclose(
        activities.group_capability(other, members[:1]),
        activities.group_capability(capability, members[:1]),
    )


def test_a_lead_firm_carries_a_weak_group():
    capability = np.array([0.1, 0.1, 0.1, 0.9])
    weak, led = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=bool)
    c = activities.group_capability(capability, np.array([weak, led]))
    assert c[1] > c[0]
    assert c[1] > capability[led].mean()  # more than the plain average


@given(base=unit, cap=unit_arrays(st.integers(1, 10)))
def test_pilots_are_limited_risk(base, cap):
    p = activities.pilot_success_probability(base, cap)
    assert np.all(p >= 0.8 * base - 1e-12)
    assert np.all(p <= base + 1e-12)


@given(base=st.floats(0.01, 1.0), c1=unit, c2=unit)
def test_capable_groups_run_pilots_more_successfully(base, c1, c2):
    low, high = _ordered_pair(c1, c2)
    assert activities.pilot_success_probability(base, high) > activities.pilot_success_probability(
        base, low
    )


@given(base=st.floats(0.01, 1.0), cap=unit, t1=unit, t2=unit)
def test_project_success_rises_with_group_trust(base, cap, t1, t2):
    low, high = _ordered_pair(t1, t2)
    assert activities.project_success_probability(
        base, cap, high
    ) > activities.project_success_probability(base, cap, low)


@given(base=st.floats(0.01, 1.0), cap=unit)
def test_a_distrustful_group_has_half_the_chance_of_a_trusting_one(base, cap):
    none = activities.project_success_probability(base, cap, 0.0)
    full = activities.project_success_probability(base, cap, 1.0)
    assert none / full == pytest.approx(0.5)


@given(base=st.floats(0.01, 1.0), t=unit, c1=unit, c2=unit)
def test_project_success_rises_with_capability(base, t, c1, c2):
    low, high = _ordered_pair(c1, c2)
    assert activities.project_success_probability(
        base, high, t
    ) > activities.project_success_probability(base, low, t)


def test_base_rate_is_the_chance_of_a_capable_fully_trusting_group():
    assert activities.project_success_probability(0.7, 1.0, 1.0) == pytest.approx(0.7)
    assert activities.pilot_success_probability(0.9, 1.0) == pytest.approx(0.9)


def test_success_probabilities_work_on_arrays_of_groups():
    cap, group_trust = np.array([0.2, 0.9, 0.5]), np.array([0.1, 0.3, 0.8])
    assert activities.pilot_success_probability(0.9, cap).shape == (3,)
    assert activities.project_success_probability(0.7, cap, group_trust).shape == (3,)


# --- partners ----------------------------------------------------------------------------------
def _weights(t: float, keen: float, successes: float) -> float:
    return float(
        activities.partner_weights(np.array([t]), np.array([keen]), np.array([successes]))[0]
    )


@given(t=unit_arrays(8), m=unit_arrays(8), s=hnp.arrays(np.float64, 8, elements=st.floats(0, 9)))
def test_partner_weights_are_positive(t, m, s):
    assert np.all(activities.partner_weights(t, m, s) > 0)


@given(t1=unit, t2=unit, m=unit, s=st.integers(0, 5))
def test_firms_prefer_partners_they_trust(t1, t2, m, s):
    low, high = _ordered_pair(t1, t2)
    assert _weights(high, m, s) > _weights(low, m, s)


@given(t=unit, m1=unit, m2=unit, s=st.integers(0, 5))
def test_firms_prefer_keen_partners(t, m1, m2, s):
    low, high = _ordered_pair(m1, m2)
    assert _weights(t, high, s) > _weights(t, low, s)


@given(t=unit, m=unit, s=st.integers(0, 10))
def test_every_joint_success_makes_a_partner_likelier(t, m, s):
    assert _weights(t, m, s + 1) > _weights(t, m, s)


# --- forming groups ----------------------------------------------------------------------------
@st.composite
def group_problems(draw):
    """A row of weights over 1-25 firms (0: not a candidate), a founder among the candidates."""
    n = draw(st.integers(1, 25))
    weights = draw(hnp.arrays(np.float64, n, elements=st.floats(0.01, 5.0)))
    weights[np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))] = 0.0
    candidates = np.flatnonzero(weights > 0)
    assume(len(candidates) > 0)
    founder = int(draw(st.sampled_from(list(candidates))))
    return founder, weights, draw(st.integers(1, 30))


@given(problem=group_problems(), seed=seeds)
def test_pick_groups_returns_distinct_candidates_led_by_the_founder(problem, seed):
    founder, weights, size = problem
    group = activities.pick_groups(
        np.random.default_rng(seed), np.array([founder]), weights[None], size
    )[0]
    assert group[founder]
    assert set(np.flatnonzero(group).tolist()) <= set(np.flatnonzero(weights > 0).tolist())
    # as large as it can be: the founder plus min(size - 1, others) partners
    assert group.sum() == max(1, min(size, int((weights > 0).sum())))


def test_pick_groups_with_only_the_founder_is_the_founder_alone():
    rng = np.random.default_rng(0)
    weights = np.zeros((1, 9))
    weights[0, 7] = 1.0
    group = activities.pick_groups(rng, np.array([7]), weights, 5)
    np.testing.assert_array_equal(np.flatnonzero(group[0]), [7])


def test_pick_groups_prefers_heavy_partners_row_by_row():
    rng = np.random.default_rng(1)
    weights = np.full((50, 10), 1e-6)
    weights[:, [3, 5, 8]] = 1.0
    groups = activities.pick_groups(rng, np.zeros(50, dtype=int), weights, 4)
    picks = [set(np.flatnonzero(g).tolist()) - {0} for g in groups]
    assert sum(p == {3, 5, 8} for p in picks) >= 45


# --- weighted draws ----------------------------------------------------------------------------
@given(
    weights=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 20)),
        elements=st.floats(0.0, 10.0, allow_subnormal=False),
    ),
    seed=seeds,
)
def test_choose_rows_draws_an_index_of_positive_weight_in_each_row(weights, seed):
    assume((weights.sum(axis=1) > 0).all())
    drawn = activities.choose_rows(np.random.default_rng(seed), weights)
    assert drawn.shape == (len(weights),)
    assert (weights[np.arange(len(weights)), drawn] > 0).all()


def test_choose_rows_is_proportional_to_the_weights():
    rng = np.random.default_rng(7)
    weights = np.tile([1.0, 0.0, 3.0, 6.0], (20_000, 1))
    shares = np.bincount(activities.choose_rows(rng, weights), minlength=4) / 20_000
    np.testing.assert_allclose(shares, weights[0] / weights[0].sum(), atol=0.015)
    assert shares[1] == 0.0


@given(
    weights=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.01, 10.0)),
    data=st.data(),
    seed=seeds,
)
def test_sample_rows_draws_k_distinct_indices(weights, data, seed):
    k = data.draw(st.integers(1, len(weights)))
    mask = activities.sample_rows(np.random.default_rng(seed), weights[None], k)[0]
    assert mask.sum() == k


def test_sample_rows_never_draws_a_weight_of_zero():
    rng = np.random.default_rng(3)
    weights = np.array([[0.0, 1.0, 0.0, 2.0], [5.0, 0.0, 0.0, 0.0]])
    mask = activities.sample_rows(rng, weights, np.array([3, 2]))
    np.testing.assert_array_equal(mask, weights > 0)  # fewer positive weights than k: all


def test_sample_rows_of_one_is_proportional_to_the_weights():
    rng = np.random.default_rng(11)
    weights = np.tile([1.0, 2.0, 7.0], (20_000, 1))
    drawn = activities.sample_rows(rng, weights, 1).argmax(axis=1)
    shares = np.bincount(drawn, minlength=3) / 20_000
    np.testing.assert_allclose(shares, weights[0] / weights[0].sum(), atol=0.015)


def test_sample_rows_of_two_follows_drawing_one_at_a_time():
    # Drawing two of weights 1, 2, 7 one at a time without replacement, an item is left out
    # when the other two come first, in either order: item 0 with 0.2 * 7/8 + 0.7 * 2/3.
    rng = np.random.default_rng(13)
    n = 20_000
    left = (~activities.sample_rows(rng, np.tile([1.0, 2.0, 7.0], (n, 1)), 2)).argmax(axis=1)
    expected = [0.2 * 7 / 8 + 0.7 * 2 / 3, 0.1 * 7 / 9 + 0.7 * 1 / 3, 0.1 * 2 / 9 + 0.2 * 1 / 8]
    np.testing.assert_allclose(np.bincount(left, minlength=3) / n, expected, atol=0.015)


# --- events ------------------------------------------------------------------------------------
def test_event_kinds_are_well_formed():
    assert activities.EVENT_KINDS
    for kind in activities.EVENT_KINDS:
        assert kind.evidence > 0
        assert kind.invited >= 2  # an event with one guest shows nobody anything
        assert 0 <= kind.collective_action_gain <= 1
        assert kind.weight > 0
    np.testing.assert_array_equal(
        activities.EVENT_WEIGHTS, [k.weight for k in activities.EVENT_KINDS]
    )
