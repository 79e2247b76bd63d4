"""PIPModel: running to the end, batch runs, reproducibility, presets, shocks and switches."""

from __future__ import annotations

import math
import pickle
import re

import mesa
import numpy as np
import pandas as pd
import pytest

from pipsim import TYPOLOGIES, Parameters, PIPModel
from pipsim.agents import Enterprise
from pipsim.outcomes import REPORTERS, state_measures
from pipsim.parameters import TYPOLOGY_PRESETS
from pipsim.rules import public
from tests.strategies import EASY_PROJECTS, SMALL, run_to_end, same_outcomes, same_value

REQUIRED_OUTCOMES = (
    "success",
    "sustained",
    "participants",
    "dropouts",
    "firms_in_joint_projects",
    "sales_growth",
    "productivity_growth",
    "mean_trust",
    "trust_in_agency",
    "trust_in_public",
    "pilots_run",
    "pilots_failed",
    "conflicts",
    "conflicts_mediated",
    "months_to_first_joint_project",
)


def small_model(seed: int = 1, **overrides) -> PIPModel:
    return PIPModel(rng=seed, **{**SMALL, **overrides})


# --- running to the end ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("project", "post", "launch", "close"),
    [(12, 4, 2, 3), (1, 0, 0, 0), (5, 0, 1, 1), (6, 7, 0, 0), (9, 3, 3, 6)],
)
def test_model_runs_exactly_the_project_and_post_project_months(project, post, launch, close):
    model = small_model(
        project_months=project,
        post_project_months=post,
        launch_months=launch,
        close_out_months=close,
    )
    steps = 0
    while model.running:
        model.step()
        steps += 1
        assert steps <= project + post, "the model ran past its horizon"
    assert steps == project + post == model.p.total_months
    assert model.steps == project + post
    assert model.at_project_end is not None
    assert model.agency.present_in_territory is (post == 0)


@pytest.mark.parametrize(
    ("project", "post", "launch", "close"),
    [(12, 4, 2, 3), (6, 2, 3, 3), (3, 3, 3, 0), (6, 2, 0, 6), (8, 0, 0, 0), (5, 1, 1, 0)],
)
def test_phases_follow_the_schedule(project, post, launch, close):
    model = run_to_end(
        small_model(
            seed=3,
            time_series=True,
            project_months=project,
            post_project_months=post,
            launch_months=launch,
            close_out_months=close,
        )
    )
    p = model.p
    df = model.datacollector.get_model_vars_dataframe()
    assert df["month"].tolist() == list(range(p.total_months + 1))
    joint_from = p.launch_months + 1
    close_from = p.project_months - p.close_out_months + 1
    first = "launch" if p.launch_months > 0 else "joint_work"
    expected = [
        first
        if month == 0
        else "launch"
        if month < joint_from
        else "joint_work"
        if month < close_from
        else "close_out"
        if month <= p.project_months
        else "post_project"
        for month in range(p.total_months + 1)
    ]
    assert df["phase"].tolist() == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pilots_start_only_during_joint_work_and_the_team_leaves_with_the_agency(seed):
    model = run_to_end(small_model(seed=seed, time_series=True, pilot_months=2))
    df = model.datacollector.get_model_vars_dataframe()
    launch = df[df["phase"] == "launch"]
    assert (launch["active_pilots"] == 0).all() and (launch["active_projects"] == 0).all()
    change = df["active_pilots"].diff()
    no_new = df["phase"].isin(["close_out", "post_project"])
    assert (change[no_new] <= 0).all()
    assert (df.loc[df["phase"] == "post_project", "technicians_present"] == 0).all()
    assert (df.loc[df["phase"] == "joint_work", "active_pilots"] > 0).any()


def test_without_time_series_only_the_last_month_is_collected():
    model = run_to_end(small_model(seed=4))
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 1
    row = df.iloc[-1]
    assert row["month"] == model.p.total_months
    now = state_measures(model)
    shared = REPORTERS.keys() & now.keys()  # what the monthly series and the outcomes share
    assert {"participants", "sales_growth", "mean_trust", "trust_in_public"} <= shared
    for key in shared:
        assert row[key] == pytest.approx(now[key]), key


