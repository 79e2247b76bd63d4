"""Experiment 10, reduced: the patterns the full run showed robustly (experiments/10_patterns).

Asserted: (a) mean trust rises in most project months, and the worst month's drop is several
typical rises; (b) the first collective project never forms before a pilot has succeeded, and
forms early (by month 18 in every run of the full run); (c) cooperation survives the agency's
departure in most runs (the full run: 198 of 200), the opposite of the expected "often not
sustained", asserted because it is what the model robustly does.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from pipsim.sweep import design
from pipsim.sweep.results import load_timeseries
from pipsim.sweep.scenario import load_scenario
from pipsim.validation import run_experiment

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "10_patterns"
RUNS = 30


def load_run_module():
    """The experiment's run.py as a module (experiments are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("exp10_run", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    """The first RUNS runs of the full experiment: run table and monthly series."""
    out = tmp_path_factory.mktemp("exp10")
    runs = run_experiment(FOLDER, 1, RUNS, out=out)
    return runs, load_timeseries(out)


def test_trust_rises_in_most_months_and_drops_sharply(reduced):
    runs, series = reduced
    shapes = load_run_module().trajectories(series, 48)
    assert len(shapes) == RUNS
    assert shapes["rise_share"].median() > 0.5
    assert shapes["drop_to_rise"].median() > 3


def test_first_project_follows_a_successful_pilot_and_comes_early(reduced):
    runs, _ = reduced
    scenario = load_scenario(FOLDER / "scenario.toml")
    todo = list(design.runs(scenario, design.design_points(scenario), 0, RUNS))
    first = pd.DataFrame([load_run_module().probe(run) for run in todo])
    formed = first.dropna(subset=["pilots_succeeded_before"])
    assert len(formed) == RUNS
    assert (formed["pilots_succeeded_before"] >= 1).all()
    assert (formed["founders_track_record"].dropna() >= 1).all()
    months = runs["months_to_first_joint_project"]
    assert months.min() >= 7  # launch (3) + a pilot (3): no project before a pilot has ended
    assert (months <= 18).all()


def test_cooperation_mostly_outlasts_the_agency(reduced):
    runs, _ = reduced
    coop = runs[runs["firms_in_joint_projects"] > 0]
    assert len(coop) >= 25
    assert coop["sustained"].mean() > 0.75
