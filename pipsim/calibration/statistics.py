"""Summary statistics of a parameter set and their distance to the targets' accepted ranges.

One parameter set (a particle) is simulated by `simulate`: every scenario the targets read is
run ``replications`` times with `pipsim.sweep.block.run_block` (the engine's unit of work),
from one seed derived from the root seed and the parameter values, so the same particle gives
the same statistics, and a target with a baseline compares two scenarios under the same seeds.
`statistic` reduces a scenario's runs to one number per target; `distance` is zero when every
statistic lies in its range and otherwise the root sum of squares of the scaled gaps.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipsim.calibration.targets import Calibration, Target
from pipsim.sweep.block import run_block

NAN_GAP = 1.0  # a statistic that cannot be computed counts as this far (scaled) from its range


def overrides(calibration: Calibration, theta: Mapping[str, float]) -> dict[str, Any]:
    """The parameter values of ``theta`` as `Parameters` fields (whole numbers rounded)."""
    out: dict[str, Any] = {}
    for prior in calibration.priors:
        if prior.name in theta:
            value = float(theta[prior.name])
            out[prior.name] = int(round(value)) if prior.integer else value
    return out


def particle_seed(root: int, theta: Mapping[str, float]) -> int:
    """The seed of a particle: a function of the root seed and the parameter values."""
    text = f"{root}|" + "|".join(f"{k}={float(theta[k])!r}" for k in sorted(theta))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) & (2**63 - 1)


def simulate(
    calibration: Calibration,
    theta: Mapping[str, float],
    targets: tuple[Target, ...],
    replications: int | None = None,
    seed: int | None = None,
) -> dict[str, float]:
    """Each target's statistic for parameter set ``theta`` (NaN if the set is invalid)."""
    runs = _runs(calibration, theta, targets, replications, seed)
    if runs is None:
        return {t.name: math.nan for t in targets}
    return {t.name: statistic(runs, t) for t in targets}


def simulate_with_variance(
    calibration: Calibration,
    theta: Mapping[str, float],
    targets: tuple[Target, ...],
    replications: int | None = None,
    seed: int | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Each target's statistic for ``theta`` and its sampling variance over the runs (bootstrap).

    The variance is what `pipsim.calibration.implausibility` adds to a reading's, so that the
    simulation's own noise is not taken for a misfit. NaN for both if the set is invalid.
    """
    from pipsim.calibration.implausibility import bootstrap_variance

    seed = particle_seed(calibration.seed, theta) if seed is None else seed
    runs = _runs(calibration, theta, targets, replications, seed)
    if runs is None:
        nan = {t.name: math.nan for t in targets}
        return nan, dict(nan)
    rng = np.random.default_rng(seed)
    values, variances = {}, {}
    for t in targets:
        values[t.name] = statistic(runs, t)
        column = _column(runs[t.scenario], t)
        base = _column(runs[t.baseline], t) if t.baseline is not None else None
        variances[t.name] = bootstrap_variance(
            column, t.statistic, rng, at_most=t.at_most, baseline=base
        )
    return values, variances


def _column(runs: pd.DataFrame, target: Target) -> np.ndarray:
    """The runs' values the target's statistic reads: (runs,), or (2, runs) for a ratio."""
    column = runs[target.outcome].astype(float).to_numpy()
    if target.statistic == "ratio":
        assert target.denominator is not None  # checked when the file was read
        return np.stack([column, runs[target.denominator].astype(float).to_numpy()])
    return column


def _runs(
    calibration: Calibration,
    theta: Mapping[str, float],
    targets: tuple[Target, ...],
    replications: int | None,
    seed: int | None,
) -> dict[str, pd.DataFrame] | None:
    """The runs of every scenario ``targets`` read, at ``theta`` (None: the model refuses it)."""
    reps = replications or calibration.replications
    seed = particle_seed(calibration.seed, theta) if seed is None else seed
    values = overrides(calibration, theta)
    runs: dict[str, pd.DataFrame] = {}
    try:
        for name in calibration.scenarios_of(targets):
            runs[name], _ = run_block({**calibration.scenarios[name], **values}, seed, reps)
    except ValueError:  # a parameter set the model refuses (e.g. gain x loss ratio >= 1)
        return None
    return runs


def statistic(runs: Mapping[str, pd.DataFrame], target: Target) -> float:
    """The target's statistic over its scenario's runs (minus its baseline's, if it has one)."""
    value = _one(runs[target.scenario], target)
    if target.baseline is not None:
        value -= _one(runs[target.baseline], target)
    return value


def _one(runs: pd.DataFrame, target: Target) -> float:
    column = runs[target.outcome].astype(float).to_numpy()
    if target.statistic == "probability":
        if target.at_most is not None:  # NaN (never happened) compares false: counts as no
            return float(np.mean(column <= target.at_most))
        return float(np.mean(column > 0.5))
    if target.statistic == "ratio":
        assert target.denominator is not None  # checked when the file was read
        below = float(np.nansum(runs[target.denominator].astype(float).to_numpy()))
        return float(np.nansum(column)) / below if below > 0 else math.nan
    finite = column[np.isfinite(column)]
    if finite.size == 0:
        return math.nan
    return float(np.mean(finite) if target.statistic == "mean" else np.median(finite))


def scale(target: Target) -> float:
    """What one unit of distance is for ``target``.

    Probabilities and ratios: 1 (their whole range). Otherwise the smallest non-zero bound of
    the range in absolute value: a median growth 0.1 short of a 0.2 target is half a unit, a
    count 15 short of 30 half a unit.
    """
    if target.statistic in ("probability", "ratio") and target.baseline is None:
        return 1.0
    bounds = [abs(b) for b in (target.low, target.high) if b != 0]
    return min(bounds) if bounds else 1.0


def gap(value: float, target: Target) -> float:
    """How far ``value`` lies outside the target's range, in units of `scale` (0 inside)."""
    if not math.isfinite(value):
        return NAN_GAP
    outside = max(target.low - value, value - target.high, 0.0)
    return outside / scale(target)


def distance(stats: Mapping[str, float], targets: tuple[Target, ...]) -> float:
    """Root sum of squared scaled gaps over ``targets``: 0 when every range is met."""
    return math.sqrt(sum(gap(float(stats[t.name]), t) ** 2 for t in targets))


class Simulator:
    """The model as pyabc calls it: a parameter set in, the fitted targets' statistics out.

    A plain class (not a closure) so that pyabc's samplers can pickle it to worker processes
    and Dask workers.
    """

    def __init__(self, calibration: Calibration, targets: tuple[Target, ...]) -> None:
        self.calibration, self.targets = calibration, targets

    def __call__(self, theta: Mapping[str, float]) -> dict[str, float]:
        """The statistics of ``theta``."""
        return simulate(self.calibration, dict(theta), self.targets)


class Distance:
    """The distance as pyabc calls it: ``(simulated, observed) -> float``; observed is unused.

    The targets are ranges, not observed values: pyabc's observed statistics are zeros kept
    only because it asks for them.
    """

    def __init__(self, targets: tuple[Target, ...]) -> None:
        self.targets = targets

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float] | None = None) -> float:
        """The distance of ``x`` to the targets' ranges."""
        return distance(x, self.targets)
