"""Reduced directional checks of experiment 06: early public action, delegation, crisis.

Only what the full run (1600 runs) showed clearly is asserted: a crisis lowers trust in the
public sector and participation; delegation lowers trust in the public sector (its effect on the
results was small and not significant, so none is asserted); a kept early action raises trust in
the public sector in the first months (at project end nothing of it was left, so no later direction
is asserted).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pipsim.sweep.results import load_timeseries
from pipsim.sweep.scenario import load_scenario
from pipsim.validation import run_experiment

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "06_public_action"
NO_CRISIS = 480


def reduced(tmp_path, reps, early=(False,), delegation=(0.0,), crisis=(NO_CRISIS,)):
    sweep = {
        "early_public_action": list(early),
        "delegation_rate": list(delegation),
        "political_crisis_month": list(crisis),
    }
    return run_experiment(FOLDER, 1, reps, out=tmp_path, sweep=sweep)


def test_crisis_lowers_trust_in_public_and_results(tmp_path):
    runs = reduced(tmp_path, 30, crisis=(NO_CRISIS, 24))
    by = runs.groupby("political_crisis_month")
    trust = by["trust_in_public"].mean()
    assert trust[24] < trust[NO_CRISIS] - 0.1  # model v2, 30 runs: 0.22 and 0.56
    # Model v2 reads sales net of the market, which a demand shock hitting every firm leaves
    # alone, and no run meets the whole log frame yet (uncalibrated): the crisis shows in
    # participation (30 runs: 68 against 86 firms at project end).
    participants = by["participants"].mean()
    assert participants[24] < participants[NO_CRISIS]


def test_delegation_lowers_trust_in_public(tmp_path):
    runs = reduced(tmp_path, 40, delegation=(0.0, 0.5))
    trust = runs.groupby("delegation_rate")["trust_in_public"].mean()
    assert trust[0.5] < trust[0.0]  # full run: 0.12 and 0.21


def test_kept_early_action_raises_trust_in_public_in_the_first_months(tmp_path):
    spec = importlib.util.spec_from_file_location("exp06", FOLDER / "run.py")
    exp06 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exp06)
    runs = reduced(tmp_path, 60, early=(True, False))
    base = dict(load_scenario(FOLDER / "scenario.toml").base)
    runs["kept"] = exp06.probe(runs, base, 1)
    month6 = load_timeseries(tmp_path).query("month == 6").set_index("run")["trust_in_public"]
    kept = month6[runs.loc[runs["kept"] == 1, "run"]].mean()
    none = month6[runs.loc[~runs["early_public_action"].astype(bool), "run"]].mean()
    # 300 runs of each arm at month 6 (block engine): 0.41 kept and 0.37 without (0.40 and 0.36
    # before it); gone by month 60. 60 runs an arm put the difference's standard error near 0.01.
    assert kept > none + 0.01
