"""Sweep throughput: pipsim's block runner against mesa.batch_run and EMA Workbench.

What is measured (one script, one run, on the cores it is given):

1. **The comparison.** Runs per second of the reference scenario
   (scenarios/project_length.toml: 8 project lengths, replications scaled so that the sweep
   has about --runs runs) through three engines, at 1 and 2 workers, the same design points
   and replication counts for each:

   (a) ``mesa.batch_run`` over ``PIPModel``: one Mesa model per run, ``number_processes`` =
       workers (1 runs in this process); (a0) the same, over the ``PIPModel`` of the commit
       before the compiled core (`PRE_ISSUE`, taken from git and run in a process of its own);
   (b) EMA Workbench's ``MultiprocessingEvaluator`` over an EMA ``Model`` whose function
       builds and runs one ``PIPModel`` with the run's parameters and seed and returns a few
       outcomes (a pool of 1 or 2 processes);
   (c) ``pipsim run``, i.e. ``run_sweep(workers=N)`` into a temporary folder: blocks of
       the scenario's ``block_size`` replications advanced as one array pass, written as
       Parquet and read back (1 worker runs in this process).

   (a) and (b) run the model with ``event_log=False``, as the blocks do. The seeds differ
   (a Mesa user's ``range(replications)`` for (a) and (b); each block's own seed for (c)),
   the parameters and counts do not. Each time is the wall time of the whole call (pool
   start-up included) until every run's outcomes are in a table. The table prints runs/s
   and the ratios (c)/(a) and (c)/(b): how many times as many runs a second pipsim makes.

2. **The big sweep** (--big N, default 10^5; 0 skips it): N runs of the reference scenario
   through ``run_sweep(workers=2, load=False)`` (the table stays on disk), in a fresh Python
   process so that its peak memory is its own. Prints the wall time, runs/s and the peak
   memory: the driver's exact peak resident set (``getrusage(RUSAGE_SELF)``) and the peak of
   the summed resident sets of the driver and every process under it (forkserver and pool
   workers), sampled every 50 ms with psutil. (``getrusage(RUSAGE_CHILDREN)`` cannot be used
   for the workers: they are children of the forkserver, which is not reaped while the sweep's
   process lives, so it does not report them.) Summed resident sets count pages the workers
   share with the forkserver once per process: an upper bound of the memory in use.

Targets: (c) at least 20x (a) at 2 workers (issue 12); at least 1,500 runs/s on 2 cores, i.e.
10^5 runs in about a minute (issue 19). Each is printed as met / NOT met; a 10^5 figure taken
from a smaller sweep is marked as extrapolated.

    .venv/bin/python benchmarks/bench_sweep.py                       # the full figures
    .venv/bin/python benchmarks/bench_sweep.py --runs 200 --big 2000 # a quick look
    .venv/bin/python benchmarks/bench_sweep.py --workers 1 2 4       # other worker counts

EMA Workbench is optional (``pip install -e '.[bench]'``); without it (b) is skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa

from pipsim import PIPModel
from pipsim.sweep.design import Scenario, design_points
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "project_length.toml"
EMA_OUTCOMES = ("success", "participants", "mean_trust")
TARGET_RATIO = 20.0  # (c) / (a) at 2 workers
TARGET_RUNS, TARGET_SECONDS = 100_000, 60.0  # 10^5 runs in under a minute
TARGET_RATE = 1500.0  # runs/s on 2 cores (issue 19)
PRE_ISSUE = "19292cd"  # main before the compiled core (issue 19)
MIB = 1024 * 1024
# EMA says so on every import (in the main process and in each pool worker it starts)
warnings.filterwarnings("ignore", message="ipyparallel not installed")


@dataclass(frozen=True, slots=True)
class Timing:
    """One engine's sweep: how many runs it made and how long it took."""

    runs: int
    seconds: float

    @property
    def rate(self) -> float:
        """Runs per second."""
        return self.runs / self.seconds


