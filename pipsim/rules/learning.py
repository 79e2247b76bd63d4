"""Trust as an expectation learned from evidence, and trust fading between firms that do not meet.

Trust is a number in [0, 1]: how much a firm expects a counterpart (a partner, the agency, the
ministry, collective action itself) to deliver. Every piece of evidence moves it the same way:
a share ``rate`` of the way towards what was seen — 1 for a promise kept, 0 for one broken. Bad
evidence weighs ``loss_ratio`` times good evidence (Slovic 1993; Pant & Yu 2025 use three), so a
bad experience closes ``loss_ratio`` times the share of the distance to the evidence that a
good one closes, at every trust level. This is the delta rule with valence-dependent learning
rates (Rescorla & Wagner 1972; Lefebvre et al. 2017): a counterpart that delivers a share ``c``
of the time is trusted, in expectation, ``c / (c + loss_ratio * (1 - c))`` — 0.44 for c = 0.7
with a ratio of 3, 0.5 at c = 0.75, never 0 unless it never delivers.

Firm-to-firm trust is a directed matrix per run with a diagonal of 1: ``trust[r, i, j]`` is what
firm i expects of firm j, learned from what i saw j do.
"""

from __future__ import annotations

import math
from typing import Any

from numba import njit

from pipsim.rules.state import Rules, State


@njit(cache=True)
def loss_rate(rate: float, loss_ratio: float) -> float:
    """Learning rate of one piece of bad evidence: ``loss_ratio`` times ``rate``, at most 1."""
    return min(rate * loss_ratio, 1.0)


@njit(cache=True)
def learn(trust: float, good: bool, rate: float, loss_ratio: float) -> float:
    """Trust after one piece of evidence: good moves it towards 1, bad (``loss_ratio`` x) to 0."""
    trust = float(trust)  # in double precision, compiled or not (the matrix stores float32)
    if good:
        return trust + min(rate, 1.0) * (1.0 - trust)
    return trust - loss_rate(rate, loss_ratio) * trust


@njit(cache=True)
def learn_many(trust: float, n_good: float, n_bad: float, rate: float, loss_ratio: float) -> float:
    """Trust after ``n_good`` good and ``n_bad`` bad pieces of evidence (counts may be real).

    ``k`` good pieces close ``1 - (1 - rate) ** k`` of the gap to 1: more evidence, diminishing
    returns; bad pieces likewise towards 0. When both arrive in one month, half the bad is taken
    before the good and half after, so their order does not bias the result. Fractional counts
    stand for expected evidence (a meeting where a partner behaved as its reliability says, on
    average).
    """
    half_bad, closed = evidence_factors(n_good, n_bad, rate, loss_ratio)
    return apply_evidence(trust, half_bad, closed)


@njit(cache=True)
def evidence_factors(n_good: float, n_bad: float, rate: float, loss_ratio: float) -> tuple:
    """(what half the bad evidence keeps of trust, what the good closes of the gap to 1).

    The same evidence about a firm moves every watcher's trust by these factors, so a rule
    that shows one firm to many computes them once (`apply_evidence` for each watcher).
    """
    keep = math.log1p(-min(loss_rate(rate, loss_ratio), 1.0 - 1e-12))
    half_bad = math.exp(0.5 * n_bad * keep)
    closed = -math.expm1(n_good * math.log1p(-min(rate, 1.0 - 1e-12)))
    return half_bad, closed


@njit(cache=True)
def apply_evidence(trust: float, half_bad: float, closed: float) -> float:
    """Trust after evidence given as `evidence_factors`: half the bad, the good, the other half."""
    before = float(trust) * half_bad  # in double precision, compiled or not
    return (before + (1.0 - before) * closed) * half_bad


@njit(cache=True)
def equilibrium(reliability: float, loss_ratio: float) -> float:
    """Expected long-run trust in a counterpart delivering a share ``reliability`` of the time."""
    return reliability / (reliability + loss_ratio * (1.0 - reliability))


@njit(cache=True)
def trust_in_agency(relationship: Any, institutional: Any, relationship_weight: float) -> Any:
    """A firm's trust in the executing agency: part personal (its technician), part institutional.

    Given arrays, every firm's at once. The personal part is why losing the technician loses most
    of it (the document: any change in the team damages the bonds of trust).
    """
    return relationship_weight * relationship + (1.0 - relationship_weight) * institutional


@njit(cache=True)
def learn_about(
    s: State, p: Rules, r: int, watcher: int, seen: int, good: float, bad: float
) -> None:
    """Firm ``watcher`` learns about firm ``seen`` from what it saw; they met this month."""
    s.trust[r, watcher, seen] = learn_many(
        s.trust[r, watcher, seen], good, bad, p.trust_gain, p.trust_loss_ratio
    )
    s.contact[r, watcher, seen] = True


@njit(cache=True)
def observe(s: State, p: Rules, r: int, watcher: int, seen: int, weight: float) -> None:
    """``watcher`` saw ``seen`` at work for ``weight`` (in joint-work months) of this month.

    Fractional evidence: on average a partner behaves as reliably as it is, so a share of the
    weight equal to its reliability is good evidence and the rest bad.
    """
    good = weight * s.reliability[r, seen]
    learn_about(s, p, r, watcher, seen, good, weight - good)


@njit(cache=True)
def fade(s: State, r: int, rate: float) -> None:
    """Trust the project built fades between firms that did not meet this month.

    A share ``rate`` of what was built above the pair's trust at launch is lost; a remembered
    betrayal (trust below it) stays. Pairs that met this month are left as they are.
    """
    if rate <= 0.0:
        return
    n = s.trust.shape[1]
    trust, baseline, contact = s.trust[r], s.baseline_trust[r], s.contact[r]
    for i in range(n):
        for j in range(n):
            built = float(trust[i, j]) - float(baseline[i, j])
            if built > 0.0 and not contact[i, j]:
                trust[i, j] = float(trust[i, j]) - rate * built
