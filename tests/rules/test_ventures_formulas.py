"""Ventures: who fails the group, what succeeds, who mediates, when groups break (`ventures`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim.rules import ventures
from tests.rules.states import add_venture, state, with_trust
from tests.strategies import trust_and_groups, unit, unit_arrays

small_risk = st.floats(0.001, 0.1)  # small enough that the probability is never capped at 1


def _ordered_pair(a: float, b: float, gap: float = 1e-6) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > gap)
    return low, high


# --- non-compliance ----------------------------------------------------------------------------
_defect = ventures.noncompliance_probability  # (risk, trust in group, motivation, approp., public)


@given(risk=unit, t=unit, m=unit, a=unit, tp=unit)
def test_noncompliance_probability_is_a_probability(risk, t, m, a, tp):
    assert 0.0 <= _defect(risk, t, m, a, tp) <= 1.0


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


def test_a_less_reliable_member_fails_more_often():
    reliable, unreliable = (_defect(risk, 0.0, 0.5, 1.0, 0.0) for risk in (0.01, 0.05))
    assert unreliable > reliable


# --- venture success ---------------------------------------------------------------------------
@st.composite
def capabilities_and_groups(draw):
    n = draw(st.integers(2, 10))
    capability = draw(unit_arrays(n))
    members = draw(hnp.arrays(np.bool_, (draw(st.integers(1, 4)), n)))
    members[:, 0] |= ~members.any(axis=1)  # every group has a member
    return capability, members


def _capabilities(capability: np.ndarray, members: np.ndarray) -> list[float]:
    """`group_capability` of a venture of each row of ``members``, on a state of these firms."""
    s, _ = state(len(capability))
    s.capability[0] = capability
    slots = [add_venture(s, 0, np.flatnonzero(row)) for row in members]
    return [ventures.group_capability(s, 0, v) for v in slots]


@given(cg=capabilities_and_groups())
def test_group_capability_is_between_its_members_mean_and_best(cg):
    capability, members = cg
    for row, got in zip(members, _capabilities(capability, members), strict=True):
        assert capability[row].mean() - 1e-12 <= got <= capability[row].max() + 1e-12


@given(cg=capabilities_and_groups(), noise=unit)
def test_group_capability_ignores_non_members(cg, noise):
    capability, members = cg
    other = np.where(members[0], capability, noise)
    assert _capabilities(other, members[:1]) == pytest.approx(
        _capabilities(capability, members[:1])
    )


def test_a_lead_firm_carries_a_weak_group():
    capability = np.array([0.1, 0.1, 0.1, 0.9])
    weak, led = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=bool)
    c = _capabilities(capability, np.array([weak, led]))
    assert c[1] > c[0]
    assert c[1] > capability[led].mean()  # more than the plain average
    assert c == pytest.approx([0.1, 0.5 * 1.1 / 3 + 0.45])


def test_an_empty_group_has_no_capability():
    s, _ = state(3)
    assert ventures.group_capability(s, 0, add_venture(s, 0, [])) == 0.0


@given(base=unit, cap=unit)
def test_pilots_are_limited_risk(base, cap):
    p = ventures.pilot_success_probability(base, cap)
    assert 0.8 * base - 1e-12 <= p <= base + 1e-12


@given(base=st.floats(0.01, 1.0), c1=unit, c2=unit)
def test_capable_groups_run_pilots_more_successfully(base, c1, c2):
    low, high = _ordered_pair(c1, c2)
    p = ventures.pilot_success_probability
    assert p(base, high) > p(base, low)


@given(base=st.floats(0.01, 1.0), cap=unit, t1=unit, t2=unit)
def test_project_success_rises_with_group_trust(base, cap, t1, t2):
    low, high = _ordered_pair(t1, t2)
    p = ventures.project_success_probability
    assert p(base, cap, high) > p(base, cap, low)


@given(base=st.floats(0.01, 1.0), cap=unit)
def test_a_distrustful_group_has_half_the_chance_of_a_trusting_one(base, cap):
    none = ventures.project_success_probability(base, cap, 0.0)
    full = ventures.project_success_probability(base, cap, 1.0)
    assert none / full == pytest.approx(0.5)


@given(base=st.floats(0.01, 1.0), t=unit, c1=unit, c2=unit)
def test_project_success_rises_with_capability(base, t, c1, c2):
    low, high = _ordered_pair(c1, c2)
    p = ventures.project_success_probability
    assert p(base, high, t) > p(base, low, t)


def test_base_rate_is_the_chance_of_a_capable_fully_trusting_group():
    assert ventures.project_success_probability(0.7, 1.0, 1.0) == pytest.approx(0.7)
    assert ventures.pilot_success_probability(0.9, 1.0) == pytest.approx(0.9)


@given(base=unit, cap=unit, t=unit)
def test_success_probabilities_are_probabilities(base, cap, t):
    assert 0.0 <= ventures.pilot_success_probability(base, cap) <= 1.0
    assert 0.0 <= ventures.project_success_probability(base, cap, t) <= 1.0


# --- trust within a group ----------------------------------------------------------------------
# Row i holds firm i's trust in each other firm.
HAND = np.array(
    [
        [1.0, 0.8, 0.2, 0.4],
        [0.6, 1.0, 0.0, 0.5],
        [0.4, 0.2, 1.0, 0.9],
        [0.3, 0.7, 0.1, 1.0],
    ]
)
GROUPS = ([0, 1, 2], [2, 3], [1], [])  # three firms, a pair, a lone firm, nobody


def _hand_ventures():
    s = with_trust(HAND)
    return s, [add_venture(s, 0, g) for g in GROUPS]


def test_trust_in_partners_of_a_hand_made_matrix():
    s, slots = _hand_ventures()
    expected = [[0.5, 0.3, 0.3], [0.9, 0.1], [0.0]]  # e.g. firm 0: (0.8 + 0.2) / 2
    for v, want in zip(slots, expected, strict=False):
        got = [ventures.trust_in_partners(s, 0, v, a) for a in range(s.size[0, v])]
        assert got == pytest.approx(want)


def test_group_trust_of_a_hand_made_matrix():
    s, slots = _hand_ventures()
    got = [ventures.group_trust(s, 0, v) for v in slots]
    assert got == pytest.approx([1.1 / 3, 0.5, 0.0, 0.0])


def _ventures_of(matrix: np.ndarray, members: np.ndarray, runs: int = 1):
    s, _ = state(len(matrix), runs=runs)
    s.trust[:] = matrix
    slots = [[add_venture(s, r, np.flatnonzero(row)) for row in members] for r in range(runs)]
    return s, slots


@given(tg=trust_and_groups())
def test_group_trust_is_the_mean_over_ordered_pairs_of_members(tg):
    matrix, members = tg
    s, (slots,) = _ventures_of(matrix, members)
    stored = s.trust[0].astype(float)
    for row, v in zip(members, slots, strict=True):
        idx = np.flatnonzero(row)
        k = len(idx)
        block = stored[np.ix_(idx, idx)]
        want = (block.sum() - np.trace(block)) / (k * (k - 1)) if k >= 2 else 0.0
        assert ventures.group_trust(s, 0, v) == pytest.approx(want, rel=1e-9, abs=1e-12)


@given(tg=trust_and_groups(), noise=unit)
def test_trust_in_partners_ignores_trust_involving_outsiders(tg, noise):
    matrix, members = tg
    outside = ~members[0]
    other = matrix.copy()
    other[outside, :] = noise
    other[:, outside] = noise
    np.fill_diagonal(other, 1.0)
    (s, (slots,)), (t, (same,)) = (
        _ventures_of(matrix, members[:1]),
        _ventures_of(other, members[:1]),
    )
    for a in range(s.size[0, slots[0]]):
        assert ventures.trust_in_partners(t, 0, same[0], a) == ventures.trust_in_partners(
            s, 0, slots[0], a
        )


@given(tg=trust_and_groups(), data=st.data())
def test_group_trust_of_a_run_of_a_block_is_that_run_alone(tg, data):
    first, members = tg
    second = data.draw(unit_arrays(first.size)).reshape(first.shape)
    np.fill_diagonal(second, 1.0)
    block, slots = _ventures_of(first, members, runs=2)
    block.trust[1] = second
    for r, matrix in enumerate((first, second)):
        alone, (single,) = _ventures_of(matrix, members)
        for v, w in zip(slots[r], single, strict=True):
            assert ventures.group_trust(block, r, v) == ventures.group_trust(alone, 0, w)


def test_uniform_trust_in_a_group_is_that_trust():
    matrix = np.full((5, 5), 0.3)
    np.fill_diagonal(matrix, 1.0)
    s, (slots,) = _ventures_of(matrix, np.array([[True, False, True, False, True]]))
    assert [ventures.trust_in_partners(s, 0, slots[0], a) for a in range(3)] == pytest.approx(
        [0.3] * 3
    )
    assert ventures.group_trust(s, 0, slots[0]) == pytest.approx(0.3)


# --- mediation ---------------------------------------------------------------------------------
@given(skill=unit, rel=unit)
def test_mediation_probability_is_a_probability(skill, rel):
    assert 0.0 <= ventures.mediation_probability(skill, rel) <= 1.0


def test_only_a_fully_skilled_technician_who_knows_the_parties_always_mediates():
    assert ventures.mediation_probability(1.0, 1.0) == pytest.approx(1.0)
    assert ventures.mediation_probability(0.9, 1.0) < 1.0
    assert ventures.mediation_probability(1.0, 0.5) < 1.0


@given(s1=unit, s2=unit, rel=unit)
def test_mediation_probability_rises_with_skill(s1, s2, rel):
    low, high = _ordered_pair(s1, s2, 1e-9)
    p = ventures.mediation_probability
    assert p(high, rel) > p(low, rel)


@given(skill=st.floats(0.01, 1.0), r1=unit, r2=unit)
def test_mediation_probability_rises_with_the_relationship(skill, r1, r2):
    low, high = _ordered_pair(r1, r2, 1e-9)
    p = ventures.mediation_probability
    assert p(skill, high) > p(skill, low)


def test_an_unskilled_technician_never_mediates_and_a_stranger_still_might():
    assert ventures.mediation_probability(0.0, 1.0) == 0.0
    assert ventures.mediation_probability(1.0, 0.0) > 0.0


# --- the bad evidence a conflict leaves --------------------------------------------------------
@given(eff=unit)
def test_an_unmediated_conflict_is_one_piece_of_bad_evidence(eff):
    assert ventures.conflict_weight(False, eff) == 1.0


@given(eff=st.floats(0.01, 1.0))
def test_mediation_lessens_the_bad_evidence(eff):
    assert 0.0 <= ventures.conflict_weight(True, eff) < ventures.conflict_weight(False, eff)


@given(e1=unit, e2=unit)
def test_more_effective_mediation_leaves_less_bad_evidence(e1, e2):
    low, high = _ordered_pair(e1, e2, 1e-9)
    assert ventures.conflict_weight(True, high) < ventures.conflict_weight(True, low)


def test_mediation_limits():
    assert ventures.conflict_weight(True, 1.0) == 0.0  # fully effective: no damage
    assert ventures.conflict_weight(True, 0.0) == 1.0  # ineffective: as if unmediated
    assert ventures.conflict_weight(True, 0.6) == pytest.approx(0.4)


# --- groups breaking ---------------------------------------------------------------------------
def test_an_unmediated_conflict_surely_breaks_a_group_that_trusts_nobody():
    assert ventures.break_probability(0.0) == 1.0


def test_a_group_whose_members_trust_each_other_fully_never_breaks():
    assert ventures.break_probability(1.0) == 0.0


@given(t1=unit, t2=unit)
def test_break_probability_falls_with_group_trust(t1, t2):
    low, high = _ordered_pair(t1, t2, 1e-9)
    assert ventures.break_probability(high) < ventures.break_probability(low)


@given(t=unit)
def test_break_probability_is_a_probability(t):
    assert 0.0 <= ventures.break_probability(t) <= 1.0


def test_a_half_trusting_group_settles_most_conflicts_itself():
    assert ventures.break_probability(0.5) < 0.5
    assert ventures.break_probability(0.5) == pytest.approx(0.25)
