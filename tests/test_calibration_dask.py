"""The toy calibration on Dask: a real scheduler and workers on 127.0.0.1, and --dask local."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pipsim.cli import main
from tests.sweep.test_dask_cluster import free_port, start, stop, wait_for_port

pytestmark = pytest.mark.slow

pytest.importorskip("dask.distributed")
pytest.importorskip("pyabc")
ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "calibration" / "toy.toml"


@pytest.fixture
def scheduler(tmp_path, monkeypatch):
    """A Dask scheduler and two workers, each its own process, importing this pipsim."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    args = ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    procs = [start(args, tmp_path / "scheduler.log")]
    try:
        wait_for_port(port)
        for i in range(2):
            worker = ["worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
            worker += ["--host", "127.0.0.1", "--name", f"w{i}"]
            procs.append(start(worker, tmp_path / f"worker{i}.log"))
        yield address
    finally:
        for proc in reversed(procs):
            stop(proc)


def _posterior_of(out: Path) -> pd.DataFrame:
    table = pd.read_csv(out / "posterior.csv").set_index("parameter")
    assert set(table.index) == {"pilot_success_rate", "trust_gain"}
    assert (table["q05"] <= table["q95"]).all()
    return table


def test_a_posterior_from_a_dask_scheduler_and_workers(scheduler, tmp_path, capsys):
    out = tmp_path / "dask"
    args = ["calibrate", str(TOY), "--out", str(out), "--dask", scheduler, "--budget", "300"]
    assert main([*args, "--no-progress"]) == 0
    assert "on Dask (tcp://127.0.0.1:" in capsys.readouterr().out
    table = _posterior_of(out)
    # the target pulls the posterior above the prior's centre (0.65 of 0.3-1.0). On Dask the
    # particles arrive in any order, so 12 particles of 2 runs are not reproducible: CI saw a 5%
    # quantile of 0.48 and a median of 0.72; the seeded in-process test holds the sharper claim.
    assert table.loc["pilot_success_rate", "median"] > 0.65
    worker_logs = "".join(p.read_text() for p in tmp_path.glob("worker*.log"))
    assert "Starting Worker" in worker_logs


def test_a_posterior_from_a_local_cluster(tmp_path):
    out = tmp_path / "local"
    args = ["calibrate", str(TOY), "--out", str(out), "--dask", "local", "--workers", "2"]
    assert main([*args, "--budget", "300", "--no-progress"]) == 0
    _posterior_of(out)
