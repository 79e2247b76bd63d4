"""Wall time of one complete PIP model run, and of building the model alone, by group size.

One run is the cluster preset with ``n_enterprises`` overridden (and ``initial_participants =
min(20, n)``): 36 project months plus the default 24-month horizon, ``time_series=False``.
Each size is run twice to warm up, then ``--repeats`` times with a different seed each time;
the script prints the median and minimum wall time and the runs per second (1 / median).

With ``--against COMMIT`` (default: the commit before the compiled core, `PRE_ISSUE`), the same
figures of that commit's model are measured right after, in a process that imports its package
(taken from git), and printed side by side with the ratio of medians.

Usage: ``.venv/bin/python benchmarks/bench_model.py [--repeats 30] [--sizes 20 60 200]``;
``taskset -c 0`` in front pins it to one core. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from pipsim import Parameters, PIPModel

SIZES = (20, 60, 200)
WARM_UPS = 2
TARGET_SIZE, TARGET_MS = 60, 10.0
PRE_ISSUE = "19292cd"  # main before the compiled core (issue 19)


def parameters_for(n: int) -> Parameters:
    """The cluster preset with ``n`` enterprises, ``min(20, n)`` of them at launch.

    The months are pinned (36 + 24) so that figures stay comparable while defaults are tuned.
    """
    lead_firms = Parameters.for_typology("cluster").n_lead_firms
    return Parameters.for_typology(
        "cluster",
        n_enterprises=n,
        initial_participants=min(20, n),
        n_lead_firms=min(lead_firms, n),
        project_months=36,
        post_project_months=24,
    )


def complete_run(parameters: Parameters, seed: int) -> None:
    """Build the model and run it to the end of the horizon."""
    model = PIPModel(parameters, rng=seed, time_series=False)
    model.run_model()


def block_of(replications: int) -> Callable[[Parameters, int], None]:
    """A task running a block of ``replications`` runs (as sweeps run them) to the horizon."""

    def block(parameters: Parameters, seed: int) -> None:
        model = PIPModel(parameters, rng=seed, replications=replications, event_log=False)
        model.run_model()
        model.all_outcomes()

    return block


def construction(parameters: Parameters, seed: int) -> None:
    """Build the model only."""
    PIPModel(parameters, rng=seed, time_series=False)


def timings(
    task: Callable[[Parameters, int], None], parameters: Parameters, repeats: int
) -> list[float]:
    """Seconds of ``repeats`` calls of ``task``, after the warm-ups, each with its own seed."""
    for seed in range(WARM_UPS):
        task(parameters, 10_000 + seed)
    seconds = []
    for seed in range(repeats):
        start = time.perf_counter()
        task(parameters, seed)
        seconds.append(time.perf_counter() - start)
    return seconds


def measure(sizes: Sequence[int], repeats: int, block: int) -> dict[str, list[float]]:
    """Seconds of every timed call, by row label (run, construction, per run in blocks)."""
    rows: dict[str, list[float]] = {}
    for n in sizes:
        parameters = parameters_for(n)
        rows[f"run, {n} enterprises"] = timings(complete_run, parameters, repeats)
        rows[f"  construction alone [{n}]"] = timings(construction, parameters, repeats)
        if block > 1:
            seconds = timings(block_of(block), parameters, max(1, repeats // 10))
            rows[f"  per run, blocks of {block} [{n}]"] = [t / block for t in seconds]
    return rows


def measured_at(commit: str, argv: Sequence[str]) -> dict[str, list[float]]:
    """The figures of ``commit``'s model: this script, run against its package from git."""
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "benchmarks"))
    from equivalence import old_tree

    tree = old_tree(root / "results" / "equivalence_old", commit)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, *argv, "--against", "", "--json"]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def row(label: str, seconds: Sequence[float]) -> str:
    """One line of the table: median and minimum in ms, runs per second."""
    median = statistics.median(seconds)
    return f"{label:<30}{1000 * median:>10.2f}{1000 * min(seconds):>10.2f}{1 / median:>10.1f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per size (≥ 1)")
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="n_enterprises")
    parser.add_argument(
        "--block", type=int, default=50, help="also time runs in blocks of this many (0: no)"
    )
    parser.add_argument(
        "--against", default=PRE_ISSUE, help="also measure this commit's model ('': no)"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    shared = ["--repeats", str(args.repeats), "--block", str(args.block), "--sizes"]
    shared += [str(n) for n in args.sizes]
    now = measure(args.sizes, args.repeats, args.block)
    if args.json:
        print(json.dumps(now))
        return
    before = measured_at(args.against, shared) if args.against else {}
    print(
        f"pipsim model benchmark: Python {platform.python_version()}, numpy "
        f"{np.__version__}, {platform.machine()}; {args.repeats} timed runs per row after "
        f"{WARM_UPS} warm-ups (compiled code from the cache)"
    )
    print("one run = 36 project months + 24-month horizon, time_series=False\n")
    head = f"{'':<30}{'median ms':>10}{'min ms':>10}{'runs/s':>10}"
    if before:
        head += f"   {args.against} median / min ms   ratio of medians"
    print(head)
    for label, seconds in now.items():
        line = row(label, seconds)
        if label in before:
            old = before[label]
            ratio = statistics.median(old) / statistics.median(seconds)
            line += (
                f"{1000 * statistics.median(old):>14.2f} /{1000 * min(old):>8.2f}{ratio:>14.1f}x"
            )
        print(line)
    key = f"run, {TARGET_SIZE} enterprises"
    print(f"\ntarget: {TARGET_SIZE} enterprises < {TARGET_MS:g} ms a run on one core", end="")
    if key in now:
        median = 1000 * statistics.median(now[key])
        print(f" -> {median:.2f} ms, {'met' if median < TARGET_MS else 'NOT met'}")
    else:
        print()


if __name__ == "__main__":
    main()
