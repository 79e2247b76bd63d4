"""Ventures: forming groups on the ladder of joint experience, a month of every venture."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipsim import PIPModel, ventures
from pipsim.rules import book, forming, learning
from pipsim.rules import ventures as rules
from pipsim.ventures import Venture
from tests.strategies import EASY_PROJECTS, run_to_end, trust_matrices, unit
from tests.strategies import SMALL as SMALL_MODEL

# the shared small model, with a longer project and more firms in it: room for joint work
SMALL = {**SMALL_MODEL, "project_months": 18, "post_project_months": 6, "launch_months": 1}
SMALL |= {"initial_participants": 15}
QUIET = dict(noncompliance_risk=0.0, conflict_rate=0.0)


def mean_mutual_trust(matrix: np.ndarray, group: np.ndarray) -> float:
    """Mean trust over the ordered pairs of distinct members of ``group``."""
    block = matrix[np.ix_(group, group)]
    k = len(group)
    return float((block.sum() - np.trace(block)) / (k * (k - 1)))


def _new_venture(model: PIPModel, formed: bool) -> Venture | None:
    """The view of the venture the model formed last, if ``formed``."""
    if not formed:
        return None
    uid = model.state.formed[0] - 1
    slot = int(np.flatnonzero(model.book.alive & (model.book.uid == uid))[0])
    model.ventures  # the model keeps one view per venture  # noqa: B018
    return next(v for v in model.ventures if v.slot == slot)


def start_pilot(model: PIPModel, month: int) -> Venture | None:
    """Form one pilot in run 0 now (the rule `forming.start_pilot`); its view, or None."""
    formed = forming.start_pilot(model.state, model.rules, 0, model.rngs[0], month)
    return _new_venture(model, formed)


def start_project(model: PIPModel, month: int, tries: int = 50) -> Venture | None:
    """Formalise one project in run 0 now (the rule `forming.start_project`); its view, or None.

    A ready group decides with a chance each time (`forming.group_agrees`): it gets ``tries``.
    """
    for _ in range(tries):
        if forming.start_project(model.state, model.rules, 0, model.rngs[0], month):
            return _new_venture(model, True)
    return _new_venture(model, False)


def advance(model: PIPModel, month: int) -> None:
    """A month of every venture of run 0 (the rule `ventures.month_of_ventures`)."""
    for view in model.ventures:
        view.remember()
    rules.month_of_ventures(model.state, model.rules, 0, model.rngs[0], month)


@st.composite
def group_problems(draw):
    matrix = draw(trust_matrices(min_n=2, max_n=12))
    np.fill_diagonal(matrix, 1.0)
    n = len(matrix)
    partners = np.array(
        draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)), dtype=int
    )
    founder = int(draw(st.sampled_from(list(partners))))
    return matrix, founder, partners, draw(unit), draw(st.integers(2, 12))


@given(problem=group_problems())
def test_trusting_group_is_a_trusting_group_around_the_founder(problem):
    matrix, founder, partners, threshold, size = problem
    mask = np.zeros(len(matrix), dtype=bool)
    mask[partners] = True
    group = forming.trusting_group(matrix, founder, mask, threshold, size)
    assert group[0] == founder
    assert len(set(group.tolist())) == len(group) <= size
    assert set(group.tolist()) <= set(partners.tolist())
    if len(group) > 1:
        assert mean_mutual_trust(matrix, group) >= threshold - 1e-12


def test_trusting_group_prefers_the_most_trusted_partners():
    matrix = np.full((5, 5), 0.2)
    matrix[0, [1, 2, 3]] = matrix[[1, 2, 3], 0] = [0.9, 0.6, 0.8]
    matrix[np.ix_([1, 2, 3], [1, 2, 3])] = 0.9
    np.fill_diagonal(matrix, 1.0)
    group = forming.trusting_group(matrix, 0, np.arange(5) > 0, 0.5, 3)
    assert group.tolist() == [0, 1, 3]


def test_trusting_group_drops_members_who_do_not_trust_each_other():
    matrix = np.full((4, 4), 0.9)
    matrix[1, 2] = matrix[2, 1] = 0.0  # two partners who distrust each other
    np.fill_diagonal(matrix, 1.0)
    group = forming.trusting_group(matrix, 0, np.arange(4) > 0, 0.8, 4)
    assert mean_mutual_trust(matrix, group) >= 0.8
    assert not {1, 2} <= set(group.tolist())
    assert len(group) == 3 and group[0] == 0


def _joint_work_model(seed: int = 1, **overrides) -> PIPModel:
    """A model at the month joint work opens, before any venture formed."""
    model = PIPModel(
        rng=seed, **{**SMALL, **overrides, "pilots": False, "collective_projects": False}
    )
    while model.phase != "joint_work":
        model.step()
    assert not model.ventures and not any(model.counts[k] for k in ("pilots_run", "projects_run"))
    return model


def _prove(model: PIPModel, successes: int) -> None:
    """Give every pair of participants ``successes`` joint successes."""
    members = model.participating()
    model.joint_successes[np.ix_(members, members)] = successes


def test_a_pilot_is_a_small_group_of_participants():
    model = _joint_work_model()
    pilot = start_pilot(model, model.steps)
    assert pilot is not None and pilot.kind == "pilot"
    assert 1 <= len(pilot.members) <= model.p.pilot_group_size
    assert np.all(model.participating()[pilot.members])
    assert np.all(model.in_pilot[pilot.members])
    assert model.counts["pilots_run"] == 1
    assert pilot in model.ventures  # the same view while it lasts


@pytest.mark.parametrize("months", [1, 2, 5])
def test_a_pilot_without_trouble_lasts_pilot_months(months):
    model = _joint_work_model(pilot_months=months, **QUIET)
    start = model.steps + 1
    pilot = start_pilot(model, start)
    lived = 0
    for month in range(start, start + 50):
        lived += 1
        advance(model, month)
        if pilot not in model.ventures:
            break
    assert lived == months
    assert model.counts["pilots_succeeded"] + model.counts["pilots_failed"] == 1
    assert not model.in_pilot.any()


def test_a_firm_is_in_one_pilot_at_a_time():
    model = _joint_work_model(seed=2, pilot_group_size=3)
    busy: set[int] = set()
    for _ in range(20):
        pilot = start_pilot(model, model.steps)
        if pilot is None:
            continue
        assert busy.isdisjoint(pilot.members.tolist())
        busy |= set(pilot.members.tolist())


def test_partners_who_deliver_gain_trust_in_each_other_whatever_the_market_says():
    for success_rate in (0.0, 1.0):  # the market never / always answers
        model = _joint_work_model(pilot_success_rate=success_rate, **QUIET)
        pilot = start_pilot(model, model.steps + 1)
        members = pilot.members
        before = mean_mutual_trust(model.trust, members)
        for month in range(model.steps + 1, model.steps + 1 + model.p.pilot_months):
            advance(model, month)
        assert mean_mutual_trust(model.trust, members) > before


def test_a_failed_market_costs_faith_in_collective_action_not_trust_in_partners():
    won, lost = (_joint_work_model(pilot_success_rate=r, **QUIET) for r in (1.0, 0.0))
    for model in (won, lost):
        pilot = start_pilot(model, model.steps + 1)
        model.members_of_test = pilot.members
        for month in range(model.steps + 1, model.steps + 1 + model.p.pilot_months):
            advance(model, month)
    assert won.counts["pilots_succeeded"] == 1 and lost.counts["pilots_failed"] == 1
    # the same seed forms the same pilot; the partners' conduct was the same
    np.testing.assert_array_equal(won.members_of_test, lost.members_of_test)
    members = won.members_of_test
    assert mean_mutual_trust(won.trust, members) == pytest.approx(
        mean_mutual_trust(lost.trust, members)
    )
    assert np.all(won.trust_collective[members] > lost.trust_collective[members])
    together = won.joint_successes[np.ix_(members, members)]
    assert np.all(together[~np.eye(len(members), dtype=bool)] == 1)  # every pair of partners
    assert np.all(lost.joint_successes[np.ix_(members, members)] == 0)


def test_partners_learn_from_conduct_and_blame_only_the_one_who_failed():
    model = _joint_work_model()
    group = np.array([0, 1, 2])
    v = book.open_venture(model.state, 0, 0, 0, model.steps, model.steps + 3, group, 3)
    defected = np.array([False, False, True])  # by member position: firm 2 failed the group
    before = model.trust.copy()
    rates = learning.rates_by_record(model.rules)
    rules.learn_from_conduct(
        model.state, model.rules, 0, v, defected, np.zeros(3, bool), 0.0, rates
    )
    assert model.trust[0, 1] > before[0, 1] and model.trust[1, 0] > before[1, 0]
    assert model.trust[0, 2] < before[0, 2] and model.trust[1, 2] < before[1, 2]
    assert model.trust[2, 0] > before[2, 0]  # the culprit saw its partners deliver
    outsiders = np.setdiff1d(np.arange(model.n), group)
    np.testing.assert_array_equal(model.trust[outsiders], before[outsiders])


def test_no_project_without_enough_joint_successes():
    model = _joint_work_model(**{**EASY_PROJECTS, "successes_before_project": 2})
    _prove(model, 1)
    assert start_project(model, model.steps) is None
    assert model.counts["projects_run"] == 0


def test_a_project_forms_among_trusting_firms_who_succeeded_together():
    model = _joint_work_model(**{**EASY_PROJECTS, "successes_before_project": 2})
    _prove(model, 2)
    project = start_project(model, model.steps)
    assert project is not None and project.kind == "project"
    assert ventures.MIN_PROJECT_FIRMS <= len(project.members) <= model.p.project_group_size
    assert np.all(model.project_of[project.members] >= 0)
    assert model.first_project_month == model.steps
    assert mean_mutual_trust(model.trust, project.members) >= (model.p.project_trust_threshold)


def test_without_the_ladder_trust_alone_is_enough():
    model = _joint_work_model(**EASY_PROJECTS)
    assert start_project(model, model.steps) is not None


def test_a_too_demanding_threshold_blocks_projects():
    model = _joint_work_model(**{**EASY_PROJECTS, "project_trust_threshold": 1.0})
    _prove(model, 5)
    assert start_project(model, model.steps) is None


def test_walking_out_of_a_project_takes_the_firms_gain_away_and_costs_trust():
    model = _joint_work_model(**EASY_PROJECTS)
    _prove(model, 2)
    project = start_project(model, model.steps)
    members = project.members
    gains = np.linspace(0.1, 0.2, len(members))
    model.book.sales_gain[project.slot, members] = gains
    model.joint_sales_uplift[members] += gains
    leaver, stays = int(members[0]), members[1:]
    trust_in_leaver = model.trust[stays, leaver].copy()
    leavers = np.zeros(model.n, dtype=bool)
    leavers[leaver] = True
    rules.walk_out(model.state, model.rules, 0, leavers)
    np.testing.assert_array_equal(project.members, stays)
    assert model.project_of[leaver] == -1
    assert model.joint_sales_uplift[leaver] == pytest.approx(0.0)
    np.testing.assert_allclose(model.joint_sales_uplift[stays], gains[1:])
    assert np.all(model.trust[stays, leaver] < trust_in_leaver)


def test_a_project_succeeds_more_often_among_members_who_trust_each_other():
    low, high = (rules.project_success_probability(0.9, 0.5, t) for t in (0.2, 0.8))
    assert high > low


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_operating_projects_pay_their_members(seed):
    model = PIPModel(rng=seed, **{**SMALL, **EASY_PROJECTS, "conflict_rate": 0.0})
    model = run_to_end(model)
    assert model.counts["projects_succeeded"] > 0
    operating = [v for v in model.ventures if v.kind == "project" and v.operating]
    for v in operating:
        assert np.all(v.sales_gain > 0)
        np.testing.assert_allclose(model.joint_sales_uplift[v.members], v.sales_gain)
    assert model.outcomes()["firms_in_joint_projects"] > 0
