"""Experiment 01b, reduced: a partner's conduct moves trust in it, more the more trust there is.

The full run (README of experiments/01b_trust_after_conduct, 60 runs) found, in every bin of
trust with enough observations, trust rising after compliance and falling after a lapse or a
defection, and a defection undoing more months of kept word the higher the trust (0.85 at
0-0.2, 2.6 at 0.2-0.4, 6.1 at 0.4-0.6; at calibration v2's defaults 0.65, 2.0, 4.8). Checked
here on the experiment's first 10 runs, where the middle bins hold enough defections.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pipsim.sweep import design
from pipsim.sweep.scenario import load_scenario

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "01b_trust_after_conduct"
RUNS = 10


def load_run_module():
    """The experiment's run.py as a module (experiments are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("exp01b_run", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_conduct_moves_trust_and_a_defection_costs_more_where_trust_is_higher():
    exp = load_run_module()
    scenario = load_scenario(FOLDER / "scenario.toml").replace(replications=RUNS)
    todo = list(design.runs(scenario, design.design_points(scenario), 0, RUNS))
    table = exp.observations([exp.probe(run) for run in todo])
    sums, counts = exp.by_run(table, RUNS)
    n = counts.sum(0)
    mean = sums.sum(0) / np.maximum(n, 1)
    rows = [k for k in range(len(exp.BINS)) if n[k, exp.COMPLIED] >= 30 and n[k, exp.LAPSED] >= 30]
    assert len(rows) >= 3
    low, high = exp.bootstrap(sums, counts)["mean_ci"]
    for k in rows:
        assert mean[k, exp.LAPSED] < 0
        assert high[k, exp.COMPLIED] > 0  # never clearly falling after a kept word
    # a kept word closes a share of the gap to 1: clear where trust is low, tiny near the top
    # (0.004 at 0.8-1.0 in the full run), where ten runs cannot tell it from a month's fading
    assert all(low[k, exp.COMPLIED] > 0 for k in rows if k < 3)
    assert mean[0, exp.COMPLIED] > mean[2, exp.COMPLIED] > 0
    middle = [1, 2]  # 0.2-0.4 and 0.4-0.6: where the full run's defections are
    assert all(n[k, exp.DEFECTED] >= 10 for k in middle)
    ratio = -mean[middle, exp.DEFECTED] / mean[middle, exp.COMPLIED]
    assert 1 < ratio[0] < ratio[1]
