"""The designer's answer at an asked length: the binding target and what each lever makes of it."""

import json

import pandas as pd
import pytest

from pipsim.analysis import duration, levers
from pipsim.cli import main
from pipsim.parameters import Parameters
from pipsim.sweep.results import load_runs
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import parse_scenario

from .test_duration import TINY, tiny


def flags(met: dict[str, list[bool]], **measures: list[float]) -> pd.DataFrame:
    """A run table with the log frame's flags and measures (others filled with zeros)."""
    n = len(next(iter(met.values())))
    table = {f: met.get(f, [True] * n) for f, _ in levers.TARGETS}
    table |= {m: measures.get(m, [0.0] * n) for _, m in levers.TARGETS}
    return pd.DataFrame(table)


def test_the_binding_target_is_the_one_met_least_often():
    runs = flags(
        {"met_sales": [True, True, False, False], "met_productivity": [False, False, False, True]},
        productivity_growth=[0.01, 0.02, 0.0, 0.2],
        sales_growth=[0.3, 0.3, 0.1, 0.1],
    )
    table = levers.target_table(runs, Parameters(target_productivity_growth=0.1))
    assert table["target_name"].iloc[0] == "productivity_growth"
    assert table["met_share"].is_monotonic_increasing
    sentence = levers.binding_sentence(table)
    assert sentence == (
        "The binding target is productivity growth (met in 25% of runs; median 1.5% against 10%)."
    )


def test_lower_targets_brings_each_unmet_target_to_what_half_the_runs_reach():
    runs = flags(
        {"met_productivity": [False] * 4, "met_participants": [True, True, True, False]},
        productivity_growth=[0.01, 0.02, 0.03, 0.04],
        participants=[60, 60, 60, 20],
    )
    p = Parameters(target_productivity_growth=0.1, target_participants=50)
    lever = levers.lower_targets(p, levers.target_table(runs, p))
    assert lever.overrides == {"target_productivity_growth": 0.024}  # just under the median
    assert "productivity growth 10% → 2.4%" in lever.setting
    assert (runs["productivity_growth"] > 0.024).mean() == 0.5


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A tiny duration sweep on disk, 20 runs per length (its seeds are the levers' seeds)."""
    out = tmp_path_factory.mktemp("levers")
    scenario = parse_scenario(TINY.format(replications=20, extra=""))
    run_sweep(scenario, out, workers=1, progress=False)
    return scenario, load_runs(out)


def test_as_designed_is_the_sweeps_own_runs_at_a_swept_length(sweep):
    scenario, runs = sweep
    mine = levers.run_levers(scenario, 24, [levers.AS_DESIGNED])
    theirs = runs[runs["project_months"] == 24].sort_values("replicate")
    assert mine["replicate"].tolist() == theirs["replicate"].tolist()
    assert mine["success"].tolist() == theirs["success"].tolist()
    assert mine["sales_growth"].tolist() == pytest.approx(theirs["sales_growth"].tolist())


def test_a_length_not_swept_runs_all_the_same(sweep):
    scenario, _ = sweep
    runs = levers.run_levers(scenario, 22, [levers.AS_DESIGNED])
    assert len(runs) == 20 and runs["replicate"].tolist() == list(range(20))


def test_lowering_the_unmet_targets_raises_the_chance(sweep):
    scenario, _ = sweep
    answer = levers.ask(scenario, 12, 0.8)  # at 12 months the tiny log frame is out of reach
    table = answer.levers.set_index("lever")
    assert table.loc["as_designed", "probability"] < 0.5
    assert table.loc["lower_targets", "probability"] > table.loc["as_designed", "probability"]
    assert list(table.index) == [
        "as_designed",
        "preparation",
        "no_turnover",
        "committed_ministry",
        "more_events",
        "longer_launch",
        "lower_targets",
    ]
    assert (table["lower"] <= table["probability"]).all()
    assert (table["probability"] <= table["upper"]).all()
    assert table.loc["no_turnover", "setting"] == "staff turnover 0.15 → 0 a year"
    binding = answer.targets.iloc[0]
    assert binding["met_share"] == answer.targets["met_share"].min()


def test_the_shortest_length_in_one_sentence():
    runs = pd.DataFrame(
        {
            "project_months": [12] * 10 + [24] * 10 + [36] * 10,
            "success": [False] * 10 + [True] * 9 + [False] + [True] * 10,
        }
    )
    answer = duration.analyse(runs, 0.8, seed=1)
    assert answer.shortest_sentence().startswith("The shortest length reaching 80% is 24 months")
    never = duration.analyse(runs.assign(success=False), 0.8, seed=1)
    assert never.shortest_sentence().startswith("No length up to 36 months reaches 80%")


def test_the_command_answers_the_designer(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["duration", tiny(tmp_path), "--target", 0.5, "--months", 22, "--replications", 10]
    status = main([str(a) for a in [*args, "--out", out, "--workers", 1, "--no-progress"]])
    text = capsys.readouterr().out
    assert status == 0
    assert "At 22 months the chance of meeting the whole log frame is" in text
    assert "The binding target is" in text and "What would make 22 months enough?" in text
    table = pd.read_csv(out / "levers.csv")
    assert len(table) == 7 and (table["runs"] == 10).all()
    assert (out / "figures" / "levers.png").read_bytes().startswith(b"\x89PNG")
    facts = json.loads((out / "duration.json").read_text())
    assert facts["at_asked_length"]["months"] == 22
    assert facts["designer_answer"].startswith("At 22 months")
    assert facts["shortest_months"] is not None and "note" not in facts
