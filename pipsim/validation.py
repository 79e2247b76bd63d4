"""Helpers for the validation experiments: run one, test one lesson, record the verdict.

Each folder under ``experiments/`` checks one lesson of the source document against the model.
The rules of issue 6 shape this module: parameters are fixed in the experiment's
``scenario.toml`` before it is run (never tuned on the test), the verdict rule is written in
the experiment's README before the results are seen, and a lesson that does not hold is
reported as such. So nothing here chooses a parameter or a threshold; it only runs, measures
and writes down.

The statistics are deliberately small and dependency-light (numpy and scipy, already needed
by pipsim): a logistic trend fitted by Newton's method (IRLS) with Wald intervals, and the
Mann–Whitney test with its effect sizes.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from pipsim.analysis.stats import wilson_interval
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import design
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

VERDICTS = ("holds", "partly", "does not hold")
REQUIRED = ("lesson", "test", "statistic", "effect_size", "p_value", "verdict", "summary")
FIGURE = "figure.png"  # each experiment's figure, beside its README (committed)


@dataclasses.dataclass(frozen=True)
class Experiment:
    """What an experiment's analysis gets besides its run table: where it lives and how it ran.

    Attributes:
        folder: the experiment's folder (``scenario.toml``, README).
        scenario: its scenario, with the replications actually run.
        workers: processes used for the sweep (an analysis that runs more models uses as many).
        out: where ``result.json`` and ``figure.png`` go (the folder itself unless ``--out``);
            the sweep's files are in ``out/runs`` (under ``folder/out`` by default, git-ignored).
    """

    folder: Path
    scenario: Scenario
    workers: int
    out: Path

    @property
    def runs_dir(self) -> Path:
        """The sweep's output directory (run table, monthly series, manifest)."""
        return self.out / "runs" if self.out != self.folder else self.folder / "out" / "runs"

    @property
    def replications(self) -> int:
        """Runs per design point."""
        return self.scenario.replications


Analysis = Callable[[pd.DataFrame, Experiment], "tuple[dict[str, Any], Figure]"]


