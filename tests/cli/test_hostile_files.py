"""Hostile results folders (issue 24): links, pipes, users' files, foreign chunks, edited rows.

Every case ends in one line or a clean result, never a traceback, a hang, a file written
through a link, or a user's file removed.
"""

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from pipsim.sweep import files, results
from tests.cli.test_sweeps import assert_one_line_error, run, sweep

SCENARIOS = Path(__file__).parent.parent / "data" / "scenarios"
SEEDED = """[scenario]
name = "seeded"
seed = {seed}
replications = 2
block_size = 1
[model]
typology = "horizontal_network"
project_months = 12
post_project_months = 0
[sweep]
initial_trust = [0.1, 0.2]
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep with its summary, figures and report."""
    out = tmp_path_factory.mktemp("finished") / "out"
    status = __import__("pipsim.cli", fromlist=["main"]).main(
        ["run", str(SCENARIOS / "ok.toml"), "--out", str(out), "--workers", "1", "--no-progress"]
    )
    assert status == 0
    return out


def copy_of(finished, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(finished, out, symlinks=True)
    return out


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("another file's contents")
    return path


# --- report --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["figures/zz.png", "zz.csv", "scenario.toml", "duration.json"])
def test_the_report_embeds_no_linked_file(capsys, finished, tmp_path, secret, name):
    out = copy_of(finished, tmp_path)
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(secret)
    status, _, err = run(capsys, "report", out)
    assert status == 0, err
    page = (out / "report.html").read_text()
    assert "another file" not in page and "YW5vdGhlciBmaWxl" not in page  # nor base64


def test_the_report_embeds_no_file_put_there_by_hand(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    (out / "zz.csv").write_text("mine,not pipsim's\n1,2\n")
    shutil.copy(next((out / "figures").glob("*.png")), out / "figures" / "holiday_photo.png")
    status, _, _ = run(capsys, "report", out)
    page = (out / "report.html").read_text()
    assert status == 0 and "not pipsim" not in page and "holiday_photo" not in page


def test_a_named_pipe_among_the_figures_does_not_hang_the_report(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    os.mkfifo(out / "figures" / "x.png")
    started = time.monotonic()
    status, _, err = run(capsys, "report", out)
    assert status == 0, err
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("name", ["report.html", "files.jsonl"])
def test_the_report_never_writes_through_a_link(capsys, finished, tmp_path, secret, name):
    out = copy_of(finished, tmp_path)
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(secret)
    status, _, err = run(capsys, "report", out)
    assert status == 2
    assert_one_line_error(err, "symbolic link")
    assert secret.read_text() == "another file's contents"


# --- summarize -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["summary.csv", "probabilities.csv", "figures/success_vs_initial_trust.png"]
)
def test_summarize_never_writes_through_a_link(capsys, finished, tmp_path, secret, name):
    out = copy_of(finished, tmp_path)
    (out / name).unlink()
    (out / name).symlink_to(secret)
    status, _, err = run(capsys, "summarize", out)
    assert status == 2
    assert_one_line_error(err, "symbolic link")
    assert secret.read_text() == "another file's contents"


def test_summarize_refuses_a_named_pipe_at_once(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    (out / "summary.csv").unlink()
    os.mkfifo(out / "summary.csv")
    started = time.monotonic()
    status, _, err = run(capsys, "summarize", out)
    assert status == 2 and time.monotonic() - started < 20
    assert_one_line_error(err, "named pipe")


def test_summarize_and_report_wait_for_no_writer(capsys, finished, tmp_path):
    from tests.sweep.test_results_safety import hold_lock

    out = copy_of(finished, tmp_path)
    holder = hold_lock(out)
    try:
        for command in ("summarize", "report"):
            status, _, err = run(capsys, command, out)
            assert status == 2
            assert_one_line_error(err, f"in use by another pipsim sweep (PID {holder.pid}")
    finally:
        holder.kill()
        holder.wait()


# --- run.log ------------------------------------------------------------------------------------
def test_the_run_log_is_recorded_and_removed_by_overwrite(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    assert "finished in" in (out / "run.log").read_text()
    assert files.read_record(out).owns(out / "run.log")
    status, _, err = sweep(capsys, SCENARIOS / "ok.toml", out, "--overwrite")
    assert status == 0, err
    assert (out / "run.log").read_text().count("finished in") == 1  # this command's only
    assert files.read_record(out).intact(out / "run.log")


@pytest.mark.parametrize("how", ["link", "pipe", "users"])
def test_the_run_log_is_never_appended_through_a_link_a_pipe_or_to_a_users_file(
    capsys, finished, tmp_path, secret, how
):
    out = copy_of(finished, tmp_path)
    (out / "run.log").unlink()
    if how == "link":
        (out / "run.log").symlink_to(secret)
    elif how == "pipe":
        os.mkfifo(out / "run.log")
    else:
        (out / "run.log").write_text("my notes\n")  # a file pipsim did not record
        files.forget(out, [out / "run.log"])
    started = time.monotonic()
    status, _, err = run(capsys, "summarize", out)
    assert status == 0, err
    assert time.monotonic() - started < 60
    assert secret.read_text() == "another file's contents"
    if how == "users":
        assert (out / "run.log").read_text() == "my notes\n"


def test_no_run_log_in_a_folder_whose_manifest_pipsim_did_not_record(capsys, tmp_path):
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    (out / "notes.txt").write_text("theirs")
    status, _, err = sweep(capsys, SCENARIOS / "ok.toml", out)
    assert status == 2, err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "notes.txt"]


# --- discover ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["discovery_success_scores.csv", "figures/discovery_success_scores.png"]
)
def test_discover_never_writes_through_a_link(capsys, finished, tmp_path, secret, name):
    out = copy_of(finished, tmp_path)
    (out / name).symlink_to(secret)
    status, _, err = run(capsys, "discover", out, "--outcome", "success")
    assert status == 2
    assert_one_line_error(err, "symbolic link")
    assert secret.read_text() == "another file's contents"


# --- a resuming run ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["manifest.json", "scenario.toml", ".pipsim.lock", "summary.csv", "files.jsonl"]
)
def test_a_resuming_run_never_writes_through_a_link(capsys, finished, tmp_path, secret, name):
    out = copy_of(finished, tmp_path)
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(secret)
    status, _, err = sweep(capsys, SCENARIOS / "ok.toml", out)
    if name != "scenario.toml":  # a resume does not write the scenario copy: nothing to refuse
        assert status == 2
        assert_one_line_error(err, "symbolic link")
    assert secret.read_text() == "another file's contents"


def test_out_is_taken_literally(capsys, tmp_path, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    status, _, err = sweep(capsys, SCENARIOS / "ok.toml", "~")
    assert status == 0, err
    assert list(home.iterdir()) == []
    assert len(list((work / "~" / "runs").glob("chunk-*.parquet"))) >= 1


# --- chunks of another design -------------------------------------------------------------------
def seeded(tmp_path, seed):
    path = tmp_path / f"seed{seed}.toml"
    path.write_text(SEEDED.format(seed=seed))
    return path


def test_a_chunk_from_another_sweep_is_run_again(capsys, tmp_path):
    three, four = tmp_path / "three", tmp_path / "four"
    assert sweep(capsys, seeded(tmp_path, 3), three)[0] == 0
    assert sweep(capsys, seeded(tmp_path, 4), four)[0] == 0
    before = results.load_runs(three)
    shutil.copy(four / "runs" / results.chunk_name(0), three / "runs" / results.chunk_name(0))
    notes = results.check(three)
    assert any("chunk-000000" in n and "differs from what pipsim wrote" in n for n in notes)
    status, out, err = run(capsys, "summarize", three)
    assert status == 0 and "chunk-000000" in err and "damaged" in err
    status, out, _ = sweep(capsys, seeded(tmp_path, 3), three)
    assert status == 0 and "already in" not in out and "run again" in out
    pd.testing.assert_frame_equal(results.load_runs(three), before)


def test_a_foreign_chunk_without_a_record_is_told_by_its_seeds(tmp_path):
    """A folder of an older pipsim has no record: the rows' seeds tell the chunk apart."""
    from pipsim.sweep.runner import run_sweep
    from pipsim.sweep.scenario import load_scenario

    three, four = tmp_path / "three", tmp_path / "four"
    for seed, out in ((3, three), (4, four)):
        run_sweep(load_scenario(seeded(tmp_path, seed)), out, workers=1, progress=False)
    (three / files.RECORD).unlink()
    shutil.copy(four / "runs" / results.chunk_name(0), three / "runs" / results.chunk_name(0))
    again = run_sweep(load_scenario(seeded(tmp_path, 3)), three, workers=1, progress=False)
    assert again.runs_done_now > 0
    assert any("another design" in n for n in again.notes)


def test_a_chunk_put_where_pipsim_has_none_is_left_alone_and_refused(capsys, tmp_path):
    three, four = tmp_path / "three", tmp_path / "four"
    assert sweep(capsys, seeded(tmp_path, 4), four)[0] == 0
    assert sweep(capsys, seeded(tmp_path, 3), three)[0] == 0
    chunk = three / "runs" / results.chunk_name(0)
    chunk.unlink()
    files.forget(three, [chunk])
    shutil.copy(four / "runs" / results.chunk_name(0), chunk)
    status, _, err = sweep(capsys, seeded(tmp_path, 3), three)
    assert status == 2
    assert_one_line_error(err, "chunk-000000.parquet was not written by pipsim", "move it away")
    assert files.digest(chunk) == files.digest(four / "runs" / results.chunk_name(0))


# --- run-once --from -----------------------------------------------------------------------------
def edit_manifest(out, change):
    manifest = json.loads((out / "manifest.json").read_text())
    change(manifest)
    files.write_bytes(out, out / "manifest.json", json.dumps(manifest).encode())


def edit_row(out, column, value):
    path = out / "runs" / results.chunk_name(0)
    table = pd.read_parquet(path)
    table[column] = value
    files.write(out, path, lambda file: table.to_parquet(file, index=False))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda m: m.update(design=5), "manifest.json is damaged"),
        (lambda m: m["design"].update(base=[1]), "manifest.json is damaged"),
        (lambda m: m.update(design_keys=["nope"]), "no column 'nope'"),
        (lambda m: m.update(design_keys=[5]), "manifest.json is damaged"),
        (lambda m: m["design"]["base"].update(project_months=100000), "not valid"),
        (lambda m: m["design"]["base"].update(no_such_key=1), "not valid"),
    ],
)
def test_run_once_from_an_edited_manifest_is_one_line(capsys, finished, tmp_path, change, fragment):
    out = copy_of(finished, tmp_path)
    edit_manifest(out, change)
    status, _, err = run(capsys, "run-once", "--from", out, "--run", 0)
    assert status == 2
    assert_one_line_error(err, fragment)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("place", 5, "place 5 is not in a block of 1 runs"),
        ("block_runs", 0, "block_runs 0 is outside"),
        ("block_runs", 3000, "block_runs 3000 is outside"),
        ("seed", -5, "seed -5 is outside"),
        ("seed", None, "is missing"),
    ],
)
def test_run_once_from_an_edited_row_is_one_line(
    capsys, finished, tmp_path, column, value, fragment
):
    out = copy_of(finished, tmp_path)
    edit_row(out, column, value)
    started = time.monotonic()
    status, _, err = run(capsys, "run-once", "--from", out, "--run", 0)
    assert status == 2 and time.monotonic() - started < 20
    assert_one_line_error(err, fragment)


