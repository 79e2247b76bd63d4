"""Morris screening: which candidate parameters do the calibration targets respond to?

The path of ``pipsim sensitivity`` (`pipsim.analysis.sensitivity.sample_evaluate_analyse`:
SALib's Morris trajectories, evaluate, analyse), with the targets' statistics as the outputs,
each divided by its target's scale. Targets weigh alike: a parameter's importance for a
target is its mu* (the mean absolute elementary effect) as a share of the largest mu* any
parameter has on that target, and its importance is the mean of these shares over the
targets that vary at all (a target constant at every point, such as a probability that is 0
everywhere, says nothing about any parameter). The ``keep`` most important go on to the
ABC-SMC. Held-out targets take no part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from pipsim.analysis.sensitivity import sample_evaluate_analyse
from pipsim.calibration.statistics import scale, simulate
from pipsim.calibration.targets import Calibration

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]
LEVELS = 4


def problem(calibration: Calibration) -> dict[str, Any]:
    """SALib's problem over the candidate parameters' prior ranges."""
    names = [p.name for p in calibration.priors]
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[p.low, p.high] for p in calibration.priors],
    }


def runs(calibration: Calibration) -> int:
    """Model runs the screening takes."""
    points = calibration.trajectories * (len(calibration.priors) + 1)
    per_point = len(calibration.scenarios_of(calibration.fitted))
    return points * per_point * calibration.screening_replications


def _point(calibration: Calibration, row: np.ndarray) -> list[float]:
    theta = dict(zip((p.name for p in calibration.priors), map(float, row), strict=True))
    stats = simulate(calibration, theta, calibration.fitted, calibration.screening_replications)
    return [stats[t.name] / scale(t) for t in calibration.fitted]


def screen(
    calibration: Calibration, mapper: Mapper = map, progress: Callable[[int], None] | None = None
) -> pd.DataFrame:
    """Morris indices of every (target, parameter), and each parameter's importance and rank.

    Returns a tidy table: ``target``, ``parameter``, ``mu``, ``mu_star``, ``mu_star_conf``,
    ``sigma`` (in target-scale units), ``share`` (mu* / the target's largest mu*), plus
    ``importance`` (mean share over the targets), ``rank`` (1 = most important) and ``kept``.
    """
    names = [t.name for t in calibration.fitted]

    def evaluate(x: np.ndarray) -> np.ndarray:
        rows = []
        for values in mapper(partial(_point, calibration), list(x)):
            rows.append(values)
            if progress is not None:
                progress(1)
        return np.asarray(rows, dtype=float)

    found = sample_evaluate_analyse(
        problem(calibration),
        "morris",
        evaluate,
        calibration.trajectories,
        calibration.seed,
        outcomes=names,
        levels=LEVELS,
    )
    table = pd.concat(found.values(), ignore_index=True).rename(columns={"outcome": "target"})
    largest = table.groupby("target")["mu_star"].transform("max")
    table["share"] = table["mu_star"] / largest.where(largest > 0)
    importance = table.groupby("parameter")["share"].mean().fillna(0.0)
    order = importance.sort_values(ascending=False, kind="stable")
    rank = {name: k + 1 for k, name in enumerate(order.index)}
    table["importance"] = table["parameter"].map(importance)
    table["rank"] = table["parameter"].map(rank)
    table["kept"] = table["rank"] <= calibration.keep
    return table.sort_values(["rank", "target"], ignore_index=True)


def kept(table: pd.DataFrame) -> list[str]:
    """The parameters the screening keeps, most important first."""
    chosen = table.loc[table["kept"], ["parameter", "rank"]].drop_duplicates()
    return list(chosen.sort_values("rank")["parameter"])


def ranking(table: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: importance, rank, kept; most important first."""
    cols = ["parameter", "importance", "rank", "kept"]
    return table[cols].drop_duplicates("parameter").sort_values("rank", ignore_index=True)
