"""Random choices the rules share: one by weight, several without replacement, trust at launch.

Each rule draws from its run's own generator (``rng``, a `numpy.random.Generator`), so a run's
results do not depend on the other runs of its block.
"""

from __future__ import annotations

import math

import numpy as np

from pipsim.rules.compiled import njit


@njit(cache=True)
def choose(rng: np.random.Generator, weights: np.ndarray, count: int) -> int:
    """An index of ``weights[:count]`` drawn with probability proportional to its weight.

    The weights must not all be 0. One uniform draw.
    """
    total = 0.0
    for k in range(count):
        total += weights[k]
    u = rng.random() * total
    cumulative = 0.0
    for k in range(count):
        cumulative += weights[k]
        if cumulative > u:
            return k
    return count - 1


@njit(cache=True)
def sample(
    rng: np.random.Generator, weights: np.ndarray, count: int, k: int, out: np.ndarray
) -> int:
    """Up to ``k`` distinct indices of ``weights[:count]``, drawn in proportion to the weights.

    Efraimidis & Spirakis (2006): keep the ``k`` largest ``log(u) / w``; the same law as drawing
    one at a time without replacement. Indices of weight 0 are never drawn. Writes them into
    ``out`` (largest key first) and returns how many were drawn.
    """
    keys = np.empty(count)
    for i in range(count):
        u = rng.random()
        keys[i] = math.log(u) / weights[i] if weights[i] > 0.0 else -np.inf
    drawn = 0
    while drawn < k:
        best = -1
        for i in range(count):
            if keys[i] > -np.inf and (best < 0 or keys[i] > keys[best]):
                best = i
        if best < 0:
            break
        out[drawn] = best
        keys[best] = -np.inf
        drawn += 1
    return drawn


@njit(cache=True)
def happens(rng: np.random.Generator, probability: float) -> bool:
    """Whether an event of this probability happens (one uniform draw)."""
    return rng.random() < probability


@njit(cache=True)
def whole_and_chance(rng: np.random.Generator, rate: float) -> int:
    """A plan of ``rate`` things a month: its whole part, one more with its fraction as chance."""
    whole = int(rate)
    return whole + (1 if rng.random() < rate - whole else 0)


@njit(cache=True)
def trust_among_firms(
    rng: np.random.Generator, trust: np.ndarray, mean: float, spread: float, prior_ties: float
) -> None:
    """Firm-to-firm trust at launch, into ``trust`` ``(n, n)``: higher where a pair worked before.

    Each pair's trust is normal around ``mean``; a pair is tied by earlier work with chance
    ``prior_ties`` (0.2 more trust, both ways); a firm trusts itself fully; all within [0, 1],
    stored in ``trust``'s own type (`state.TRUST_DTYPE`, chosen by the caller: a type read from
    a global here would be frozen into the cached machine code). The numbers are drawn in the
    order numpy draws ``rng.normal(mean, spread, (n, n))`` then ``rng.random((n, n))`` (the
    upper triangle read), so a run is the same as when set-up drew them with numpy, but without
    numpy's temporary arrays: the n² draws are most of a run's set-up.
    """
    n = trust.shape[0]
    base = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            base[i, j] = rng.normal(mean, spread)
    for i in range(n):
        for j in range(n):
            tied = rng.random() < prior_ties
            if tied and j > i:
                base[i, j] += 0.2
                base[j, i] += 0.2
    for i in range(n):
        for j in range(n):
            trust[i, j] = 1.0 if i == j else min(max(base[i, j], 0.0), 1.0)
