"""Sales and productivity: the market's drift, joint benefits and who appropriates them, shocks.

Each firm's sales and productivity are indices relative to its baseline (1 = baseline, real
terms). The market moves them all; joint activities lift their members'; a benefit that members
cannot appropriate leaks to every firm of the territory instead (Table 1's appropriability).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def market_factor(
    rng: np.random.Generator, n: int, annual_growth: float, volatility: float
) -> Array:
    """One month's multiplicative change of each firm's sales from the market alone."""
    drift = (1.0 + annual_growth) ** (1.0 / 12.0)
    return drift * np.exp(rng.normal(0.0, volatility, n) - volatility**2 / 2)


def split_benefit(
    effect: float, appropriability: float, n_members: int, n_firms: int
) -> tuple[float, float]:
    """(gain of each member, spill-over gain of every firm) from a joint benefit ``effect``."""
    return appropriability * effect, (1.0 - appropriability) * effect * n_members / n_firms


def growth(index: Array, mask: Array) -> float:
    """Mean growth over baseline of the firms in ``mask`` (0 when the mask is empty)."""
    return float(index[mask].mean() - 1.0) if mask.any() else 0.0
