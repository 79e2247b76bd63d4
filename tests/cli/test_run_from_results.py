"""``pipsim run-once --from RESULTS --run K``: a run of a sweep made again, with its months."""

from __future__ import annotations

import pandas as pd
import pytest

from pipsim.cli import main
from pipsim.sweep import results

SCENARIO = """
[scenario]
name = "again"
seed = 5
replications = 6
block_size = 4
[model]
typology = "horizontal_network"
project_months = 12
post_project_months = 6
[sweep]
initial_trust = [0.2, 0.5]
"""


def run(capsys, *args):
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("again")
    (folder / "again.toml").write_text(SCENARIO)
    assert main(["run", str(folder / "again.toml"), "--out", str(folder / "out"), "--workers",
                 "1", "--no-progress"]) == 0  # fmt: skip
    return folder / "out"


def test_a_run_of_a_sweep_comes_back_with_its_outcomes_series_and_events(sweep, tmp_path, capsys):
    row = results.load_runs(sweep).set_index("run").loc[11]  # point 1, the last of a 2-run block
    assert (row["place"], row["block_runs"]) == (1, 2)
    status, out, err = run(
        capsys, "run-once", "--from", sweep, "--run", 11, "--series", tmp_path / "s.csv",
        "--events", tmp_path / "e.csv",
    )  # fmt: skip
    assert status == 0, err
    assert "run 11 of" in out and "place 1 of a block of 2 runs" in out
    assert "differ from the saved row" not in out  # the same run, outcome for outcome
    assert (
        f"participants {int(row['participants']):>16}" in out.replace("  ", " ")
        or str(int(row["participants"])) in out
    )
    series = pd.read_csv(tmp_path / "s.csv")
    assert series["month"].tolist() == list(range(19))
    assert series["participants"].iloc[12] == row["participants"]
    events = pd.read_csv(tmp_path / "e.csv")
    assert {"month", "event"} == set(events.columns) and len(events) > 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--run", 99), "--run 99: not in"),
        (("--run", 1, "--seed", 3), "drop --seed"),
        (("--run", 1, "--initial-trust", 0.4), "drop --initial-trust"),
    ],
)
def test_bad_requests_are_one_line(sweep, capsys, args, fragment):
    status, _, err = run(capsys, "run-once", "--from", sweep, *args)
    assert status == 2 and err.count("\n") == 1 and fragment in err


def test_from_needs_a_sweep_folder(tmp_path, capsys):
    status, _, err = run(capsys, "run-once", "--from", tmp_path / "none", "--run", 0)
    assert status == 2 and "no such folder" in err
    status, _, err = run(capsys, "run-once", "--from", tmp_path, "--run", 0)
    assert status == 2 and "no pipsim results here" in err
    status, _, err = run(capsys, "run-once", "--run", 0)
    assert status == 2 and "go together" in err
