"""The Wilson interval of a proportion: what `stats` and `uncertainty` both build on.

Its own small module so that the runs' tables (`stats`) and the two uncertainties
(`uncertainty`) share it without importing each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def wilson_interval(
    successes: np.ndarray | pd.Series | float, n: np.ndarray | pd.Series | float, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (lower, upper) for a binomial proportion; (0, 1) when n is 0.

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n successes,
    which is where project-length sweeps live.
    """
    successes, n = np.asarray(successes, float), np.asarray(n, float)
    safe = np.maximum(n, 1.0)
    p = successes / safe
    denom = 1 + z**2 / safe
    centre = (p + z**2 / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + z**2 / (4 * safe**2)) / denom
    # Rounding can put a bound a hair past p at 0 or n successes; an interval holds its estimate.
    lower = np.where(n > 0, np.clip(np.minimum(centre - half, p), 0, 1), 0.0)
    upper = np.where(n > 0, np.clip(np.maximum(centre + half, p), 0, 1), 1.0)
    return lower, upper