def test_outcomes_at_project_end_are_a_snapshot_taken_then():
    model = small_model(seed=5)
    for _ in range(model.p.project_months):
        model.step()
    snapshot = state_measures(model)
    run_to_end(model)
    out = model.outcomes()
    for key, value in snapshot.items():
        assert same_value(out[key], value), key


# --- batch_run ---------------------------------------------------------------------------------
def test_batch_run_returns_the_reporters_and_matches_a_manual_run():
    rows = mesa.batch_run(
        PIPModel, parameters=dict(SMALL), rng=[1, 2], max_steps=1000, display_progress=False
    )
    assert len(rows) == 2
    by_seed = {}
    for row in rows:
        assert set(REPORTERS) <= set(row)
        assert row["Step"] == SMALL["project_months"] + SMALL["post_project_months"]
        by_seed[[1, 2][row["iteration"]]] = row
    for seed, row in by_seed.items():
        manual = run_to_end(PIPModel(rng=seed, **SMALL))
        for key, reporter in REPORTERS.items():
            assert same_value(row[key], reporter(manual)), (seed, key)
        assert row["month"] == manual.p.total_months
        outcomes = manual.outcomes()  # the log frame's flags, as a Mesa user reads them
        for key in ("success", "met_sales", "met_productivity", "met_joint_projects"):
            assert row[key] == outcomes[key], (seed, key)
        assert row["met_participants"] == outcomes["met_participants"]


def test_a_model_pickles_mid_run_and_goes_on_as_the_same_run():
    model = PIPModel(rng=6, time_series=True, **SMALL)
    for _ in range(4):
        model.step()
    copy = pickle.loads(pickle.dumps(model))
    run_to_end(model)
    run_to_end(copy)
    assert same_outcomes(copy.outcomes(), model.outcomes())
    np.testing.assert_array_equal(copy.trust, model.trust)
    assert copy.event_log == model.event_log
    pd.testing.assert_frame_equal(copy.series(), model.series())


def test_batch_run_collects_every_month_of_a_time_series():
    rows = mesa.batch_run(
        PIPModel,
        parameters={**SMALL, "time_series": True},
        rng=[3],
        max_steps=1000,
        data_collection_period=1,
        display_progress=False,
    )
    total = SMALL["project_months"] + SMALL["post_project_months"]
    assert [row["month"] for row in rows] == list(range(total + 1))


def test_batch_run_respects_max_steps():
    rows = mesa.batch_run(
        PIPModel,
        parameters={**SMALL, "time_series": True},
        rng=[1],
        max_steps=5,
        display_progress=False,
    )
    assert [(row["Step"], row["month"]) for row in rows] == [(5, 5)]


# --- reproducibility ---------------------------------------------------------------------------
@pytest.mark.parametrize("typology", ["cluster", "horizontal_network"])
def test_same_parameters_and_seed_give_the_same_run(typology):
    kwargs = dict(SMALL, typology=typology, time_series=True, political_crisis_rate=0.5)
    a, b = run_to_end(PIPModel(rng=11, **kwargs)), run_to_end(PIPModel(rng=11, **kwargs))
    assert same_outcomes(a.outcomes(), b.outcomes())
    pd.testing.assert_frame_equal(
        a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    )
    assert a.event_log == b.event_log
    np.testing.assert_array_equal(a.trust, b.trust)


def test_a_seeded_generator_reproduces_the_run_too():
    a = run_to_end(PIPModel(rng=np.random.default_rng(5), **SMALL))
    b = run_to_end(PIPModel(rng=np.random.default_rng(5), **SMALL))
    assert same_outcomes(a.outcomes(), b.outcomes())


def test_different_seeds_give_different_runs():
    runs = [run_to_end(small_model(seed=s)).outcomes() for s in (1, 2, 3)]
    assert not same_outcomes(runs[0], runs[1])
    assert not same_outcomes(runs[1], runs[2])


