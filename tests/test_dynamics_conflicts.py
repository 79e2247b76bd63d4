"""Conflicts: who mediates them, and how mediation limits their damage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipsim.dynamics import conflicts
from tests.strategies import gains, unit


def test_only_a_fully_skilled_technician_who_knows_the_parties_always_mediates():
    assert conflicts.mediation_probability(1.0, np.ones(3)) == pytest.approx(1.0)
    assert conflicts.mediation_probability(0.9, np.ones(3)) < 1.0
    assert conflicts.mediation_probability(1.0, np.array([1.0, 0.5])) < 1.0


@given(s1=unit, s2=unit, rel=unit)
def test_mediation_probability_increases_with_skill(s1, s2, rel):
    low, high = sorted((s1, s2))
    assume(high - low > 1e-9)
    assert conflicts.mediation_probability(high, rel) > conflicts.mediation_probability(low, rel)


@given(skill=st.floats(0.01, 1.0), r1=unit, r2=unit)
def test_mediation_probability_increases_with_relationship(skill, r1, r2):
    low, high = sorted((r1, r2))
    assume(high - low > 1e-9)
    assert conflicts.mediation_probability(skill, high) > conflicts.mediation_probability(
        skill, low
    )


def test_mediation_probability_uses_the_groups_mean_relationship():
    assert conflicts.mediation_probability(0.8, np.array([0.0, 1.0])) == pytest.approx(
        conflicts.mediation_probability(0.8, 0.5)
    )


def test_an_unskilled_technician_never_mediates_and_a_stranger_still_might():
    assert conflicts.mediation_probability(0.0, 1.0) == 0.0
    assert conflicts.mediation_probability(1.0, 0.0) > 0.0


@given(g=gains, severity=st.floats(0.01, 5.0), eff=st.floats(0.01, 1.0))
def test_mediation_limits_damage(g, severity, eff):
    mediated = conflicts.conflict_loss(g, severity, True, eff)
    unmediated = conflicts.conflict_loss(g, severity, False, eff)
    assert 0.0 <= mediated < unmediated


@given(g=gains, severity=st.floats(0.0, 5.0))
def test_mediation_without_effectiveness_changes_nothing(g, severity):
    assert conflicts.conflict_loss(g, severity, True, 0.0) == conflicts.conflict_loss(
        g, severity, False, 0.0
    )


@given(g=gains, severity=st.floats(0.0, 5.0), eff=unit)
def test_unmediated_loss_ignores_effectiveness(g, severity, eff):
    assert conflicts.conflict_loss(g, severity, False, eff) == conflicts.conflict_loss(
        g, severity, False, 0.0
    )


@given(g=gains, s1=st.floats(0.0, 5.0), s2=st.floats(0.0, 5.0), mediated=st.booleans())
def test_more_severe_conflicts_cost_more(g, s1, s2, mediated):
    low, high = sorted((s1, s2))
    assert conflicts.conflict_loss(g, high, mediated, 0.5) >= conflicts.conflict_loss(
        g, low, mediated, 0.5
    )


def test_fully_effective_mediation_avoids_all_damage():
    assert conflicts.conflict_loss(0.1, 2.0, True, 1.0) == 0.0


@given(trust=unit, floor=unit)
def test_breaks_group_below_the_floor_only(trust, floor):
    assert conflicts.breaks_group(trust, floor) is (trust < floor)
