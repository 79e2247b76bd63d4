"""A sweep on a real Dask cluster (scheduler and two workers on 127.0.0.1), losing a worker."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from pipsim.sweep import results
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import parse_scenario

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

pytest.importorskip("dask.distributed")
DASK = Path(sys.executable).parent / "dask"

SCENARIO = """
[scenario]
name = "dask_loss"
seed = 5
replications = 12
[model]
typology = "cluster"
project_months = 36
[sweep]
initial_trust = [0.1, 0.2, 0.3, 0.4, 0.5]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def start(args, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(DASK), *args], stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        wait_for_port(port)
        for i in range(2):
            procs.append(
                start(
                    [
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"w{i}",
                    ],
                    tmp_path / f"worker{i}.log",
                )
            )
        yield address, procs
    finally:
        for proc in reversed(procs):
            stop(proc)


def test_sweep_survives_a_lost_worker(cluster, tmp_path):
    address, procs = cluster
    scenario = parse_scenario(SCENARIO)
    out = tmp_path / "out"
    outcome = {}

    def sweep():
        try:
            outcome["result"] = run_sweep(
                scenario, out, dask=address, workers=2, chunk_size=2, progress=False
            )
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = err

    thread = threading.Thread(target=sweep)
    thread.start()
    deadline = time.monotonic() + 120
    while not (out / "runs").exists() or len(results.done_chunks(out)) < 2:
        assert time.monotonic() < deadline, "the sweep never started"
        assert thread.is_alive(), outcome
        time.sleep(0.05)
    done_before_loss = len(results.done_chunks(out))
    stop(procs[1])  # a worker dies mid-sweep (SIGKILL, no nanny to restart it)
    thread.join(timeout=300)
    assert "error" not in outcome, outcome.get("error")
    swept = outcome["result"].runs
    assert done_before_loss < 30, "the worker was killed too late to test anything"
    reference = run_sweep(scenario, tmp_path / "inline", workers=1, progress=False).runs
    assert swept["run"].is_unique and len(swept) == 60
    pd.testing.assert_frame_equal(swept, reference)