# --- typologies and outcomes -------------------------------------------------------------------
@pytest.mark.parametrize("typology", TYPOLOGIES)
def test_every_typology_runs_and_reports_the_required_outcomes(typology):
    model = run_to_end(
        PIPModel(
            typology=typology,
            rng=2,
            project_months=12,
            post_project_months=6,
            launch_months=2,
            close_out_months=3,
        )
    )
    assert model.p.n_enterprises == TYPOLOGY_PRESETS[typology]["n_enterprises"]
    out = model.outcomes()
    assert set(REQUIRED_OUTCOMES) <= set(out)
    assert isinstance(out["success"], bool) and isinstance(out["sustained"], bool)
    assert out["success"] == all(
        out[k] for k in ("met_sales", "met_productivity", "met_joint_projects", "met_participants")
    )
    for key in ("mean_trust", "trust_in_agency", "trust_in_public"):
        assert 0.0 <= out[key] <= 1.0, key
    for key in (
        "participants",
        "dropouts",
        "firms_in_joint_projects",
        "pilots_run",
        "pilots_failed",
        "conflicts",
        "conflicts_mediated",
    ):
        assert isinstance(out[key], int) and out[key] >= 0, key
    for key in ("sales_growth", "productivity_growth"):
        assert math.isfinite(out[key]) and out[key] > -1.0, key
    first = out["months_to_first_joint_project"]
    if out["projects_run"] == 0:
        assert math.isnan(first)
    else:
        assert model.p.launch_months < first <= model.p.project_months


def test_months_to_first_joint_project_is_when_the_first_project_formed():
    settings = dict(
        project_months=18,
        initial_trust=0.7,
        initial_trust_spread=0.05,
        project_trust_threshold=0.3,
        pilot_success_rate=1.0,
        noncompliance_risk=0.0,
    )
    runs = (run_to_end(small_model(seed=seed, **settings)) for seed in range(1, 9))
    model = next((m for m in runs if m.counts["projects_run"] > 0), None)
    assert model is not None, "no project formed in 8 easy runs"
    out = model.outcomes()
    formed = [month for month, text in model.event_log if "formed a collective project" in text]
    assert out["months_to_first_joint_project"] == formed[0]


# --- agents ------------------------------------------------------------------------------------
def test_enterprise_trust_in_reads_the_trust_matrix():
    model = small_model(seed=6)
    for _ in range(8):
        model.step()
    firms = model.enterprises
    assert len(firms) == model.n
    assert all(isinstance(f, Enterprise) for f in firms)
    for i, a in enumerate(firms):
        for j, b in enumerate(firms):
            assert a.trust_in(b) == model.trust[i, j]


# --- parameters in the constructor -------------------------------------------------------------
def test_typology_keyword_picks_the_preset():
    model = PIPModel(typology="vertical_network", rng=1)
    assert model.p == Parameters.for_typology("vertical_network")
    assert model.n == TYPOLOGY_PRESETS["vertical_network"]["n_enterprises"]
    assert len(model.enterprises) == model.n


def test_default_model_is_the_cluster_preset():
    assert PIPModel(rng=1).p == Parameters()


def test_keyword_overrides_apply_to_an_explicit_parameters_object():
    base = Parameters()
    model = PIPModel(parameters=base, project_months=12, rng=1)
    assert model.p.project_months == 12
    expected = {**base.to_dict(), "project_months": 12}
    assert model.p.to_dict() == expected
    assert base.project_months != 12  # the original is untouched


def test_an_explicit_parameters_object_is_used_as_is():
    p = Parameters.for_typology("horizontal_network", project_months=10)
    assert PIPModel(parameters=p, rng=1).p is p


@pytest.mark.parametrize(
    "build",
    [
        lambda: PIPModel(rng=1, bogus_parameter=3),
        lambda: PIPModel(parameters=Parameters(), rng=1, bogus_parameter=3),
    ],
)
def test_unknown_keywords_raise(build):
    with pytest.raises(ValueError, match="bogus_parameter"):
        build()


def test_invalid_keyword_values_raise():
    with pytest.raises(ValueError, match="staff_turnover"):
        PIPModel(rng=1, staff_turnover=1.5)


