"""How implausible a parameter set is: distance from each pattern's centre, in standard deviations.

For a target with centre z (`Target.middle`) and a statistic f simulated (or emulated) at a
parameter set, the implausibility is

    I = |f - z| / sqrt(var_reading + var_runs + var_emulator)

(Craig et al. 1997; Vernon, Goldstein & Bower 2010). ``var_reading`` is how uncertain the reading
of the document is: its accepted range read as the centre ± 2 standard deviations, each side on
its own (a range [0.5, 0.95] around 0.7 is 0.1 below and 0.125 above). ``var_runs`` is the
statistic's sampling variance over the runs that estimated it (`bootstrap_variance`), so that a
noisy statistic is not mistaken for a bad fit. ``var_emulator`` is the emulator's own uncertainty
where a set was emulated, not simulated. Unlike the v1 distance, I grows from the centre inside
the range too, so sets inside the ranges are told apart.

A set is ruled out when its largest implausibility over the calibration targets exceeds the
cutoff (3: Pukelsheim's three-sigma rule holds for any unimodal distribution).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from pipsim.calibration.targets import Target

BOOTSTRAP = 200  # resamples of the runs for a statistic's sampling variance
TINY = 1e-12  # a variance floor: a reading with no width still divides by something


def reading_sd(target: Target, value: float) -> float:
    """The reading's standard deviation on the side of the centre where ``value`` lies.

    Half the distance from the centre to that end of the range (the range is ± 2 sd); a side of
    no width (a centre on a bound) borrows the other side's.
    """
    centre = target.middle
    below, above = (centre - target.low) / 2.0, (target.high - centre) / 2.0
    side = above if value >= centre else below
    return side if side > 0 else max(below, above)


def reading_sds(target: Target, values: np.ndarray) -> np.ndarray:
    """`reading_sd` of every value of an array at once."""
    centre = target.middle
    below, above = (centre - target.low) / 2.0, (target.high - centre) / 2.0
    widest = max(below, above)
    below, above = below if below > 0 else widest, above if above > 0 else widest
    return np.where(np.asarray(values) >= centre, above, below)


def implausibility(
    value: float, target: Target, var_runs: float = 0.0, var_emulator: float = 0.0
) -> float:
    """The implausibility of ``value`` for ``target``; infinite if the value is undefined."""
    if not math.isfinite(value):
        return math.inf
    total = reading_sd(target, value) ** 2 + max(var_runs, 0.0) + max(var_emulator, 0.0)
    return abs(value - target.middle) / math.sqrt(max(total, TINY))


def implausibilities(
    values: Mapping[str, float],
    variances: Mapping[str, float],
    targets: tuple[Target, ...],
) -> dict[str, float]:
    """Each target's implausibility for simulated ``values`` with their sampling ``variances``."""
    return {
        t.name: implausibility(float(values[t.name]), t, float(variances.get(t.name, 0.0)))
        for t in targets
    }


def largest(found: Mapping[str, float]) -> float:
    """The largest implausibility (the criterion that rules a set out); 0 if there is none."""
    return max(found.values(), default=0.0)


def pseudo_likelihood(found: Mapping[str, float]) -> float:
    """exp(-½ Σ I²): a weight that prefers sets nearer every centre (0 if any I is infinite).

    Treats the implausibilities as independent standard normal deviations: the Gaussian
    likelihood the implausibility's denominators describe.
    """
    total = sum(i * i for i in found.values())
    return math.exp(-0.5 * total) if math.isfinite(total) else 0.0


def statistic_of(columns: np.ndarray, statistic: str, at_most: float | None) -> np.ndarray:
    """A statistic over the last axis of ``columns`` (one row per resample of runs).

    ``columns`` has shape (..., runs); ``ratio`` takes a pair stacked on the first axis
    (numerator, denominator). The same rules as `pipsim.calibration.statistics.statistic`.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if statistic == "probability":
            hit = columns <= at_most if at_most is not None else columns > 0.5
            return np.mean(hit, axis=-1)
        if statistic == "ratio":
            top, below = np.nansum(columns[0], axis=-1), np.nansum(columns[1], axis=-1)
            return np.where(below > 0, top / np.where(below > 0, below, 1.0), np.nan)
        finite = np.isfinite(columns)
        if statistic == "mean":
            count = finite.sum(axis=-1)
            total = np.where(finite, columns, 0.0).sum(axis=-1)
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)
        out = np.full(columns.shape[:-1], np.nan)
        some = finite.any(axis=-1)
        if np.any(some):
            out[some] = np.nanmedian(columns[some], axis=-1)
        return out


def bootstrap_variance(
    column: np.ndarray,
    statistic: str,
    rng: np.random.Generator,
    *,
    at_most: float | None = None,
    baseline: np.ndarray | None = None,
    resamples: int = BOOTSTRAP,
) -> float:
    """The sampling variance of a statistic of ``column`` (one value per run), by bootstrap.

    Runs are resampled with replacement; with a ``baseline`` (same seeds, same places) the
    statistic is the difference and the pair is resampled together. ``ratio``: ``column`` is
    (2, runs), numerator and denominator. NaN if the statistic is undefined in most resamples.
    """
    runs = column.shape[-1]
    picks = rng.integers(0, runs, size=(resamples, runs))
    values = statistic_of(np.take(column, picks, axis=-1), statistic, at_most)
    if baseline is not None:
        values = values - statistic_of(np.take(baseline, picks, axis=-1), statistic, at_most)
    finite = values[np.isfinite(values)]
    if finite.size < resamples / 2:
        return math.nan
    return float(np.var(finite, ddof=1))
