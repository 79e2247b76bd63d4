"""Hostile input: one line and exit 2, never a traceback, a hang or a raw escape (issue 14)."""

import argparse
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from pipsim.cli import common
from pipsim.cli.viz import _check_address
from pipsim.sweep import files
from tests.cli.test_sweeps import assert_one_line_error, run, sweep

SCENARIOS = Path(__file__).parent.parent / "data" / "scenarios"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("sample_string.toml", "sample.n_enterprises.low = 'a': must be a number"),
        ("sample_nan.toml", "sample.initial_trust.low = nan: must be a finite number"),
        ("sample_inf.toml", "sample.n_enterprises.high = inf: must be a finite number"),
        ("sensitivity_nan.toml", "initial_trust.high = nan: must be a finite number"),
        ("sensitivity_inf.toml", "n_enterprises.high = inf: must be a finite number"),
        ("sensitivity_string.toml", "initial_trust.low = '0.1': must be a number"),
        ("huge_sample.toml", "1,000,000,000 design points, more than the 100,000"),
        ("huge_axes.toml", "25,600,000,000 design points"),
        ("sobol_huge.toml", "4,294,967,296 design points"),
        ("duplicate_values.toml", "must not repeat a value (1 and 1.0 are the same)"),
        ("two_sections.toml", "targets.participants: is also set in [model]"),
        ("not_utf8.toml", "cannot be read"),
    ],
)
def test_a_hostile_scenario_is_one_line(capsys, name, fragment):
    started = time.monotonic()
    status, _, err = run(capsys, "check", SCENARIOS / name)
    assert status == 2
    assert_one_line_error(err, fragment)
    assert time.monotonic() - started < 10  # refused before anything is built


def test_a_device_or_a_named_pipe_is_not_a_scenario(capsys, tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo, tmp_path):
        status, _, err = run(capsys, "check", path)
        assert status == 2
        assert_one_line_error(err, "give a .toml file")


def test_replications_beyond_the_maximum_need_force(capsys, tmp_path):
    status, _, err = sweep(capsys, SCENARIOS / "replications_huge.toml", tmp_path / "out")
    assert status == 2
    assert_one_line_error(err, "1,000,000,000 replications is more than 10,000: pass --force")
    assert not (tmp_path / "out").exists()


def test_workers_are_capped_at_the_runs_and_warned_above_the_cores(capsys):
    args = argparse.Namespace(workers=1000, dask=None, force=False)
    assert common.workers(args, 24) == 24 and common.workers(args) == 1000
    scenario = common.load(SCENARIOS / "ok.toml")
    common.check_limits(scenario, 2, args)
    err = capsys.readouterr().err
    assert f"more than this machine's {os.cpu_count()} cores; 2 worker processes" in err


def test_control_characters_never_reach_the_terminal(capsys, tmp_path):
    status, out, _ = run(capsys, "check", SCENARIOS / "escapes.toml")
    assert status == 0 and "red and 31m" in out
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in out)
    status, out, _ = sweep(capsys, SCENARIOS / "escapes.toml", tmp_path / "out")
    assert status == 0 and "hostile: [2J[31mred and 31m" in out and "\x1b" not in out


def test_the_report_escapes_the_manifest_and_reads_any_scenario_copy(capsys, tmp_path):
    import json

    out = tmp_path / "out"
    assert sweep(capsys, SCENARIOS / "ok.toml", out)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["total_runs"] = "<script>alert(1)</script>"
    # written as pipsim writes (recorded): a report reads only the files pipsim recorded
    files.write_bytes(out, out / "manifest.json", json.dumps(manifest).encode())
    files.write_bytes(out, out / "scenario.toml", (SCENARIOS / "not_utf8.toml").read_bytes())
    files.write_bytes(out, out / "summary.csv", b'"unclosed\n')  # a damaged table
    status, _, err = run(capsys, "report", out)
    assert status == 0, err
    page = (out / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; runs" in page
    assert "caf\ufffd" in page and "summary.csv cannot be read" in page


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_viz_warns_when_it_listens_beyond_this_machine(capsys):
    _check_address("127.0.0.1", free_port())
    assert capsys.readouterr().err == ""
    _check_address("0.0.0.0", free_port())
    assert (
        "warning: pipsim viz listens on 0.0.0.0, not only this machine" in capsys.readouterr().err
    )


class Server:
    """A TCP port on 127.0.0.1 that accepts and then stays silent or greets like SSH."""

    def __init__(self, greeting: bytes | None):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.kept: list[socket.socket] = []
        self.greeting = greeting
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.kept.append(conn)
            if self.greeting:
                conn.sendall(self.greeting)

    def close(self):
        self.sock.close()
        for conn in self.kept:
            conn.close()


@pytest.mark.parametrize(
    ("greeting", "fragment"),
    [(None, "nothing answered within 1 s"), (b"SSH-2.0-OpenSSH_9.6\r\n", "not a Dask scheduler")],
)
def test_something_that_is_not_a_dask_scheduler_is_one_line(capsys, tmp_path, greeting, fragment):
    pytest.importorskip("dask.distributed")
    server = Server(greeting)
    try:
        started = time.monotonic()
        status, _, err = sweep(
            capsys,
            SCENARIOS / "ok.toml",
            tmp_path / "out",
            "--dask",
            f"tcp://127.0.0.1:{server.port}",
            "--dask-timeout",
            1,
        )
    finally:
        server.close()
    assert status == 2
    assert_one_line_error(err, "cannot connect to the Dask scheduler", fragment)
    assert time.monotonic() - started < 8


def test_a_refused_dask_port_is_one_line_and_quick(capsys, tmp_path):
    pytest.importorskip("dask.distributed")
    started = time.monotonic()
    address = f"tcp://127.0.0.1:{free_port()}"
    status, _, err = sweep(capsys, SCENARIOS / "ok.toml", tmp_path / "out", "--dask", address)
    assert status == 2
    assert_one_line_error(err, "cannot connect to the Dask scheduler")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "argv",
    [
        ["run-once", "--months", "12", "--project-months", "24"],
        ["run-once", "--seed", "1", "--initial-trust", "0.1", "--initial-trust", "0.2"],
        ["run", "x.toml", "--out", "a", "--out", "b"],
        ["run", "x.toml", "--workers", "1", "--workers", "2"],
    ],
)
def test_an_option_given_twice_is_refused(capsys, argv):
    status, _, err = run(capsys, *argv)
    assert status == 2 and "given twice" in err and err.count("\n") == 1
