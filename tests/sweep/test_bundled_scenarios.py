"""Every bundled scenario runs end to end (one replication per design point) and summarises."""

import dataclasses
from pathlib import Path

import pytest

from pipsim.analysis.sensitivity import write_analysis
from pipsim.analysis.summary import summarize
from pipsim.sweep.design import design_points
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import load_scenario

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_runs_reduced(path, tmp_path):
    scenario = load_scenario(path)
    reduced = scenario.replace(replications=1, base={**scenario.base, "post_project_months": 6})
    if scenario.sensitivity is not None:  # the smallest design of the same shape, analysed
        reduced = reduced.replace(sensitivity=dataclasses.replace(scenario.sensitivity, samples=2))
        result = run_sweep(reduced, tmp_path, workers=1, progress=False)
        assert len(result.runs) == len(design_points(reduced))
        *_, files = write_analysis(reduced, tmp_path, result.runs)
        assert all(f.exists() for f in files)
        figures = {f.name for f in tmp_path.joinpath("figures").glob("*.png")}
        method = scenario.sensitivity.method
        for outcome in scenario.sensitivity.outcomes:  # one figure each (and Sobol's S2 heatmap)
            assert f"{method}_{outcome}.png" in figures, outcome
            if method == "sobol" and scenario.sensitivity.second_order:
                assert f"sobol_s2_{outcome}.png" in figures, outcome
        return
    result = run_sweep(reduced, tmp_path, workers=1, progress=False)
    assert len(result.runs) == len(design_points(reduced))
    assert set(scenario.sweep) <= set(result.runs.columns)
    summary = summarize(tmp_path)
    assert summary.files and all(f.exists() for f in summary.files)
    assert list(tmp_path.joinpath("figures").glob("*.png"))
