"""Scenario discovery finds the conditions planted in synthetic tables, and the CLI prints them."""

import json

import numpy as np
import pandas as pd
import pytest

from pipsim.analysis import discovery
from pipsim.cli import main

KEYS = ["project_months", "public_commitment", "staff_turnover"]


def planted(n=1500, flips=0.03, seed=1):
    """Runs whose success holds in a known box: months ≥ 48 and commitment ≥ 0.6.

    Staff turnover does nothing; a few outcomes are flipped at random, as noise.
    """
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "run": np.arange(n),
            "point": np.arange(n),
            "project_months": rng.integers(12, 73, n),
            "public_commitment": rng.uniform(0, 1, n),
            "staff_turnover": rng.uniform(0, 0.6, n),
        }
    )
    inside = (runs["project_months"] >= 48) & (runs["public_commitment"] >= 0.6)
    runs["success"] = inside ^ (rng.uniform(size=n) < flips)
    runs["trust_partners"] = 0.2 + 0.4 * runs["public_commitment"] + rng.normal(0, 0.02, n)
    return runs


def test_prim_finds_the_planted_box():
    runs = planted()
    box = discovery.prim_box(discovery.inputs(runs, KEYS), runs["success"].to_numpy())
    limits = box.limits.set_index("parameter")
    assert set(limits.index) >= {"project_months", "public_commitment"}
    assert limits.loc["project_months", "low"] == pytest.approx(48, abs=3)
    assert limits.loc["public_commitment", "low"] == pytest.approx(0.6, abs=0.06)
    assert limits.loc["project_months", "qp"] < 0.05
    assert box.density > 0.85 and box.coverage > 0.8
    assert "staff_turnover" not in limits.index or limits.loc["staff_turnover", "qp"] > 0.05
    assert box.trajectory["coverage"].iloc[0] == 1  # peeling starts from every run
    assert box.n == round(box.mass * len(runs))


def test_trees_rank_the_inputs_that_matter_first():
    runs = planted()
    x = discovery.inputs(runs, KEYS)
    scores = discovery.feature_scores(x, runs["success"].to_numpy())
    assert scores["parameter"].iloc[-1] == "staff_turnover"
    assert scores["score"].sum() == pytest.approx(1)
    tree = discovery.cart_tree(x, runs["success"].to_numpy())
    best = tree.leaves.iloc[0]
    assert "project months" in best.conditions and "public commitment" in best.conditions
    assert best.density > 0.85


def test_discover_says_it_in_words():
    found = discovery.discover(planted(), KEYS, "success")
    assert found.answer.startswith("success happens in ")
    assert "project months ≥ " in found.answer and "public commitment ≥ 0." in found.answer
    assert "of all runs where it happens" in found.answer
    text = discovery.words(found)
    assert "Which inputs matter" in text and "CART's best leaf" in text


def test_a_numeric_outcome_needs_a_threshold():
    runs = planted()
    with pytest.raises(ValueError, match="give --threshold"):
        discovery.discover(runs, KEYS, "trust_partners")
    found = discovery.discover(runs, KEYS, discovery.Case("trust_partners", 0.5))
    assert found.scores["parameter"].iloc[0] == "public_commitment"
    assert "trust partners ≥ 0.5" in found.answer and "public commitment" in found.answer


def test_a_category_is_a_box_of_its_values():
    rng = np.random.default_rng(2)
    n = 800
    runs = pd.DataFrame(
        {
            "typology": rng.choice(["cluster", "vertical_network", "horizontal_network"], n),
            "initial_trust": rng.uniform(0, 0.5, n),
        }
    )
    runs["success"] = (runs["typology"] == "cluster") & (runs["initial_trust"] > 0.2)
    found = discovery.discover(runs, ["typology", "initial_trust"], "success")
    limits = found.box.limits.set_index("parameter")
    assert limits.loc["typology", "values"] == "cluster"
    assert "typology is cluster" in found.answer


def test_nothing_to_tell_apart_is_said_plainly():
    runs = planted().assign(success=False)
    found = discovery.discover(runs, KEYS, "success")
    assert found.box is None and "happens in none of the 1,500 runs" in found.answer


SWEEP = """
[scenario]
name = "tiny_lhs"
seed = 4
replications = 2
[model]
typology = "horizontal_network"
initial_trust = 0.3
project_months = 18
post_project_months = 4
[sample]
method = "lhs"
points = 10
public_commitment = {{ low = 0.1, high = 0.95 }}
staff_turnover = {{ low = 0.0, high = 0.6 }}
[output]
time_series = {series}
"""


def test_a_sampled_sweep_is_summarised_by_a_ranking_then_discovered(tmp_path, capsys):
    path = tmp_path / "lhs.toml"
    path.write_text(SWEEP.format(series="true"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    shown = capsys.readouterr()
    assert "Which inputs matter for" in shown.out and f"pipsim discover {out}" in shown.out
    assert "P(success) = " in shown.out
    assert shown.err == ""  # no library warning reaches the terminal
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert "success_heatmap.png" not in figures and "envelopes.png" in figures
    # every parameter of the run is in its row; the monthly series carry the design values
    runs = pd.read_parquet(out / "runs")
    assert {"typology", "initial_trust", "public_commitment", "staff_turnover"} <= set(runs)
    assert (runs["typology"] == "horizontal_network").all()
    series = pd.read_parquet(out / "timeseries")
    assert {"public_commitment", "staff_turnover", "month"} <= set(series)
    assert "finished in" in (out / "run.log").read_text()

    args = ["discover", str(out), "--outcome", "trust_partners", "--threshold", "0.3"]
    assert main(args) == 0
    shown = capsys.readouterr()
    assert "Under which conditions does trust partners ≥ 0.3 happen?" in shown.out
    assert shown.err == ""
    facts = json.loads((out / "discovery_trust_partners.json").read_text())
    assert facts["runs"] == 20 and facts["answer"]
    assert (out / "discovery_trust_partners_scores.csv").exists()
    assert "pipsim discover" in (out / "run.log").read_text()
    assert main(["report", str(out)]) == 0
    assert "Scenario discovery" in (out / "report.html").read_text()


def test_discover_refuses_what_it_cannot_read(tmp_path, capsys):
    assert main(["discover", str(tmp_path)]) == 2
    assert "holds no pipsim sweep results" in capsys.readouterr().err