def test_a_negative_run_number_is_not_called_a_seed(capsys, finished):
    status, _, err = run(capsys, "run-once", "--from", finished, "--run", -1)
    assert status == 2 and "invalid run number '-1'" in err and "seed" not in err


# --- one set of limits ---------------------------------------------------------------------------
def test_a_huge_block_needs_force(capsys, tmp_path):
    path = tmp_path / "block.toml"
    path.write_text(SEEDED.format(seed=1).replace("block_size = 1", "block_size = 5000"))
    status, _, err = sweep(capsys, path, tmp_path / "out")
    assert status == 2
    assert_one_line_error(err, "block_size 5,000 is more than 1,000", "--force")


def test_a_block_beyond_the_machines_memory_is_refused_even_with_force(capsys, tmp_path):
    """5,000 runs of 2,000 firms at once: about 500 GiB of firm pairs (the issue's example)."""
    path = tmp_path / "huge.toml"
    path.write_text(
        '[scenario]\nname = "huge"\nseed = 1\nreplications = 5000\nblock_size = 5000\n'
        "[model]\nn_enterprises = 2000\n[sweep]\nproject_months = [12]\n"
    )
    status, _, err = run(capsys, "run", path, "--out", tmp_path / "out", "--force")
    assert status == 2
    assert_one_line_error(err, "a block of 5,000 runs of this design needs about", "GiB")
    assert not (tmp_path / "out").exists()


def test_adaptive_max_replications_are_under_the_same_limit(capsys, tmp_path):
    path = tmp_path / "lengths.toml"
    path.write_text(
        SEEDED.format(seed=1)
        .replace("project_months = 12\n", "")
        .replace("initial_trust = [0.1, 0.2]", "project_months = [12, 18]")
    )
    argv = ["duration", path, "--adaptive", "--out", tmp_path / "o"]
    status, _, err = run(capsys, *argv, "--max-replications", 1_000_000_000)
    assert status == 2
    assert_one_line_error(err, "--max-replications: 1,000,000,000 replications is more than")


@pytest.mark.parametrize("command", [["run-once", "--seed"], ["calibrate", "x.toml", "--seed"]])
def test_a_seed_beyond_the_files_limit_is_refused_on_the_command_line_too(capsys, command):
    status, _, err = run(capsys, *command, 10**23)
    assert status == 2 and "invalid seed" in err and err.count("\n") == 1
