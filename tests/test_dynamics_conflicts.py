"""Conflicts: who mediates them, how much bad evidence they leave, and when groups break."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.dynamics import conflicts
from tests.strategies import unit, unit_arrays


def _ordered_pair(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    assume(high - low > 1e-9)
    return low, high


# --- mediation ---------------------------------------------------------------------------------
@given(skill=unit, rel=unit_arrays(st.integers(1, 10)))
def test_mediation_probability_is_a_probability_per_conflict(skill, rel):
    p = conflicts.mediation_probability(skill, rel)
    assert p.shape == rel.shape
    assert np.all((p >= 0.0) & (p <= 1.0))


def test_only_a_fully_skilled_technician_who_knows_the_parties_always_mediates():
    assert conflicts.mediation_probability(1.0, 1.0) == pytest.approx(1.0)
    assert conflicts.mediation_probability(0.9, 1.0) < 1.0
    assert conflicts.mediation_probability(1.0, 0.5) < 1.0


@given(s1=unit, s2=unit, rel=unit)
def test_mediation_probability_rises_with_skill(s1, s2, rel):
    low, high = _ordered_pair(s1, s2)
    assert conflicts.mediation_probability(high, rel) > conflicts.mediation_probability(low, rel)


@given(skill=st.floats(0.01, 1.0), r1=unit, r2=unit)
def test_mediation_probability_rises_with_the_relationship(skill, r1, r2):
    low, high = _ordered_pair(r1, r2)
    assert conflicts.mediation_probability(skill, high) > conflicts.mediation_probability(
        skill, low
    )


def test_an_unskilled_technician_never_mediates_and_a_stranger_still_might():
    assert conflicts.mediation_probability(0.0, 1.0) == 0.0
    assert conflicts.mediation_probability(1.0, 0.0) > 0.0


def test_each_conflict_gets_its_own_technician_and_relationship():
    skill, rel = np.array([0.9, 0.9, 0.2]), np.array([1.0, 0.0, 1.0])
    p = conflicts.mediation_probability(skill, rel)
    assert p[0] > p[1]
    assert p[0] > p[2]


# --- the bad evidence a conflict leaves --------------------------------------------------------
@given(eff=unit)
def test_an_unmediated_conflict_is_one_piece_of_bad_evidence(eff):
    assert conflicts.conflict_weight(False, eff) == 1.0


@given(eff=st.floats(0.01, 1.0))
def test_mediation_lessens_the_bad_evidence(eff):
    assert 0.0 <= conflicts.conflict_weight(True, eff) < conflicts.conflict_weight(False, eff)


@given(e1=unit, e2=unit)
def test_more_effective_mediation_leaves_less_bad_evidence(e1, e2):
    low, high = _ordered_pair(e1, e2)
    assert conflicts.conflict_weight(True, high) < conflicts.conflict_weight(True, low)


def test_mediation_limits():
    assert conflicts.conflict_weight(True, 1.0) == 0.0  # fully effective: no damage
    assert conflicts.conflict_weight(True, 0.0) == 1.0  # ineffective: as if unmediated


def test_conflict_weight_works_on_arrays_of_conflicts():
    mediated = np.array([True, False, True])
    np.testing.assert_allclose(conflicts.conflict_weight(mediated, 0.6), [0.4, 1.0, 0.4])


# --- groups breaking ---------------------------------------------------------------------------
def test_an_unmediated_conflict_surely_breaks_a_group_that_trusts_nobody():
    assert conflicts.break_probability(0.0) == 1.0


def test_a_group_whose_members_trust_each_other_fully_never_breaks():
    assert conflicts.break_probability(1.0) == 0.0


@given(t1=unit, t2=unit)
def test_break_probability_falls_with_group_trust(t1, t2):
    low, high = _ordered_pair(t1, t2)
    assert conflicts.break_probability(high) < conflicts.break_probability(low)


@given(t=unit_arrays(st.integers(1, 10)))
def test_break_probability_is_a_probability_per_group(t):
    p = conflicts.break_probability(t)
    assert p.shape == t.shape
    assert np.all((p >= 0.0) & (p <= 1.0))


def test_a_half_trusting_group_settles_most_conflicts_itself():
    assert conflicts.break_probability(0.5) < 0.5
    assert conflicts.break_probability(0.5) == pytest.approx(0.25)
