"""Contact: who attends the team's events, who meets by chance, the kinds of event (`contact`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.rules import contact, learning
from tests.rules.states import copy_state, replace_rules, state
from tests.strategies import unit

_attend = contact.attendance_probability  # (motivation, trust collective, trust agency, distance)


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-6)
    return low, high


# --- attendance --------------------------------------------------------------------------------
@given(m=unit, tc=unit, ta=unit, d=unit)
def test_attendance_probability_is_a_probability(m, tc, ta, d):
    assert 0.0 <= _attend(m, tc, ta, d) <= 1.0


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
    assert _attend(m, tc, ta, d) >= (1.0 - contact.DISTANCE_ABSENCE) * _attend(m, tc, ta, 0.0)


def test_the_most_distant_firms_keep_all_but_the_distance_absence_share():
    assert _attend(0.5, 0.5, 0.5, 1.0) / _attend(0.5, 0.5, 0.5, 0.0) == pytest.approx(
        1.0 - contact.DISTANCE_ABSENCE
    )
    assert 0.0 < contact.DISTANCE_ABSENCE < 0.5


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


# --- chance meetings ---------------------------------------------------------------------------
@given(rate=st.floats(0.01, 1.0), d1=unit, d2=unit)
def test_chance_meetings_fall_with_distance(rate, d1, d2):
    near, far = _ordered_pair(d1, d2)
    p = contact.chance_meeting_probability
    assert p(rate, far) < p(rate, near)


@given(rate=unit)
def test_chance_meetings_run_from_the_rate_for_neighbours_to_none_at_distance_one(rate):
    assert contact.chance_meeting_probability(rate, 0.0) == pytest.approx(rate)
    assert contact.chance_meeting_probability(rate, 1.0) == 0.0


# --- events ------------------------------------------------------------------------------------
def test_event_kinds_are_well_formed():
    assert contact.EVENT_KINDS
    for kind in contact.EVENT_KINDS:
        assert kind.evidence > 0
        assert kind.invited >= 2  # an event with one guest shows nobody anything
        assert 0 <= kind.collective_action_gain <= 1
        assert kind.weight > 0
    kinds = contact.EVENT_KINDS
    np.testing.assert_array_equal(contact.EVENT_WEIGHTS, [k.weight for k in kinds])
    np.testing.assert_array_equal(contact.EVENT_INVITED, [k.invited for k in kinds])
    np.testing.assert_array_equal(contact.EVENT_EVIDENCE, [k.evidence for k in kinds])
    np.testing.assert_array_equal(
        contact.EVENT_TESTIMONY, [k.collective_action_gain for k in kinds]
    )


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 30), data=st.data())
def test_invite_draws_distinct_participants(seed, k, data):
    invited = data.draw(st.integers(0, k))
    drawn = contact.invite(np.random.default_rng(seed), k, invited)
    assert len(drawn) == invited
    assert len(set(drawn.tolist())) == invited
    assert all(0 <= a < k for a in drawn)


# --- first impressions at gatherings and meetings ----------------------------------------------
keeps = learning.first_impression_keeps


def _sight_state(record: float):

    s, p = state(4, trust_gain=0.05, trust_loss_ratio=3.0, trust_prior_weight=10.0)
    s.trust[0] = 0.3
    np.fill_diagonal(s.trust[0], 1.0)
    s.evidence[0] = 0.0
    s.evidence[0, 0, 2] = record  # firm 0 has seen firm 2 at work before, not firms 1 and 3
    s.reliability[0] = 0.9
    s.contact[0] = False
    half_bad, closed = np.ones(4), np.zeros(4)
    first = np.full((4, learning.scarce_pieces(p), 2), np.nan)  # worked out when needed
    for j in range(4):
        half_bad[j], closed[j] = contact.seen_at_work(s, p, 0, j, 1.0)
    return s, p, half_bad, closed, first


def test_at_a_gathering_a_firm_learns_more_of_those_it_has_seen_little_of():
    s, p, half_bad, closed, first = _sight_state(record=40.0)
    there = np.array([True, True, True, False])
    contact.see_each_other(
        s, p, 0, 0, np.flatnonzero(there), 1.0, half_bad, closed, first, keeps(p)
    )
    assert s.trust[0, 0, 1] > s.trust[0, 0, 2] > 0.3  # both good on balance; 1 is new to 0
    assert s.trust[0, 0, 3] == pytest.approx(0.3)  # not there: nothing seen
    assert list(s.evidence[0, 0]) == [0.0, 1.0, 41.0, 0.0]
    assert list(s.contact[0, 0]) == [False, True, True, False]


def test_chance_meetings_count_as_evidence_of_each_other_and_move_trust_from_first_sight():
    s, p = state(5, trust_gain=0.05, trust_loss_ratio=3.0, trust_prior_weight=10.0)
    p = replace_rules(p, spontaneous_contact=0.5, geographic_distance=0.0)
    s.trust[0], s.evidence[0], s.contact[0], s.reliability[0] = 0.3, 0.0, False, 0.9
    np.fill_diagonal(s.trust[0], 1.0)
    contact.chance_meetings(s, p, 0, np.random.default_rng(3))
    met = s.evidence[0] > 0
    assert met.any()
    np.testing.assert_array_equal(s.evidence[0], s.evidence[0].T)  # a meeting shows both
    np.testing.assert_array_equal(met, s.contact[0])
    once = s.evidence[0] == 1.0  # met once: a first impression, 1/11 of the way up, 3/11 down
    expected = learning.learn_many(0.3, 0.9, 0.1, 1 / 11, 3.0)
    np.testing.assert_allclose(s.trust[0][once], expected, rtol=1e-6)
    assert expected - 0.3 > learning.learn_many(0.3, 0.9, 0.1, 0.05, 3.0) - 0.3


@pytest.mark.parametrize("record", [0.0, 0.5, 3.2, 8.9, 9.0, 40.0])
def test_a_gathering_teaches_what_learning_of_the_same_evidence_teaches(record):
    # the tabulated first impressions and the steady factors are learn_of's rule, pair by pair
    s, p, half_bad, closed, first = _sight_state(record=record)
    assert first.shape[1] == 9  # at g = 0.05, W0 = 10: pieces 0..8 weigh 1/11 .. 1/19
    expected = copy_state(s)
    learning.learn_of(expected, p, 0, 0, 2, 0.9, 0.1)  # firm 2 keeps its word 90% of the time
    there = np.array([True, False, True, False])
    contact.see_each_other(
        s, p, 0, 0, np.flatnonzero(there), 1.0, half_bad, closed, first, keeps(p)
    )
    assert s.trust[0, 0, 2] == pytest.approx(float(expected.trust[0, 0, 2]), abs=1e-6)
    assert s.evidence[0, 0, 2] == expected.evidence[0, 0, 2] == pytest.approx(record + 1.0)


def test_first_impressions_beyond_the_tabulated_pieces_are_still_learn_of():
    s, p = state(3, trust_gain=0.001, trust_loss_ratio=3.0, trust_prior_weight=0.0)
    assert learning.scarce_pieces(p) == learning.FIRST_IMPRESSIONS_TABULATED  # the cap binds
    s.trust[0], s.reliability[0] = 0.3, 0.8
    np.fill_diagonal(s.trust[0], 1.0)
    s.evidence[0] = 100.0  # seen 100 times: weighs 1/101, still more than 0.001
    expected = copy_state(s)
    learning.learn_of(expected, p, 0, 0, 1, 0.8, 0.2)
    half_bad, closed = np.ones(3), np.zeros(3)
    first = np.full((3, learning.scarce_pieces(p), 2), np.nan)  # not read: a longer record
    for j in range(3):
        half_bad[j], closed[j] = contact.seen_at_work(s, p, 0, j, 1.0)
    there = np.array([True, True, False])
    contact.see_each_other(
        s, p, 0, 0, np.flatnonzero(there), 1.0, half_bad, closed, first, keeps(p)
    )
    assert s.trust[0, 0, 1] == pytest.approx(float(expected.trust[0, 0, 1]), abs=1e-6)
    assert s.trust[0, 0, 1] != pytest.approx(0.3)
