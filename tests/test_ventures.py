"""Ventures: forming trusting groups, pilots and projects, leaving and releasing them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim import PIPModel, ventures
from pipsim.dynamics import trust
from tests.strategies import EASY_PROJECTS, run_to_end, trust_matrices, unit
from tests.strategies import SMALL as SMALL_MODEL

# the shared small model, with a longer project and more firms in it: room for joint work
SMALL = {**SMALL_MODEL, "project_months": 18, "post_project_months": 6, "launch_months": 1}
SMALL |= {"initial_participants": 15}


@st.composite
def group_problems(draw):
    matrix = draw(trust_matrices(min_n=2, max_n=12))
    n = len(matrix)
    candidates = np.array(
        draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)), dtype=int
    )
    founder = int(draw(st.sampled_from(list(candidates))))
    return matrix, founder, candidates, draw(unit), draw(st.integers(2, 12))


@given(problem=group_problems())
def test_trusting_group_is_a_trusting_group_around_the_founder(problem):
    matrix, founder, candidates, threshold, size = problem
    group = ventures.trusting_group(matrix, founder, candidates, threshold, size)
    assert group[0] == founder
    assert len(set(group.tolist())) == len(group) <= size
    assert set(group.tolist()) <= set(candidates.tolist())
    for partner in group[1:]:
        assert matrix[founder, partner] >= threshold
        assert matrix[partner, founder] >= threshold
    if len(group) > 1:
        assert trust.trust_in_group(matrix, group).mean() >= threshold


def test_trusting_group_prefers_the_most_trusted_partners():
    matrix = np.full((5, 5), 0.2)
    matrix[0, [1, 2, 3]] = matrix[[1, 2, 3], 0] = [0.9, 0.6, 0.8]
    matrix[np.ix_([1, 2, 3], [1, 2, 3])] = 0.9
    group = ventures.trusting_group(matrix, 0, np.arange(5), 0.5, 3)
    assert group.tolist() == [0, 1, 3]


def test_trusting_group_drops_members_who_do_not_trust_each_other():
    matrix = np.full((4, 4), 0.9)
    matrix[1, 2] = matrix[2, 1] = 0.0  # two partners who distrust each other
    # all four: firms 1 and 2 trust the group only (0.9 + 0 + 0.9) / 3 = 0.6, mean 0.75
    group = ventures.trusting_group(matrix, 0, np.arange(4), 0.8, 4)
    assert trust.trust_in_group(matrix, group).mean() >= 0.8
    assert not {1, 2} <= set(group.tolist())
    assert len(group) == 3 and group[0] == 0


def test_nobody_trusted_enough_leaves_the_founder_alone():
    matrix = np.full((4, 4), 0.1)
    assert ventures.trusting_group(matrix, 2, np.arange(4), 0.5, 4).tolist() == [2]


def _joint_work_model(seed: int = 1, **overrides) -> PIPModel:
    model = PIPModel(rng=seed, **{**SMALL, **overrides})
    while model.phase != "joint_work":
        model.step()
    return model


def test_a_pilot_is_a_small_group_of_participants():
    model = _joint_work_model()
    pilot = ventures.start_pilot(model, model.steps)
    assert pilot is not None and pilot.kind == "pilot"
    assert 1 <= len(pilot.members) <= model.p.pilot_group_size
    assert np.all(model.participating()[pilot.members])
    assert model.counts["pilots_run"] >= 1


@pytest.mark.parametrize("months", [1, 2, 5])
def test_a_pilot_without_trouble_lasts_pilot_months(months):
    model = _joint_work_model(pilot_months=months, noncompliance_risk=0.0, conflict_rate=0.0)
    start = model.steps + 1  # ventures start in a month's step and advance in that same step
    pilot = ventures.start_pilot(model, start)
    assert pilot is not None
    finished = model.counts["pilots_succeeded"] + model.counts["pilots_failed"]
    lived = 0
    for month in range(start, start + 50):
        lived += 1
        if not ventures.advance(model, pilot, month):
            break
    assert lived == months
    assert model.counts["pilots_succeeded"] + model.counts["pilots_failed"] == finished + 1


def test_a_firm_is_in_one_pilot_at_a_time():
    model = _joint_work_model(seed=2, pilot_group_size=3)
    busy: set[int] = set()
    for _ in range(20):
        pilot = ventures.start_pilot(model, model.steps)
        if pilot is None:
            continue
        assert busy.isdisjoint(pilot.members.tolist())
        busy |= set(pilot.members.tolist())
        model.ventures.append(pilot)


def test_no_project_without_a_track_record():
    model = _joint_work_model(**EASY_PROJECTS)
    model.track_record[:] = 0
    assert ventures.start_project(model, model.steps) is None
    assert model.counts["projects_run"] == 0


def test_a_project_forms_among_trusting_firms_with_a_track_record():
    model = _joint_work_model(**EASY_PROJECTS)
    model.track_record[model.participating()] = 1
    project = ventures.start_project(model, model.steps)
    assert project is not None and project.kind == "project"
    assert len(project.members) >= ventures.MIN_PROJECT_FIRMS
    assert len(project.members) <= model.p.project_group_size
    assert np.all(model.project_of[project.members] >= 0)
    assert model.first_project_month == model.steps
    assert trust.mean_mutual_trust(model.trust, project.members) >= (
        model.p.project_trust_threshold
    )


def test_a_too_demanding_threshold_blocks_projects():
    model = _joint_work_model(**{**EASY_PROJECTS, "project_trust_threshold": 1.0})
    model.track_record[model.participating()] = 1
    assert ventures.start_project(model, model.steps) is None


def test_leaving_a_project_takes_the_firms_gain_away():
    model = _joint_work_model(**EASY_PROJECTS)
    model.track_record[model.participating()] = 1
    project = ventures.start_project(model, model.steps)
    project.sales_gain = np.linspace(0.1, 0.2, len(project.members))
    model.joint_sales_uplift[project.members] += project.sales_gain
    leaver, stays = int(project.members[0]), project.members[1:].copy()
    ventures.leave_project(model, project, leaver)
    assert leaver not in project.members.tolist()
    np.testing.assert_array_equal(project.members, stays)
    assert model.project_of[leaver] == -1
    assert model.joint_sales_uplift[leaver] == pytest.approx(0.0)
    assert len(project.sales_gain) == len(project.members)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_operating_projects_pay_their_members(seed):
    model = run_to_end(PIPModel(rng=seed, **{**SMALL, **EASY_PROJECTS, "conflict_rate": 0.0}))
    assert model.counts["projects_succeeded"] > 0
    operating = [v for v in model.ventures if v.kind == "project" and v.operating]
    for v in operating:
        assert np.all(v.sales_gain > 0)
        np.testing.assert_allclose(model.joint_sales_uplift[v.members], v.sales_gain)
    out = model.outcomes()
    assert out["firms_in_joint_projects"] > 0
