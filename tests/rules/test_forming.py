"""Forming ventures: whom a founder picks, which groups trust each other enough (`forming`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim.rules import forming
from pipsim.rules.state import OUTSIDE, PARTICIPATING, PILOT, PILOTS_RUN, PROJECT, PROJECTS_RUN
from tests.rules.states import state
from tests.strategies import seeds, unit


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-6)
    return low, high


# --- partners ----------------------------------------------------------------------------------
@given(t=unit, m=unit, s=st.integers(0, 9))
def test_partner_weights_are_positive(t, m, s):
    assert forming.partner_weight(t, m, s) > 0


@given(t1=unit, t2=unit, m=unit, s=st.integers(0, 5))
def test_firms_prefer_partners_they_trust(t1, t2, m, s):
    low, high = _ordered_pair(t1, t2)
    assert forming.partner_weight(high, m, s) > forming.partner_weight(low, m, s)


@given(t=unit, m1=unit, m2=unit, s=st.integers(0, 5))
def test_firms_prefer_keen_partners(t, m1, m2, s):
    low, high = _ordered_pair(m1, m2)
    assert forming.partner_weight(t, high, s) > forming.partner_weight(t, low, s)


@given(t=unit, m=unit, s=st.integers(0, 10))
def test_every_joint_success_makes_a_partner_likelier(t, m, s):
    assert forming.partner_weight(t, m, s + 1) > forming.partner_weight(t, m, s)


# --- pilots ------------------------------------------------------------------------------------
def _eager(n: int, **rules):
    """A state of ``n`` participants, every one willing to join a pilot."""
    s, p = state(n, **rules)
    s.motivation[0] = 1.0
    s.self_confidence[0] = 1.0  # willing with chance motivation x (0.5 + 0.5 x confidence)
    return s, p


def _pilot_members(s) -> list[int]:
    (v,) = np.flatnonzero(s.alive[0])
    assert s.kind[0, v] == PILOT
    return s.members[0, v, : s.size[0, v]].tolist()


@given(
    seed=seeds,
    size=st.integers(2, 12),
    taking_part=hnp.arrays(np.bool_, 10),
    busy=hnp.arrays(np.bool_, 10),
)
def test_a_pilot_is_distinct_willing_participants_not_in_another(seed, size, taking_part, busy):
    s, p = _eager(10, pilot_group_size=size)
    s.status[0] = np.where(taking_part, PARTICIPATING, OUTSIDE)
    s.in_pilot[0] = busy
    free = np.flatnonzero(taking_part & ~busy).tolist()
    formed = forming.start_pilot(s, p, 0, np.random.default_rng(seed), 3)
    assert formed == (len(free) >= 2)
    if not formed:
        assert not s.alive[0].any() and s.counts[0, PILOTS_RUN] == 0
        return
    group = _pilot_members(s)
    assert len(set(group)) == len(group) == min(size, len(free))  # as large as it can be
    assert set(group) <= set(free)
    assert s.in_pilot[0, group].all()
    assert s.together[0][np.ix_(group, group)].all()
    assert s.counts[0, PILOTS_RUN] == 1


def test_founders_pick_the_partners_they_succeeded_with():
    heavy = {3, 5, 8}
    both_heavy = 0
    for seed in range(100):
        s, p = _eager(10, pilot_group_size=3)
        s.trust[0] = 0.5
        s.joint_successes[0][:, list(heavy)] = 1000
        forming.start_pilot(s, p, 0, np.random.default_rng(seed), 3)
        founder, *partners = _pilot_members(s)
        both_heavy += set(partners) <= heavy
    assert both_heavy >= 90


# --- collective projects -----------------------------------------------------------------------
def test_ready_ties_need_joint_successes_both_ways_and_mutual_trust():
    s, p = state(4, successes_before_project=1, project_trust_threshold=0.5)
    s.trust[0] = 0.6
    s.joint_successes[0] = 1
    s.joint_successes[0, 0, 1] = 0  # 0 and 1 never succeeded together, as 0 sees it
    s.trust[0, 2, 3] = 0.3  # 2 and 3: mutual trust 0.45
    s.project_of[0, 3] = 7  # 3 is in a project already
    ready = forming.ready_ties(s, p, 0)
    np.testing.assert_array_equal(ready, ready.T)
    assert not ready[0, 1] and ready[0, 2] and ready[1, 2]
    assert not ready[:, 3].any()
    assert not ready.diagonal().any()


def test_ready_firms_formalise_a_project_of_the_largest_group_allowed():
    s, p = state(6, successes_before_project=1, project_trust_threshold=0.5, project_group_size=4)
    s.trust[0] = 0.8
    s.joint_successes[0] = 2
    rng, month = np.random.default_rng(0), 7
    while not forming.start_project(s, p, 0, rng, month):  # the group may wait a month or two
        month += 1
        assert month < 30
    (v,) = np.flatnonzero(s.alive[0])
    group = s.members[0, v, : s.size[0, v]]
    assert s.kind[0, v] == PROJECT and len(group) == 4
    assert (s.project_of[0, group] == s.uid[0, v]).all()
    assert (np.delete(s.project_of[0], group) == -1).all()
    assert s.counts[0, PROJECTS_RUN] == 1 and s.first_project[0] == month


def test_no_project_without_ready_ties():
    s, p = state(6, successes_before_project=1, project_trust_threshold=0.5)
    s.trust[0] = 0.8
    s.joint_successes[0] = 0  # trust, but no joint success yet
    assert not forming.start_project(s, p, 0, np.random.default_rng(0), 7)
    assert not s.alive[0].any()


def _months_to_formalise(trust: float, successes: int, months: int = 36) -> int | None:
    """The first month a group of six with this trust and record formalises (None: never)."""
    s, p = state(6, successes_before_project=0, project_trust_threshold=0.0)
    s.trust[0] = trust
    s.joint_successes[0] = successes
    rng = np.random.default_rng(3)
    for month in range(7, 7 + months):
        if forming.start_project(s, p, 0, rng, month):
            return month
    return None


def test_a_group_with_no_record_at_trust_zero_does_not_formalise():
    assert _months_to_formalise(0.0, 0) is None


def test_a_group_with_a_record_at_trust_04_formalises():
    assert _months_to_formalise(0.4, 2) is not None


@given(t1=unit, t2=unit, s=st.integers(0, 5))
def test_willingness_to_formalise_rises_with_trust(t1, t2, s):
    low, high = _ordered_pair(t1, t2)
    assert forming.willingness_to_formalise(high, 3.0, s) > forming.willingness_to_formalise(
        low, 3.0, s
    )


@given(t=st.floats(0.01, 1.0), s=st.integers(0, 5))
def test_willingness_to_formalise_rises_with_the_record(t, s):
    assert forming.willingness_to_formalise(t, 3.0, s + 1) > forming.willingness_to_formalise(
        t, 3.0, s
    )


@given(t=st.floats(0.01, 0.99), s=st.integers(0, 5))
def test_fear_of_being_let_down_holds_a_group_back(t, s):
    assert forming.willingness_to_formalise(t, 5.0, s) < forming.willingness_to_formalise(t, 1.0, s)


def test_willingness_to_formalise_is_a_probability():
    assert forming.willingness_to_formalise(0.0, 3.0, 0) == 0.0
    assert forming.willingness_to_formalise(1.0, 3.0, 1000) == pytest.approx(1.0, abs=1e-2)


# --- a group that trusts itself ----------------------------------------------------------------
def _group(trust, founder, partners, threshold, size) -> list[int]:
    trust = np.asarray(trust, dtype=np.float32)
    partners = np.asarray(partners, dtype=np.bool_)
    return forming.trusting_group(trust, founder, partners, threshold, size).tolist()


def _mean_trust(trust: np.ndarray, group: list[int]) -> float:
    block = np.asarray(trust, dtype=np.float32).astype(float)[np.ix_(group, group)]
    k = len(group)
    return (block.sum() - np.trace(block)) / (k * (k - 1))


@st.composite
def group_problems(draw):
    n = draw(st.integers(1, 12))
    trust = draw(hnp.arrays(np.float64, (n, n), elements=unit))
    np.fill_diagonal(trust, 1.0)
    partners = draw(hnp.arrays(np.bool_, n))
    founder = draw(st.integers(0, n - 1))
    return trust, founder, partners, draw(unit), draw(st.integers(1, 15))


@given(problem=group_problems())
def test_trusting_group_is_the_founder_and_distinct_partners_who_trust_each_other(problem):
    trust, founder, partners, threshold, size = problem
    group = _group(trust, founder, partners, threshold, size)
    assert group[0] == founder
    assert len(set(group)) == len(group) <= max(size, 1)
    assert all(partners[j] and j != founder for j in group[1:])
    if len(group) > 1:
        assert _mean_trust(trust, group) >= threshold - 1e-6


@given(problem=group_problems())
def test_trusting_group_starts_from_the_partners_closest_to_the_founder(problem):
    trust, founder, partners, threshold, size = problem
    t = trust.astype(np.float32)  # as the state holds it, and summed as the rule sums it
    group = _group(trust, founder, partners, threshold, size)
    others = [j for j in range(len(trust)) if partners[j] and j != founder]
    closeness = {j: t[founder, j] + t[j, founder] for j in others}
    nearest = sorted(others, key=lambda j: (-closeness[j], j))[: size - 1]
    assert set(group[1:]) <= set(nearest)
    if not nearest or _mean_trust(trust, [founder, *nearest]) >= threshold + 1e-6:
        assert group == [founder, *nearest]  # a group that trusts itself is taken whole


def test_trusting_group_drops_the_least_trusting_member_first():
    trust = np.full((5, 5), 0.8)
    np.fill_diagonal(trust, 1.0)
    trust[3, :] = 0.1  # firm 3 trusts nobody: the others' trust in it keeps it close
    trust[3, 3] = 1.0
    everyone = np.ones(5, dtype=bool)
    assert sorted(_group(trust, 0, everyone, 0.1, 5)) == [0, 1, 2, 3, 4]
    group = _group(trust, 0, everyone, 0.7, 5)
    assert group[0] == 0 and sorted(group) == [0, 1, 2, 4]


def test_trusting_group_of_distrustful_partners_is_the_founder_alone():
    trust = np.full((4, 4), 0.2)
    np.fill_diagonal(trust, 1.0)
    assert _group(trust, 2, np.ones(4, dtype=bool), 0.5, 4) == [2]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_trusting_group_is_at_most_the_size_asked(size):
    trust = np.full((6, 6), 0.9)
    group = _group(trust, 1, np.ones(6, dtype=bool), 0.3, size)
    assert group[0] == 1 and len(group) == size
    assert group[1:] == [j for j in (0, 2, 3, 4, 5)][: size - 1]  # ties in firm order


def test_mutual_trust_is_the_mean_of_the_two_directions():
    s, _ = state(3)
    s.trust[0, 0, 1], s.trust[0, 1, 0] = 0.8, 0.2
    assert forming.mutual_trust(s, 0, 0, 1) == pytest.approx(0.5)
    assert forming.mutual_trust(s, 0, 1, 0) == forming.mutual_trust(s, 0, 0, 1)
