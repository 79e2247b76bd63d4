"""Sales and productivity: the market's drift, joint benefits and who appropriates them, shocks.

Each firm's sales and productivity are indices relative to its baseline (1 = baseline, real
terms). The market moves them all; joint activities lift their members'; a benefit that members
cannot appropriate leaks to every firm of the territory instead (Table 1's appropriability).
The log frame (Annex 2) measures the growth of the firms in collective actions net of the
market: against firms that never took part, or, when there are none, against what the market
alone did to the same firms.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def market_factor(
    rng: np.random.Generator, n: int | tuple[int, ...], annual_growth: float, volatility: float
) -> Array:
    """One month's multiplicative change of each firm's sales from the market alone.

    ``n`` firms, or an array of that shape (the firms of every run of a block).
    """
    drift = (1.0 + annual_growth) ** (1.0 / 12.0)
    return drift * np.exp(rng.normal(0.0, volatility, n) - volatility**2 / 2)


def split_benefit(
    effect: Array | float, appropriability: float, n_members: Array | int, n_firms: int
) -> tuple[Array, Array]:
    """(gain of each member, spill-over gain of every firm) from a joint benefit ``effect``."""
    own = np.multiply(appropriability, effect)
    spill = (1.0 - appropriability) * np.multiply(effect, n_members) / n_firms
    return own, spill


def growth(index: Array, mask: Array) -> float:
    """Mean growth over baseline of the firms in ``mask`` (0 when the mask is empty)."""
    return float(index[mask].mean() - 1.0) if mask.any() else 0.0


def net_growth(index: Array, treated: Array, comparison: Array, market_only: Array) -> float:
    """Growth of the ``treated`` firms net of the market (0 when none are treated).

    The ratio of mean indices, minus 1: against the ``comparison`` firms, or, with no
    comparison firm, against the treated firms' own ``market_only`` index (what the market
    alone did to them). A shock that hits every firm alike leaves it unchanged.
    """
    if not treated.any():
        return 0.0
    reference = index[comparison].mean() if comparison.any() else market_only[treated].mean()
    return float(index[treated].mean() / reference - 1.0)
