"""Outcomes: the log frame's indicators, targets and the monthly reporters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipsim import PIPModel
from pipsim.agents import Status
from pipsim.outcomes import (
    REPORTERS,
    outcomes,
    productivity_growth,
    sales_growth,
    state_measures,
    ties,
    trust_partners,
)
from tests.strategies import EASY_PROJECTS, SMALL, run_to_end

TARGETS = ("met_sales", "met_productivity", "met_joint_projects", "met_participants")


def test_outcomes_before_the_run_describe_the_start():
    model = PIPModel(rng=1, **SMALL)
    out = outcomes(model)
    assert out["participants"] == SMALL["initial_participants"]
    assert out["dropouts"] == 0
    assert out["firms_in_joint_projects"] == 0
    assert out["sales_growth"] == 0.0 and out["productivity_growth"] == 0.0
    assert math.isnan(out["months_to_first_joint_project"])
    assert all(v == 0 for k, v in model.counts.items() if k in out)
    assert out == pytest.approx(model.outcomes(), nan_ok=True)


def test_easy_targets_are_met_and_impossible_ones_are_not():
    easy = dict(
        target_sales_growth=-1.0,
        target_productivity_growth=-1.0,
        target_firms_in_joint_projects=0,
        target_participants=0,
    )
    out = run_to_end(PIPModel(rng=2, **SMALL, **easy)).outcomes()
    assert all(out[k] for k in TARGETS)
    assert out["success"] is True
    hard = dict(easy, target_participants=SMALL["n_enterprises"] + 1)
    out = run_to_end(PIPModel(rng=2, **SMALL, **hard)).outcomes()
    assert out["met_participants"] is False
    assert out["success"] is False


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_success_means_every_target_met(seed):
    out = run_to_end(PIPModel(rng=seed, **SMALL)).outcomes()
    assert out["success"] == all(out[k] for k in TARGETS)


def test_state_measures_count_the_statuses():
    model = run_to_end(PIPModel(rng=3, **SMALL))
    now = state_measures(model)
    assert now["participants"] == int((model.status == Status.PARTICIPATING).sum())
    assert now["dropouts"] == int((model.status == Status.DROPPED_OUT).sum())
    members = model.participating()
    assert now["trust_in_public"] == pytest.approx(model.trust_public[members].mean())


def _three_groups() -> PIPModel:
    """Firms 0-3 in collective action, 4-5 participating but never in a venture, 6+ outside."""
    model = PIPModel(rng=1, **{**SMALL, "initial_participants": 6, "n_lead_firms": 0})
    model.status[:] = Status.OUTSIDE
    model.status[:6] = Status.PARTICIPATING
    model.together[:4, :4] = True  # they have been in a venture together
    return model


def test_growth_counts_the_firms_in_collective_action_net_of_the_market():
    model = _three_groups()
    model.sales_uplift[:4] = 0.3  # the firms in collective action sell 30% more
    model.sales_uplift[4:6] = -0.5  # late joiners who did nothing do not dilute it
    assert sales_growth(model) == pytest.approx(0.3)
    model.market_index *= 0.8  # a demand shock that hits every firm alike
    assert sales_growth(model) == pytest.approx(0.3)
    model.market_index[6:] *= 1.5  # the firms outside did better: not the participants' yardstick
    assert sales_growth(model) == pytest.approx(0.3)
    model.market_index[:2] *= 1.25  # two treated firms' own markets grew: the yardstick moves
    assert sales_growth(model) == pytest.approx(0.3)


def test_without_firms_outside_growth_is_measured_the_same_way():
    model = _three_groups()
    model.status[:] = Status.PARTICIPATING
    model.productivity_uplift[:4] = 0.2
    model.market_index[:] = 0.64  # productivity moves with the square root of the market
    assert productivity_growth(model) == pytest.approx(0.2)


def test_trust_partners_covers_only_pairs_who_worked_together():
    model = _three_groups()
    model.trust[:6, :6] = 0.1
    model.trust[:4, :4] = 0.8
    np.fill_diagonal(model.trust, 1.0)
    assert trust_partners(model) == pytest.approx(0.8)
    assert state_measures(model)["mean_trust"] < 0.8  # the all-pairs mean dilutes it


def test_strong_ties_and_tie_density_count_pairs_of_participants():
    model = _three_groups()
    model.trust[:, :] = 0.1
    model.trust[0, 1], model.trust[1, 0] = 0.9, 0.3  # mutual 0.6: a strong tie
    model.trust[2, 3], model.trust[3, 2] = 0.45, 0.45  # at the project threshold (0.4)
    model.trust[4, 5], model.trust[5, 4] = 0.9, 0.0  # mutual 0.45
    np.fill_diagonal(model.trust, 1.0)
    strong, density = ties(model)
    assert strong == 1
    assert density == pytest.approx(3 / 15)


def test_months_to_log_frame_is_the_first_month_every_target_is_met():
    easy = dict(
        target_sales_growth=-1.0,
        target_productivity_growth=-1.0,
        target_firms_in_joint_projects=0,
        target_participants=0,
    )
    out = run_to_end(PIPModel(rng=2, **SMALL, **easy)).outcomes()
    assert out["months_to_log_frame"] == 0
    impossible = dict(easy, target_participants=SMALL["n_enterprises"] + 1)
    assert math.isnan(
        run_to_end(PIPModel(rng=2, **SMALL, **impossible)).outcomes()["months_to_log_frame"]
    )


def test_a_lone_participant_has_no_mutual_trust_and_no_cohesion():
    model = PIPModel(rng=1, **{**SMALL, "initial_participants": 1})
    now = state_measures(model)
    assert now["participants"] == 1
    assert now["mean_trust"] == 0.0 and now["trust_partners"] == 0.0
    assert now["network_cohesion"] == 0.0 and now["strong_ties"] == 0


def test_reporters_read_the_current_state():
    model = PIPModel(rng=4, **SMALL)
    for _ in range(6):
        model.step()
    values = {name: reporter(model) for name, reporter in REPORTERS.items()}
    assert values["month"] == 6
    assert values["phase"] == model.phase
    assert values["participants"] == int(model.participating().sum())
    assert values["technicians_present"] == len(model.agency.team_present(6))
    assert values["active_pilots"] + values["active_projects"] == len(model.ventures)
    for name, value in values.items():
        if name != "phase":
            assert np.isfinite(value), name


def test_sustained_requires_joint_projects_at_project_end():
    out = run_to_end(PIPModel(rng=1, **SMALL, collective_projects=False)).outcomes()
    assert out["firms_in_joint_projects"] == 0
    assert out["sustained"] is False


def _run_with_lasting_projects() -> PIPModel:
    """A run whose collective projects form, pay off and keep working after the agency left."""
    longer = {**SMALL, "project_months": 18, "post_project_months": 6}
    return run_to_end(PIPModel(rng=1, **longer, **EASY_PROJECTS, conflict_rate=0.0))


def test_a_project_that_keeps_working_after_the_agency_left_is_sustained():
    out = _run_with_lasting_projects().outcomes()
    assert out["firms_in_joint_projects"] >= 2
    assert out["firms_in_joint_projects_after"] >= out["firms_in_joint_projects"]  # or more
    assert out["sustained"] is True


def test_cooperation_that_did_not_outlast_the_agency_is_not_sustained():
    model = _run_with_lasting_projects()
    assert model.outcomes()["firms_in_joint_projects"] >= 4
    members = np.flatnonzero(model.participating() & (model.project_of >= 0))
    model.project_of[members[1:]] = -1  # every joint project gone but one firm's: fewer than two
    out = model.outcomes()
    assert out["firms_in_joint_projects"] >= 4  # at project end, as it was
    assert out["firms_in_joint_projects_after"] == 1
    assert out["sustained"] is False


def test_counts_cover_the_project_and_later_conflicts_are_reported_apart():
    model = PIPModel(rng=2, **{**SMALL, "post_project_months": 12}, conflict_rate=0.5)
    while model.steps < model.p.project_months:
        model.step()
    at_end = dict(model.counts)
    run_to_end(model)
    out = model.outcomes()
    for key, value in at_end.items():
        assert out[key] == value, key
    assert out["conflicts_after_project"] == model.counts["conflicts"] - at_end["conflicts"]
    assert out["conflicts_after_project"] >= 0


def test_the_first_project_records_the_pilots_before_it_and_its_members_trust():
    """The ladder's record: pilots run before the first project; the trust it formalised at."""
    from pipsim.sweep.block import run_block

    runs, _ = run_block(dict(typology="horizontal_network", project_months=36), 3, 20)
    formed = runs[runs["months_to_first_joint_project"].notna()]
    assert len(formed) > 0
    assert (formed["pilots_before_first_project"] <= formed["pilots_run"]).all()
    assert (formed["pilots_before_first_project"] >= 0).all()
    # a group formalises only at mean mutual trust >= the threshold (`trusting_group`)
    assert (formed["trust_at_first_project"] >= 0.31 - 1e-6).all()
    assert (formed["trust_at_first_project"] <= 1).all()
    never = runs[runs["months_to_first_joint_project"].isna()]
    assert never["pilots_before_first_project"].isna().all()
    assert never["trust_at_first_project"].isna().all()
