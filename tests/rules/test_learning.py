"""Trust as learned expectation: the evidence rule, its equilibrium, trust fading (`learning`)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numba import njit

from pipsim.rules import learning
from tests.rules.states import state
from tests.strategies import evidence_counts, learning_rates, loss_ratios, unit, unit_arrays

RATE, RATIO = 0.1, 3.0  # one piece of evidence; the ODD's default loss ratio


def _gain(t: float, rate: float = RATE, ratio: float = RATIO) -> float:
    return learning.learn(t, True, rate, ratio) - t


def _loss(t: float, rate: float = RATE, ratio: float = RATIO) -> float:
    return t - learning.learn(t, False, rate, ratio)


def _learn_many(t: float, n_good: float, n_bad: float, rate: float, ratio: float) -> float:
    return learning.learn_many(float(t), float(n_good), float(n_bad), rate, ratio)


# --- one piece of evidence ---------------------------------------------------------------------
@given(
    t=unit_arrays(st.integers(1, 20)), data=st.data(), rate=st.floats(0.0, 5.0), ratio=loss_ratios
)
def test_learn_keeps_trust_in_the_unit_interval(t, data, rate, ratio):
    good = data.draw(st.lists(st.booleans(), min_size=len(t), max_size=len(t)))
    for before, g in zip(t, good, strict=True):
        assert 0.0 <= learning.learn(before, g, rate, ratio) <= 1.0


@given(t=st.floats(0.0, 0.999), rate=learning_rates, ratio=loss_ratios)
def test_good_evidence_moves_trust_up_towards_one(t, rate, ratio):
    assert t < learning.learn(t, True, rate, ratio) <= 1.0


@given(t=st.floats(0.001, 1.0), rate=learning_rates, ratio=loss_ratios)
def test_bad_evidence_moves_trust_down_towards_zero(t, rate, ratio):
    assert 0.0 <= learning.learn(t, False, rate, ratio) < t


@given(t1=unit, t2=unit, good=st.booleans(), rate=st.floats(0.0, 1.0), ratio=loss_ratios)
def test_learn_never_reverses_the_order_of_two_trust_levels(t1, t2, good, rate, ratio):
    low, high = sorted((t1, t2))
    assert learning.learn(low, good, rate, ratio) <= learning.learn(high, good, rate, ratio)


def test_bad_evidence_can_at_most_erase_trust():
    assert learning.loss_rate(0.1, 3.0) == pytest.approx(0.3)
    assert learning.loss_rate(0.5, 3.0) == 1.0
    assert learning.learn(0.8, False, 0.5, 3.0) == 0.0


# --- the loss/gain ratio -----------------------------------------------------------------------
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
    for start in t:
        one_by_one = float(start)
        for good in [False] * half_bad + [True] * n_good + [False] * half_bad:
            one_by_one = learning.learn(one_by_one, good, rate, ratio)
        many = _learn_many(start, n_good, 2 * half_bad, rate, ratio)
        assert many == pytest.approx(one_by_one, rel=1e-9, abs=1e-12)


@given(t=unit_arrays(st.integers(1, 6)), rate=learning_rates, ratio=loss_ratios)
def test_learn_many_without_evidence_leaves_trust_unchanged(t, rate, ratio):
    for start in t:
        assert _learn_many(start, 0.0, 0.0, rate, ratio) == start


@given(t=st.floats(0.0, 0.9), rate=st.floats(0.01, 0.09), ratio=loss_ratios)
def test_each_further_good_piece_adds_less(t, rate, ratio):
    path = np.array([_learn_many(t, k, 0.0, rate, ratio) for k in range(31)])
    gains = np.diff(path)
    assert np.all(gains > 0.0)
    assert np.all(np.diff(gains) < 0.0)


@given(t=st.floats(0.1, 1.0), rate=st.floats(0.01, 0.09), ratio=loss_ratios)
def test_each_further_bad_piece_takes_less(t, rate, ratio):
    path = np.array([_learn_many(t, 0.0, k, rate, ratio) for k in range(31)])
    losses = -np.diff(path)
    assert np.all(losses > 0.0)
    assert np.all(np.diff(losses) < 0.0)


@given(t=st.floats(0.0, 0.99), k=evidence_counts, rate=learning_rates, ratio=loss_ratios)
def test_fractional_good_evidence_lies_between_whole_counts(t, k, rate, ratio):
    whole = math.floor(k)
    below, at, above = (_learn_many(t, c, 0.0, rate, ratio) for c in (whole, k, whole + 1.0))
    assert below - 1e-15 <= at <= above + 1e-15


@given(
    t=unit_arrays(st.integers(1, 6)),
    n_good=evidence_counts,
    n_bad=evidence_counts,
    rate=learning_rates,
    ratio=loss_ratios,
)
def test_learn_many_keeps_trust_in_the_unit_interval(t, n_good, n_bad, rate, ratio):
    for start in t:
        assert 0.0 <= _learn_many(start, n_good, n_bad, rate, ratio) <= 1.0


@given(
    t=unit, n_good=evidence_counts, n_bad=evidence_counts, rate=learning_rates, ratio=loss_ratios
)
def test_evidence_factors_applied_equal_learn_many(t, n_good, n_bad, rate, ratio):
    half_bad, closed = learning.evidence_factors(n_good, n_bad, rate, ratio)
    assert learning.apply_evidence(t, half_bad, closed) == _learn_many(
        t, n_good, n_bad, rate, ratio
    )


def test_learn_about_moves_one_direction_of_one_pair_and_marks_the_contact():
    s, p = state(4, trust_gain=RATE, trust_loss_ratio=RATIO, trust_prior_weight=PRIOR)
    s.trust[0] = 0.3
    s.contact[0] = False
    s.evidence[0, 1, 2] = SEASONED  # a long record: the steady rate
    learning.learn_about(s, p, 0, 1, 2, 2.0, 1.0)
    assert s.trust[0, 1, 2] == pytest.approx(_learn_many(0.3, 2.0, 1.0, RATE, RATIO), rel=1e-6)
    assert s.trust[0, 2, 1] == pytest.approx(0.3)  # what 2 thinks of 1 is its own business
    assert s.contact[0, 1, 2] and s.contact[0].sum() == 1
    assert s.evidence[0, 1, 2] == SEASONED + 3.0 and s.evidence[0, 2, 1] == 0.0


def test_observing_a_partner_is_evidence_in_proportion_to_its_reliability():
    s, p = state(3, trust_gain=RATE, trust_loss_ratio=RATIO, trust_prior_weight=PRIOR)
    s.trust[0] = 0.4
    s.evidence[0] = SEASONED
    s.reliability[0] = [0.5, 0.9, 0.2]
    learning.observe(s, p, 0, 0, 1, 1.0)
    learning.observe(s, p, 0, 0, 2, 1.0)
    assert s.trust[0, 0, 1] == pytest.approx(_learn_many(0.4, 0.9, 0.1, RATE, RATIO), rel=1e-6)
    assert s.trust[0, 0, 2] == pytest.approx(_learn_many(0.4, 0.2, 0.8, RATE, RATIO), rel=1e-6)
    assert s.trust[0, 0, 1] > 0.4 > s.trust[0, 0, 2]


# --- first impressions: evidence weighs more while it is scarce --------------------------------
PRIOR = 4.0  # initial trust worth four pieces: the first piece weighs 1/5, the steady rate 1/10
SEASONED = 50.0  # pieces of evidence after which a pair learns at the steady rate


@given(rate=st.floats(0.01, 0.3), prior=st.floats(0.0, 200.0), e1=st.floats(0.0, 500.0))
def test_first_impression_rate_falls_with_evidence_to_the_steady_rate(rate, prior, e1):
    e2 = e1 + 1.0
    first, later = (learning.first_impression_rate(rate, prior, e) for e in (e1, e2))
    assert rate <= later <= first <= 1.0
    assert later < first or later == rate


def test_first_impression_rate_is_a_running_mean_then_the_steady_rate():
    assert learning.first_impression_rate(RATE, PRIOR, 0.0) == pytest.approx(1 / 5)
    assert learning.first_impression_rate(RATE, PRIOR, 3.0) == pytest.approx(1 / 8)
    assert learning.first_impression_rate(RATE, PRIOR, 5.0) == RATE
    assert learning.first_impression_rate(RATE, PRIOR, 50.0) == RATE


@given(rate=st.floats(0.01, 0.3), e=st.floats(0.0, 1000.0))
def test_a_prior_worth_the_steady_rates_memory_turns_first_impressions_off(rate, e):
    assert learning.first_impression_rate(rate, 1.0 / rate - 1.0, e) == pytest.approx(rate)


@pytest.mark.parametrize("good", [True, False])
def test_an_early_piece_of_evidence_moves_trust_more_than_a_late_one(good):
    s, p = state(3, trust_gain=RATE, trust_loss_ratio=RATIO, trust_prior_weight=PRIOR)
    s.trust[0] = 0.4
    s.evidence[0, 0, 2] = SEASONED  # 0 has a long record of 2, none of 1
    learning.learn_about(s, p, 0, 0, 1, float(good), float(not good))
    learning.learn_about(s, p, 0, 0, 2, float(good), float(not good))
    early, late = abs(s.trust[0, 0, 1] - 0.4), abs(s.trust[0, 0, 2] - 0.4)
    assert early > 1.5 * late  # 1/5 against 1/10 of the way
    assert early == pytest.approx(abs(learning.learn(0.4, good, 1 / 5, RATIO) - 0.4), rel=1e-5)


@given(t=unit, e=st.floats(0.0, 60.0), weight=st.floats(0.0, 3.0), c=unit)
def test_learning_from_sight_is_learning_of_the_same_evidence(t, e, weight, c):
    s, p = state(2, trust_gain=RATE, trust_loss_ratio=RATIO, trust_prior_weight=PRIOR)
    good, bad = weight * c, weight * (1.0 - c)
    half_bad, closed = learning.evidence_factors(good, bad, RATE, RATIO)  # the steady factors
    keeps = learning.first_impression_keeps(p)
    s.trust[0, 0, 1], s.evidence[0, 0, 1] = t, e
    held = float(s.evidence[0, 0, 1])  # as the state keeps it (float32: 1 - 1e-16 is 1)
    sight = learning.learn_from_sight(t, held, good, bad, half_bad, closed, keeps, p)
    learning.learn_of(s, p, 0, 0, 1, good, bad)
    assert sight == pytest.approx(float(s.trust[0, 0, 1]), abs=1e-6)


# --- where trust converges ---------------------------------------------------------------------
@njit(cache=True)
def _path(rng: np.random.Generator, reliability: float, start: float, steps: int) -> np.ndarray:
    """Mean trust, month by month, of 4000 firms each learning from a Bernoulli(c) counterpart."""
    t = np.full(4000, start)
    path = np.empty(steps + 1)
    path[0] = t.mean()
    for k in range(steps):
        for i in range(t.size):
            t[i] = learning.learn(t[i], rng.random() < reliability, 0.05, RATIO)
        path[k + 1] = t.mean()
    return path


def _mean_path(reliability: float, start: float, steps: int = 400, seed: int = 0) -> np.ndarray:
    return _path(np.random.default_rng(seed), reliability, start, steps)


@functools.cache
def _long_run(reliability: float) -> float:
    return float(_mean_path(reliability, start=0.3)[-200:].mean())


def test_known_equilibria():
    assert learning.equilibrium(0.7, 3.0) == pytest.approx(0.4375)
    assert learning.equilibrium(0.75, 3.0) == pytest.approx(0.5)
    assert learning.equilibrium(0.0, 3.0) == 0.0
    assert learning.equilibrium(1.0, 3.0) == 1.0


@given(c=unit)
def test_without_a_loss_ratio_trust_equals_reliability(c):
    assert learning.equilibrium(c, 1.0) == pytest.approx(c)


@given(c1=unit, c2=unit, ratio=loss_ratios)
def test_equilibrium_rises_with_reliability(c1, c2, ratio):
    low, high = sorted((c1, c2))
    assume(high - low > 1e-9)
    assert learning.equilibrium(low, ratio) < learning.equilibrium(high, ratio)


@given(c=st.floats(0.01, 0.99), r1=loss_ratios, r2=loss_ratios)
def test_equilibrium_falls_with_the_loss_ratio(c, r1, r2):
    low, high = sorted((r1, r2))
    assume(high - low > 1e-6)
    assert learning.equilibrium(c, high) < learning.equilibrium(c, low)


@given(c=st.floats(0.01, 0.99), ratio=loss_ratios, data=st.data())
def test_expected_step_is_zero_at_equilibrium_and_points_towards_it(c, ratio, data):
    rate = data.draw(st.floats(1e-3, 1.0 / ratio))

    def expected_step(t: float) -> float:
        return c * _gain(t, rate, ratio) - (1.0 - c) * _loss(t, rate, ratio)

    star = learning.equilibrium(c, ratio)
    assert expected_step(star) == pytest.approx(0.0, abs=1e-12)
    assert expected_step(star / 2) > 0.0
    assert expected_step((1.0 + star) / 2) < 0.0


@pytest.mark.parametrize("c", [0.3, 0.5, 0.7, 0.9])
def test_long_run_trust_in_a_bernoulli_counterpart_is_the_equilibrium(c):
    assert _long_run(c) == pytest.approx(learning.equilibrium(c, RATIO), abs=0.01)


def test_long_run_trust_rises_with_the_counterparts_reliability():
    runs = [_long_run(c) for c in (0.3, 0.5, 0.7, 0.9)]
    assert all(a < b for a, b in zip(runs, runs[1:], strict=False))


def test_a_partner_keeping_70_percent_of_promises_is_trusted_about_0_44_not_0():
    assert _long_run(0.7) == pytest.approx(0.44, abs=0.015)


def test_a_counterpart_that_always_delivers_ends_near_full_trust():
    assert _mean_path(1.0, start=0.3, steps=200)[-1] > 0.99


@pytest.mark.parametrize("start", [0.05, 0.95])
def test_trust_approaches_the_equilibrium_smoothly_from_either_side(start):
    star = learning.equilibrium(0.7, RATIO)
    path = _mean_path(0.7, start=start, steps=40)
    distance = np.abs(path[[0, 5, 10, 20, 40]] - star)
    assert np.all(np.diff(distance) < 0.0)
    assert np.all(np.sign(path[:21] - star) == np.sign(start - star))  # no overshoot


# --- fading (what the project built, between firms that did not meet) --------------------------
def _faded(trust, baseline, rate: float, contact=None, months: int = 1) -> np.ndarray:
    """Trust after ``months`` of `learning.fade` on a state whose matrices are given."""
    trust = np.asarray(trust, dtype=float)
    s, _ = state(len(trust))
    s.trust[0], s.baseline_trust[0] = trust, baseline
    s.contact[0] = False if contact is None else contact
    for _ in range(months):
        learning.fade(s, 0, rate)
    return s.trust[0].astype(float)


def _pair(t: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """2x2 trust and baseline whose off-diagonal pairs hold ``t`` and ``b``, in float32."""
    trust, baseline = np.full((2, 2), t, dtype=np.float32), np.full((2, 2), b, dtype=np.float32)
    np.fill_diagonal(trust, 1.0)
    np.fill_diagonal(baseline, 1.0)
    return trust, baseline


@given(b=unit, data=st.data(), rate=unit)
def test_fade_leaves_trust_at_or_below_the_baseline_alone(b, data, rate):
    t = data.draw(st.floats(0.0, b))
    trust, baseline = _pair(t, b)
    assume(trust[0, 1] <= baseline[0, 1])  # (still so in float32)
    np.testing.assert_array_equal(_faded(trust, baseline, rate), trust)


@given(b=st.floats(0.0, 0.99), data=st.data(), rate=st.floats(1e-3, 1.0))
def test_fade_takes_trust_above_the_baseline_down_without_crossing_it(b, data, rate):
    t = data.draw(st.floats(b + 1e-3, 1.0))
    trust, baseline = _pair(t, b)
    after = _faded(trust, baseline, rate)[0, 1]
    assert baseline[0, 1] - 1e-7 <= after < trust[0, 1]


@given(b=st.floats(0.0, 0.5), rate=st.floats(0.01, 0.99))
def test_fade_takes_the_same_share_of_whatever_was_built(b, rate):
    built = np.array([0.1, 0.3, 0.5])
    trust = np.full((4, 4), b)
    trust[0, 1:] = b + built
    left = _faded(trust, np.full((4, 4), b), rate)[0, 1:] - np.float32(b)
    np.testing.assert_allclose(left / built, 1.0 - rate, rtol=1e-5, atol=1e-6)


def test_without_contact_built_trust_fades_back_to_the_baseline():
    trust, baseline = np.full((4, 4), 0.3), np.full((4, 4), 0.3)
    trust[0, 1:] = [0.9, 0.6, 0.1]
    after = _faded(trust, baseline, 0.05, months=300)
    np.testing.assert_allclose(after[0, 1:], [0.3, 0.3, 0.1], atol=1e-6)  # betrayal remembered


def test_fade_limits():
    trust = np.array([[1.0, 0.0, 0.2], [0.9, 1.0, 0.5], [0.2, 0.9, 1.0]])
    baseline = np.array([[1.0, 0.0, 0.1], [0.3, 1.0, 0.7], [0.5, 0.1, 1.0]])
    expected = np.minimum(trust, baseline).astype(np.float32)
    np.testing.assert_array_equal(_faded(trust, baseline, 0.0), trust.astype(np.float32))
    np.testing.assert_allclose(_faded(trust, baseline, 1.0), expected, atol=1e-7)


def test_pairs_that_met_this_month_do_not_fade():
    trust, baseline = np.full((3, 3), 0.8), np.full((3, 3), 0.2)
    met = np.zeros((3, 3), dtype=bool)
    met[0, 1] = True  # firm 0 saw firm 1 (firm 1 did not see firm 0)
    after = _faded(trust, baseline, 0.5, contact=met)
    assert after[0, 1] == pytest.approx(0.8)
    assert after[1, 0] == pytest.approx(0.5)
    assert after[2, 0] == pytest.approx(0.5)


def test_fade_changes_only_its_own_run():
    s, _ = state(3, runs=2)
    s.trust[:] = 0.9
    s.baseline_trust[:] = 0.1
    s.contact[:] = False
    learning.fade(s, 1, 0.5)
    np.testing.assert_allclose(s.trust[0], 0.9)
    np.testing.assert_allclose(s.trust[1], 0.5)


# --- trust in the executing agency -------------------------------------------------------------
@given(rel=unit, inst=unit, w=unit)
def test_trust_in_agency_is_within_its_parts(rel, inst, w):
    value = learning.trust_in_agency(rel, inst, w)
    assert min(rel, inst) - 1e-12 <= value <= max(rel, inst) + 1e-12


def test_trust_in_agency_weighs_the_relationship_by_its_weight():
    assert learning.trust_in_agency(1.0, 0.0, 0.6) == pytest.approx(0.6)
    assert learning.trust_in_agency(0.0, 1.0, 0.6) == pytest.approx(0.4)
    assert learning.trust_in_agency(0.9, 0.3, 0.0) == pytest.approx(0.3)
