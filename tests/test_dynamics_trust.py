"""Trust as learned expectation: the evidence rule, its equilibrium, erosion and the measures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.dynamics import trust, turnover
from tests.strategies import (
    evidence_counts,
    learning_rates,
    loss_ratios,
    matrix_and_group,
    trust_and_groups,
    trust_matrices,
    unit,
    unit_arrays,
)

RATE, RATIO = 0.1, 3.0  # one piece of evidence; the ODD's default loss ratio


def _gain(t: float, rate: float = RATE, ratio: float = RATIO) -> float:
    return float(trust.learn(t, True, rate, ratio)) - t


def _loss(t: float, rate: float = RATE, ratio: float = RATIO) -> float:
    return t - float(trust.learn(t, False, rate, ratio))


# --- one piece of evidence ---------------------------------------------------------------------
@given(
    t=unit_arrays(st.integers(1, 20)),
    data=st.data(),
    rate=st.floats(0.0, 5.0),
    ratio=loss_ratios,
)
def test_learn_keeps_trust_in_the_unit_interval_and_its_shape(t, data, rate, ratio):
    good = data.draw(st.lists(st.booleans(), min_size=len(t), max_size=len(t)))
    after = trust.learn(t, np.array(good), rate, ratio)
    assert after.shape == t.shape
    assert np.all((after >= 0.0) & (after <= 1.0))


@given(t=st.floats(0.0, 0.999), rate=learning_rates, ratio=loss_ratios)
def test_good_evidence_moves_trust_up_towards_one(t, rate, ratio):
    assert t < trust.learn(t, True, rate, ratio) <= 1.0


@given(t=st.floats(0.001, 1.0), rate=learning_rates, ratio=loss_ratios)
def test_bad_evidence_moves_trust_down_towards_zero(t, rate, ratio):
    assert 0.0 <= trust.learn(t, False, rate, ratio) < t


@given(t1=unit, t2=unit, good=st.booleans(), rate=st.floats(0.0, 1.0), ratio=loss_ratios)
def test_learn_never_reverses_the_order_of_two_trust_levels(t1, t2, good, rate, ratio):
    low, high = sorted((t1, t2))
    assert trust.learn(low, good, rate, ratio) <= trust.learn(high, good, rate, ratio)


def test_bad_evidence_can_at_most_erase_trust():
    assert trust.loss_rate(0.1, 3.0) == pytest.approx(0.3)
    assert trust.loss_rate(0.5, 3.0) == 1.0
    assert trust.learn(0.8, False, 0.5, 3.0) == 0.0


# --- the loss/gain ratio (issue 10, behaviour 1) -----------------------------------------------
@pytest.mark.parametrize("t", [0.2, 0.5, 0.8])
def test_bad_evidence_closes_loss_ratio_times_the_share_good_evidence_closes(t):
    share_lost = _loss(t) / t  # of the distance to 0
    share_gained = _gain(t) / (1.0 - t)  # of the distance to 1
    assert share_lost / share_gained == pytest.approx(RATIO)


@pytest.mark.parametrize("t", [0.2, 0.5, 0.8])
def test_loss_at_t_is_loss_ratio_times_the_gain_at_one_minus_t(t):
    assert _loss(t) / _gain(1.0 - t) == pytest.approx(RATIO)


@pytest.mark.parametrize("ratio", [1.0, 2.0, 3.0, 5.0])
def test_at_half_trust_the_absolute_loss_is_loss_ratio_times_the_gain(ratio):
    assert _loss(0.5, ratio=ratio) / _gain(0.5, ratio=ratio) == pytest.approx(ratio)


@given(t=st.floats(0.01, 0.99), ratio=loss_ratios, data=st.data())
def test_the_realised_loss_gain_ratio_holds_at_every_trust_level(t, ratio, data):
    rate = data.draw(st.floats(1e-4, 1.0 / ratio))
    share_lost = _loss(t, rate, ratio) / t
    share_gained = _gain(t, rate, ratio) / (1.0 - t)
    assert share_lost / share_gained == pytest.approx(ratio, rel=1e-6)


# --- many pieces of evidence -------------------------------------------------------------------
@given(
    t=unit_arrays(st.integers(1, 6)),
    n_good=st.integers(0, 15),
    half_bad=st.integers(0, 8),
    rate=learning_rates,
    ratio=loss_ratios,
)
def test_learn_many_with_whole_counts_equals_repeated_learn(t, n_good, half_bad, rate, ratio):
    # the bad evidence is split around the good, so the order of one month's evidence is moot
    n_bad = 2 * half_bad
    one_by_one = t.copy()
    for good in [False] * half_bad + [True] * n_good + [False] * half_bad:
        one_by_one = trust.learn(one_by_one, good, rate, ratio)
    np.testing.assert_allclose(
        trust.learn_many(t, n_good, n_bad, rate, ratio), one_by_one, rtol=1e-9, atol=1e-12
    )


@given(t=unit_arrays(st.integers(1, 6)), rate=learning_rates, ratio=loss_ratios)
def test_learn_many_without_evidence_leaves_trust_unchanged(t, rate, ratio):
    np.testing.assert_array_equal(trust.learn_many(t, 0.0, 0.0, rate, ratio), t)


@given(t=st.floats(0.0, 0.9), rate=st.floats(0.01, 0.09), ratio=loss_ratios)
def test_each_further_good_piece_adds_less(t, rate, ratio):
    path = trust.learn_many(np.full(31, t), np.arange(31.0), 0.0, rate, ratio)
    gains = np.diff(path)
    assert np.all(gains > 0.0)
    assert np.all(np.diff(gains) < 0.0)


@given(t=st.floats(0.1, 1.0), rate=st.floats(0.01, 0.09), ratio=loss_ratios)
def test_each_further_bad_piece_takes_less(t, rate, ratio):
    path = trust.learn_many(np.full(31, t), 0.0, np.arange(31.0), rate, ratio)
    losses = -np.diff(path)
    assert np.all(losses > 0.0)
    assert np.all(np.diff(losses) < 0.0)


@given(t=st.floats(0.0, 0.99), k=evidence_counts, rate=learning_rates, ratio=loss_ratios)
def test_fractional_good_evidence_lies_between_whole_counts(t, k, rate, ratio):
    whole = math.floor(k)
    below, at, above = trust.learn_many(
        np.full(3, t), np.array([whole, k, whole + 1.0]), 0.0, rate, ratio
    )
    assert below - 1e-15 <= at <= above + 1e-15


@given(
    t=unit_arrays(st.integers(1, 6)),
    n_good=evidence_counts,
    n_bad=evidence_counts,
    rate=learning_rates,
    ratio=loss_ratios,
)
def test_learn_many_keeps_trust_in_the_unit_interval(t, n_good, n_bad, rate, ratio):
    after = trust.learn_many(t, n_good, n_bad, rate, ratio)
    assert np.all((after >= 0.0) & (after <= 1.0))


def test_learn_many_takes_a_count_per_pair_of_a_matrix():
    t = np.array([[1.0, 0.3], [0.6, 1.0]])
    n_good, n_bad = np.array([[0.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [1.0, 0.0]])
    after = trust.learn_many(t, n_good, n_bad, RATE, RATIO)
    assert after[0, 1] == pytest.approx(trust.learn_many(0.3, 2.0, 0.0, RATE, RATIO))
    assert after[1, 0] == pytest.approx(trust.learn(0.6, False, RATE, RATIO))
    np.testing.assert_allclose(np.diag(after), 1.0)


# --- where trust converges (issue 10, behaviour 1) ---------------------------------------------
def _mean_path(reliability: float, start: float, steps: int = 400, seed: int = 0) -> np.ndarray:
    """Mean trust, month by month, of 4000 firms each learning from a Bernoulli(c) counterpart."""
    rng = np.random.default_rng(seed)
    t = np.full(4000, start)
    path = [t.mean()]
    for _ in range(steps):
        t = trust.learn(t, rng.random(t.size) < reliability, 0.05, RATIO)
        path.append(t.mean())
    return np.array(path)


def _long_run(reliability: float) -> float:
    return float(_mean_path(reliability, start=0.3)[-200:].mean())


def test_known_equilibria():
    assert trust.equilibrium(0.7, 3.0) == pytest.approx(0.4375)
    assert trust.equilibrium(0.75, 3.0) == pytest.approx(0.5)
    assert trust.equilibrium(0.0, 3.0) == 0.0
    assert trust.equilibrium(1.0, 3.0) == 1.0


@given(c=unit)
def test_without_a_loss_ratio_trust_equals_reliability(c):
    assert trust.equilibrium(c, 1.0) == pytest.approx(c)


@given(c1=unit, c2=unit, ratio=loss_ratios)
def test_equilibrium_rises_with_reliability(c1, c2, ratio):
    low, high = sorted((c1, c2))
    assume(high - low > 1e-9)
    assert trust.equilibrium(low, ratio) < trust.equilibrium(high, ratio)


@given(c=st.floats(0.01, 0.99), r1=loss_ratios, r2=loss_ratios)
def test_equilibrium_falls_with_the_loss_ratio(c, r1, r2):
    low, high = sorted((r1, r2))
    assume(high - low > 1e-6)
    assert trust.equilibrium(c, high) < trust.equilibrium(c, low)


@given(c=st.floats(0.01, 0.99), ratio=loss_ratios, data=st.data())
def test_expected_step_is_zero_at_equilibrium_and_points_towards_it(c, ratio, data):
    rate = data.draw(st.floats(1e-3, 1.0 / ratio))

    def expected_step(t: float) -> float:
        return c * _gain(t, rate, ratio) - (1.0 - c) * _loss(t, rate, ratio)

    star = float(trust.equilibrium(c, ratio))
    assert expected_step(star) == pytest.approx(0.0, abs=1e-12)
    assert expected_step(star / 2) > 0.0
    assert expected_step((1.0 + star) / 2) < 0.0


@pytest.mark.parametrize("c", [0.3, 0.5, 0.7, 0.9])
def test_long_run_trust_in_a_bernoulli_counterpart_is_the_equilibrium(c):
    assert _long_run(c) == pytest.approx(trust.equilibrium(c, RATIO), abs=0.01)


def test_long_run_trust_rises_with_the_counterparts_reliability():
    runs = [_long_run(c) for c in (0.3, 0.5, 0.7, 0.9)]
    assert all(a < b for a, b in zip(runs, runs[1:], strict=False))


def test_a_partner_keeping_70_percent_of_promises_is_trusted_about_0_44_not_0():
    assert _long_run(0.7) == pytest.approx(0.44, abs=0.015)


def test_a_counterpart_that_always_delivers_ends_near_full_trust():
    assert _mean_path(1.0, start=0.3, steps=200)[-1] > 0.99


@pytest.mark.parametrize("start", [0.05, 0.95])
def test_trust_approaches_the_equilibrium_smoothly_from_either_side(start):
    star = float(trust.equilibrium(0.7, RATIO))
    path = _mean_path(0.7, start=start, steps=40)
    distance = np.abs(path[[0, 5, 10, 20, 40]] - star)
    assert np.all(np.diff(distance) < 0.0)
    assert np.all(np.sign(path[:21] - star) == np.sign(start - star))  # no overshoot


# --- erosion (issue 10, behaviour 3) -----------------------------------------------------------
@given(b=unit, data=st.data(), rate=unit)
def test_erode_leaves_trust_at_or_below_the_baseline_alone(b, data, rate):
    t = data.draw(st.floats(0.0, b))
    assert trust.erode(t, b, rate) == t


@given(b=st.floats(0.0, 0.99), data=st.data(), rate=st.floats(1e-3, 1.0))
def test_erode_fades_trust_above_the_baseline_without_crossing_it(b, data, rate):
    t = data.draw(st.floats(b + 1e-3, 1.0))
    assert b - 1e-12 <= trust.erode(t, b, rate) < t


@given(b=st.floats(0.0, 0.5), rate=st.floats(0.01, 0.99))
def test_erode_fades_the_same_share_of_whatever_was_built(b, rate):
    built = np.array([0.1, 0.3, 0.5])
    left = trust.erode(b + built, np.full(3, b), rate) - b
    np.testing.assert_allclose(left / built, left[0] / built[0], rtol=1e-9)


def test_without_contact_built_trust_fades_back_to_the_baseline():
    t, baseline = np.array([0.9, 0.6, 0.1]), np.array([0.3, 0.3, 0.3])
    for _ in range(300):
        t = trust.erode(t, baseline, 0.05)
    np.testing.assert_allclose(t, [0.3, 0.3, 0.1], atol=1e-6)  # the betrayal is remembered


def test_erode_limits():
    t, b = np.array([0.0, 0.2, 0.9, 0.5]), np.array([0.0, 0.1, 0.3, 0.7])
    np.testing.assert_array_equal(trust.erode(t, b, 0.0), t)
    np.testing.assert_allclose(trust.erode(t, b, 1.0), np.minimum(t, b))


# --- mutual trust and trust in groups (issue 10, behaviour 6) ----------------------------------
# Row i holds firm i's trust in each other firm.
HAND = np.array(
    [
        [1.0, 0.8, 0.2, 0.4],
        [0.6, 1.0, 0.0, 0.5],
        [0.4, 0.2, 1.0, 0.9],
        [0.3, 0.7, 0.1, 1.0],
    ]
)
GROUPS = np.array(
    [
        [True, True, True, False],  # three firms
        [False, False, True, True],  # a pair
        [False, True, False, False],  # a lone firm
        [False, False, False, False],  # nobody
    ]
)


def test_trust_in_groups_of_a_hand_made_matrix():
    expected = [
        [0.5, 0.3, 0.3, 0.0],  # e.g. firm 0: (0.8 + 0.2) / 2
        [0.0, 0.0, 0.9, 0.1],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
    np.testing.assert_allclose(trust.trust_in_groups(HAND, GROUPS), expected)


def test_group_mean_trust_of_a_hand_made_matrix():
    np.testing.assert_allclose(trust.group_mean_trust(HAND, GROUPS), [1.1 / 3, 0.5, 0.0, 0.0])


def test_mean_mutual_trust_of_a_hand_made_matrix():
    assert trust.mean_mutual_trust(HAND, np.array([0, 1, 2])) == pytest.approx(2.2 / 6)
    assert math.isnan(trust.mean_mutual_trust(HAND, np.array([1])))


@given(tg=trust_and_groups())
def test_group_mean_trust_is_the_mean_over_ordered_pairs_of_members(tg):
    matrix, members = tg
    got = trust.group_mean_trust(matrix, members)
    for g, row in enumerate(members):
        idx = np.flatnonzero(row)
        want = trust.mean_mutual_trust(matrix, idx) if len(idx) >= 2 else 0.0
        assert got[g] == pytest.approx(want, abs=1e-12)


@given(tg=trust_and_groups(), noise=unit)
def test_trust_in_groups_ignores_trust_involving_outsiders(tg, noise):
    matrix, members = tg
    row = members[0:1]
    outside = ~row[0]
    other = matrix.copy()
    other[outside, :] = noise
    other[:, outside] = noise
    np.fill_diagonal(other, 1.0)
    np.testing.assert_allclose(
        trust.trust_in_groups(other, row), trust.trust_in_groups(matrix, row), atol=1e-12
    )


@given(tg=trust_and_groups(), data=st.data())
def test_trust_in_groups_of_stacked_runs_equals_each_run(tg, data):
    first, members = tg
    second = data.draw(unit_arrays(first.size)).reshape(first.shape)
    np.fill_diagonal(second, 1.0)
    stacked = trust.trust_in_groups(np.stack([first, second]), np.stack([members, members]))
    np.testing.assert_allclose(stacked[0], trust.trust_in_groups(first, members), atol=1e-12)
    np.testing.assert_allclose(stacked[1], trust.trust_in_groups(second, members), atol=1e-12)
    means = trust.group_mean_trust(np.stack([first, second]), np.stack([members, members]))
    np.testing.assert_allclose(means[1], trust.group_mean_trust(second, members), atol=1e-12)


def test_uniform_trust_in_a_group_is_that_trust():
    matrix = np.full((5, 5), 0.3)
    np.fill_diagonal(matrix, 1.0)
    members = np.array([[True, False, True, False, True]])
    np.testing.assert_allclose(trust.trust_in_groups(matrix, members)[0, members[0]], 0.3)
    np.testing.assert_allclose(trust.group_mean_trust(matrix, members), [0.3])


@given(matrix=trust_matrices())
def test_mutual_trust_is_symmetric_and_between_the_two_directions(matrix):
    m = trust.mutual(matrix)
    np.testing.assert_array_equal(m, m.T)
    assert np.all(m >= np.minimum(matrix, matrix.T) - 1e-12)
    assert np.all(m <= np.maximum(matrix, matrix.T) + 1e-12)


def test_mutual_trust_of_a_hand_made_matrix():
    m = trust.mutual(HAND)
    assert m[0, 1] == pytest.approx(0.7)
    assert m[2, 3] == pytest.approx(0.5)
    np.testing.assert_allclose(np.diag(m), 1.0)


def test_pair_mean_averages_mutual_trust_over_the_marked_pairs():
    pairs = np.zeros((4, 4), dtype=bool)
    pairs[0, 1] = pairs[1, 0] = pairs[2, 3] = pairs[3, 2] = True
    assert trust.pair_mean(HAND, pairs) == pytest.approx((0.7 + 0.5) / 2)


def test_pair_mean_ignores_the_diagonal_and_is_nan_without_pairs():
    assert math.isnan(trust.pair_mean(HAND, np.zeros((4, 4), dtype=bool)))
    assert math.isnan(trust.pair_mean(HAND, np.eye(4, dtype=bool)))


def test_tie_share_of_a_hand_made_matrix():
    # mutual trust: (0,1) 0.7, (0,2) 0.3, (0,3) 0.35, (1,2) 0.1, (1,3) 0.6, (2,3) 0.5
    assert trust.tie_share(HAND, np.arange(4), 0.5) == (3, pytest.approx(0.5))
    assert trust.tie_share(HAND, np.arange(4), 0.65) == (1, pytest.approx(1 / 6))
    assert trust.tie_share(HAND, np.array([0, 2]), 0.5) == (0, 0.0)


def test_one_way_trust_is_not_a_tie():
    matrix = np.eye(2)
    matrix[0, 1] = 0.9  # firm 0 trusts firm 1, firm 1 does not trust it back
    assert trust.tie_share(matrix, np.arange(2), 0.5) == (0, 0.0)


def test_tie_share_of_fewer_than_two_members_is_nothing():
    assert trust.tie_share(HAND, np.array([1]), 0.5) == (0, 0.0)


# --- network cohesion (issue 10, behaviour 6) --------------------------------------------------
def _strong(n: int, ties: list[tuple[int, int]]) -> np.ndarray:
    matrix = np.full((n, n), 0.1)
    np.fill_diagonal(matrix, 1.0)
    for a, b in ties:
        matrix[a, b] = matrix[b, a] = 0.9
    return matrix


N = 20


def test_cohesion_of_a_clique_of_strong_ties_is_one():
    everyone = [(a, b) for a in range(N) for b in range(a + 1, N)]
    assert trust.cohesion(_strong(N, everyone), np.arange(N)) == pytest.approx(1.0)


def test_cohesion_without_a_strong_tie_is_zero():
    assert trust.cohesion(_strong(N, []), np.arange(N)) == 0.0


def test_cohesion_of_a_star_of_strong_ties_does_not_saturate():
    star = [(0, b) for b in range(1, N)]
    assert trust.cohesion(_strong(N, star), np.arange(N)) < 0.15


def test_cohesion_of_a_chain_of_strong_ties_does_not_saturate():
    chain = [(a, a + 1) for a in range(N - 1)]
    assert trust.cohesion(_strong(N, chain), np.arange(N)) < 0.15


def test_cohesion_of_a_clique_among_half_the_members_is_one_half():
    half = [(a, b) for a in range(N // 2) for b in range(a + 1, N // 2)]
    assert trust.cohesion(_strong(N, half), np.arange(N)) == pytest.approx(0.5)


def test_cohesion_needs_trust_both_ways():
    one_way = np.eye(3)
    one_way[0, 1] = one_way[1, 2] = one_way[2, 0] = 0.9  # nobody trusts back: mutual 0.45
    assert trust.cohesion(one_way, np.arange(3)) == 0.0


def test_cohesion_counts_only_the_given_members():
    clique_of_five = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    assert trust.cohesion(_strong(N, clique_of_five), np.arange(5)) == pytest.approx(1.0)


def test_cohesion_of_fewer_than_two_members_is_zero():
    assert trust.cohesion(np.ones((3, 3)), np.array([1])) == 0.0
    assert trust.cohesion(np.ones((3, 3)), np.array([], dtype=int)) == 0.0


@given(mg=matrix_and_group(min_n=1, max_n=10, min_group=1))
def test_cohesion_is_between_zero_and_one(mg):
    matrix, members = mg
    assert 0.0 <= trust.cohesion(matrix, members) <= 1.0


def test_cohesion_does_not_depend_on_the_order_of_members():
    chain_and_clique = _strong(6, [(0, 1), (1, 2), (3, 4), (4, 5), (3, 5)])
    assert trust.cohesion(chain_and_clique, np.array([0, 1, 2, 3, 4, 5])) == pytest.approx(
        trust.cohesion(chain_and_clique, np.array([3, 4, 5, 0, 1, 2]))
    )


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
    after = trust.trust_in_agency(turnover.relationships_after_departure(rel, caseload), inst, w)
    lost = caseload & (rel > 1e-9)  # (smaller relationships vanish in float rounding)
    assert np.all(after[lost] < before[lost])
    np.testing.assert_array_equal(after[~caseload], before[~caseload])
    # they lose the relationship_weight share of what the relationship was worth
    np.testing.assert_allclose(before - after, w * rel * caseload, atol=1e-12)


def test_departure_with_zero_relationship_weight_changes_nothing():
    rel, inst = np.array([0.9, 0.5, 0.1]), np.array([0.4, 0.4, 0.4])
    after = turnover.relationships_after_departure(rel, np.array([True, True, False]))
    np.testing.assert_array_equal(
        trust.trust_in_agency(after, inst, 0.0), trust.trust_in_agency(rel, inst, 0.0)
    )
