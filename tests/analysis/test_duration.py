"""`pipsim duration`: the shortest project length reaching a target probability, its interval."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from pipsim.analysis import duration
from pipsim.cli import main
from pipsim.sweep.design import run_seed
from pipsim.sweep.results import load_runs
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import parse_scenario

TINY = """
[scenario]
name = "tiny_duration"
description = "How long must a small horizontal network's project be? (a test)"
seed = 3
replications = {replications}
[model]
typology = "horizontal_network"
post_project_months = 6
[sweep]
project_months = [12, 24, 36, 60]
{extra}
[targets]               # loose: the probability rises from none at 12 months
sales_growth = 0.1
productivity_growth = 0.0
firms_in_joint_projects = 6
participants = 5
"""


def tiny(tmp_path, replications=8, extra=""):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(replications=replications, extra=extra))
    return path


def runs_table(lengths, successes, n):
    """A run table with ``successes[i]`` of ``n`` runs meeting the log frame at ``lengths[i]``."""
    rows = [
        {"project_months": length, "replicate": r, "success": r < hits}
        for length, hits in zip(lengths, successes, strict=True)
        for r in range(n)
    ]
    return pd.DataFrame(rows)


def pipsim(capsys, *args):
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --- the shortest length --------------------------------------------------------------------
def test_shortest_length_on_a_monotone_curve():
    found = duration.shortest_length([12, 24, 36, 48], [0.1, 0.5, 0.85, 0.9], 0.8)
    assert found.tolist() == [36.0]


def test_no_length_reaching_the_target_is_infinite_and_said_plainly():
    answer = duration.analyse(runs_table([12, 24, 36], [1, 3, 5], 10), target=0.8, seed=1)
    assert math.isinf(answer.shortest)
    text = answer.answer()
    assert "No length between 12 and 36 months reaches P = 0.8; the highest is P = 0.50" in text
    assert "at 36 months" in text
    assert not answer.lengths_table()["shortest"].any()


def test_ties_reach_the_target_and_the_first_length_wins():
    # 8 of 10 is exactly 0.8; a longer length that dips below again does not matter
    p = np.array([0.3, 0.8, 0.7, 0.8, 0.95])
    assert duration.shortest_length([12, 24, 36, 48, 60], p, 0.8).tolist() == [24.0]
    answer = duration.analyse(runs_table([12, 24, 36], [2, 6, 6], 10), target=0.8, seed=1)
    assert "the highest is P = 0.60" in answer.answer() and "at 24 months" in answer.answer()


def test_shortest_length_row_by_row():
    p = np.array([[0.1, 0.9, 0.9], [0.1, 0.2, 0.3], [0.8, 0.9, 1.0]])
    assert duration.shortest_length([12, 24, 36], p, 0.8).tolist() == [24.0, math.inf, 12.0]


def test_bootstrap_interval_contains_the_estimate_and_is_seeded():
    runs = runs_table([12, 24, 36, 48], [0, 5, 17, 20], 20)
    answer = duration.analyse(runs, target=0.8, seed=7)
    assert answer.shortest == 36
    low, high = answer.interval
    assert low <= answer.shortest <= high and low >= 24
    assert answer.interval == duration.analyse(runs, target=0.8, seed=7).interval


def test_bootstrap_counts_not_reached_as_beyond_the_range():
    answer = duration.analyse(runs_table([12, 24, 36], [0, 5, 8], 10), target=0.8, seed=2)
    assert answer.shortest == 36 and math.isinf(answer.interval[1])
    assert 0.2 < answer.not_reached < 0.8
    assert "24 to beyond 36 months" in answer.answer()


def test_binomial_bootstrap_matches_resampling_the_runs():
    """Drawing Binomial(n, p̂) is resampling the 0/1 runs with replacement, in distribution."""
    runs = runs_table([12, 24, 36], [3, 7, 8], 10)
    table = duration.success_by_length(runs)
    fast = duration.bootstrap(table, 0.7, draws=4000, seed=1)
    rng = np.random.default_rng(2)
    outcomes = [g["success"].to_numpy(float) for _, g in runs.groupby("project_months")]
    slow = [
        duration.shortest_length(
            [12, 24, 36], [rng.choice(o, o.size).mean() for o in outcomes], 0.7
        )[0]
        for _ in range(4000)
    ]
    for value in (12.0, 24.0, 36.0, math.inf):
        assert abs(np.mean(fast == value) - np.mean(np.array(slow) == value)) < 0.03


def test_common_lengths_are_swept_interpolated_or_not_swept():
    answer = duration.analyse(runs_table([24, 36, 48], [2, 6, 9], 10), target=0.8)
    rows = answer.lengths_table().set_index("project_months")
    assert rows.loc[36, "source"] == "swept" and rows.loc[36, "common"]
    assert rows.loc[30, "source"] == "interpolated"
    assert rows.loc[30, "probability"] == pytest.approx(0.4)  # halfway from 0.2 to 0.6
    assert rows.loc[22, "source"] == rows.loc[60, "source"] == "not swept"
    assert math.isnan(rows.loc[60, "probability"])
    assert rows["shortest"].sum() == 1 and rows.loc[48, "shortest"]


def test_replications_needed_in_whole_blocks_up_to_the_maximum():
    table = duration.success_by_length(runs_table([12, 24], [0, 50], 100))
    assert duration.replications_needed(table, 0.05, 100, 1000) == 400  # p = 0.5 needs ~385
    assert duration.replications_needed(table, 0.05, 100, 250) == 200  # the cap, whole blocks
    assert duration.replications_needed(table, 0.2, 100, 1000) == 100  # narrow enough already


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("[model]\nproject_months = 24", "sweep.project_months"),
        ("[sweep]\nproject_months = [24]", "at least two lengths"),
        ("[sweep]\nproject_months = [24, 36]\nstaff_turnover = [0.0, 0.5]", "staff_turnover"),
        (
            "[sweep]\nproject_months = [24, 36]\n[sample]\npoints = 2\n"
            "staff_turnover = { low = 0.0, high = 0.5 }",
            "[sample]",
        ),
    ],
)
def test_only_a_project_length_sweep_is_accepted(extra, fragment):
    scenario = parse_scenario(f'[scenario]\nname = "x"\n{extra}', source="x.toml")
    with pytest.raises(duration.DurationError, match="x.toml") as error:
        duration.check_design(scenario)
    assert fragment in str(error.value)


# --- the command ----------------------------------------------------------------------------
def test_duration_command_finds_the_shortest_length(tmp_path, capsys):
    out = tmp_path / "out"
    status, text, err = pipsim(
        capsys,
        "duration",
        tiny(tmp_path),
        "--target",
        0.5,
        "--out",
        out,
        "--workers",
        1,
        "--no-progress",
    )
    assert status == 0, err
    table = pd.read_csv(out / "duration.csv")
    swept = table[table["source"] == "swept"].reset_index(drop=True)
    assert swept["project_months"].tolist() == [12, 24, 36, 60]
    assert swept["runs"].tolist() == [8, 8, 8, 8]
    (at,) = swept.index[swept["shortest"]]
    assert swept.loc[at, "probability"] >= 0.5 and at > 0
    assert swept.loc[at - 1, "probability"] < 0.5
    facts = json.loads((out / "duration.json").read_text())
    shortest = swept.loc[at, "project_months"]
    assert facts["shortest_months"] == shortest
    low, high = facts["bootstrap_interval_months"]
    assert low <= shortest and (high is None or shortest <= high)
    assert (out / "figures" / "duration.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "summary.csv").exists() and (out / "probabilities.csv").exists()
    assert f"The shortest swept length reaching P = 0.5 is {shortest} months" in text
    assert "At the lengths projects commonly use:" in text and "interpolated" in text


@pytest.mark.slow  # several rounds of sweeps
def test_adaptive_rounds_reuse_earlier_runs_and_equal_a_larger_sweep(tmp_path, capsys):
    out = tmp_path / "adaptive"
    path = tiny(tmp_path, replications=3)
    # at the scenario's parameters: blocks of R runs (an ensemble's blocks are a member's runs)
    common = ("--out", out, "--workers", 1, "--no-progress", "--target", 0.5, "--no-ensemble")
    assert pipsim(capsys, "duration", path, *common)[0] == 0
    first = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    status, text, err = pipsim(
        capsys,
        "duration",
        path,
        *common,
        "--adaptive",
        "--tolerance",
        0.2,  # 3 runs a length leave every half-width above it (0.28 at P = 0 or 1)
        "--max-replications",
        9,
    )
    assert status == 0, err
    assert "adaptive:" in text and "3 → " in text
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert all(after[name] == mtime for name, mtime in first.items())  # never run again
    runs = load_runs(out)
    reps = runs.groupby("point")["replicate"].nunique()
    assert reps.nunique() == 1 and reps.iloc[0] in (6, 9) and runs["run"].is_unique
    scenario = parse_scenario(path.read_text(), source=str(path))
    plain = run_sweep(  # the larger sweep in blocks of a round's replications
        scenario.replace(replications=int(reps.iloc[0]), block_size=3),
        tmp_path / "plain",
        workers=1,
        progress=False,
    ).runs
    keys = ["point", "replicate", "seed", "success", "sales_growth"]
    mine = runs.sort_values(["point", "replicate"], ignore_index=True)[keys]
    pd.testing.assert_frame_equal(
        mine, plain.sort_values(["point", "replicate"])[keys].reset_index(drop=True)
    )
    facts = json.loads((out / "duration.json").read_text())
    assert facts["replications_per_round"][0] == 3 and facts["runs"] == len(runs)


def test_a_replicate_block_has_the_seeds_of_its_replicates(tmp_path):
    scenario = parse_scenario(TINY.format(replications=2, extra=""))
    result = run_sweep(scenario, tmp_path, workers=1, progress=False)
    block = run_sweep(scenario, tmp_path, workers=1, progress=False, first_replicate=2).runs
    assert len(block) == 16 and block["run"].is_unique and len(result.runs) == 8
    for row in block.itertuples():  # a block's seed: its point and its first replicate
        assert row.seed == run_seed(3, row.point, row.replicate - row.place)
    assert sorted(block["replicate"].unique()) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--tolerance", "0.1"), "--tolerance and --max-replications need --adaptive"),
        (("--adaptive", "--max-replications", "2"), "below the scenario's 8 replications"),
    ],
)
def test_duration_usage_errors_are_one_line(tmp_path, capsys, args, fragment):
    status, _, err = pipsim(capsys, "duration", tiny(tmp_path), "--out", tmp_path / "o", *args)
    assert status == 2 and err.startswith("pipsim: error: ") and err.count("\n") == 1
    assert fragment in err


def test_duration_refuses_a_scenario_without_a_length_sweep(tmp_path, capsys):
    path = tmp_path / "flat.toml"
    path.write_text('[scenario]\nname = "flat"\n[sweep]\ninitial_trust = [0.1, 0.3]\n')
    status, _, err = pipsim(capsys, "duration", path, "--out", tmp_path / "o")
    assert status == 2 and "sweep.project_months" in err and err.count("\n") == 1
    status, _, err = pipsim(capsys, "duration", path, "--target", "1.5")
    assert status == 2 and "--target" in err


# --- across an ensemble -----------------------------------------------------------------------
def ensemble_table(chances_by_length, members=20, runs_each=50):
    """Runs drawn across two sets: block k (member k % 2) has exactly its chance's successes."""
    rows = []
    for length, chances in chances_by_length.items():
        for k in range(members):
            hits = round(chances[k % 2] * runs_each)
            rows += [
                {"project_months": length, "replicate": k * runs_each + r, "place": r,
                 "seed": 100 * length + k, "member": k % 2, "success": r < hits}
                for r in range(runs_each)
            ]  # fmt: skip
    return pd.DataFrame(rows)


