"""The agency's team: vacancies, and the relationships a departing technician takes (`team`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim.rules import learning, team
from pipsim.rules.state import OUTSIDE, PARTICIPATING, TECHNICIANS_LEFT
from tests.rules.states import state
from tests.strategies import seeds, unit_arrays


# --- vacancies ---------------------------------------------------------------------------------
@given(seed=seeds, mean=st.floats(0.0, 36.0))
def test_vacancy_months_is_a_whole_number_of_months(seed, mean):
    v = team.vacancy_months(np.random.default_rng(seed), mean)
    assert isinstance(v, int)
    assert v >= 0


@pytest.mark.parametrize("mean", [-1.0, 0.0])
def test_no_vacancy_when_posts_are_filled_at_once(mean):
    rng = np.random.default_rng(0)
    assert all(team.vacancy_months(rng, mean) == 0 for _ in range(100))


@pytest.mark.parametrize("mean", [0.5, 3.0, 12.0])
def test_vacancy_months_average_to_the_mean(mean):
    rng = np.random.default_rng(2024)
    n = 20_000
    draws = np.array([team.vacancy_months(rng, mean) for _ in range(n)])
    sd = np.sqrt(mean * (1 + mean))  # geometric on 0, 1, 2, ... with this mean
    assert draws.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(n))


# --- a technician leaves -----------------------------------------------------------------------
N, MONTH = 12, 5


def _departure(rel, inst, caseload, participating=None, weight: float = 0.6, vacancy=0.0):
    """The technician of post 0 (serving ``caseload``) leaves in ``MONTH``; the state after."""
    s, p = state(
        N, staff_turnover=1.0, n_technicians=3, relationship_weight=weight, vacancy_months=vacancy
    )
    s.relationship[0] = rel
    s.institutional_trust[0] = inst
    s.technician_of[0] = np.where(caseload, 0, 1)
    s.status[0] = PARTICIPATING if participating is None else participating
    s.vacant_until[0] = [0, MONTH + 50, MONTH + 50]  # only post 0 is held (so only it can leave)
    team.turnover(s, p, 0, np.random.default_rng(1), MONTH)
    return s, p


def _agency(s, p) -> np.ndarray:
    return np.array(
        [
            learning.trust_in_agency(
                s.relationship[0, i], s.institutional_trust[0, i], p.relationship_weight
            )
            for i in range(N)
        ]
    )


@given(rel=unit_arrays(N), caseload=st.lists(st.booleans(), min_size=N, max_size=N))
def test_departure_zeroes_the_relationships_of_the_caseload_only(rel, caseload):
    caseload = np.array(caseload)
    s, _ = _departure(rel, np.full(N, 0.5), caseload)
    np.testing.assert_array_equal(s.relationship[0, caseload], 0.0)
    np.testing.assert_array_equal(s.relationship[0, ~caseload], rel[~caseload])
    np.testing.assert_array_equal(s.technician_of[0], np.where(caseload, 0, 1))  # post keeps it
    assert s.counts[0, TECHNICIANS_LEFT] == 1


@given(
    rel=unit_arrays(N),
    inst=unit_arrays(N),
    w=st.floats(0.01, 1.0),
    caseload=st.lists(st.booleans(), min_size=N, max_size=N),
)
def test_departing_technician_lowers_trust_in_agency_of_its_caseload_most(rel, inst, w, caseload):
    caseload = np.array(caseload)
    s0, p = state(N, relationship_weight=w)
    s0.relationship[0], s0.institutional_trust[0] = rel, inst
    before = _agency(s0, p)
    s, p = _departure(rel, inst, caseload, weight=w)
    after = _agency(s, p)
    # every participant hears of it: half a piece of bad evidence about the agency
    heard = np.array(
        [learning.learn_many(x, 0.0, 1.0, p.trust_gain / 2, p.trust_loss_ratio) for x in inst]
    )
    np.testing.assert_allclose(s.institutional_trust[0], heard, rtol=1e-12)
    institutional_loss = (1.0 - w) * (inst - heard)
    # the caseload also loses the relationship_weight share of what the relationship was worth
    np.testing.assert_allclose(
        before - after, institutional_loss + w * rel * caseload, rtol=1e-9, atol=1e-12
    )
    lost = caseload & (rel > 1e-9)
    assert np.all(after[lost] < before[lost])


def test_departure_with_zero_relationship_weight_costs_only_institutional_trust():
    rel, inst = np.linspace(0.1, 0.9, N), np.full(N, 0.4)
    caseload = np.arange(N) < 4
    s, p = _departure(rel, inst, caseload, weight=0.0)
    after = _agency(s, p)
    np.testing.assert_allclose(after, after[0])  # caseload or not: the same
    assert after[0] < 0.4


def test_firms_outside_the_project_do_not_hear_of_a_departure():
    status = np.where(np.arange(N) < 6, PARTICIPATING, OUTSIDE)
    s, _ = _departure(np.full(N, 0.5), np.full(N, 0.5), np.ones(N, dtype=bool), status)
    assert np.all(s.institutional_trust[0, :6] < 0.5)
    np.testing.assert_array_equal(s.institutional_trust[0, 6:], 0.5)


@pytest.mark.parametrize("vacancy", [0.0, 6.0])
def test_a_departure_leaves_the_post_empty_for_the_vacancy(vacancy):
    s, _ = _departure(np.full(N, 0.5), np.full(N, 0.5), np.ones(N, dtype=bool), vacancy=vacancy)
    assert s.vacant_until[0, 0] >= MONTH + 1
    if vacancy == 0.0:
        assert s.vacant_until[0, 0] == MONTH + 1
    assert not team.post_held(s, 0, 0, MONTH)
    assert team.posts_held(s, 0, MONTH) == 0


def test_without_turnover_nobody_leaves():
    s, p = state(N, staff_turnover=0.0)
    s.relationship[0] = 0.7
    for month in range(1, 50):
        team.turnover(s, p, 0, np.random.default_rng(month), month)
    np.testing.assert_array_equal(s.relationship[0], 0.7)
    assert s.counts[0, TECHNICIANS_LEFT] == 0
