"""Wall time of one complete PIP model run, and of building the model alone, by group size.

One run is the cluster preset with ``n_enterprises`` overridden (and ``initial_participants =
min(20, n)``): 36 project months plus the default 24-month horizon, ``time_series=False``.
Each size is run twice to warm up, then ``--repeats`` times with a different seed each time;
the script prints the median and minimum wall time and the runs per second (1 / median).

Usage: ``.venv/bin/python benchmarks/bench_model.py [--repeats 30] [--sizes 20 60 200]``;
``taskset -c 0`` in front pins it to one core. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

from pipsim import Parameters, PIPModel

SIZES = (20, 60, 200)
WARM_UPS = 2
TARGET_SIZE, TARGET_MS = 60, 10.0


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
        while model.running:
            model.step()
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


def row(label: str, seconds: Sequence[float]) -> str:
    """One line of the table: median and minimum in ms, runs per second."""
    median = statistics.median(seconds)
    return f"{label:<26}{1000 * median:>10.2f}{1000 * min(seconds):>10.2f}{1 / median:>12.1f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per size (≥ 1)")
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="n_enterprises")
    parser.add_argument(
        "--block", type=int, default=50, help="also time runs in blocks of this many (0: no)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    print(
        f"pipsim model benchmark: Python {platform.python_version()}, numpy "
        f"{np.__version__}, {platform.machine()}; {args.repeats} timed runs per row after "
        f"{WARM_UPS} warm-ups"
    )
    print("one run = 36 project months + 24-month horizon, time_series=False\n")
    print(f"{'':<26}{'median ms':>10}{'min ms':>10}{'runs/s':>12}")
    medians = {}
    for n in args.sizes:
        parameters = parameters_for(n)
        run = timings(complete_run, parameters, args.repeats)
        medians[n] = statistics.median(run)
        print(row(f"run, {n} enterprises", run))
        print(row("  construction alone", timings(construction, parameters, args.repeats)))
        if args.block > 1:
            repeats = max(1, args.repeats // 10)
            per_run = [s / args.block for s in timings(block_of(args.block), parameters, repeats)]
            print(row(f"  per run, blocks of {args.block}", per_run))
    print(f"\ntarget: {TARGET_SIZE} enterprises < {TARGET_MS:g} ms a run on one core", end="")
    if TARGET_SIZE in medians:
        met = 1000 * medians[TARGET_SIZE] < TARGET_MS
        print(f" -> {1000 * medians[TARGET_SIZE]:.2f} ms, {'met' if met else 'NOT met'}")
    else:
        print()


if __name__ == "__main__":
    main()
