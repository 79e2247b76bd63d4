"""Experiment 07, reduced: the log frame comes later when benefits are hard to appropriate.

The full run (README of experiments/07_appropriability_takes_longer) showed two clear
directions: the month the whole log frame is first met comes later at low appropriability
(84-month projects), and success at project end is rarer. The month of the first collective
project did not depend on appropriability, so there is no directional test of it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pipsim.sweep.results import load_timeseries
from pipsim.validation import run_experiment

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "07_appropriability_takes_longer"


def load_run_module():
    """The experiment's run.py as a module (experiments are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("exp07_run", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_log_frame_comes_later_at_low_appropriability(tmp_path):
    """At 84 months: later first passage to the log frame, and fewer successes, at 0.15."""
    runs = run_experiment(
        FOLDER, 1, 40, out=tmp_path, sweep={"appropriability": [0.15, 0.85], "project_months": [84]}
    )
    passage = load_run_module().first_passage(load_timeseries(tmp_path), runs)
    months = passage.groupby("appropriability")["log_frame"].mean()
    assert months[0.15] > months[0.85]
    success = runs.groupby("appropriability")["success"].mean()
    assert success[0.15] < success[0.85]
