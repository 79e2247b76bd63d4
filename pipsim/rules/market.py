"""Sales and productivity: the market's drift and shocks, and who appropriates a joint benefit.

Each firm's sales and productivity are indices relative to its baseline (1 = baseline, real
terms). The market moves them all; joint activities lift their members'; a benefit that members
cannot appropriate leaks to every firm of the territory instead (Table 1's appropriability).
"""

from __future__ import annotations

import math

import numpy as np

from pipsim.rules import events
from pipsim.rules.compiled import njit
from pipsim.rules.log import record
from pipsim.rules.state import Rules, State


@njit(cache=True)
def monthly_probability(annual_rate: float) -> float:
    """The monthly chance of an event whose chance over a year is ``annual_rate``.

    Computed as ``-expm1(log1p(-rate) / 12)``, exact even for tiny rates, where
    ``1 - (1 - rate) ** (1/12)`` would round to 0.
    """
    if annual_rate >= 1.0:
        return 1.0
    return -math.expm1(math.log1p(-annual_rate) / 12.0)


@njit(cache=True)
def month_of_market(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """The market moves every firm's sales; now and then a demand shock hits the whole sector."""
    drift = (1.0 + p.market_growth) ** (1.0 / 12.0)
    sd = p.sales_volatility
    for i in range(p.n):
        s.market_index[r, i] *= drift * math.exp(rng.normal(0.0, sd) - sd * sd / 2.0)
    if rng.random() < monthly_probability(p.demand_shock_rate):
        for i in range(p.n):
            s.market_index[r, i] *= 1.0 - p.demand_shock_size
        record(s, p, r, month, events.DEMAND_SHOCK, 0, 0)


@njit(cache=True)
def own_gain(effect: float, appropriability: float) -> float:
    """What each member keeps of a joint benefit ``effect``."""
    return appropriability * effect


@njit(cache=True)
def spill_over(effect: float, appropriability: float, n_members: int, n_firms: int) -> float:
    """What every firm of the territory gains from the part of a group's benefit that leaks."""
    return (1.0 - appropriability) * effect * n_members / n_firms


@njit(cache=True)
def net_growth(actual: float, counterfactual: float) -> float:
    """Growth net of the market: what the firms reached over what they would have without it."""
    return actual / counterfactual - 1.0