def scaled(runs: int) -> Scenario:
    """The reference scenario with its replications scaled to about ``runs`` runs."""
    base = load_scenario(SCENARIO)
    return base.replace(replications=max(1, runs // len(design_points(base))))


def total_runs(scenario: Scenario) -> int:
    return len(design_points(scenario)) * scenario.replications


# --- (a) mesa.batch_run ---------------------------------------------------------------------
def mesa_batch_run(scenario: Scenario, workers: int) -> Timing:
    """The sweep as a Mesa user writes it: one batch_run over the axes, seeds 0..R-1."""
    parameters = {**scenario.base, **scenario.sweep, "event_log": False}
    parameters = {k: list(v) if isinstance(v, tuple) else v for k, v in parameters.items()}
    start = time.perf_counter()
    with start_method_kept():
        rows = mesa.batch_run(
            PIPModel,
            parameters=parameters,
            rng=range(scenario.replications),
            number_processes=workers,
            display_progress=False,
        )
    return checked(Timing(len(rows), time.perf_counter() - start), scenario)


@contextlib.contextmanager
def start_method_kept() -> Iterator[None]:
    """Undo batch_run's side effect on the pools made after it (EMA's).

    Mesa 3.5's batch_run sets multiprocessing's start method to "spawn" for the whole process
    (``set_start_method("spawn", force=True)``); a pool made later would start its workers
    that way instead of the platform's default.
    """
    before = mp.get_start_method(allow_none=True)
    try:
        yield
    finally:
        mp.set_start_method(before, force=True)


def old_batch_run(runs: int, workers: int) -> Timing:
    """(a) over the model of `PRE_ISSUE`: this script, run against its package from git."""
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "benchmarks"))
    from equivalence import old_tree

    tree = old_tree(root / "results" / "equivalence_old", PRE_ISSUE)
    command = [sys.executable, __file__, "--batch-run-child", str(runs), str(workers)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return Timing(**json.loads(done.stdout.strip().splitlines()[-1]))


# --- (b) EMA Workbench ----------------------------------------------------------------------
def ema_run(seed: int, **parameters: Any) -> dict[str, Any]:
    """EMA's model function: build and run one PIPModel, return a few outcomes."""
    model = PIPModel(rng=seed, **parameters)
    while model.running:
        model.step()
    outcomes = model.outcomes()
    return {name: float(outcomes[name]) for name in EMA_OUTCOMES}


def ema_available() -> bool:
    try:
        import ema_workbench  # noqa: F401
    except ImportError:
        return False
    return True


def ema_evaluator(scenario: Scenario, workers: int) -> Timing:
    """The same runs through MultiprocessingEvaluator: one EMA experiment per run."""
    from ema_workbench import (
        CategoricalParameter,
        Constant,
        IntegerParameter,
        Model,
        MultiprocessingEvaluator,
        Sample,
        ScalarOutcome,
    )

    model = Model("pipsim", function=ema_run)
    model.uncertainties = [
        *(CategoricalParameter(name, list(values)) for name, values in scenario.sweep.items()),
        IntegerParameter("seed", 0, max(1, scenario.replications - 1)),
    ]
    fixed = {**scenario.base, "event_log": False}
    model.constants = [Constant(name, value) for name, value in fixed.items()]
    model.outcomes = [ScalarOutcome(name) for name in EMA_OUTCOMES]
    experiments = [
        Sample(**point, seed=seed)
        for point in design_points(scenario)
        for seed in range(scenario.replications)
    ]
    start = time.perf_counter()
    with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
        table, _ = evaluator.perform_experiments(scenarios=experiments, log_progress=True)
    return checked(Timing(len(table), time.perf_counter() - start), scenario)


# --- (c) pipsim run ---------------------------------------------------------------------------
def pipsim_run(scenario: Scenario, workers: int) -> Timing:
    """The sweep through pipsim's runner, into a temporary folder, its table read back."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_sweep(scenario, out, workers=workers, progress=False)
        return checked(Timing(len(result.runs), time.perf_counter() - start), scenario)


def checked(timing: Timing, scenario: Scenario) -> Timing:
    """``timing``, after checking that the engine made every run of the scenario."""
    if timing.runs != total_runs(scenario):
        raise RuntimeError(f"{timing.runs} rows for {total_runs(scenario)} runs")
    return timing


# --- the big sweep, in a process of its own ----------------------------------------------------
def big_sweep(n: int) -> dict[str, float]:
    """Run the n-run sweep at 2 workers in this process: wall time and peak memory (MiB)."""
    scenario = scaled(n)
    peak = TreePeak()
    with tempfile.TemporaryDirectory() as out:
        peak.start()
        start = time.perf_counter()
        run_sweep(scenario, out, workers=2, progress=False, load=False)
        seconds = time.perf_counter() - start
        peak.stop()
    return {
        "runs": total_runs(scenario),
        "seconds": seconds,
        "driver_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB,
        "tree_mib": peak.bytes / MIB if peak.bytes else float("nan"),
    }


class TreePeak(threading.Thread):
    """Samples the summed RSS of this process and all under it every 50 ms; keeps the peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="tree-peak")
        self.bytes = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until `stop` (psutil missing: nothing is measured, ``bytes`` stays 0)."""
        try:
            import psutil
        except ImportError:
            return
        me = psutil.Process()
        while not self.done.wait(0.05):
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass  # a process that just left
            self.bytes = max(self.bytes, total)

    def stop(self) -> None:
        """Stop sampling; ``bytes`` is then the peak seen."""
        self.done.set()
        self.join()


def measure_big(n: int) -> dict[str, float]:
    """`big_sweep` in a fresh Python process, so that its peaks are its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--big-child", str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- printing ------------------------------------------------------------------------------------