# --- a political crisis ------------------------------------------------------------------------
def _crisis_entries(model: PIPModel) -> list[int]:
    return [month for month, text in model.event_log if "crisis" in text]


def test_political_crisis_strikes_in_its_month():
    model = small_model(seed=7, political_crisis_month=5, political_crisis_rate=0.0)
    p = model.p
    for _ in range(4):
        model.step()
    assert _crisis_entries(model) == []
    assert model.public.commitment == p.public_commitment
    assert not model.public.in_crisis
    model.step()
    assert _crisis_entries(model) == [5]
    assert model.public.in_crisis
    assert model.public.commitment == pytest.approx(
        p.public_commitment * (1 - p.crisis_commitment_drop)
    )
    assert model.public.commitment < p.public_commitment
    run_to_end(model)
    assert _crisis_entries(model) == [5]


def test_political_crisis_hits_trust_and_demand_of_the_participants():
    kwargs = dict(SMALL, political_crisis_rate=0.0)
    model = PIPModel(rng=8, political_crisis_month=5, **kwargs)
    twin = PIPModel(rng=8, political_crisis_month=None, **kwargs)
    for _ in range(4):
        model.step()
        twin.step()
    np.testing.assert_array_equal(model.trust_public, twin.trust_public)  # same run so far
    members = model.participating()
    trust_public, institutional = model.trust_public.copy(), model.institutional_trust.copy()
    market = model.market_index.copy()
    # what the schedule does at the start of month 5, before the month's rules
    public.political_crisis(model.state, model.rules, 0, 5)
    hit = members & (trust_public > 1e-9)
    assert hit.any()
    assert np.all(model.trust_public[hit] < trust_public[hit])
    assert np.all(
        model.institutional_trust[members & (institutional > 1e-9)]
        < institutional[members & (institutional > 1e-9)]
    )
    np.testing.assert_array_equal(model.trust_public[~members], trust_public[~members])
    np.testing.assert_allclose(model.market_index, market * (1 - model.p.demand_shock_size))
    np.testing.assert_array_equal(twin.trust_public, trust_public)  # no crisis, no change


@pytest.mark.parametrize("name", ["political_crisis_rate", "delegation_rate"])
def test_a_tiny_hazard_rate_is_a_valid_model(name):
    model = small_model(seed=1, **{name: 1e-17})
    run_to_end(model)
    assert model.steps == model.p.total_months


def test_a_crisis_after_the_horizon_never_happens():
    model = run_to_end(small_model(seed=9, political_crisis_month=200))
    assert _crisis_entries(model) == []
    assert not model.public.in_crisis


# --- technicians leaving -----------------------------------------------------------------------
def test_certain_turnover_empties_the_team_every_month():
    model = small_model(seed=10, staff_turnover=1.0, n_technicians=3, vacancy_months=0.0)
    for _ in range(4):
        model.step()
    assert model.counts["technicians_left"] >= 3
    left = [m for m, text in model.event_log if re.match(r"a technician left", text)]
    assert len(left) == model.counts["technicians_left"]
    assert left[:3] == [1, 1, 1]
    # nobody stays long enough to build a relationship: trust in the agency is institutional
    np.testing.assert_array_equal(model.relationship, 0.0)
    np.testing.assert_allclose(
        model.trust_in_agency(), (1 - model.p.relationship_weight) * model.institutional_trust
    )


def _departures_with_caseload(seed: int) -> int:
    """Run one model, checking every departure of its only technician; count the checked ones."""
    model = small_model(
        seed=seed,
        project_months=24,
        n_technicians=1,
        staff_turnover=0.9,
        vacancy_months=2.0,
        relationship_weight=0.6,
        trust_gain=0.05,
    )
    checked = 0
    while model.running:
        technician_of = model.technician_of.copy()
        relationship = model.relationship.copy()
        agency_trust = model.trust_in_agency().copy()
        left = model.counts["technicians_left"]
        model.step()
        if model.counts["technicians_left"] == left:
            continue
        month = model.steps
        assert any(m == month and "technician left" in text for m, text in model.event_log)
        caseload = technician_of == 0
        if not caseload.any():
            continue
        checked += 1
        # the only technician left: its firms lost their contact and their relationship
        np.testing.assert_array_equal(model.relationship[caseload], 0.0)
        had = caseload & (relationship > 0.1)  # (more than a good outcome's lift can offset)
        assert np.all(model.trust_in_agency()[had] < agency_trust[had])
        # firms not served by it keep their relationship
        np.testing.assert_array_equal(model.relationship[~caseload], relationship[~caseload])
    return checked


