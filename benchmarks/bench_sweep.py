"""Sweep throughput: pipsim's runner against `mesa.batch_run` on the same model and runs.

Prints runs per second for a sweep of the reference scenario (scenarios/project_length.toml,
replications scaled to about --runs runs) with 1 and 2 workers, side by side with
`mesa.batch_run` at the same worker counts, and the runner's own overhead: the sweep's wall
time minus the summed model time, divided by the summed model time (one worker; with two,
the wall time is shared, so overhead is reported against model time / workers).

    .venv/bin/python benchmarks/bench_sweep.py            # 2,000 runs (several minutes)
    .venv/bin/python benchmarks/bench_sweep.py --runs 400 # a quicker look

Targets: faster than mesa.batch_run at equal workers; runner overhead under 5% of model time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import mesa

from pipsim import PIPModel
from pipsim.sweep.design import design_points, runs
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import load_scenario

SCENARIO = Path(__file__).parent.parent / "scenarios" / "project_length.toml"


def pipsim_sweep(scenario, workers: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as out:
        result = run_sweep(scenario, out, workers=workers, progress=False)
    return result.wall_seconds, result.model_seconds, len(result.runs)


def batch_run_sweep(scenario, workers: int) -> tuple[float, int]:
    """The same runs through mesa.batch_run: same parameters, same seeds."""
    points = design_points(scenario)
    total = len(points) * scenario.replications
    start = time.perf_counter()
    rows = 0
    for point in range(len(points)):
        batch = list(
            runs(
                scenario, points, point * scenario.replications, (point + 1) * scenario.replications
            )
        )
        out = mesa.batch_run(
            PIPModel,
            parameters=batch[0].overrides,
            rng=[r.seed for r in batch],
            number_processes=workers,
            max_steps=10_000,
            display_progress=False,
        )
        rows += len(out)
    assert rows == total
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="approximate runs per sweep")
    args = parser.parse_args()
    base = load_scenario(SCENARIO)
    n_points = len(design_points(base))
    scenario = base.replace(replications=max(1, args.runs // n_points))
    total = n_points * scenario.replications
    print(
        f"reference scenario {SCENARIO.name}: {n_points} points x "
        f"{scenario.replications} replications = {total} runs"
    )
    print(f"{'engine':<28}{'workers':>8}{'seconds':>10}{'runs/s':>10}")
    for workers in (1, 2):
        wall, model, n = pipsim_sweep(scenario, workers)
        overhead = (wall - model / workers) / (model / workers)
        print(
            f"{'pipsim run_sweep':<28}{workers:>8}{wall:>10.1f}{n / wall:>10.1f}"
            f"   runner overhead {100 * overhead:.1f}% of model time"
        )
        wall_b, n_b = batch_run_sweep(scenario, workers)
        print(
            f"{'mesa.batch_run':<28}{workers:>8}{wall_b:>10.1f}{n_b / wall_b:>10.1f}"
            f"   pipsim is {wall_b / wall:.2f}x as fast"
        )
    print("targets: faster than mesa.batch_run at equal workers; overhead < 5% of model time")


if __name__ == "__main__":
    main()
