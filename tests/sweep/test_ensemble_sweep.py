"""Runs drawn across an ensemble: a member per block, the scenario's own values first.

`pipsim.sweep.design.member_of`, `pipsim.sweep.scenario.with_ensemble`, and the sweep, duration
and run-once commands carrying them.
"""

import argparse
import json

import pandas as pd
import pytest

from pipsim.calibration import ensemble
from pipsim.cli import main
from pipsim.cli.common import UsageError, with_ensemble
from pipsim.sweep import design, results
from pipsim.sweep import scenario as scenarios
from pipsim.sweep.scenario import ScenarioError, parse_scenario

TEXT = """
[scenario]
name = "drawn"
seed = 11
replications = {replications}
[model]
typology = "horizontal_network"
post_project_months = 6
recruitment_rate = 0.2
[sweep]
project_months = [12, 24]
[targets]
sales_growth = 0.1
productivity_growth = 0.0
firms_in_joint_projects = 6
participants = 5
"""
ENSEMBLE = (
    "recruitment_rate,project_trust_threshold,successes_before_project,weight\n"
    "0.05,0.6,2,1\n0.5,0.2,0,1\n0.28,0.31,1,2\n"
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "drawn.toml").write_text(TEXT.format(replications=10))
    (tmp_path / "ensemble.csv").write_text(ENSEMBLE)
    return tmp_path


def drawn(files, replications=10):
    scenario = parse_scenario(TEXT.format(replications=replications), "drawn.toml")
    return scenarios.with_ensemble(scenario, ensemble.load(files / "ensemble.csv"))


def test_a_block_is_one_member_the_same_at_every_point_and_the_scenario_wins(files):
    s = drawn(files, replications=200)
    assert s.block_size == 10  # 20 members of 10 runs a point
    points = design.design_points(s)
    per = design.blocks_per_point(s)
    first, second = ([design.block(s, points, p * per + k) for k in range(per)] for p in range(2))
    assert [b.member for b in first] == [b.member for b in second]  # same sets at each length
    assert len({b.member for b in first}) == 3  # the three members all drawn among 20
    e = s.ensemble
    for b in first:
        row = e.rows[b.member]
        assert b.overrides["recruitment_rate"] == 0.2  # the file's own value wins
        assert b.overrides["project_trust_threshold"] == row["project_trust_threshold"]
        assert b.overrides["successes_before_project"] == row["successes_before_project"]
    runs = list(design.runs(s, points, 0, 30))  # run by run, the blocks' members
    assert [r.member for r in runs[::10]] == [b.member for b in first[:3]]


def test_results_without_an_ensemble_keep_their_design_digest(files):
    plain = parse_scenario(TEXT.format(replications=10), "drawn.toml")
    assert "ensemble" not in plain.design()
    with_one = drawn(files)
    assert with_one.design()["ensemble"]["members"] == 3
    assert with_one.design_digest != plain.design_digest


def test_a_member_that_does_not_fit_the_scenario_is_one_line(files):
    (files / "bad.csv").write_text("trust_gain,weight\n0.3,1\n")
    text = TEXT.format(replications=10).replace("[sweep]", "trust_loss_ratio = 5.0\n[sweep]")
    scenario = parse_scenario(text, "drawn.toml")
    with pytest.raises(ScenarioError) as caught:
        scenarios.with_ensemble(scenario, ensemble.load(files / "bad.csv"))
    message = str(caught.value)
    assert message.startswith("drawn.toml: with ") and "bad.csv row 1" in message
    assert "trust_gain x trust_loss_ratio" in message and "\n" not in message


def options(**given):
    args = {"ensemble": None, "no_ensemble": False, "ensemble_default": True}
    return argparse.Namespace(**(args | given))


def test_the_options_choose_the_ensemble(files, monkeypatch):
    plain = parse_scenario(TEXT.format(replications=10), "drawn.toml")
    monkeypatch.setattr(ensemble, "shipped", lambda: None)
    assert with_ensemble(plain, options()) is plain  # default on, but nothing shipped
    with pytest.raises(UsageError, match="no ensemble is shipped yet"):
        with_ensemble(plain, options(ensemble="shipped"))
    with pytest.raises(UsageError, match="contradict"):
        with_ensemble(plain, options(ensemble="x.csv", no_ensemble=True))
    monkeypatch.setattr(ensemble, "shipped", lambda: files / "ensemble.csv")
    assert with_ensemble(plain, options()).ensemble is not None  # shipped: on by default
    assert with_ensemble(plain, options(ensemble_default=False)) is plain  # pipsim run
    assert with_ensemble(plain, options(no_ensemble=True)) is plain


def test_duration_across_an_ensemble_answers_with_both_uncertainties(files, capsys):
    out = files / "out"
    status = main(
        ["duration", str(files / "drawn.toml"), "--ensemble", str(files / "ensemble.csv"),
           "--out", str(out), "--workers", "1", "--no-progress", "--months", "24",
           "--target", "0.5"]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert status == 0
    assert "parameters drawn across 3 accepted sets" in text
    assert "with what we do not know about the parameters: " in text
    runs = results.load_runs(out)
    assert runs.groupby("seed")["member"].nunique().max() == 1  # a block is one member
    e = ensemble.load(files / "ensemble.csv")
    for row in runs.itertuples():
        assert row.project_trust_threshold == e.rows[row.member]["project_trust_threshold"]
        assert row.recruitment_rate == 0.2
    table = pd.read_csv(out / "duration.csv")
    swept = table[table.source == "swept"]
    assert (swept.parameters_lower <= swept.lower + 1e-12).all()
    assert (swept.parameters_upper >= swept.upper - 1e-12).all()
    facts = json.loads((out / "duration.json").read_text())
    assert facts["ensemble"] and facts["at_asked_length"]["parameters_interval"] is not None
    assert "with what we do not know about the parameters" in facts["designer_answer"]
    # the report says it in the answer box and under the title
    assert main(["report", str(out)]) == 0
    capsys.readouterr()
    page = (out / "report.html").read_text()
    assert "with what we do not know about the parameters: " in page
    assert "drawn across an ensemble of 3 accepted sets" in page
    assert "the second adds what we do not know about the parameters" in page
    # a run of it is made again with its member's values (run-once --from)
    status = main(["run-once", "--from", str(out), "--run", "13"])
    assert status == 0 and "differ from the saved row" not in capsys.readouterr().out
