"""Nothing lost, nothing mixed (issue 14): --overwrite, the folder lock, damaged results."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipsim.sweep import files, results
from pipsim.sweep.runner import run_sweep
from tests.sweep.test_runner import scenario

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    return run_sweep(
        scenario(time_series=True, block=1), out, workers=1, chunk_size=3, progress=False
    )


def sweep(out, **options):
    """The reference's sweep: one run a block, so its 16 runs are chunks of 3 (the last of 1)."""
    options = {"workers": 1, "chunk_size": 3, "progress": False, **options}
    return run_sweep(scenario(time_series=True, block=1), out, **options)


def copy_of(reference, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(reference.out, out)
    return out


# --- --overwrite removes only pipsim's files ----------------------------------------------------
@pytest.mark.parametrize("where", ["cwd", "home", "root", "parent of cwd"])
def test_overwrite_refuses_the_current_folder_home_and_root(tmp_path, monkeypatch, where):
    (tmp_path / "thesis.docx").write_text("precious")
    inner = tmp_path / "inner"
    inner.mkdir()
    monkeypatch.chdir(inner if where == "parent of cwd" else tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    out = {"cwd": Path("."), "home": tmp_path, "root": Path("/"), "parent of cwd": Path("..")}
    with pytest.raises(results.ResultsError, match="--overwrite refused") as err:
        run_sweep(scenario(), out[where], workers=1, progress=False, overwrite=True)
    assert "give --out a folder of its own" in str(err.value)
    assert (tmp_path / "thesis.docx").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inner", "thesis.docx"]


def test_overwrite_removes_only_pipsims_files(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    for name in ("summary.csv", "report.html", "sensitivity_sobol.csv", "figures/success.png"):
        files.write_bytes(out, out / name, b"pipsim's")
    other = scenario().replace(replications=2)
    replaced = run_sweep(other, out, workers=1, progress=False, overwrite=True)
    assert len(replaced.runs) == 8
    names = ["files.jsonl", "manifest.json", "runs", "scenario.toml"]
    assert sorted(p.name for p in out.iterdir()) == names


@pytest.mark.parametrize(
    "mine",
    [
        "summary.csv",
        "report.html",
        "figures/holiday_photo.png",
        ".draft_notes.tmp",
        "sensitivity_my_notes.csv",
        "runs/chunk-000099.parquet",
    ],
)
def test_a_users_file_with_a_pipsim_name_is_never_removed(reference, tmp_path, mine):
    """Only the files pipsim recorded are its own, whatever the others are called (issue 24)."""
    out = copy_of(reference, tmp_path)
    (out / mine).parent.mkdir(exist_ok=True)
    (out / mine).write_text("precious")
    with pytest.raises(results.ResultsError, match="did not write") as err:
        sweep(out, overwrite=True)
    assert mine.split("/")[-1] in str(err.value)
    assert (out / mine).read_text() == "precious"
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == 6 + mine.startswith("runs")


def test_a_folder_of_only_the_users_own_summary_and_report_is_not_results(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("summary.csv", "report.html"):
        (out / name).write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(results.ResultsError, match="did not write") as err:
            sweep(out, overwrite=overwrite)
        assert "pass --overwrite" not in str(err.value)
    assert sorted(p.read_text() for p in out.iterdir()) == ["mine", "mine"]


def test_a_folder_written_before_records_adopts_its_files_by_name(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    (out / "files.jsonl").unlink()
    (out / "summary.csv").write_text("an older pipsim's")
    resumed = sweep(out)
    assert resumed.runs_done_now == 0
    record = files.read_record(out)
    assert "summary.csv" in record.files and "runs/chunk-000005.parquet" in record.files
    sweep(out, overwrite=True)
    assert not (out / "summary.csv").exists()


@pytest.mark.parametrize("stranger", ["runs/notes.txt", "figures/thesis.docx", "data/x.csv"])
def test_overwrite_refuses_a_results_folder_holding_anything_else(reference, tmp_path, stranger):
    out = copy_of(reference, tmp_path)
    (out / stranger).parent.mkdir(exist_ok=True)
    (out / stranger).write_text("precious")
    with pytest.raises(results.ResultsError, match="did not write"):
        sweep(out, overwrite=True)
    assert (out / stranger).read_text() == "precious"
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == 6  # nothing removed


def test_a_symlink_in_the_folder_is_not_pipsims(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    (tmp_path / "elsewhere").write_text("precious")
    (out / "summary.csv").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(results.ResultsError, match="did not write"):
        sweep(out, overwrite=True)
    assert (tmp_path / "elsewhere").read_text() == "precious"


# --- one writer per folder -----------------------------------------------------------------------
HOLD = """
import sys, time
from pathlib import Path
from pipsim.sweep import files, results
with results.lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_lock(out):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_sweep_into_a_locked_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    holder = hold_lock(out)
    try:
        with pytest.raises(
            results.ResultsError, match=f"in use by another pipsim sweep \\(PID {holder.pid}"
        ):
            sweep(out)
        info = json.loads((out / results.LOCK).read_text())
        assert info["pid"] == holder.pid and info["process_started"] and info["since"]
    finally:
        holder.kill()
        holder.wait()
    assert (out / results.LOCK).exists()  # a stale lock: its holder was killed
    done = sweep(out)  # taken over
    assert len(done.runs) == 16 and not (out / results.LOCK).exists()


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    with results.lock(tmp_path), results.lock(tmp_path):
        assert (tmp_path / results.LOCK).exists()
    assert not (tmp_path / results.LOCK).exists()


# --- damaged results are verified and repaired -------------------------------------------------
@pytest.mark.parametrize("hostile", ["truncated.parquet", "empty.parquet"])
@pytest.mark.parametrize("folder", ["runs", "timeseries"])
def test_a_damaged_chunk_is_run_again_on_resume(reference, tmp_path, hostile, folder):
    out = copy_of(reference, tmp_path)
    shutil.copy(DATA / hostile, out / folder / results.chunk_name(4))
    resumed = sweep(out)
    assert resumed.runs_done_now == 3 and any("chunk-000004" in n for n in resumed.notes)
    pd.testing.assert_frame_equal(resumed.runs, reference.runs)
    pd.testing.assert_frame_equal(resumed.timeseries, reference.timeseries)


@pytest.mark.parametrize("folder", ["runs", "timeseries"])
def test_a_missing_chunk_is_run_again_on_resume(reference, tmp_path, folder):
    out = copy_of(reference, tmp_path)
    (out / folder / results.chunk_name(2)).unlink()
    resumed = sweep(out)
    assert resumed.runs_done_now == 3
    pd.testing.assert_frame_equal(resumed.timeseries, reference.timeseries)


def test_a_chunk_holding_other_runs_is_run_again_and_never_counted_twice(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    shutil.copy(out / "runs" / results.chunk_name(0), out / "runs" / results.chunk_name(3))
    assert len(results.load_runs(out)) == 13  # run 0-2 once; chunk 3's own runs are gone
    assert any(
        "chunk-000003" in n and "differs from what pipsim wrote" in n for n in results.check(out)
    )
    resumed = sweep(out)
    pd.testing.assert_frame_equal(resumed.runs, reference.runs)


def test_stray_files_are_ignored_with_a_note(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    shutil.copy(DATA / "notes.txt", out / "runs" / "notes.txt")
    shutil.copy(out / "runs" / results.chunk_name(0), out / "runs" / "chunk-000000 (copy).parquet")
    notes: list[str] = []
    pd.testing.assert_frame_equal(results.load_runs(out, notes), reference.runs)
    assert any("notes.txt" in n and "chunk-000000 (copy).parquet" in n for n in notes)
    assert results.saved_runs(out) == 16
    resumed = sweep(out)  # strays do not stop a resume (they are not --overwrite's to remove)
    assert resumed.runs_done_now == 0 and (out / "runs" / "notes.txt").exists()


@pytest.mark.parametrize(
    "hostile", ["manifest_truncated.json", "manifest_empty.json", "manifest_list.json"]
)
def test_a_damaged_manifest_is_rebuilt_from_the_scenario_copy(reference, tmp_path, hostile):
    out = copy_of(reference, tmp_path)
    shutil.copy(DATA / hostile, out / "manifest.json")
    resumed = sweep(out)
    assert resumed.runs_done_now == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["chunk_size"] == 3 and manifest["rebuilt"] and manifest["total_runs"] == 16


def test_a_damaged_manifest_without_its_scenario_copy_is_refused(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    shutil.copy(DATA / "manifest_truncated.json", out / "manifest.json")
    (out / "scenario.toml").unlink()
    with pytest.raises(results.ResultsError, match="manifest.json is damaged"):
        sweep(out)


def test_a_damaged_manifest_of_another_design_is_refused(reference, tmp_path):
    out = copy_of(reference, tmp_path)
    (out / "manifest.json").unlink()
    with pytest.raises(results.ResultsError, match="replications 4 → 5"):
        run_sweep(scenario(time_series=True).replace(replications=5), out, workers=1)


def test_lock_file_survives_no_process(tmp_path):
    """The lock of a sweep that ended is gone, so a folder of results holds only results."""
    sweep(tmp_path / "out")
    assert not (tmp_path / "out" / results.LOCK).exists()
    time.sleep(0)  # nothing else to wait for
    assert os.listdir(tmp_path / "out")


def test_without_flock_the_holders_pid_and_start_time_decide(tmp_path, monkeypatch):
    import fcntl
    import socket

    def unsupported(fd, operation):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", unsupported)
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = {
            "pid": holder.pid,
            "process_started": results._process_start(holder.pid),
            "since": "now",
            "host": socket.gethostname(),
        }
        (out / results.LOCK).write_text(json.dumps(alive))
        with pytest.raises(results.ResultsError, match=f"PID {holder.pid}"):
            sweep(out)
        reused = {**alive, "process_started": "1"}  # the PID, now another process's
        (out / results.LOCK).write_text(json.dumps(reused))
        assert len(sweep(out).runs) == 16
    finally:
        holder.kill()
        holder.wait()