def experiment_main(folder: Path, analyse: Analysis, argv: list[str] | None = None) -> dict:
    """The command line every ``experiments/*/run.py`` shares: run, analyse, record, draw.

    Parses ``--replications N`` (fewer runs for a quick look; with one run a block, seeds
    depend on point and replicate only, so a reduced run is the first replicates of the full
    one; with larger blocks it is another sample of the same design), ``--workers N``
    and ``--out DIR`` (write elsewhere than beside the README, as the test suite does). Runs the
    folder's scenario and hands the run table to ``analyse``, which applies the verdict rule
    the README fixed before the first run and returns the result and its figure; writes
    ``result.json`` and ``figure.png`` and prints the summary and verdict. `pipsim validate`
    runs every experiment this way.

    Args:
        folder: the experiment's folder.
        analyse: ``(runs, experiment) -> (result, figure)``; the result holds at least the keys
            of `write_result`.
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The result as written.
    """
    folder = Path(folder)
    parser = argparse.ArgumentParser(description=f"Validation experiment {folder.name}")
    parser.add_argument("--replications", type=int, help="runs per design point (default: file)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--out", type=Path, help="write result, figure and runs here, not beside the README"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = args.out or folder
    scenario = load_scenario(folder / "scenario.toml")
    if args.replications is not None:
        scenario = scenario.replace(replications=args.replications)
    experiment = Experiment(folder, scenario, args.workers, out)
    try:
        runs = run_experiment(
            folder, args.workers, args.replications, experiment.runs_dir, not args.no_progress
        )
    except KeyboardInterrupt:  # Ctrl-C: no traceback; the last result and figure stand
        print(f"{folder.name}: interrupted; result.json and figure.png unchanged", file=sys.stderr)
        raise SystemExit(130) from None
    result, figure = analyse(runs, experiment)
    result = {
        **result,
        "replications": experiment.replications,
        "runs": len(runs),
        "seconds": round(time.perf_counter() - start, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_result(out, result)
    figure.savefig(out / FIGURE, dpi=110)
    print(f"{folder.name}: {result['summary']}")
    print(f"verdict: {result['verdict']} ({result['seconds']:.0f} s)")
    return result


def run_experiment(
    folder: Path,
    workers: int | None = None,
    replications: int | None = None,
    out: Path | None = None,
    progress: bool = False,
    sweep: dict[str, list] | None = None,
) -> pd.DataFrame:
    """Run ``folder/scenario.toml`` and return its run table (one row per run).

    Results go to ``folder/out/runs`` (git-ignored) unless ``out`` is given. Each call starts
    afresh (``overwrite=True``): an experiment's result must come from the scenario as it is
    now, never from a stale directory written with other replications or parameters.

    Args:
        folder: the experiment's folder, holding ``scenario.toml``.
        workers: processes for the sweep (default: all cores).
        replications: runs per design point, replacing the file's value: fewer for quick
            checks and tests. With ``block_size = 1`` seeds depend on point and replicate only,
            so a reduced run is the first replicates of the full one; with larger blocks it is
            another sample of the same design.
        out: output directory of the sweep.
        progress: show a progress bar.
        sweep: values replacing some of the file's sweep axes (the reduced experiments of the
            test suite run two or three levels of the factor, not all).

    Returns:
        The run table of `pipsim.sweep.runner.run_sweep` (design values and outcomes per run).
    """
    folder = Path(folder)
    scenario = load_scenario(folder / "scenario.toml")
    if replications is not None:
        scenario = dataclasses.replace(scenario, replications=int(replications))
    if sweep:
        unknown = set(sweep) - set(scenario.sweep)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not sweep axes of {folder / 'scenario.toml'}")
        axes = {**scenario.sweep, **{k: tuple(v) for k, v in sweep.items()}}
        scenario = dataclasses.replace(scenario, sweep=axes)
    out = Path(out) if out is not None else folder / "out" / "runs"
    result = run_sweep(scenario, out, workers=workers, progress=progress, overwrite=True)
    return result.runs


def probe_runs(
    experiment: Experiment,
    probe: Callable[[design.Run], Any],
    select: Callable[[design.Run], bool] | None = None,
) -> list[Any]:
    """``probe`` applied to the experiment's runs (all, or those ``select`` keeps), in parallel.

    Some lessons need more than a run's outcomes — the trust among a pilot's partners the month
    it ends, the members of the first project. A probe rebuilds a run from its `design.Run`
    (same seed and parameters as in the sweep, so it is the same run) and steps it, reading
    what it needs. Results come back in run order.
    """
    scenario = experiment.scenario
    points = design.design_points(scenario)
    every = design.runs(scenario, points, 0, len(points) * scenario.replications)
    todo = [run for run in every if select is None or select(run)]
    with cf.ProcessPoolExecutor(experiment.workers) as pool:
        return list(pool.map(probe, todo, chunksize=8))


def success_by(
    runs: pd.DataFrame, factors: str | list[str], outcome: str = "success"
) -> pd.DataFrame:
    """P(outcome) per level of ``factors``: n, met, p and the Wilson 95% interval (lower, upper)."""
    table = runs.groupby(factors)[outcome].agg(n="count", met="sum").reset_index()
    table["p"] = table["met"] / table["n"]
    table["lower"], table["upper"] = wilson_interval(table["met"], table["n"])
    return table


def plot_success(ax: Any, table: pd.DataFrame, x: Any, **style: Any) -> None:
    """Draw a `success_by` table's P against ``x``, its Wilson interval as error bars.

    Every experiment reports probabilities this way, so they all read alike: blue circles
    labelled as the log frame's probability unless ``style`` says otherwise (any
    ``Axes.errorbar`` keyword: color, marker, label...).
    """
    p = table["p"]
    style = {"marker": "o", "capsize": 3, "color": OKABE_ITO["blue"]} | style
    style.setdefault("label", "P(log frame met), Wilson 95% interval")
    ax.errorbar(x, p, yerr=[p - table["lower"], table["upper"] - p], **style)


def logistic_trend(x: Any, y: Any, max_iter: int = 100) -> dict[str, float]:
    """Logistic regression of a binary outcome on one factor: slope, 95% CI, Wald p-value.

    Fitted by Newton's method (iteratively reweighted least squares) on ``logit P(y=1) = a +
    b x``. The slope ``b`` is the change in log-odds of success per unit of ``x``; its interval
    and p-value come from the Wald statistic ``b / se(b)``. With complete separation (all
    failures below some x, all successes above) the maximum-likelihood slope is infinite: the
    fit then stops diverging, and the result says ``separated=True`` with an infinite slope
    and p-value from a fallback (a Mann–Whitney test of x between
    successes and failures), so a perfect trend is never reported as "no evidence".

    Args:
        x: the factor, one value per run.
        y: success (0/1 or bool), one value per run.
        max_iter: Newton iterations at most.

    Returns:
        ``slope``, ``intercept``, ``se``, ``ci_low``, ``ci_high``, ``z``, ``p_value``, ``n``,
        ``separated``.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    if n != len(y) or n < 3:
        raise ValueError("logistic_trend needs x and y of equal length, at least 3 values")
    if y.min() == y.max():  # no variation in the outcome: no slope can be estimated
        return _trend(math.nan, math.nan, math.nan, math.nan, n, separated=False)
    X = np.column_stack([np.ones(n), x])
    beta = np.zeros(2)
    low, high = x[y == 0], x[y == 1]
    separated = bool(low.max() < high.min() or high.max() < low.min())  # complete separation
    for _ in range(0 if separated else max_iter):
        eta = np.clip(X @ beta, -30, 30)
        p = 1 / (1 + np.exp(-eta))
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        step = np.linalg.lstsq(info, X.T @ (y - p), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
        if np.max(np.abs(beta)) > 1e4:  # diverging: complete separation
            separated = True
            break
    eta = np.clip(X @ beta, -30, 30)
    p = 1 / (1 + np.exp(-eta))
    info = X.T @ (X * (p * (1 - p))[:, None])
    if separated or np.linalg.cond(info) > 1e12:
        ranks = mann_whitney(x[y == 1], x[y == 0])
        slope = math.copysign(math.inf, ranks["rank_biserial"])
        return _trend(slope, math.nan, math.nan, ranks["p_value"], n, separated=True)
    se = math.sqrt(np.linalg.inv(info)[1, 1])
    return _trend(float(beta[1]), float(beta[0]), se, None, n, separated=False)


def _trend(
    slope: float,
    intercept: float,
    se: float,
    p_value: float | None,
    n: int,
    separated: bool,
) -> dict[str, float]:
    """The result of `logistic_trend`, with the Wald interval and p-value when they exist."""
    z = slope / se if se and math.isfinite(se) and se > 0 else math.nan
    if p_value is None:
        p_value = float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan
    half = 1.959963984540054 * se if math.isfinite(se) else math.nan
    return {
        "slope": slope,
        "intercept": intercept,
        "se": se,
        "ci_low": slope - half if math.isfinite(half) else slope,
        "ci_high": slope + half if math.isfinite(half) else slope,
        "z": z,
        "p_value": p_value,
        "n": int(n),
        "separated": bool(separated),
    }


def mann_whitney(a: Any, b: Any) -> dict[str, Any]:
    """Two-sided Mann–Whitney U test of ``a`` against ``b``, with effect sizes and direction.

    The common-language effect size is P(a > b) + ½ P(a = b), estimated as U/(n_a n_b); the
    rank-biserial correlation is 2·CL − 1, in [−1, 1], positive when ``a`` tends to be larger.
    The direction is read from the effect size, not from the p-value, so a reader sees which
    way the samples differ even when the difference is not significant.

    Args:
        a: first sample.
        b: second sample.

    Returns:
        ``u``, ``p_value``, ``common_language``, ``rank_biserial``, ``direction`` ("a > b",
        "a < b" or "none"), ``n_a``, ``n_b``, ``median_a``, ``median_b``.
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("mann_whitney needs two non-empty samples")
    u, p = stats.mannwhitneyu(a, b, alternative="two-sided")
    cl = float(u) / (len(a) * len(b))
    rb = 2 * cl - 1
    direction = "a > b" if rb > 0 else "a < b" if rb < 0 else "none"
    return {
        "u": float(u),
        "p_value": float(p),
        "common_language": cl,
        "rank_biserial": rb,
        "direction": direction,
        "n_a": len(a),
        "n_b": len(b),
        "median_a": float(np.median(a)),
        "median_b": float(np.median(b)),
    }


def write_result(folder: Path, result: dict[str, Any]) -> Path:
    """Write ``folder/result.json``: the lesson, its test, the numbers and the verdict.

    The verdict must be one of "holds", "partly", "does not hold", decided by the rule the
    experiment's README stated before it was run; a result without one of them is refused,
    so an experiment cannot quietly record an unjudged outcome.

    Args:
        folder: the experiment's folder.
        result: at least ``lesson``, ``test``, ``statistic``, ``effect_size``, ``p_value``,
            ``verdict`` and ``summary`` (the numbers in one line of Markdown, for the table of
            ``docs/validation.md``); anything else JSON can hold is kept.

    Returns:
        The path written.
    """
    missing = [k for k in REQUIRED if k not in result]
    if missing:
        raise ValueError(f"result is missing {missing}")
    if result["verdict"] not in VERDICTS:
        raise ValueError(f"verdict {result['verdict']!r} is not one of {VERDICTS}")
    path = Path(folder) / "result.json"
    path.write_text(json.dumps(_plain(result), indent=2, allow_nan=True) + "\n")
    return path


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays made plain Python, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
