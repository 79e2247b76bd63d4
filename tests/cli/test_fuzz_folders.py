"""Damaged results folders and targets files never end in a traceback, a hang or a lost file.

Issue 24: a finished sweep's folder is damaged at random (files truncated, filled with
garbage, emptied, replaced by a link to a file outside, by a named pipe, or by a user's own
file; manifest values replaced by hostile ones) and handed to ``summarize``, ``report`` and
``run-once --from``: each must exit 0 or 2 within its alarm, change no file outside the folder
and keep the user's own file. Mutated targets files go to ``calibrate`` with a budget too
small to run: each is refused in one line, before anything runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipsim.cli import main
from tests.cli.test_fuzz_scenarios import HOSTILE, snapshot

SCENARIOS = Path(__file__).parent.parent / "data" / "scenarios"
TOY = (Path(__file__).parents[2] / "calibration" / "toy.toml").read_text()
NAMES = [
    "manifest.json",
    "scenario.toml",
    "summary.csv",
    "probabilities.csv",
    "files.jsonl",
    ".pipsim.lock",
    "report.html",
    "runs/chunk-000000.parquet",
    "runs/chunk-000001.parquet",
    "figures/success_vs_initial_trust.png",
    "figures/zz.png",
    "zz.csv",
    "runs",
    "figures",
]
KINDS = ["truncate", "garbage", "empty", "link", "pipe", "mine", "value"]
COMMANDS = [
    ["summarize", "{out}"],
    ["report", "{out}"],
    ["run-once", "--from", "{out}", "--run", "0"],
]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzz") / "out"
    argv = ["run", str(SCENARIOS / "ok.toml"), "--out", str(out), "--workers", "1"]
    assert main([*argv, "--no-progress"]) == 0
    return out


damages = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(KINDS), st.sampled_from(HOSTILE)),
    min_size=1,
    max_size=3,
)


def damage(out: Path, name: str, kind: str, value: str, secret: Path) -> None:
    path = out / name
    if kind == "value":
        manifest_path = out / "manifest.json"
        if manifest_path.is_symlink() or not manifest_path.is_file():
            return  # a link or a pipe put there by an earlier damage: reading it would hang
        with contextlib.suppress(OSError, ValueError, AttributeError):
            manifest = json.loads((out / "manifest.json").read_text())
            key = sorted(manifest)[len(value) % len(manifest)]
            manifest[key] = value
            (out / "manifest.json").write_text(json.dumps(manifest))
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # its folder was replaced by a file: nothing to put there
        return
    if kind == "link":
        path.symlink_to(secret)
    elif kind == "pipe":
        os.mkfifo(path)
    elif kind == "mine":
        path.write_text("the user's own")
    elif kind == "garbage":
        path.write_bytes(value.encode("utf-8", errors="surrogateescape") * 7)
    elif kind == "truncate":
        path.write_bytes(secret.read_bytes()[:5])
    else:
        path.write_bytes(b"")


def alarm(signum, frame):
    raise TimeoutError("a command hung (a named pipe followed?)")


def exercise_folder(finished: Path, damages: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        secret = home / "secret.txt"
        secret.write_text("another file's contents")
        out = home / "out"
        shutil.copytree(finished, out)
        (out / "my_notes.txt").write_text("precious")
        for name, kind, value in damages:
            damage(out, name, kind, value, secret)
        before = snapshot(home, out)
        before_alarm = signal.signal(signal.SIGALRM, alarm)
        try:
            for command in COMMANDS:
                signal.alarm(60)
                status = main([part.format(out=out) for part in command])
                signal.alarm(0)
                assert status in (0, 2), (command, status, damages)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, before_alarm)
        assert snapshot(home, out) == before, "a file outside the folder was changed"
        assert (out / "my_notes.txt").read_text() == "precious"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damages)
def test_a_damaged_folder_is_summarized_reported_and_remade_safely(finished, damages):
    exercise_folder(finished, damages)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damages)
def test_many_damaged_folders_are_summarized_reported_and_remade_safely(finished, damages):
    exercise_folder(finished, damages)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.integers(0, len(TOY)), st.sampled_from(HOSTILE), st.integers(0, 60))
def test_a_mutated_targets_file_is_refused_before_anything_runs(capsys, at, value, cut):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.toml"
        path.write_bytes((TOY[:at] + value + TOY[at + cut :]).encode("utf-8", "surrogateescape"))
        argv = ["calibrate", str(path), "--out", str(Path(folder) / "o"), "--budget", "1"]
        assert main([*argv, "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("pipsim: error: ") and err.count("\n") == 1, err
        assert not (Path(folder) / "o").exists()