def test_across_an_ensemble_each_length_has_both_uncertainties():
    runs = ensemble_table({24: (0.0, 0.4), 48: (0.2, 0.8), 72: (0.9, 1.0)})
    d = duration.analyse(runs, 0.5, draws=400)
    at = d.table.set_index("project_months").loc[48]
    assert at.probability == pytest.approx(0.5)
    assert at.parameters_lower == pytest.approx(0.2, abs=0.02)
    assert at.parameters_upper == pytest.approx(0.8, abs=0.02)
    assert at.upper - at.lower > 0.15  # runs of one member are alike: wider than Wilson's 0.09
    assert d.shortest == 48
    assert "with what we do not know about the parameters: 21–79%" in d.answer()
    lengths = d.lengths_table()
    assert {"parameters_lower", "parameters_upper"} <= set(lengths.columns)
    interpolated = lengths.set_index("project_months").loc[36]
    assert interpolated.parameters_lower == pytest.approx((at.parameters_lower + 0.0) / 2, abs=0.02)


def test_the_ensemble_bootstrap_resamples_whole_members():
    """Two members at 0% and 100%: P moves in steps of whole members, not of single runs."""
    runs = ensemble_table({24: (0.0, 1.0), 48: (1.0, 1.0)}, members=10, runs_each=20)
    sample = duration.cluster_bootstrap(runs, 0.7, draws=300, seed=1)
    assert set(np.unique(sample)) == {24.0, 48.0}  # 24 reached when >= 7 of 10 members are good
    assert 0.05 < (sample == 24).mean() < 0.4  # P(Binomial(10, 0.5) >= 7) = 0.17
    again = duration.cluster_bootstrap(runs, 0.7, draws=300, seed=1)
    assert (sample == again).all()