def compare(scenario: Scenario, workers: list[int], with_ema: bool) -> dict[int, dict[str, Timing]]:
    """Time (a), (b) and (c) at each worker count; print one row per count."""
    print(HEADER)
    timings: dict[int, dict[str, Timing]] = {}
    for w in workers:
        t = {"a": mesa_batch_run(scenario, w), "c": pipsim_run(scenario, w)}
        t["a0"] = old_batch_run(total_runs(scenario), w)
        if with_ema:
            t["b"] = ema_evaluator(scenario, w)
        timings[w] = t
        print(row(w, t))
    return timings


HEADER = (
    f"{'workers':>7}{'(a0) before':>13}{'(a) batch_run':>15}{'(b) EMA':>10}{'(c) pipsim':>12}"
    f"{'(c)/(a0)':>10}{'(c)/(a)':>10}{'(c)/(b)':>10}   (runs/s of each engine, their ratios)"
)


def row(workers: int, t: dict[str, Timing]) -> str:
    """One line of the comparison: runs/s of (a), (b), (c), then (c)/(a) and (c)/(b)."""
    ema = f"{t['b'].rate:>10.1f}" if "b" in t else f"{'-':>10}"
    vs_ema = f"{t['c'].rate / t['b'].rate:>9.1f}x" if "b" in t else f"{'-':>10}"
    vs_mesa = f"{t['c'].rate / t['a'].rate:>9.1f}x"
    vs_before = f"{t['c'].rate / t['a0'].rate:>9.1f}x"
    start = f"{workers:>7}{t['a0'].rate:>13.1f}{t['a'].rate:>15.1f}{ema}{t['c'].rate:>12.1f}"
    return f"{start}{vs_before}{vs_mesa}{vs_ema}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_targets(timings: dict[int, dict[str, Timing]], big: dict[str, float] | None) -> None:
    """Print the two targets of issue 12 and whether they are met."""
    print("\ntargets (issues 12 and 19):")
    if 2 in timings:
        ratio = timings[2]["c"].rate / timings[2]["a"].rate
        met = verdict(ratio >= TARGET_RATIO)
        print(f"  (c) >= {TARGET_RATIO:.0f}x (a) at 2 workers: {ratio:.1f}x  {met}")
    else:
        print(f"  (c) >= {TARGET_RATIO:.0f}x (a) at 2 workers: not measured (no 2-worker row)")
    if big is not None:
        rate, source = big["runs"] / big["seconds"], f"the {big['runs']:,}-run sweep"
    elif 2 in timings:
        rate, source = timings[2]["c"].rate, "(c) at 2 workers above"
    else:
        print("  10^5 runs in under a minute: not measured")
        return
    met = verdict(rate >= TARGET_RATE)
    print(f"  >= {TARGET_RATE:,.0f} runs/s on 2 cores: {rate:,.0f} runs/s  {met}")
    seconds = TARGET_RUNS / rate
    how = "" if big is not None and big["runs"] == TARGET_RUNS else f" (extrapolated from {source})"
    print(
        f"  10^5 runs in under a minute: {seconds:.0f} s{how}  {verdict(seconds < TARGET_SECONDS)}"
    )


def print_big(big: dict[str, float]) -> None:
    tree = big["tree_mib"]
    tree_text = f"{tree:.0f} MiB" if tree == tree else "not measured (psutil not installed)"
    print(
        f"\nbig sweep: {big['runs']:,} runs at 2 workers in {big['seconds']:.1f} s = "
        f"{big['runs'] / big['seconds']:.0f} runs/s\n"
        f"  peak memory: driver {big['driver_mib']:.0f} MiB (exact); "
        f"driver + forkserver + workers {tree_text} (sampled, summed RSS)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="about this many runs per sweep")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts")
    parser.add_argument("--big", type=int, default=TARGET_RUNS, help="runs of the big sweep")
    parser.add_argument("--big-child", type=int, help=argparse.SUPPRESS)  # measure_big's process
    parser.add_argument("--batch-run-child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.big_child is not None:
        print(json.dumps(big_sweep(args.big_child)))
        return
    if args.batch_run_child is not None:  # old_batch_run's process: the model of PRE_ISSUE
        runs, workers = args.batch_run_child
        timing = mesa_batch_run(scaled(runs), workers)
        print(json.dumps({"runs": timing.runs, "seconds": timing.seconds}))
        return
    scenario = scaled(args.runs)
    points = len(design_points(scenario))
    print(
        f"reference scenario {SCENARIO.name}: {points} points x {scenario.replications} "
        f"replications = {total_runs(scenario)} runs "
        f"(pipsim: blocks of {min(scenario.block_size, scenario.replications)})"
    )
    with_ema = ema_available()
    if not with_ema:
        print("EMA Workbench not installed (pip install -e '.[bench]'): skipped")
    timings = compare(scenario, args.workers, with_ema)
    big = None
    if args.big > 0:
        big = measure_big(args.big)
        print_big(big)
    report_targets(timings, big)


if __name__ == "__main__":
    main()
