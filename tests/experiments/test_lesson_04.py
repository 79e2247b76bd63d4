"""Experiment 04, reduced: pilots open the way to collective projects, along their own ties.

Directions the full run showed clearly (README of experiments/04_pilots_open_the_way): with
pilots on, projects form even at initial trust 0.05 (without pilots none can: the model's
track-record gate), they form later at 0.05 than at 0.2, and the first project's members are
firms that had succeeded in a pilot together far more often than eligible pairs at large.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pipsim.sweep import design
from pipsim.validation import run_experiment

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "04_pilots_open_the_way"


def load_run_module():
    """The experiment's run.py as a module (experiments are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("exp04_run", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pilots_open_the_way_at_low_trust(tmp_path):
    """Projects form with pilots (even at trust 0.05), never without, and later at 0.05."""
    runs = run_experiment(
        FOLDER,
        1,
        12,
        out=tmp_path,
        sweep={"pilots": [False, True], "initial_trust": [0.05, 0.2], "project_months": [36]},
    )
    formed = (runs["projects_run"] > 0).groupby([runs["pilots"], runs["initial_trust"]]).mean()
    assert formed[(True, 0.05)] >= 0.5
    assert formed[(False, 0.05)] == 0 and formed[(False, 0.2)] == 0
    on = runs[runs["pilots"]]
    first = on["months_to_first_joint_project"].fillna(37).groupby(on["initial_trust"]).median()
    assert first[0.05] > first[0.2]


def test_first_project_forms_along_pilot_ties():
    """The first project's pairs had piloted together more often than the eligible pairs."""
    probe = load_run_module().probe
    overrides = {"typology": "cluster", "pilots": True, "initial_trust": 0.2, "project_months": 36}
    rows = [probe(design.Run(i, 0, i, 1000 + i, overrides)) for i in range(10)]
    formed = [r for r in rows if r["formed"] and not np.isnan(r["share_project"])]
    assert len(formed) >= 8
    diff = [r["share_project"] - r["share_eligible"] for r in formed]
    assert np.median(diff) > 0
