"""A real `pipsim run` killed mid-sweep (kill -9, Ctrl-C) resumes to an uninterrupted run.

The command runs as a subprocess in its own session with a two-worker process pool; killing
its process group kills the pool's workers too, as a terminal's Ctrl-C or a job scheduler's
kill would.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipsim.sweep import results
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import load_scenario

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

# 160 runs of a 60-month cluster: 16 chunks of one block of 10 runs, seconds on two workers
SCENARIO = """
[scenario]
name = "resume_kill"
seed = 17
replications = 40
block_size = 10
[model]
typology = "cluster"
project_months = 36
[sweep]
initial_trust = [0.1, 0.2, 0.3, 0.4]
"""
TOTAL_RUNS = 160
ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "resume_kill.toml"
    path.write_text(SCENARIO)
    return path


@pytest.fixture(scope="module")
def reference(scenario_file, tmp_path_factory):
    """The same sweep, uninterrupted, in this process."""
    out = tmp_path_factory.mktemp("reference")
    return run_sweep(load_scenario(scenario_file), out, workers=1, progress=False).runs


def command(scenario_file: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipsim",
        "run",
        str(scenario_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]


def chunks(out: Path) -> list[Path]:
    return sorted((out / results.RUNS).glob("chunk-*.parquet"))


def in_session(cmd: list[str]) -> subprocess.Popen:
    """Start ``cmd`` in a new session (its own process group), as a terminal would."""
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=ROOT,
        # Ctrl-C must reach it even from a suite started as a background job, whose
        # children inherit SIGINT ignored (and Python then installs no handler)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def start_and_wait_for_chunks(cmd: list[str], out: Path, at_least: int) -> subprocess.Popen:
    """Start ``cmd`` in a new session; return once ``at_least`` chunks are on disk."""
    proc = in_session(cmd)
    deadline = time.monotonic() + 120
    while len(chunks(out)) < at_least:
        if proc.poll() is not None:
            pytest.fail(
                f"pipsim run ended (status {proc.returncode}) before {at_least} "
                f"chunks were written:\n{proc.stderr.read()}"
            )
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("no chunk written within 120 s")
        time.sleep(0.01)
    return proc


def total_chunks(out: Path) -> int:
    manifest = load_manifest(out)
    return -(-manifest["total_runs"] // manifest["chunk_size"])


def load_manifest(out: Path) -> dict:
    return json.loads((out / results.MANIFEST).read_text())


def finish(cmd: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done


def assert_same_rows(out: Path, reference: pd.DataFrame) -> None:
    runs = results.load_runs(out)
    assert runs["run"].tolist() == list(range(TOTAL_RUNS))  # every run id exactly once
    pd.testing.assert_frame_equal(runs, reference)
    assert not list(out.rglob("*.tmp"))


def test_sweep_killed_with_sigkill_resumes_to_the_same_rows(scenario_file, reference, tmp_path):
    out = tmp_path / "out"
    cmd = command(scenario_file, out)
    proc = start_and_wait_for_chunks(cmd, out, at_least=2)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the pool's workers die too
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    saved = len(chunks(out))
    assert 2 <= saved < total_chunks(out), "the sweep finished before it was killed"
    assert load_manifest(out)["finished"] is None

    done = finish(cmd)
    resumed = re.search(r"(\d+) runs were resumed from an earlier attempt", done.stdout)
    assert resumed and int(resumed.group(1)) == saved * load_manifest(out)["chunk_size"]
    assert "P(success)" in done.stdout
    assert_same_rows(out, reference)


def test_ctrl_c_exits_130_without_traceback_and_resumes(scenario_file, reference, tmp_path):
    out = tmp_path / "out"
    cmd = command(scenario_file, out)
    proc = start_and_wait_for_chunks(cmd, out, at_least=2)
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to every process of the group
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    message = re.search(
        r"^interrupted: (\d+) of 160 runs saved in (.+); run the same command "
        r"again to resume$",
        err,
        re.M,
    )
    assert message, err
    assert message.group(2) == str(out)
    assert int(message.group(1)) == len(results.load_runs(out)) < TOTAL_RUNS
    assert took < 10, f"exiting after Ctrl-C took {took:.1f} s"

    finish(cmd)
    assert_same_rows(out, reference)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc: its children, theirs, ...)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_their_parent(scenario_file, tmp_path):
    """kill -9 of `pipsim run` alone (not its group): no worker runs on (issue 14)."""
    out = tmp_path / "out"
    cmd = command(scenario_file, out)
    proc = start_and_wait_for_chunks(cmd, out, at_least=1)
    below = descendants(proc.pid)
    assert len(below) >= 2, below  # the forkserver and its workers
    proc.kill()  # the parent only: its workers are left to notice
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while (left := [pid for pid in below if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:  # tidy up before failing
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 10 s after their parent was killed: {left}"
    assert not (out / results.LOCK).exists() or finish(cmd)  # the lock is taken over


def test_a_second_run_into_a_folder_in_use_is_refused(scenario_file, reference, tmp_path):
    """The issue's mix: a second run (another design, --overwrite) while the first writes."""
    out = tmp_path / "out"
    cmd = command(scenario_file, out)
    proc = start_and_wait_for_chunks(cmd, out, at_least=1)
    # held still while the second starts: the rest of the sweep takes seconds, a loaded
    # machine's start of a second Python process may take longer (the race failed once)
    os.killpg(proc.pid, signal.SIGSTOP)
    try:
        second = subprocess.run(
            [*cmd, "--replications", "10", "--overwrite"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        os.killpg(proc.pid, signal.SIGCONT)
        out_text, err = proc.communicate(timeout=300)
    assert second.returncode == 2, second.stderr
    assert f"in use by another pipsim sweep (PID {proc.pid}" in second.stderr
    assert proc.returncode == 0, err
    assert_same_rows(out, reference)  # the first sweep's rows only
