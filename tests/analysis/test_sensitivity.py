"""Sensitivity analysis: SALib's path recovers known indices, scenarios validate, the CLI runs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipsim.analysis import sensitivity
from pipsim.cli import main
from pipsim.sweep.design import design_points, salib_sample
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import ScenarioError, load_scenario, parse_scenario

TINY = """
[scenario]
name = "tiny_sensitivity"
seed = 3
replications = 2
[model]
typology = "horizontal_network"
project_months = 18
post_project_months = 6
[sensitivity]
method = "sobol"
samples = 4
outcomes = ["success", "sales_growth", "mean_trust"]
[sensitivity.parameters]
initial_trust = { low = 0.05, high = 0.5 }
staff_turnover = { low = 0.0, high = 0.6 }
n_enterprises = { low = 12, high = 30 }
"""


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def test_sobol_recovers_the_ishigami_indices():
    found = sensitivity.sample_evaluate_analyse(ISHIGAMI, "sobol", ishigami, 2048, seed=11)
    table = found["y"].set_index("parameter")
    assert table["S1"].to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert table["ST"].to_numpy() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] < 0.1).all()
    second = found["y"].attrs["second_order"].set_index(["parameter_1", "parameter_2"])
    assert second.loc[("x1", "x3"), "S2"] == pytest.approx(0.244, abs=0.1)
    assert second.loc[("x1", "x2"), "S2"] == pytest.approx(0.0, abs=0.1)


def test_morris_ranks_an_inert_parameter_last():
    problem = {"num_vars": 4, "names": ["a", "b", "inert", "c"], "bounds": [[0, 1]] * 4}

    def f(x):
        return 3 * x[:, 0] + 2 * x[:, 1] ** 2 + x[:, 3] + 4 * x[:, 0] * x[:, 3]

    table = sensitivity.sample_evaluate_analyse(problem, "morris", f, 40, seed=5, levels=4)["y"]
    assert list(table.columns) == list(sensitivity.MORRIS_COLUMNS)
    ranked = table.sort_values("mu_star")["parameter"].tolist()
    assert ranked[0] == "inert"
    inert = table.set_index("parameter").loc["inert"]
    assert inert["mu_star"] == pytest.approx(0.0, abs=1e-9) and inert["sigma"] == pytest.approx(0)
    assert ranked[-1] == "a"


def test_design_points_are_the_salib_sample():
    s = parse_scenario(TINY)
    assert s.replications == 2 and s.sensitivity.method == "sobol"
    x = salib_sample(s)
    points = design_points(s)
    assert len(points) == len(x) == 4 * (2 * 3 + 2)
    assert all(isinstance(p["n_enterprises"], int) for p in points)
    assert [p["initial_trust"] for p in points] == pytest.approx(x[:, 0])
    assert points == design_points(s)  # seeded: the same design every time


def test_normal_draws_are_clipped_and_replications_default():
    text = TINY.replace("replications = 2", "replications = 4").replace(
        "{ low = 0.0, high = 0.6 }", '{ low = 0.0, high = 0.9, dist = "norm" }'
    )
    s = parse_scenario(text)
    assert s.replications == 4
    turnover = [p["staff_turnover"] for p in design_points(s)]
    assert min(turnover) == 0.0 and max(turnover) <= 1.0


def error_for(text: str, tmp_path: Path) -> ScenarioError:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(str(path)), str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ('method = "sobol"', 'method = "sobl"', "sensitivity.method", "did you mean 'sobol'"),
        ('method = "sobol"', "", "sensitivity.method", "is required"),
        ('"success",', '"sucess",', "sensitivity.outcomes[0]", "did you mean 'success'"),
        ('"mean_trust"]', '"trust"]', "sensitivity.outcomes[2]", "unknown outcome"),
        ("samples = 4", "samples = 6", "sensitivity.samples", "power of 2"),
        ("samples = 4", "samples = 0", "sensitivity.samples", "whole number ≥ 2"),
        ("samples = 4", "samples = 4\nlevels = 4", "sensitivity.levels", "does not apply"),
        ("samples = 4", "samples = 4\nmethd = 1", "sensitivity.methd", "did you mean 'method'"),
        ("high = 0.5 }", "high = 1.5 }", "sensitivity.parameters.initial_trust.high", "≤ 1.0"),
        ("low = 0.05, high = 0.5", "low = 0.5, high = 0.05", "initial_trust", "low < high"),
        ("high = 0.5 }", 'high = "x" }', "sensitivity.parameters.initial_trust.high", "number"),
        ("initial_trust =", "inital_trust =", "sensitivity.parameters.inital_trust", "did you"),
        ("high = 0.5 }", 'high = 0.5, dist = "normal" }', "initial_trust.dist", "'norm'"),
        ("high = 0.5 }", "high = 0.5, peak = 0.2 }", "initial_trust.peak", "triang"),
        (
            "initial_trust = { low = 0.05, high = 0.5 }",
            'typology = "cluster"',
            "typology",
            "numeric",
        ),
        (
            "initial_trust = { low = 0.05, high = 0.5 }",
            "initial_trust = 0.3",
            "initial_trust",
            "table",
        ),
    ],
)
def test_bad_sensitivity_sections_name_file_and_key(tmp_path, old, new, key, says):
    assert old in TINY
    err = error_for(TINY.replace(old, new, 1), tmp_path)
    assert err.key.endswith(key), err
    assert says in str(err)


def test_missing_parameters(tmp_path):
    text = TINY.split("[sensitivity.parameters]")[0]
    err = error_for(text, tmp_path)
    assert err.key == "sensitivity.parameters" and "names no parameter" in str(err)


def test_morris_needs_bounded_distributions(tmp_path):
    text = TINY.replace('"sobol"', '"morris"').replace(
        "high = 0.5 }", 'high = 0.5, dist = "norm" }'
    )
    err = error_for(text, tmp_path)
    assert err.key == "sensitivity.parameters.initial_trust.dist" and "Morris" in str(err)


def test_sensitivity_parameters_cannot_also_be_axes_or_base_values(tmp_path):
    err = error_for(TINY + "[sweep]\ninitial_trust = [0.1, 0.2]\n", tmp_path)
    assert err.key == "sweep.initial_trust" and "[sensitivity.parameters]" in str(err)
    err = error_for(TINY + "[sweep]\nappropriability = [0.1, 0.2]\n", tmp_path)
    assert err.key == "sweep" and "cannot be combined" in str(err)
    text = TINY + '[sample]\nmethod = "lhs"\npoints = 4\nstaff_turnover = {low = 0, high = 1}\n'
    err = error_for(text, tmp_path)
    assert err.key == "sample.staff_turnover"
    err = error_for(
        TINY.replace("project_months = 18", "project_months = 18\ninitial_trust = 0.2"), tmp_path
    )
    assert err.key == "sensitivity.parameters.initial_trust" and "[model]" in str(err)


def test_a_range_making_invalid_parameters_is_refused(tmp_path):
    # horizontal networks have 12 participants at launch: fewer firms than that is invalid
    err = error_for(TINY.replace("low = 12, high = 30", "low = 8, high = 30"), tmp_path)
    assert err.key == "sensitivity.parameters" and "initial_participants" in str(err)


def test_noise_table_separates_seeds_from_parameters():
    rng = np.random.default_rng(0)
    points, reps = 200, 3
    point = np.repeat(np.arange(points), reps)
    level = rng.normal(0, 1, points)[point]  # what the parameters do at each point
    runs = pd.DataFrame(
        {
            "point": point,
            "pure_noise": rng.normal(5, 2, len(point)),  # the parameters do nothing
            "mostly_parameters": 10 * level + rng.normal(0, 1, len(point)),
            "coin": rng.random(len(point)) < 0.3,  # a yes/no outcome the parameters don't move
        }
    )
    table = sensitivity.noise(runs, ["pure_noise", "mostly_parameters", "coin"]).set_index(
        "outcome"
    )
    shares = table[["noise_share", "parameter_share", "noise_share_of_means"]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    assert (table["noise_share"] + table["parameter_share"]).to_numpy() == pytest.approx(1)
    assert table.loc["pure_noise", "noise_share"] > 0.9  # without the correction: about 1/2
    assert table.loc["coin", "noise_share"] > 0.9
    assert table.loc["mostly_parameters", "parameter_share"] == pytest.approx(100 / 101, abs=0.02)
    assert table.loc["pure_noise", "total_variance"] == pytest.approx(4, rel=0.15)
    assert (table["replications"] == reps).all()


def test_noise_is_all_when_the_parameter_ranges_are_tiny(tmp_path):
    text = TINY.replace("{ low = 0.05, high = 0.5 }", "{ low = 0.2, high = 0.2001 }")
    text = text.replace("{ low = 0.0, high = 0.6 }", "{ low = 0.1, high = 0.1001 }")
    text = text.replace("n_enterprises = { low = 12, high = 30 }\n", "")
    # 8 replications a point: the shares are estimates, and 4 left them within sampling error
    # of the bar
    s = parse_scenario(text.replace("replications = 2", "replications = 8"))
    runs = run_sweep(s, tmp_path, workers=1, progress=False).runs
    assert len(runs) == 4 * (2 * 2 + 2) * 8
    table = sensitivity.noise(runs, ["sales_growth", "mean_trust"]).set_index("outcome")
    assert (table["noise_share"] > 0.9).all(), table
    assert (table["noise_share_of_means"] > 0.5).all(), table  # 24 points: a rough estimate


def test_pipsim_sensitivity_writes_tables_and_figures(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "out"
    args = ["sensitivity", str(path), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert "Which parameters drive the chance of meeting the log frame?" in shown
    assert "How much is noise?" in shown
    first = pd.read_csv(out / "sensitivity_sobol.csv", keep_default_na=False)
    assert list(first.columns) == [*sensitivity.SOBOL_COLUMNS, "flag", "samples_needed"]
    assert len(first) == 3 * 3  # outcomes × parameters
    # N = 4 cannot give trustworthy indices: the flags say so, and what N would
    assert (first["flag"] != "").any() and (first["samples_needed"] > 4).any()
    assert "warning: " in shown and "(!)" in shown
    second = pd.read_csv(out / "sensitivity_second_order.csv")
    assert list(second.columns) == [*sensitivity.SECOND_ORDER_COLUMNS, "flag", "samples_needed"]
    assert len(second) == 9
    noise = pd.read_csv(out / "noise.csv")
    assert noise["outcome"].tolist() == ["success", "sales_growth", "mean_trust"]
    shares = noise[["noise_share", "parameter_share"]].dropna()
    assert ((shares >= 0) & (shares <= 1)).all().all()
    pngs = sorted(p.name for p in (out / "figures").glob("sobol_*.png") if "_s2_" not in p.name)
    assert pngs == ["sobol_mean_trust.png", "sobol_sales_growth.png", "sobol_success.png"]
    analysed = {p.name for p in (out / "figures").glob("sobol_s2_*.png")}
    assert analysed <= {
        "sobol_s2_mean_trust.png",
        "sobol_s2_sales_growth.png",
        "sobol_s2_success.png",
    }
    assert analysed  # a heatmap of S2 for each outcome with variance
    assert main(args) == 0  # done: it resumes with nothing to run, and analyses again
    assert "already in" in capsys.readouterr().out
    assert main(["summarize", str(out)]) == 0  # a sensitivity folder: its indices again
    again = capsys.readouterr().out
    assert "Which parameters drive the chance of meeting the log frame?" in again
    assert "S1" in again and "warning: " in again
    assert "finished in" in (out / "run.log").read_text()


def test_pipsim_sensitivity_morris(tmp_path):
    text = TINY.replace('"sobol"', '"morris"')
    path = tmp_path / "tiny_morris.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert (
        main(["sensitivity", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    )
    table = pd.read_csv(out / "sensitivity_morris.csv")
    assert list(table.columns) == [*sensitivity.MORRIS_COLUMNS, "flag", "samples_needed"]
    assert not (out / "sensitivity_second_order.csv").exists()
    assert len(list((out / "figures").glob("morris_*.png"))) == 3


def test_pipsim_sensitivity_refuses_a_scenario_without_the_section(tmp_path, capsys):
    path = tmp_path / "plain.toml"
    path.write_text('[scenario]\nname = "plain"\n[sweep]\nproject_months = [24, 36]\n')
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pipsim: error:") and "no [sensitivity] section" in err


def test_pipsim_run_points_a_sensitivity_scenario_to_its_command(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert f"run it with 'pipsim sensitivity {path}'" in capsys.readouterr().err
    assert main(["check", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "Sobol' indices, with second order: N = 4" in shown and "total runs     64" in shown


def test_analyse_refuses_unfinished_runs():
    s = parse_scenario(TINY)
    runs = pd.DataFrame({"point": [0, 1], "success": [True, False], "sales_growth": [0.1, 0.2]})
    with pytest.raises(ValueError, match="cover 2 of the 32 design points"):
        sensitivity.analyse(s, runs.assign(mean_trust=0.3))


def test_flags_say_which_indices_not_to_trust_and_the_sample_that_would_do():
    table = pd.DataFrame(
        {
            "outcome": "success",
            "parameter": ["noise", "sound", "tiny"],
            "S1": [-0.213, 0.52, 0.004],
            "S1_conf": [1.269, 0.03, 0.01],
            "ST": [2.389, 0.61, 0.006],
            "ST_conf": [1.732, 0.04, 0.02],
        }
    )
    flagged = sensitivity.flag_indices(table, "sobol", 8).set_index("parameter")
    assert "S1 -0.21 outside [0, 1]" in flagged.loc["noise", "flag"]
    assert "ST 2.39 outside [0, 1]" in flagged.loc["noise", "flag"]
    assert "S1 interval ±1.27 wider than the index" in flagged.loc["noise", "flag"]
    needed = flagged.loc["noise", "samples_needed"]
    assert needed > 8 and needed & (needed - 1) == 0  # Saltelli's N: a power of 2
    assert flagged.loc["sound", "flag"] == "" and flagged.loc["sound", "samples_needed"] == 8
    assert flagged.loc["tiny", "flag"] == ""  # near 0, and precisely so: nothing to warn of


def test_noise_flags_ask_for_replications_or_say_nothing_will_do():
    shares = pd.DataFrame(
        {
            "outcome": ["pure", "noisy", "clean"],
            "noise_share_of_means": [1.0, 0.8, 0.1],
            "replications": [2, 2, 2],
        }
    )
    flagged = sensitivity.flag_noise(shares).set_index("outcome")
    assert "explain none of its variance" in flagged.loc["pure", "flag"]
    assert np.isnan(flagged.loc["pure", "replications_needed"])
    assert "mostly noise" in flagged.loc["noisy", "flag"]
    # 2 replications at share 0.8 → 2 · 0.8 · 0.8 / (0.2 · 0.2) = 32 bring it to 0.2
    assert flagged.loc["noisy", "replications_needed"] == 32
    assert flagged.loc["clean", "flag"] == ""


def test_figures_rank_by_importance_keep_error_bars_inside_and_mark_what_is_flagged():
    from pipsim.plots import sensitivity as plots

    morris = pd.DataFrame(
        {
            "outcome": "mean_trust",
            "parameter": ["initial_trust", "staff_turnover", "project_months"],
            "mu": [0.1, -0.02, 0.05],
            "mu_star": [0.1, 0.02, 0.05],
            "mu_star_conf": [0.09, 0.05, 0.01],
            "sigma": [0.01, 0.01, 0.02],
        }
    )
    flagged = sensitivity.flag_indices(morris, "morris", 10)
    fig = plots.morris_plane(flagged, "test")
    ranked, plane = fig.axes[:2]
    reach = float((morris["mu_star"] + morris["mu_star_conf"]).max())
    assert plane.get_xlim()[1] >= reach and ranked.get_xlim()[1] >= reach  # bars inside
    labels = [t.get_text() for t in ranked.get_yticklabels()]
    assert labels[-1].startswith("initial trust")  # the most influential on top
    assert labels[0].startswith("staff turnover") and labels[0].endswith("(!)")
    assert "(!)" in fig.get_suptitle()

    sobol = pd.DataFrame(
        {
            "outcome": "success",
            "parameter": ["a_noise", "b_sound"],
            "S1": [-0.213, 0.5],
            "S1_conf": [1.269, 0.03],
            "ST": [2.389, 0.6],
            "ST_conf": [1.732, 0.04],
        }
    )
    fig = plots.sobol_bars(sensitivity.flag_indices(sobol, "sobol", 8), "test")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "a noise (!)" and labels[0] == "b sound"  # ranked by ST, flagged
    assert "unreliable" in fig.get_suptitle()
