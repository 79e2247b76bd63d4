"""Recovery: does the calibration find parameter values that are known?

`synthetic` replaces a calibration's ranges by what the model itself gives at known values
``truth``: each calibration target's range becomes the mean of its statistic over ``blocks``
independent blocks of runs at ``truth``, plus or minus ``width`` standard deviations of it
(never narrower than ``floor`` scale units). Calibrating against those ranges should put
``truth`` inside the posterior's 90% intervals; `covered` says whether it does.

For calibration v2 (history matching, targets with a centre) `synthetic` also sets each
target's ``centre`` to the mean at ``truth``, so the implausibility measures from it; `known_sets`
spreads several truths over the priors and `coverage` pools whether each was recovered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipsim.calibration.statistics import scale, simulate
from pipsim.calibration.targets import Calibration


def synthetic(
    calibration: Calibration,
    truth: Mapping[str, float],
    *,
    blocks: int = 8,
    width: float = 2.0,
    floor: float = 0.02,
) -> Calibration:
    """``calibration`` with every calibration target's range centred on the model at ``truth``.

    Held-out targets are dropped: recovery concerns the fit alone.
    """
    rng = np.random.default_rng(calibration.seed)
    seeds = rng.integers(0, 2**62, size=blocks)
    stats = pd.DataFrame(
        [simulate(calibration, truth, calibration.fitted, seed=int(s)) for s in seeds]
    )
    targets = []
    for t in calibration.fitted:
        values = stats[t.name].astype(float)
        half = max(width * float(values.std(ddof=1)), floor * scale(t))
        centre = float(values.mean())
        low, high = centre - half, centre + half
        if t.statistic in ("probability", "ratio") and t.baseline is None:
            low, high = max(low, 0.0), min(high, 1.0)
        middle = min(max(centre, low), high) if t.centre is not None else None
        targets.append(dataclasses.replace(t, low=low, high=high, centre=middle))
    note = f"\n# recovery: ranges simulated at {dict(truth)}\n"
    return dataclasses.replace(calibration, targets=tuple(targets), text=calibration.text + note)


def covered(table: pd.DataFrame, truth: Mapping[str, float]) -> pd.DataFrame:
    """Per parameter of the posterior table: the true value, its 90% interval, whether inside.

    ``narrowed`` is the interval's width as a share of the prior range: near 1, the targets
    said little about the parameter.
    """
    rows = table[table["parameter"].isin(list(truth))].copy()
    rows["truth"] = rows["parameter"].map(dict(truth))
    rows["inside"] = (rows["q05"] <= rows["truth"]) & (rows["truth"] <= rows["q95"])
    rows["narrowed"] = (rows["q95"] - rows["q05"]) / (rows["prior_high"] - rows["prior_low"])
    return rows[["parameter", "truth", "q05", "median", "q95", "inside", "narrowed"]]


def known_sets(calibration: Calibration, count: int, seed: int) -> list[dict[str, float]]:
    """``count`` known parameter sets spread over the priors' middle 60% (a Latin hypercube).

    Away from the bounds, where a 90% interval cannot straddle the truth, and never the prior's
    centre alone, which a method that returns its prior would be rewarded for.
    """
    from scipy.stats import qmc

    u = 0.2 + 0.6 * qmc.LatinHypercube(d=len(calibration.priors), seed=seed).random(count)
    sets = []
    for row in u:
        truth = {}
        for p, x in zip(calibration.priors, row, strict=True):
            value = p.low + x * (p.high - p.low)
            truth[p.name] = float(round(value)) if p.integer else float(value)
        sets.append(truth)
    return sets


def coverage(found: list[pd.DataFrame]) -> pd.DataFrame:
    """Per parameter over several recoveries (`covered` tables): the share of truths inside."""
    pooled = pd.concat(found, ignore_index=True)
    pooled["narrowed"] = pooled["narrowed"].where(np.isfinite(pooled["narrowed"]))  # no ensemble
    table = pooled.groupby("parameter", sort=False).agg(
        sets=("inside", "size"), inside=("inside", "sum"), narrowed=("narrowed", "mean")
    )
    table["coverage"] = table["inside"] / table["sets"]
    return table.reset_index()
