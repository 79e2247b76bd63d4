"""`pipsim check`, `pipsim run` and `pipsim summarize` on small scenarios, in this process."""

import contextlib
import io
import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from pipsim.cli import main
from pipsim.sweep import results
from pipsim.sweep.scenario import load_scenario
from tests.strategies import InterruptedAfter

PNG = b"\x89PNG\r\n\x1a\n"

SCENARIO = """
[scenario]
name = "{name}"
description = "a small sweep for the tests"
seed = 7
replications = 3
[model]
{model}
project_months = 18
post_project_months = 6
{rest}
"""
HORIZONTAL = 'typology = "horizontal_network"'


def write(tmp_path, name="small", rest="[sweep]\ninitial_trust = [0.1, 0.4]", model=HORIZONTAL):
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, model=model, rest=rest))
    return path


def run(capsys, *args):
    """``pipsim ARGS``: the exit status, stdout and stderr."""
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def sweep(capsys, scenario, out, *extra):
    return run(capsys, "run", scenario, "--out", out, "--workers", 1, "--no-progress", *extra)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One finished sweep of the small scenario (``write``'s), made once for this module.

    A sweep prints its summary and draws its figures (about a second); the tests that only
    read, damage or summarise a finished folder take a copy of this one (`copy_of`).
    """
    base = tmp_path_factory.mktemp("finished")
    out = base / "out"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(["run", str(write(base)), "--out", str(out), "--workers", "1"])
    assert status == 0
    return out


def copy_of(finished, tmp_path):
    """A copy of the ``finished`` sweep's folder in ``tmp_path / "out"``."""
    return shutil.copytree(finished, tmp_path / "out", symlinks=True)


def assert_one_line_error(err, *fragments):
    assert err.startswith("pipsim: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# --- check ----------------------------------------------------------------------------------
def test_check_of_a_calibration_targets_file_says_what_calibrate_would_run(tmp_path, capsys):
    targets = Path(__file__).resolve().parents[2] / "calibration" / "targets_v2.toml"
    status, out, err = run(capsys, "check", targets)
    assert status == 0 and err == "" and out.endswith("ok\n")
    assert "history matching" in out and "16 to fit, 12 held out" in out
    assert "successes_before_project: 0 to 4 (whole numbers)" in out
    assert "620 parameter sets x 250 = 155,000" in out
    bad = tmp_path / "targets.toml"
    bad.write_text('[calibration]\nname = "x"\n')
    status, _, err = run(capsys, "check", bad)
    assert status == 2
    assert_one_line_error(err, "missing section")


def test_check_describes_the_design_and_says_ok(tmp_path, capsys):
    path = write(tmp_path, rest="[sweep]\ninitial_trust = [0.1, 0.4]\nstaff_turnover = [0.0, 0.5]")
    status, out, err = run(capsys, "check", path)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[-1] == "ok"
    assert re.search(r"^scenario\s+small$", out, re.M)
    assert "a small sweep for the tests" in out
    assert "initial_trust: 0.1, 0.4" in out and "staff_turnover: 0, 0.5" in out
    assert re.search(r"^design points\s+4$", out, re.M)
    assert re.search(r"^replications\s+3$", out, re.M)
    assert re.search(r"^total runs\s+12$", out, re.M)


def test_check_shows_sampled_ranges(tmp_path, capsys):
    rest = "[sample]\npoints = 5\nstaff_turnover = { low = 0.0, high = 0.6 }"
    status, out, _ = run(capsys, "check", write(tmp_path, rest=rest))
    assert status == 0
    assert "staff_turnover: 0 to 0.6" in out and "Latin hypercube, 5 points" in out
    assert re.search(r"^design points\s+5$", out, re.M)
    assert re.search(r"^total runs\s+15$", out, re.M)


@pytest.mark.parametrize("command", ["check", "run"])
def test_bad_scenario_is_one_line_naming_file_and_key(tmp_path, capsys, command):
    path = write(tmp_path, rest="[sweep]\nstaff_turnover = [0.0, 1.5]")
    extra = ["--out", tmp_path / "out"] if command == "run" else []
    status, _, err = run(capsys, command, path, *extra)
    assert status == 2
    assert_one_line_error(err, str(path), "sweep.staff_turnover[1]", "1.5")
    assert not (tmp_path / "out").exists()


def test_misspelt_key_gets_a_suggestion(tmp_path, capsys):
    path = write(tmp_path, model=HORIZONTAL + "\ninital_trust = 0.3", rest="")
    status, _, err = run(capsys, "check", path)
    assert status == 2
    assert_one_line_error(err, str(path), "model.inital_trust", "did you mean 'initial_trust'")


def test_missing_scenario_file(tmp_path, capsys):
    status, _, err = run(capsys, "check", tmp_path / "nowhere.toml")
    assert status == 2
    assert_one_line_error(err, "nowhere.toml", "no such file")


@pytest.mark.parametrize("option", [["--workers", "0"], ["--replications", "-1"]])
def test_bad_numbers_on_the_command_line(tmp_path, capsys, option):
    status, _, err = run(capsys, "run", write(tmp_path), *option)
    assert status == 2 and "invalid value" in err


# --- run ------------------------------------------------------------------------------------
def test_run_one_axis_writes_runs_tables_and_figures(tmp_path, capsys):
    out = tmp_path / "out"
    status, text, err = sweep(capsys, write(tmp_path), out)
    assert status == 0, err
    assert sorted(out.glob("runs/chunk-*.parquet"))
    assert len(results.load_runs(out)) == 6
    for name in ("summary.csv", "probabilities.csv"):
        assert (out / name).stat().st_size > 0
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert figures == {"success_vs_initial_trust.png", "outcomes_vs_initial_trust.png"}
    for png in (out / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == PNG
    assert "P(success) [95% CI]" in text and "P(sustained) [95% CI]" in text
    assert "initial_trust" in text and "files written:" in text
    assert str(out / "figures" / "success_vs_initial_trust.png") in text
    assert re.search(r"6 runs in [\d.]+ s wall time \([\d.]+ runs/s", text)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design_keys"] == ["initial_trust"] and manifest["finished"]


def test_run_two_axes_draws_a_heatmap(tmp_path, capsys):
    out = tmp_path / "out"
    path = write(tmp_path, rest="[sweep]\ninitial_trust = [0.1, 0.4]\nstaff_turnover = [0.0, 0.5]")
    status, text, err = sweep(capsys, path, out)
    assert status == 0, err
    assert {p.name for p in (out / "figures").glob("*.png")} == {"success_heatmap.png"}
    assert (out / "figures" / "success_heatmap.png").read_bytes()[:8] == PNG
    assert "staff_turnover" in text and len(results.load_runs(out)) == 12


def test_run_with_a_typology_axis(tmp_path, capsys):
    out = tmp_path / "out"
    path = write(
        tmp_path, model="", rest='[sweep]\ntypology = ["horizontal_network", "local_environment"]'
    )
    status, text, err = sweep(capsys, path, out)
    assert status == 0, err
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert figures == {"success_vs_typology.png", "outcomes_vs_typology.png"}
    assert "horizontal_network" in text and "local_environment" in text
    assert set(results.load_runs(out)["typology"]) == {"horizontal_network", "local_environment"}


def test_run_with_a_sampled_range_bins_it_in_the_figures(tmp_path, capsys):
    out = tmp_path / "out"
    rest = "[sample]\npoints = 20\nstaff_turnover = { low = 0.0, high = 0.6 }"
    status, _, err = sweep(capsys, write(tmp_path, rest=rest), out, "--replications", 1)
    assert status == 0, err
    assert (out / "figures" / "success_vs_staff_turnover.png").read_bytes()[:8] == PNG


def test_default_output_directory_is_results_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, text, _ = run(capsys, "run", write(tmp_path), "--workers", 1, "--no-progress")
    assert status == 0
    assert (tmp_path / "results" / "small" / "summary.csv").exists()
    assert "results/small" in text


@pytest.mark.slow  # three sweeps in a row
def test_running_again_resumes_nothing_and_refuses_other_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert sweep(capsys, write(tmp_path), out)[0] == 0
    status, text, _ = sweep(capsys, write(tmp_path), out)
    assert status == 0 and "all 6 runs were already in" in text
    renamed = write(tmp_path, name="renamed")  # the same design under another name: resumed
    status, text, _ = sweep(capsys, renamed, out)
    assert status == 0 and "all 6 runs were already in" in text
    other = write(tmp_path, name="other", rest="[sweep]\ninitial_trust = [0.2, 0.4]")
    status, _, err = sweep(capsys, other, out)
    assert status == 2
    assert_one_line_error(err, "another design", "sweep.initial_trust [0.1, 0.4] → [0.2, 0.4]")
    status, _, err = sweep(capsys, other, out, "--overwrite")
    assert status == 0, err
    assert json.loads((out / "manifest.json").read_text())["scenario_name"] == "other"


def test_foreign_output_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    status, _, err = sweep(capsys, write(tmp_path), out)
    assert status == 2
    assert_one_line_error(err, "holds files pipsim did not write (thesis.tex)")
    assert (out / "thesis.tex").read_text() == "precious"
    status, _, err = sweep(capsys, write(tmp_path), out, "--overwrite")
    assert status == 2 and "pass --overwrite" not in err
    assert_one_line_error(err, "did not write")
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


def test_replications_override_is_recorded_and_never_mixes(tmp_path, capsys):
    path, out = write(tmp_path), tmp_path / "out"
    status, text, err = sweep(capsys, path, out, "--replications", 2)
    assert status == 0, err
    assert len(results.load_runs(out)) == 4 and "2 replications" in text
    copy = (out / "scenario.toml").read_text()
    assert copy.endswith("# replications overridden on the command line: 2\n")
    digest = json.loads((out / "manifest.json").read_text())["scenario_digest"]
    assert digest != load_scenario(path).digest
    status, _, err = sweep(capsys, path, out)  # the file's own replications: another sweep
    assert status == 2 and "another design" in err and "replications 2 → 3" in err
    status, text, _ = sweep(capsys, path, out, "--replications", 2)  # the same override
    assert status == 0 and "all 4 runs were already in" in text


def test_ctrl_c_keeps_finished_chunks_and_exits_130(tmp_path, capsys, monkeypatch):
    import pipsim.sweep.runner

    real = pipsim.sweep.runner.run_sweep

    def interrupted(scenario, out, **options):
        # a chunk is a whole block: one point's 3 replicates; Ctrl-C after the first
        return real(scenario, out, executor=InterruptedAfter(1), chunk_size=1, progress=False)

    out, path = tmp_path / "out", write(tmp_path)
    monkeypatch.setattr(pipsim.sweep.runner, "run_sweep", interrupted)
    status, _, err = sweep(capsys, path, out)
    assert status == 130
    assert err == (
        f"interrupted: 3 of 6 runs saved in {out}; run the same command again to resume\n"
    )
    status, text, err = run(capsys, "summarize", out)  # a partial sweep can be summarised
    assert status == 0 and "P(success)" in text
    assert "not finished (3 of 6 runs)" in err
    monkeypatch.setattr(pipsim.sweep.runner, "run_sweep", real)
    status, text, err = sweep(capsys, path, out)
    assert status == 0, err
    assert "3 runs in" in text and "3 runs were resumed" in text
    assert sorted(results.load_runs(out)["run"]) == list(range(6))


def test_unreachable_dask_scheduler_is_one_line(tmp_path, capsys):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        status, _, err = sweep(
            capsys, write(tmp_path), tmp_path / "out", "--dask", f"tcp://127.0.0.1:{port}"
        )
    assert status == 2
    assert_one_line_error(err, f"cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}")


# --- summarize ------------------------------------------------------------------------------
def test_summarize_prints_and_writes_again(tmp_path, capsys, finished):
    out = copy_of(finished, tmp_path)
    for path in [out / "summary.csv", out / "probabilities.csv", *out.glob("figures/*.png")]:
        path.unlink()
    status, text, err = run(capsys, "summarize", out)
    assert status == 0 and err == ""
    assert "P(success) [95% CI]" in text and "initial_trust" in text
    assert (out / "summary.csv").exists() and (out / "probabilities.csv").exists()
    assert (out / "figures" / "success_vs_initial_trust.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize("make", ["empty", "missing", "no runs yet"])
def test_summarize_without_results_is_an_error(tmp_path, capsys, make):
    out = tmp_path / "out"
    if make == "empty":
        out.mkdir()
    elif make == "no runs yet":
        (out / "runs").mkdir(parents=True)
        (out / "manifest.json").write_text("{}")
    status, text, err = run(capsys, "summarize", out)
    assert status == 2 and text == ""
    assert_one_line_error(err, str(out))


# --- issue 14: nothing lost, nothing mixed ------------------------------------------------------
def test_overwrite_of_the_current_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path)
    status, _, err = sweep(capsys, path, ".", "--overwrite")
    assert status == 2
    assert_one_line_error(err, "--overwrite refused: . is the current folder")
    assert path.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]


def test_a_sweep_into_a_locked_folder_is_refused_in_one_line(tmp_path, capsys):
    from tests.sweep.test_results_safety import hold_lock

    out = tmp_path / "out"
    holder = hold_lock(out)
    try:
        status, _, err = sweep(capsys, write(tmp_path), out)
    finally:
        holder.kill()
        holder.wait()
    assert status == 2
    assert_one_line_error(err, f"in use by another pipsim sweep (PID {holder.pid}")


@pytest.mark.slow  # two sweeps and two summaries with figures (~5 s); the fast loop has
# test_fuzz_folders' damaged folders, summarised and remade
def test_summarize_reports_damaged_chunks_and_the_command_that_repairs_them(tmp_path, capsys):
    out = tmp_path / "out"
    path = write(
        tmp_path, rest="[sweep]\ninitial_trust = [0.1, 0.4, 0.7]\n[output]\ntime_series = true"
    )
    assert sweep(capsys, path, out)[0] == 0
    chunks = sorted((out / "runs").glob("chunk-*.parquet"))
    chunks[0].write_bytes(chunks[0].read_bytes()[:40])  # truncated
    (out / "timeseries" / chunks[1].name).unlink()
    (out / "runs" / "notes.txt").write_text("mine")
    status, _, err = run(capsys, "summarize", out)
    assert status == 0 and "Traceback" not in err
    assert f"{chunks[0]} cannot be read" in err and "notes.txt" in err
    assert "monthly series of" in err and "is damaged" in err
    assert f"run 'pipsim run {path} --out {out} --workers 1 --no-progress' again" in err
    status, text, err = sweep(capsys, path, out)  # that command repairs it
    assert status == 0, err
    assert "runs were resumed" in text and "notes.txt is not pipsim's: ignored" in text
    status, _, err = run(capsys, "summarize", out)
    assert status == 0 and "cannot be read" not in err and "missing" not in err


@pytest.mark.parametrize("content", [b"", b"[1, 2]", b'{"total_runs": '])
def test_summarize_with_a_damaged_manifest_is_not_a_traceback(tmp_path, capsys, content, finished):
    out = copy_of(finished, tmp_path)
    (out / "manifest.json").write_bytes(content)
    status, _, err = run(capsys, "summarize", out)
    assert status in (0, 2) and "Traceback" not in err
    if status == 2:
        assert_one_line_error(err, "manifest.json")
    status, _, err = sweep(capsys, write(tmp_path), out)  # rebuilt on resume
    assert status == 0, err


def test_summarize_on_a_read_only_folder_is_one_line(tmp_path, capsys, monkeypatch, finished):
    out = copy_of(finished, tmp_path)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pandas.DataFrame.to_csv", refused)  # as a read-only folder (even as root)
    status, _, err = run(capsys, "summarize", out)
    assert status == 2
    assert_one_line_error(err, "cannot write the summary", "Permission denied")
