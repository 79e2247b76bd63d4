"""Targets files: the bundled ones load; every kind of mistake is one clear line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipsim.calibration.targets import TargetsError, load_targets, parse_targets
from pipsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUOTES = (ROOT.parent / "shared" / "reference").glob("*.txt")

GOOD = """
[calibration]
name = "mini"
seed = 1
replications = 2
population = 4
predictive_draws = 2

[screening]
trajectories = 2
replications = 1
keep = 1

[parameters]
trust_gain = [0.01, 0.1]
successes_before_project = [0, 3]

[scenarios.small]
typology = "horizontal_network"
project_months = 12

[targets.pilots]
set = "calibration"
source = "somewhere"
quote = "a quote"
reading = "a reading"
scenario = "small"
outcome = "pilots_failed"
statistic = "ratio"
denominator = "pilots_run"
range = [0.0, 0.3]

[targets.held]
set = "validation"
source = "somewhere"
quote = "a quote"
reading = "a reading"
scenario = "small"
outcome = "success"
statistic = "probability"
range = [0.0, 0.5]
"""


def test_the_bundled_targets_files_load_with_both_sets():
    full = load_targets(ROOT / "calibration" / "targets.toml")
    assert full.fitted and full.held_out
    assert {t.set for t in full.targets} == {"calibration", "validation"}
    # the held-out set reads scenarios the calibration set never runs, but for nothing it fits
    assert not {t.name for t in full.fitted} & {t.name for t in full.held_out}
    toy = load_targets(ROOT / "calibration" / "toy.toml")
    assert [t.name for t in toy.fitted] == ["pilots_rarely_fail"]


def test_the_v2_targets_identify_and_hold_the_experiments_out():
    """v2: history matching; timing, trust, survival in three typologies; experiments held out."""
    v2 = load_targets(ROOT / "calibration" / "targets_v2.toml")
    assert v2.method == "history_matching" and v2.replications >= 50
    typologies = {v2.scenarios[t.scenario]["typology"] for t in v2.fitted}
    assert len(typologies) >= 3
    outcomes = {t.outcome for t in v2.fitted}
    assert {"months_to_first_joint_project", "pilots_before_first_project"} <= outcomes
    assert {"trust_at_first_project", "sustained"} <= outcomes
    assert all(t.centre is not None and t.low <= t.centre <= t.high for t in v2.targets)
    # experiment 10's scenario, Box 5, Box 2 and the local environment are never fitted
    fitted = set(v2.scenarios_of(v2.fitted))
    for held in ("exp10_cluster_48", "box5", "box2_crisis", "local_36", "local_60"):
        assert held not in fitted


def test_quotes_of_the_document_are_exact():
    """Every quotation that names a place in the document appears in it word for word."""
    texts = [p.read_text() for p in QUOTES]
    if not texts:
        pytest.skip("the source document is not on this machine")
    document = re.sub(r"\s+", " ", " ".join(texts)).replace("*", "")
    for name in ("targets.toml", "targets_v2.toml"):
        for t in load_targets(ROOT / "calibration" / name).targets:
            if "MIF" in t.source:  # a cited evaluation, not the document
                continue
            assert re.sub(r"\s+", " ", t.quote) in document, (name, t.name)


def test_a_good_file_parses():
    c = parse_targets(GOOD, "mini.toml")
    assert [p.name for p in c.priors] == ["trust_gain", "successes_before_project"]
    assert c.prior("successes_before_project").integer
    assert c.scenarios_of(c.fitted) == ("small",)


BAD = [
    ('name = "mini"', 'name = "../up"', "calibration.name", "plain word"),
    ("[screening]", "[screnning]", "screnning", "did you mean 'screening'"),
    (
        "trust_gain = [0.01, 0.1]",
        "trust_gian = [0.01, 0.1]",
        "parameters.trust_gian",
        "did you mean 'trust_gain'",
    ),
    (
        "trust_gain = [0.01, 0.1]",
        "trust_gain = [0.01, 0.9]",
        "parameters.trust_gain",
        "inside the declared range",
    ),
    ("trust_gain = [0.01, 0.1]", "trust_gain = [0.1, 0.01]", "parameters.trust_gain", "low < high"),
    ("trust_gain = [0.01, 0.1]", "trust_gain = 0.05", "parameters.trust_gain", "[low, high]"),
    (
        "successes_before_project = [0, 3]",
        "successes_before_project = [0, 2.5]",
        "successes_before_project",
        "whole-number",
    ),
    ("trust_gain = [0.01, 0.1]", "typology = [0, 1]", "parameters.typology", "numeric parameters"),
    (
        'outcome = "pilots_failed"',
        'outcome = "pilot_failed"',
        "targets.pilots.outcome",
        "did you mean 'pilots_failed'",
    ),
    (
        'scenario = "small"\noutcome = "pilots_failed"',
        'scenario = "big"\noutcome = "pilots_failed"',
        "targets.pilots.scenario",
        "allowed: small",
    ),
    (
        'set = "calibration"',
        'set = "fit"',
        "targets.pilots.set",
        "allowed: calibration, validation",
    ),
    ('statistic = "ratio"', 'statistic = "mode"', "targets.pilots.statistic", "allowed: mean"),
    ('denominator = "pilots_run"\n', "", "targets.pilots.denominator", "ratio"),
    ("range = [0.0, 0.3]", "range = [0.3, 0.0]", "targets.pilots.range", "low ≤ high"),
    ("range = [0.0, 0.3]", "range = [0.0, 3]", "targets.pilots.range", "a ratio lies in [0, 1]"),
    ('outcome = "success"', 'outcome = "participants"', "targets.held.outcome", "not yes/no"),
    ('quote = "a quote"', 'quote = ""', "targets.pilots.quote", "non-empty"),
    ('quote = "a quote"', 'qoute = "a quote"', "targets.pilots.qoute", "did you mean 'quote'"),
    (
        "project_months = 12",
        "project_months = 12\ntrust_gain = 0.1",
        "scenarios.small.trust_gain",
        "is calibrated",
    ),
    (
        "project_months = 12",
        "project_months = 2",
        "scenarios.small",
        "launch_months + close_out_months",
    ),
    ('set = "calibration"', 'set = "validation"', "targets", 'set = "calibration"'),
    ("population = 4", "population = 1", "calibration.population", "from 2"),
    ("keep = 1", "keep = 5", "screening.keep", "from 1 to 2"),
    ("[calibration]", "[calibration", "mini.toml", "malformed TOML"),
    ("range = [0.0, 0.3]", "range = [0.0, 0.3]\ncentre = 0.5", "targets.pilots.centre", "inside"),
    ('name = "mini"', 'name = "mini"\nmethod = "mcmc"', "calibration.method", "history_matching"),
    ("[screening]", "[history_matching]\nwaves = 0\n[screening]", "waves", "from 1"),
    ("[screening]", "[history_matching]\ncutof = 3\n[screening]", "cutof", "did you mean 'cutoff'"),
    ("[screening]", "[history_matching]\ncutoff = 0.1\n[screening]", "cutoff", "0.5 to 10"),
]


@pytest.mark.parametrize(("old", "new", "key", "says"), BAD)
def test_a_bad_file_names_the_key_and_what_is_allowed(old, new, key, says):
    assert old in GOOD
    with pytest.raises(TargetsError) as caught:
        parse_targets(GOOD.replace(old, new, 1), "mini.toml")
    message = str(caught.value)
    assert message.startswith("mini.toml")
    assert key in message and says in message, message
    assert "\n" not in message


def test_a_missing_section_is_named():
    text = GOOD.replace("[screening]\ntrajectories = 2\nreplications = 1\nkeep = 1\n", "")
    with pytest.raises(TargetsError, match="screening: missing section"):
        parse_targets(text, "mini.toml")


def test_history_matching_needs_no_screening_and_reads_its_sizes():
    text = GOOD.replace("[screening]\ntrajectories = 2\nreplications = 1\nkeep = 1\n", "")
    text = text.replace('name = "mini"', 'name = "mini"\nmethod = "history_matching"')
    text += "\n[history_matching]\nwaves = 2\nfirst_wave = 8\nensemble = 5\n"
    c = parse_targets(text, "mini.toml")
    assert c.method == "history_matching"
    assert (c.waves.waves, c.waves.first_wave, c.waves.ensemble, c.waves.cutoff) == (2, 8, 5, 3.0)
    pilots = next(t for t in c.targets if t.name == "pilots")
    assert pilots.centre is None and pilots.middle == 0.15  # the range's midpoint


def test_the_command_reports_a_bad_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('outcome = "pilots_failed"', 'outcome = "nope"'))
    assert main(["calibrate", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pipsim: error: ") and "targets.pilots.outcome = 'nope'" in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert main(["calibrate", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
