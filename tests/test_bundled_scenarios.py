"""Every bundled scenario runs end to end (one replication per design point) and summarises."""

from pathlib import Path

import pytest

from pipsim.design import design_points
from pipsim.runner import run_sweep
from pipsim.scenario import load_scenario
from pipsim.summary import summarize

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_runs_reduced(path, tmp_path):
    scenario = load_scenario(path)
    reduced = scenario.replace(replications=1, base={**scenario.base, "post_project_months": 6})
    result = run_sweep(reduced, tmp_path, workers=1, progress=False)
    assert len(result.runs) == len(design_points(scenario))
    assert set(scenario.sweep) <= set(result.runs.columns)
    summary = summarize(tmp_path)
    assert summary.files and all(f.exists() for f in summary.files)
    assert list(tmp_path.joinpath("figures").glob("*.png"))
