"""Two uncertainties in one answer: what more runs would settle, and what we do not know.

Runs drawn across an ensemble (`pipsim.sweep.scenario.with_ensemble`) come in blocks, one
parameter set (member) each. From them `split` gives:

- **P**, the share of runs meeting the log frame: the chance averaged over the parameter
  sets the calibration accepts, each by its weight.
- **runs**, its 95% interval from having run finitely many runs. Runs of one member are alike,
  so they carry less news than independent runs: the Wilson interval is taken at the
  effective number of runs n / (1 + (m − 1)·ICC) (Kish's design effect, m the runs per
  member, ICC the share of the runs' variance that lies between members). Without an
  ensemble ICC is 0 and this is today's Wilson interval, unchanged. It shrinks as runs grow.
- **parameters**, the 5–95% spread of the chance P_θ across the ensemble: how far the true
  chance of *this* project may lie from P because the parameters are uncertain. It does not
  shrink with more runs. Each member's P̂_k mixes its P_θ with its own run-to-run noise
  (binomial, variance P_k(1 − P_k)/m), which would widen the spread by itself; so the spread
  between members is estimated by the method of moments (variance of the P̂_k less their mean
  binomial variance, unbiased by the m − 1 denominator), and the P̂_k are shrunk towards P so
  that their variance is that estimate (Louis's constrained empirical Bayes, 1984) before
  their weighted 5% and 95% quantiles are read. With many runs per member the shrinkage
  vanishes: two sets at P = 0.2 and 0.8, equally weighted, give 20–80%. The interval shown
  also holds the runs interval (it adds what we do not know to what the runs leave open).

Why this and not a nested bootstrap: a bootstrap over members, then runs, measures how well
the *average* P is known (the runs interval's job), not how far P_θ spreads; and per-member
quantiles of raw P̂_k are mostly binomial noise at ten runs a member. The moments need no
resampling and reduce exactly to today's interval when there is no ensemble.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipsim.analysis.intervals import wilson_interval

QUANTILES = (0.05, 0.95)  # the spread across parameter sets
FEWEST_MEMBERS = 5  # below this many drawn sets, no spread is read
GROUP = "seed"  # a block's seed: one drawn member's runs at one design point


@dataclass(frozen=True)
class Split:
    """P, its runs interval (95%) and, across an ensemble, the parameters' interval (5–95%)."""

    probability: float
    runs: tuple[float, float]
    parameters: tuple[float, float] | None  # None: no ensemble, or too few members drawn
    members: int  # parameter sets drawn (0: no ensemble)
    n: int

    def sentence(self) -> str:
        """The answer in the issue's words: P = 42% (runs: 36–48%; with what we do not ...)."""
        runs = f"runs: {span(*self.runs)}"
        if self.parameters is not None:
            more = f"; with what we do not know about the parameters: {span(*self.parameters)}"
        elif self.members:
            more = f"; {self.members} parameter sets drawn, too few to tell their spread"
        else:
            more = "; parameters as the scenario sets them"
        return f"P = {percent(self.probability)} ({runs}{more})"


def split(runs: pd.DataFrame) -> Split:
    """The two uncertainties of P(success) in ``runs`` (one design point's runs).

    Runs with a ``member`` column were drawn across an ensemble, a member per block (``seed``);
    without one, the parameters were the scenario's own and only the runs' interval is given.
    """
    success = runs["success"].to_numpy(bool)
    n, hits = len(success), int(success.sum())
    p = hits / n if n else float("nan")
    if "member" not in runs.columns:
        low, high = wilson_interval(hits, n)
        return Split(p, (float(low), float(high)), None, 0, n)
    groups = runs.groupby(GROUP, sort=False)["success"].agg(["sum", "count"])
    return from_groups(groups["sum"].to_numpy(), groups["count"].to_numpy())


def from_groups(successes: np.ndarray, sizes: np.ndarray) -> Split:
    """`split` from each drawn member's successes and runs (the moments of the module's note)."""
    successes, sizes = np.asarray(successes, float), np.asarray(sizes, float)
    n, total = int(sizes.sum()), float(successes.sum())
    p = total / n if n else float("nan")
    usable = sizes >= 2  # a member run once says nothing about its own noise
    k = int(usable.sum())
    if k < FEWEST_MEMBERS:
        low, high = wilson_interval(total, n)
        return Split(p, (float(low), float(high)), None, len(sizes), n)
    share, m = successes[usable] / sizes[usable], sizes[usable]
    centre = float(np.average(share, weights=m))
    observed = float(share.var(ddof=1))
    noise = float(np.mean(share * (1 - share) / (m - 1)))
    between = max(0.0, observed - noise)
    # the design effect: runs of one member count for less than independent runs
    icc = min(1.0, between / (p * (1 - p))) if 0 < p < 1 else 0.0
    effective = n / (1 + (float(m.mean()) - 1) * icc)
    low, high = wilson_interval(p * effective, effective)
    shrink = np.sqrt(between / observed) if observed > 0 else 0.0
    values = np.clip(centre + (share - centre) * shrink, 0.0, 1.0)
    q_low, q_high = np.quantile(values, QUANTILES, weights=m, method="inverted_cdf")
    parameters = (min(float(q_low), float(low)), max(float(q_high), float(high)))
    return Split(p, (float(low), float(high)), parameters, len(sizes), n)


def percent(p: float) -> str:
    """A probability as a percentage a reader takes in at once: 4%, <1%, >99%."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"


def span(low: float, high: float) -> str:
    """An interval of probabilities in percent, e.g. "36–48%"."""
    return f"{low * 100:.0f}–{high * 100:.0f}%"
