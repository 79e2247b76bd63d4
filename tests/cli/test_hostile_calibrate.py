"""``pipsim calibrate`` as a hostile user runs it (issue 24): the sweeps' promises, kept.

One writer per folder, ``--overwrite`` touching only pipsim's files, damaged or foreign files
named in one line and re-run (or the way out given), a full disk leaving a folder that
resumes, Dask addresses that fail fast, and no process left behind by kill -9.
"""

import os
import shutil
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from pipsim.calibration import outputs
from pipsim.sweep import files
from tests.cli.test_hostile import Server, free_port
from tests.cli.test_sweeps import assert_one_line_error, run
from tests.sweep.test_results_safety import hold_lock
from tests.sweep.test_resume_kill import descendants, in_session, running

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "calibration" / "toy.toml"


def calibrate(capsys, out, *extra):
    return run(capsys, "calibrate", TOY, "--out", out, "--budget", 300, "--no-progress", *extra)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The toy calibration, finished (a few seconds)."""
    from pipsim.cli import main

    out = tmp_path_factory.mktemp("toy") / "out"
    argv = ["calibrate", str(TOY), "--out", str(out), "--budget", "300", "--no-progress"]
    assert main(argv) == 0
    return out


def copy_of(finished, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(finished, out, symlinks=True)
    return out


# --- one writer, --overwrite -------------------------------------------------------------------
def test_a_second_calibration_into_a_folder_in_use_is_refused(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    holder = hold_lock(out)
    try:
        status, _, err = calibrate(capsys, out)
    finally:
        holder.kill()
        holder.wait()
    assert status == 2
    assert_one_line_error(err, f"in use by another pipsim sweep (PID {holder.pid}")


def test_another_targets_file_needs_overwrite_which_keeps_the_users_files(
    capsys, finished, tmp_path
):
    out = copy_of(finished, tmp_path)
    status, _, err = calibrate(capsys, out, "--seed", 8)
    assert status == 2
    assert_one_line_error(err, "another targets file", "--overwrite")
    (out / "my_notes.txt").write_text("precious")
    status, _, err = calibrate(capsys, out, "--seed", 8, "--overwrite")
    assert status == 2
    assert_one_line_error(err, "did not write (my_notes.txt)")
    assert (out / "my_notes.txt").read_text() == "precious"
    (out / "my_notes.txt").unlink()
    status, _, err = calibrate(capsys, out, "--seed", 8, "--overwrite")
    assert status == 0, err
    assert (
        outputs.read_manifest(out)["targets_digest"]
        != outputs.read_manifest(finished)["targets_digest"]
    )


def test_a_users_history_db_is_not_taken_for_pipsims(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.db").write_bytes(b"mine")
    status, _, err = calibrate(capsys, out)
    assert status == 2
    assert_one_line_error(err, "did not write (history.db)")
    assert (out / "history.db").read_bytes() == b"mine"


# --- damaged files -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("calibration.json", "calibration.json was damaged or missing: rebuilt"),
        ("screening.csv", "screening.csv is not the file pipsim wrote"),
        ("predictive.parquet", "predictive check is run again"),
    ],
)
def test_a_damaged_file_is_named_and_made_again(capsys, finished, tmp_path, name, note):
    out = copy_of(finished, tmp_path)
    (out / name).write_bytes(b'{"truncat')
    status, printed, err = calibrate(capsys, out)
    assert status == 0, err
    assert note in printed
    assert files.trusted(files.read_record(out), out / name)


def test_a_damaged_history_is_one_line_with_the_way_out(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    data = bytearray((out / "history.db").read_bytes())
    data[100:4000] = b"\xff" * 3900
    (out / "history.db").write_bytes(bytes(data))
    status, _, err = calibrate(capsys, out)
    assert status == 2
    assert_one_line_error(err, "history.db is damaged", "move it away", "--overwrite")


def test_an_empty_history_starts_the_abc_afresh(capsys, finished, tmp_path):
    """What a full disk as the database was made leaves (pyabc: 'Database has version 0')."""
    out = copy_of(finished, tmp_path)
    (out / "history.db").write_bytes(b"")
    status, printed, err = calibrate(capsys, out)
    assert status == 0, err
    assert "held no finished generation: the ABC-SMC starts afresh" in printed


def test_a_full_disk_leaves_a_folder_that_resumes(capsys, finished, tmp_path, monkeypatch):
    from pipsim.calibration import run as calibration_run

    out = copy_of(finished, tmp_path)
    (out / outputs.GENERATIONS).unlink()
    real = calibration_run.files.save_csv

    def full(folder, path, frame):
        if path.name == outputs.GENERATIONS:
            raise OSError(28, "No space left on device")
        real(folder, path, frame)

    monkeypatch.setattr(calibration_run.files, "save_csv", full)
    status, _, err = calibrate(capsys, out)
    assert status == 2
    assert_one_line_error(err, "No space left on device", "generations saved", "resume")
    assert not list(out.glob(".*.tmp"))
    monkeypatch.setattr(calibration_run.files, "save_csv", real)
    assert calibrate(capsys, out)[0] == 0
    assert (out / outputs.GENERATIONS).is_file()


def test_a_full_disk_under_the_history_database_is_one_line(capsys, tmp_path, monkeypatch):
    from pipsim.calibration import abc

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(abc, "advance", full)
    status, _, err = calibrate(capsys, tmp_path / "out")
    assert status == 2
    assert_one_line_error(err, "history database could not be written", "free space", "resume")


# --- links and pipes -----------------------------------------------------------------------------
def test_a_linked_screening_is_never_written_through(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("another file's contents")
    (out / "screening.csv").unlink()
    (out / "screening.csv").symlink_to(secret)
    status, _, err = calibrate(capsys, out)
    assert status == 2
    assert_one_line_error(err, "symbolic link")
    assert secret.read_text() == "another file's contents"


@pytest.mark.parametrize("name", ["history.db", "history.db-journal"])
def test_a_linked_history_is_refused(capsys, finished, tmp_path, name):
    out = copy_of(finished, tmp_path)
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(tmp_path / "elsewhere.db")
    status, _, err = calibrate(capsys, out)
    assert status == 2
    assert_one_line_error(err, "symbolic link")
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_named_pipe_as_targets_file_is_one_line(capsys, tmp_path):
    fifo = tmp_path / "targets.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    status, _, err = run(capsys, "calibrate", fifo, "--out", tmp_path / "o")
    assert status == 2 and time.monotonic() - started < 10
    assert_one_line_error(err, "not a regular file")


def test_the_report_of_a_calibration_embeds_only_its_own_files(capsys, finished, tmp_path):
    out = copy_of(finished, tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"another file's contents")
    (out / "figures" / "zz.png").symlink_to(secret)
    os.mkfifo(out / "figures" / "x.png")
    status, _, err = run(capsys, "report", out)
    assert status == 0, err
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(outputs.FIGURES)


# --- Dask addresses fail fast, in one line --------------------------------------------------------
@pytest.mark.parametrize(
    ("greeting", "fragment"),
    [(None, "nothing answered within 1 s"), (b"SSH-2.0-OpenSSH_9.6\r\n", "not a Dask scheduler")],
)
def test_what_is_not_a_dask_scheduler_is_one_line(capsys, tmp_path, greeting, fragment):
    pytest.importorskip("dask.distributed")
    server = Server(greeting)
    try:
        started = time.monotonic()
        address = f"tcp://127.0.0.1:{server.port}"
        status, _, err = calibrate(capsys, tmp_path / "o", "--dask", address, "--dask-timeout", 1)
    finally:
        server.close()
    assert status == 2 and time.monotonic() - started < 8
    assert_one_line_error(err, "cannot connect to the Dask scheduler", fragment)


@pytest.mark.parametrize("address", ["notanaddress", "tcp://127.0.0.1"])
def test_a_malformed_dask_address_is_one_line(capsys, tmp_path, address):
    pytest.importorskip("dask.distributed")
    status, _, err = calibrate(capsys, tmp_path / "o", "--dask", address)
    assert status == 2
    assert_one_line_error(err, "cannot connect to the Dask scheduler", "not an address")


def test_a_refused_port_is_quick(capsys, tmp_path):
    pytest.importorskip("dask.distributed")
    started = time.monotonic()
    address = f"tcp://127.0.0.1:{free_port()}"
    status, _, err = calibrate(capsys, tmp_path / "o", "--dask", address)
    assert status == 2 and time.monotonic() - started < 5
    assert_one_line_error(err, "cannot connect to the Dask scheduler")


def test_workers_beyond_the_cores_are_noted(capsys, tmp_path):
    from pipsim.cli import calibrate as command

    args = command.argparse.Namespace(workers=(os.cpu_count() or 1) + 62, dask=None)
    command.note_workers(args)
    assert "more than this machine's" in capsys.readouterr().err


# --- kill -9 and Ctrl-C (slow: a real calibration in a subprocess) ------------------------------
def start(out, *extra):
    cmd = [sys.executable, "-m", "pipsim", "calibrate", str(TOY), "--out", str(out)]
    cmd += ["--budget", "20000", "--no-progress", "--workers", "2", *map(str, extra)]
    proc = in_session(cmd)
    deadline = time.monotonic() + 120
    while not (out / "history.db").exists() or len(descendants(proc.pid)) < 3:
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"the calibration did not reach its ABC-SMC:\n{proc.stderr.read()}")
        time.sleep(0.05)
    return proc


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_calibration_leaves_no_process(tmp_path):
    proc = start(tmp_path / "out")
    below = descendants(proc.pid)
    proc.kill()  # the parent only: its workers, forkserver and resource tracker must follow
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while (left := [pid for pid in below if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 10 s after their parent was killed: {left}"


@pytest.mark.slow
def test_ctrl_c_of_a_calibration_is_one_line_with_what_is_saved(tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert err.strip().startswith("interrupted: ") and err.strip().count("\n") == 0, err
    assert "generation" in err and "run the same command again to resume" in err


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_is_one_line_with_what_is_saved(tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    deadline = time.monotonic() + 60
    while True:  # pyabc's own workers: forked, so with the parent's command line
        mine = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        workers = [
            pid
            for pid in descendants(proc.pid)
            if running(pid) and Path(f"/proc/{pid}/cmdline").read_bytes() == mine
        ]
        if workers or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert workers, "no pyabc worker seen"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert_one_line_error(err, "a worker process died", "generation", "resume")