def test_a_departing_technician_takes_the_relationships_of_its_caseload():
    assert sum(_departures_with_caseload(seed) for seed in range(6)) >= 3


def test_firms_of_a_vacant_post_have_no_relationship_until_it_is_filled():
    vacant_with_firms = 0
    for seed in range(4):
        model = small_model(
            seed=seed, project_months=24, n_technicians=3, staff_turnover=0.6, vacancy_months=4.0
        )
        while model.running and model.agency.present_in_territory:
            model.step()
            for k, tech in enumerate(model.agency.technicians):
                firms = model.technician_of == k
                if not tech.present(model.steps) and firms.any():
                    vacant_with_firms += 1
                    np.testing.assert_array_equal(model.relationship[firms], 0.0)
    assert vacant_with_firms > 0


def test_nobody_mediates_once_the_agency_has_left():
    model = small_model(
        seed=1,
        project_months=18,
        post_project_months=12,
        initial_participants=15,
        conflict_rate=0.3,
        technician_skill=1.0,
        **EASY_PROJECTS,
    )
    while model.steps < model.p.project_months:
        model.step()
    at_end = dict(model.counts)
    run_to_end(model)
    assert at_end["conflicts_mediated"] > 0
    assert model.counts["conflicts"] > at_end["conflicts"]  # the groups still quarrel ...
    assert model.counts["conflicts_mediated"] == at_end["conflicts_mediated"]  # ... alone


def test_without_turnover_no_technician_leaves():
    model = run_to_end(small_model(seed=2, staff_turnover=0.0))
    assert model.counts["technicians_left"] == 0
    assert not any("technician left" in text for _, text in model.event_log)


# --- switches ----------------------------------------------------------------------------------
MANY_CONFLICTS = dict(conflict_rate=1.0, technician_skill=1.0, staff_turnover=0.0)


@pytest.mark.parametrize("seed", [1, 2])
def test_pilots_switch(seed):
    on = run_to_end(small_model(seed=seed, pilots=True)).outcomes()
    off = run_to_end(small_model(seed=seed, pilots=False)).outcomes()
    assert on["pilots_run"] > 0
    assert off["pilots_run"] == off["pilots_succeeded"] == off["pilots_failed"] == 0
    # without pilots nobody builds a track record, so no collective project can form
    assert off["projects_run"] == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_collective_projects_switch(seed):
    easy = {**EASY_PROJECTS, "project_months": 18}
    on = run_to_end(small_model(seed=seed, collective_projects=True, **easy))
    off = run_to_end(small_model(seed=seed, collective_projects=False, **easy))
    assert on.outcomes()["projects_run"] > 0
    out = off.outcomes()
    assert out["projects_run"] == out["projects_succeeded"] == out["projects_failed"] == 0
    assert out["firms_in_joint_projects"] == 0
    assert math.isnan(out["months_to_first_joint_project"])


@pytest.mark.parametrize("seed", [1, 2])
def test_trust_building_events_switch(seed):
    on = run_to_end(small_model(seed=seed, trust_building_events=True, events_per_month=2.0))
    off = run_to_end(small_model(seed=seed, trust_building_events=False, events_per_month=2.0))
    assert on.counts["events_held"] > 0
    assert off.counts["events_held"] == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_mediation_switch(seed):
    on = run_to_end(small_model(seed=seed, mediation=True, **MANY_CONFLICTS))
    off = run_to_end(small_model(seed=seed, mediation=False, **MANY_CONFLICTS))
    assert on.counts["conflicts_mediated"] > 0
    assert off.counts["conflicts"] > 0
    assert off.counts["conflicts_mediated"] == 0
