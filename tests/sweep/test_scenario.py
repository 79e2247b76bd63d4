from pathlib import Path

import pytest

from pipsim.sweep.design import design_points, lhs_points, run_seed
from pipsim.sweep.scenario import ScenarioError, load_scenario, parse_scenario

SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.toml"))

GOOD = """
[scenario]
name = "t"
seed = 1
replications = 2
[model]
typology = "cluster"
[sweep]
project_months = [24, 36]
"""


def error_for(text: str, tmp_path: Path) -> ScenarioError:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)), message  # names the file
    return info.value


def test_good_scenario_loads():
    s = parse_scenario(GOOD)
    assert s.sweep == {"project_months": (24, 36)}
    assert s.base == {"typology": "cluster"}
    assert len(design_points(s)) == 2


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file") as info:
        load_scenario(tmp_path / "nope.toml")
    assert str(info.value).startswith(str(tmp_path / "nope.toml"))


def test_malformed_toml_names_line(tmp_path):
    err = error_for(GOOD + "\nbroken = [1, 2,,]\n", tmp_path)
    assert "malformed TOML" in str(err) and "line 11" in str(err)


def test_unknown_section_suggests(tmp_path):
    err = error_for(GOOD.replace("[sweep]", "[swep]"), tmp_path)
    assert err.key == "swep" and "did you mean 'sweep'" in str(err)


def test_unknown_model_key_suggests(tmp_path):
    err = error_for(GOOD.replace('typology = "cluster"', "inital_trust = 0.2"), tmp_path)
    assert err.key == "model.inital_trust"
    assert "did you mean 'initial_trust'" in str(err)


def test_wrong_type(tmp_path):
    err = error_for(GOOD.replace("replications = 2", 'replications = "many"'), tmp_path)
    assert err.key == "scenario.replications" and "whole number" in str(err)
    err = error_for(GOOD.replace('typology = "cluster"', "project_months = 2.5"), tmp_path)
    assert err.key == "model.project_months" and "whole number" in str(err)


def test_out_of_range_value_in_axis(tmp_path):
    text = GOOD.replace("project_months = [24, 36]", "staff_turnover = [0.1, 1.5]")
    err = error_for(text, tmp_path)
    assert err.key == "sweep.staff_turnover[1]" and err.value == 1.5
    assert "0.0 ≤ staff_turnover ≤ 1.0" in str(err)


def test_bad_typology_lists_choices(tmp_path):
    err = error_for(GOOD.replace('"cluster"', '"clustr"'), tmp_path)
    assert err.key == "model.typology" and "horizontal_network" in str(err)


def test_empty_axis(tmp_path):
    err = error_for(GOOD.replace("[24, 36]", "[]"), tmp_path)
    assert err.key == "sweep.project_months" and "must not be empty" in str(err)


def test_duplicated_axis_value(tmp_path):
    err = error_for(GOOD.replace("[24, 36]", "[24, 36, 24]"), tmp_path)
    assert err.key == "sweep.project_months" and "repeat" in str(err)


def test_axis_not_a_list(tmp_path):
    err = error_for(GOOD.replace("[24, 36]", "24"), tmp_path)
    assert "list of values" in str(err)


def test_swept_and_fixed_clash(tmp_path):
    err = error_for(GOOD.replace('typology = "cluster"', "project_months = 30"), tmp_path)
    assert err.key == "sweep.project_months" and "keep one" in str(err)


def test_cross_field_invalid_point(tmp_path):
    err = error_for(GOOD.replace("[24, 36]", "[6, 36]"), tmp_path)
    assert "launch_months + close_out_months" in str(err) and "project_months" in str(err)


def test_name_cannot_escape_output_directory(tmp_path):
    err = error_for(GOOD.replace('name = "t"', 'name = "../../etc"'), tmp_path)
    assert err.key == "scenario.name" and "plain word" in str(err)


def test_missing_name(tmp_path):
    err = error_for(GOOD.replace('name = "t"\n', ""), tmp_path)
    assert err.key == "scenario.name" and "required" in str(err)


def test_sample_errors(tmp_path):
    base = GOOD + "\n[sample]\npoints = 4\n"
    err = error_for(base + "staff_turnover = { low = 0.5, high = 0.1 }\n", tmp_path)
    assert err.key == "sample.staff_turnover" and "low < high" in str(err)
    err = error_for(base + "staff_turnover = { low = 0.0, high = 2.0 }\n", tmp_path)
    assert err.key == "sample.staff_turnover.high"
    err = error_for(base + "typology = { low = 0, high = 1 }\n", tmp_path)
    assert "only numeric" in str(err)
    err = error_for(GOOD + '\n[sample]\nmethod = "sobol"\npoints = 4\n', tmp_path)
    assert err.key == "sample.method" and "lhs" in str(err)


def test_targets_and_output(tmp_path):
    s = parse_scenario(GOOD + "\n[targets]\nsales_growth = 0.3\n[output]\ntime_series = true\n")
    assert s.base["target_sales_growth"] == 0.3 and s.time_series is True
    err = error_for(GOOD + "\n[targets]\nsales = 0.3\n", tmp_path)
    assert err.key == "targets.sales" and "did you mean 'sales_growth'" in str(err)
    err = error_for(GOOD + '\n[output]\ntime_series = "yes"\n', tmp_path)
    assert err.key == "output.time_series" and "true or false" in str(err)


def test_lhs_points_cover_ranges_and_round_integers():
    s = parse_scenario(
        GOOD + "\n[sample]\npoints = 10\nstaff_turnover = { low = 0.1, "
        "high = 0.5 }\nn_technicians = { low = 1, high = 6 }\n"
    )
    points = lhs_points(s.sample, 10, seed=3)
    turnover = sorted(p["staff_turnover"] for p in points)
    assert all(0.1 <= t <= 0.5 for t in turnover)
    # one point per tenth of the range: that is what makes it a Latin hypercube
    assert [int((t - 0.1) / 0.04) for t in turnover] == list(range(10))
    assert all(isinstance(p["n_technicians"], int) for p in points)
    assert len(design_points(s)) == 2 * 10


def test_run_seeds_are_distinct_and_stable():
    seeds = {run_seed(7, p, r) for p in range(50) for r in range(50)}
    assert len(seeds) == 2500
    assert run_seed(7, 3, 4) == run_seed(7, 3, 4) != run_seed(8, 3, 4)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenarios_validate(path):
    s = load_scenario(path)
    assert s.description and s.replications >= 1 and design_points(s)
