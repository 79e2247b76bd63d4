"""Wall time of ``pipsim --help``, ``pipsim COMMAND --help`` and ``pipsim check``: start-up.

Each command is started as a fresh process (``python -S -P -m pipsim ...``, the interpreter of
this script, this checkout's package first on its path) ``--repeats`` times after one warm-up
(the operating system's file cache), and the script prints the minimum and median wall time of
each against the target (issue 19: under 0.5 s). With ``--against COMMIT`` the same commands
of that commit's package (taken from git into a temporary folder, first on its path) are
timed in turn with this one's, A B A B, and printed side by side with the ratio of medians.

``pipsim check scenarios/staff_turnover.toml`` (a factorial scenario: validated without
pandas, numba or Mesa) is timed the same way.

It also times, once per process, what a worker pays before its first run: ``import
pipsim.model`` (Mesa, numba, the rules) and the first month of a model (loading the compiled
rules from numba's cache; the first use on a fresh machine compiles them instead); then what a
sweep pays: from making its pool of two workers (``runner.open_engine(2)``) until each has run
a first month (the pool's forkserver loads all that once, `pipsim.sweep.preload`).

Usage: ``.venv/bin/python benchmarks/bench_startup.py [--repeats 20] [--against 2a26365]``.
See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TARGET_S = 0.5
ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "scenarios" / "staff_turnover.toml")
COMMANDS = (
    ("--help",),
    ("run-once", "--help"),
    ("run", "--help"),
    ("check", "--help"),
    ("check", SCENARIO),
)
FIRST_RUN = """
import time
started = time.perf_counter()
from pipsim.model import PIPModel
imported = time.perf_counter()
model = PIPModel(rng=1)
model.step()
stepped = time.perf_counter()
print(imported - started, stepped - imported)
"""
POOL_START = """
import time

from pipsim.sweep.runner import open_engine


def first_month(started):
    from pipsim.model import PIPModel

    PIPModel(rng=1).step()
    return time.time() - started


if __name__ == "__main__":
    engine = open_engine(2)
    started = time.time()
    futures = [engine.executor.submit(first_month, started) for _ in range(2)]
    print(*(f.result() for f in futures))
    engine.close()
"""


def wall(argv: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from starting ``python -S -P -m pipsim ARGV`` to its exit."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-S", "-P", "-m", "pipsim", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def environment(source: Path) -> dict[str, str]:
    """This environment, with ``source``'s package first on the path, then the libraries.

    The commands run with ``python -S -P``: no ``site`` (an editable install's import hook
    would otherwise find this checkout's package whatever ``PYTHONPATH`` says) and not the
    current folder first.
    """
    libraries = sysconfig.get_paths()["purelib"]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), libraries])}


def checkout(commit: str, into: Path) -> Path:
    """The ``pipsim`` package of ``commit``, extracted from git into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "pipsim"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def first_run(repeats: int) -> tuple[list[float], list[float]]:
    """(``import pipsim.model`` seconds, first month seconds), one process each time."""
    imports, months = [], []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_RUN], capture_output=True, text=True, check=True
        )
        imported, month = map(float, done.stdout.split())
        imports.append(imported)
        months.append(month)
    return imports, months


def pool_start(repeats: int, folder: Path) -> list[float]:
    """Seconds from making a two-worker pool to each worker's first month, per worker."""
    script = folder / "pool_start.py"  # a file: the forkserver's workers import its functions
    script.write_text(POOL_START)
    seconds: list[float] = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=True
        )
        seconds += map(float, done.stdout.split())
    return seconds


def row(label: str, times: list[float]) -> str:
    """``label  min  median`` in seconds."""
    return f"{label:<44} {min(times):8.3f} {statistics.median(times):8.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Time the commands (and, with ``--against``, the other commit's) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed starts per command")
    parser.add_argument("--against", metavar="COMMIT", help="time this commit's too, in turn")
    parser.add_argument("--first-runs", type=int, default=5, help="processes for the first run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        other = checkout(args.against, Path(temporary)) if args.against else None
        mine = environment(ROOT)
        theirs = environment(other) if other is not None else mine
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; seconds of wall time")
        head = f"{'command':<44} {'min':>8} {'median':>8}"
        if other is not None:
            head += f"   {args.against + ' min':>14} {'median':>8} {'ratio':>7}"
        print(head)
        for command in COMMANDS:
            here: list[float] = []
            there: list[float] = []
            wall(command, mine)  # warm-up: the file cache
            if other is not None:
                wall(command, theirs)
            for _ in range(args.repeats):  # in turn, so that both see the same machine
                here.append(wall(command, mine))
                if other is not None:
                    there.append(wall(command, theirs))
            line = row("pipsim " + " ".join(command).replace(str(ROOT) + "/", ""), here)
            if there:
                ratio = statistics.median(here) / statistics.median(there)
                line += f"   {min(there):14.3f} {statistics.median(there):8.3f} {ratio:7.3f}"
            verdict = "meets" if statistics.median(here) < TARGET_S else "misses"
            print(f"{line}   ({verdict} < {TARGET_S} s)")
    imports, months = first_run(args.first_runs)
    print(f"\na worker's first run ({args.first_runs} processes, numba's cache warm):")
    print(row("import pipsim.model", imports))
    print(row("first month (cache load)", months))
    with tempfile.TemporaryDirectory() as temporary:
        pools = pool_start(args.first_runs, Path(temporary))
    print(f"a sweep's pool of 2 workers ({args.first_runs} pools), until each ran a month:")
    print(row("pool made to first month", pools))
    return 0


if __name__ == "__main__":
    sys.exit(main())
