"""The ensemble file (`pipsim.calibration.ensemble`): what it holds, and one line for each fault."""

from pathlib import Path

import numpy as np
import pytest

from pipsim.calibration import ensemble
from pipsim.calibration.ensemble import EnsembleError

ROOT = Path(__file__).resolve().parents[1]
GOOD = "recruitment_rate,successes_before_project,pilots,weight\n0.1,0,true,1\n0.4,2,false,3\n"


def write(tmp_path, text, name="ensemble.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_file_reads_as_typed_rows_with_normalised_weights(tmp_path):
    e = ensemble.load(write(tmp_path, GOOD))
    assert e.names == ("recruitment_rate", "successes_before_project", "pilots")
    assert e.rows[1] == {"recruitment_rate": 0.4, "successes_before_project": 2, "pilots": False}
    assert type(e.rows[0]["successes_before_project"]) is int
    assert e.weights == (0.25, 0.75)
    assert len(e) == 2 and len(e.digest) == 64


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("recruitment_rate\n0.1\n", "header: has no 'weight' column"),
        ("recruitment_rat,weight\n0.1,1\n", "column 'recruitment_rat': is not a parameter"),
        ("typology,weight\ncluster,1\n", "column 'typology': is the scenario's choice"),
        (
            "recruitment_rate,weight\n1.5,1\n",
            "line 2, column 'recruitment_rate' = '1.5': "
            "is out of range: allowed 0.0 ≤ recruitment_rate ≤ 1.0",
        ),
        ("successes_before_project,weight\n1.5,1\n", "give a whole number"),
        (
            "pilots,weight\nmaybe,1\n",
            "line 2, column 'pilots' = 'maybe': is not allowed: give true or false",
        ),
        (
            "recruitment_rate,weight\n0.1,-1\n",
            "line 2, column 'weight' = '-1': is not allowed: give a finite number ≥ 0",
        ),
        ("recruitment_rate,weight\n0.1,nan\n", "column 'weight' = 'nan'"),
        ("recruitment_rate,weight\n0.1,0\n", "weight: every weight is 0"),
        ("recruitment_rate,weight\n0.1,1,3\n", "line 2: has 3 cells: the header has 2"),
        ("recruitment_rate,weight\n", "has no rows"),
        ("", "is empty"),
        ("weight\n1\n", "names no parameter"),
        ("weight,weight\n1,1\n", "column 'weight': appears twice"),
    ],
)
def test_each_fault_is_one_line_naming_file_place_value_and_what_is_allowed(tmp_path, text, says):
    path = write(tmp_path, text)
    with pytest.raises(EnsembleError) as caught:
        ensemble.load(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and says in message and "\n" not in message


def test_a_missing_file_and_a_binary_one_are_one_line(tmp_path):
    with pytest.raises(EnsembleError, match="cannot be read"):
        ensemble.load(tmp_path / "none.csv")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(EnsembleError, match="is not UTF-8"):
        ensemble.load(path)


def test_without_a_shipped_ensemble_load_says_so(monkeypatch):
    monkeypatch.setattr(ensemble, "shipped", lambda: None)
    with pytest.raises(EnsembleError, match="no ensemble is shipped yet"):
        ensemble.load()


def test_the_shipped_ensemble_is_calibration_v2s_and_the_defaults_its_representative():
    """The package ships what `calibrate calibration/targets_v2.toml` accepted, and the defaults
    are its representative member rounded to two significant figures (docs/calibration.md §6.8):
    a new calibration that is copied in without the defaults, or the reverse, fails here."""
    import pandas as pd

    from pipsim.calibration.targets import load_targets
    from pipsim.parameters import Parameters

    path = ensemble.shipped()
    assert path is not None, "pipsim/data/ensemble.csv is not in the package"
    shipped = ensemble.load()
    targets = load_targets(ROOT / "calibration" / "targets_v2.toml")
    facts = ensemble.facts(path.read_bytes())
    assert facts["format"] == ensemble.FORMAT
    assert facts["targets_digest"] == targets.digest, "shipped from another targets file"
    assert len(shipped) >= 100 and set(shipped.names) == {p.name for p in targets.priors}
    for row in shipped.rows:  # every member inside the calibration's prior box
        for prior in targets.priors:
            assert prior.low <= row[prior.name] <= prior.high
    table = pd.read_csv(path, comment="#")
    (chosen,) = table.index[table["representative"]]
    defaults = Parameters()
    for name in shipped.names:
        value = shipped.rows[chosen][name]
        expected = value if isinstance(value, int) else float(f"{value:.2g}")
        assert getattr(defaults, name) == expected, name


def test_members_are_drawn_by_weight_and_reproducibly(tmp_path):
    e = ensemble.load(write(tmp_path, "recruitment_rate,weight\n0.1,1\n0.2,0\n0.3,3\n"))
    draws = np.array([e.draw(5, g) for g in range(4000)])
    assert not (draws == 1).any()  # weight 0: never
    assert abs((draws == 2).mean() - 0.75) < 0.03
    assert [e.draw(5, g) for g in range(50)] == list(draws[:50])
    assert [e.draw(6, g) for g in range(50)] != list(draws[:50])


def test_the_calibrations_comments_and_bookkeeping_columns_are_read_past(tmp_path):
    text = (
        "# format: pipsim-ensemble-1\n# seed: 3\n"
        "member,recruitment_rate,weight,representative\n"
        "7,0.1,1,false\n# a note\n9,0.3,1,true\n"
        "11,2.0,1,false\n"
    )
    with pytest.raises(EnsembleError, match=r"line 7, column 'recruitment_rate' = '2.0'"):
        ensemble.load(write(tmp_path, text))  # line numbers count the comments
    e = ensemble.load(write(tmp_path, text.replace("2.0", "0.5")))
    assert e.names == ("recruitment_rate",)
    assert e.rows == (
        {"recruitment_rate": 0.1},
        {"recruitment_rate": 0.3},
        {"recruitment_rate": 0.5},
    )
