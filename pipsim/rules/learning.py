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

First impressions: while a firm has seen little of another, each piece of evidence weighs more.
Its trust at launch is a belief worth ``trust_prior_weight`` pieces of evidence; the k-th piece
then moves it ``1 / (prior + k)`` of the way, as a running mean would, until that falls to
``rate`` and the delta rule's steady weighting takes over (`first_impression_rate`). An early
quick win (or an early broken promise) matters; a late one, against a long record, less.
``evidence[r, i, j]`` counts the pieces i has had of j.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pipsim.rules.compiled import njit
from pipsim.rules.state import OUTSIDE, Rules, State


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
    keep_good = math.log1p(-min(rate, 1.0 - 1e-12))
    keep_bad = math.log1p(-min(loss_rate(rate, loss_ratio), 1.0 - 1e-12))
    return factors_of_keeps(n_good, n_bad, keep_good, keep_bad)


@njit(cache=True)
def factors_of_keeps(n_good: float, n_bad: float, keep_good: float, keep_bad: float) -> tuple:
    """`evidence_factors` from the logs of what one good and one bad piece keep of the gap.

    ``keep_good`` = log(1 - rate), ``keep_bad`` = log(1 - loss rate): a rule that applies the
    same rates to many pieces of evidence takes the logarithms once (`first_impression_keeps`).
    """
    return math.exp(0.5 * n_bad * keep_bad), -math.expm1(n_good * keep_good)


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


FIRST_IMPRESSIONS_TABULATED = 64  # whole pieces a gathering tabulates (`scarce_pieces`)


@njit(cache=True)
def first_impression_rate(rate: float, prior_weight: float, evidence: float) -> float:
    """Learning rate of the next piece of evidence about a firm already seen ``evidence`` times.

    Initial trust counts as ``prior_weight`` pieces, so the next piece weighs one over all the
    evidence so far (whole pieces: fractions of a month's observation add up to pieces) plus
    itself, a running mean, while that is more than ``rate``; after that, ``rate``: recent
    conduct keeps its weight however long the record.
    """
    return max(rate, 1.0 / (prior_weight + math.floor(evidence) + 1.0))


@njit(cache=True)
def scarce_pieces(p: Rules) -> int:
    """Whole pieces of evidence about a firm after which the next one weighs ``trust_gain``.

    0 when first impressions are off; at most `FIRST_IMPRESSIONS_TABULATED`, the pieces for
    which a gathering computes each attendee's factors once (`contact.trust_building`).
    """
    k = 0
    while k < FIRST_IMPRESSIONS_TABULATED and evidence_is_scarce(p, float(k)):
        k += 1
    return k


@njit(cache=True)
def evidence_is_scarce(p: Rules, evidence: float) -> bool:
    """Does the next piece of evidence weigh more than ``trust_gain`` (first impressions)?"""
    return first_impression_rate(p.trust_gain, p.trust_prior_weight, evidence) > p.trust_gain


@njit(cache=True)
def first_impression_keeps(p: Rules) -> np.ndarray:
    """``(scarce_pieces, 2)``: log(1 - rate) and log(1 - loss rate) of each first impression.

    Row k is for a watcher that has seen k whole pieces of a firm (`first_impression_rate`).
    """
    scarce = scarce_pieces(p)
    keeps = np.empty((scarce, 2))
    for k in range(scarce):
        keeps[k, 0], keeps[k, 1] = keeps_after(p, k)
    return keeps


@njit(cache=True)
def keeps_after(p: Rules, pieces: int) -> tuple[float, float]:
    """log(1 - rate) and log(1 - loss rate) for a watcher that has seen ``pieces`` whole pieces."""
    rate = first_impression_rate(p.trust_gain, p.trust_prior_weight, float(pieces))
    gained = math.log1p(-min(rate, 1.0 - 1e-12))
    lost = math.log1p(-min(loss_rate(rate, p.trust_loss_ratio), 1.0 - 1e-12))
    return gained, lost


@njit(cache=True)
def rates_by_record(p: Rules) -> np.ndarray:
    """``(scarce_pieces + 1, 3)``: what the learning rates do, by the watcher's record.

    Row k is for a watcher that has seen k whole pieces of a firm (`first_impression_rate`);
    the last row, past the first impressions, is the steady rate's (or, at the cap of
    `FIRST_IMPRESSIONS_TABULATED`, the next first impression's). Columns: log(1 - rate),
    log(1 - loss rate), and what one good piece alone closes of the gap to 1. A rule that has
    many pairs learn in a month takes these logarithms once (`learn_by_record`), not per pair.
    """
    scarce = scarce_pieces(p)
    rates = np.empty((scarce + 1, 3))
    for k in range(scarce + 1):
        rates[k, 0], rates[k, 1] = keeps_after(p, k)
        rates[k, 2] = -math.expm1(rates[k, 0])
    return rates


@njit(cache=True, inline="always")
def learn_by_record(
    trust: float, evidence: float, good: float, bad: float, rates: np.ndarray, p: Rules
) -> float:
    """`learn_many` at the watcher's `first_impression_rate`, its logarithms read from ``rates``.

    The same numbers as `learn_of` computes: row k of `rates_by_record` holds the logarithms
    of the rate after k whole pieces, and the last row those of every later piece (the steady
    rate), unless the table stopped at its cap while evidence was still scarce. One good
    piece and nothing bad (a partner that kept its word) keeps all of trust and closes the
    table's share of the gap: no logarithm or exponential per pair at all.
    """
    last = rates.shape[0] - 1
    pieces = int(evidence)  # whole pieces: evidence is never negative
    if pieces > last and last >= FIRST_IMPRESSIONS_TABULATED:  # still scarce beyond the table
        rate = first_impression_rate(p.trust_gain, p.trust_prior_weight, evidence)
        return learn_many(trust, good, bad, rate, p.trust_loss_ratio)
    k = min(pieces, last)
    if good == 1.0 and bad == 0.0:
        return apply_evidence(trust, 1.0, rates[k, 2])
    half_bad, closed = factors_of_keeps(good, bad, rates[k, 0], rates[k, 1])
    return apply_evidence(trust, half_bad, closed)


@njit(cache=True)
def learn_about_by_record(
    s: State,
    p: Rules,
    r: int,
    watcher: int,
    seen: int,
    good: float,
    bad: float,
    rates: np.ndarray,
) -> None:
    """`learn_about`, with the month's `rates_by_record`: the same trust, evidence and contact."""
    # as doubles (numba's float() keeps a float32 a float32): one compiled version
    s.trust[r, watcher, seen] = learn_by_record(
        np.float64(s.trust[r, watcher, seen]),
        np.float64(s.evidence[r, watcher, seen]),
        good,
        bad,
        rates,
        p,
    )
    s.evidence[r, watcher, seen] += good + bad
    s.contact[r, watcher, seen] = True


@njit(cache=True)
def learn_of(s: State, p: Rules, r: int, watcher: int, seen: int, good: float, bad: float) -> None:
    """Firm ``watcher``'s trust in firm ``seen`` after ``good`` and ``bad`` pieces of evidence."""
    # as doubles (numba's float() keeps a float32 a float32): one compiled version of each
    evidence = np.float64(s.evidence[r, watcher, seen])
    rate = first_impression_rate(p.trust_gain, p.trust_prior_weight, evidence)
    s.trust[r, watcher, seen] = learn_many(
        np.float64(s.trust[r, watcher, seen]), good, bad, rate, p.trust_loss_ratio
    )
    s.evidence[r, watcher, seen] += good + bad


@njit(cache=True)
def learn_about(
    s: State, p: Rules, r: int, watcher: int, seen: int, good: float, bad: float
) -> None:
    """Firm ``watcher`` learns about firm ``seen`` from what it saw; they met this month."""
    learn_of(s, p, r, watcher, seen, good, bad)
    s.contact[r, watcher, seen] = True


@njit(cache=True, inline="always")
def learn_from_sight(
    trust: float,
    evidence: float,
    good: float,
    bad: float,
    half_bad: float,
    closed: float,
    keeps: np.ndarray,
    p: Rules,
) -> float:
    """Trust after seeing a firm at work, given its `evidence_factors` at the steady rate.

    A rule that shows one firm to many watchers computes the steady factors once; only a
    watcher who has seen little of the firm (`evidence_is_scarce`) needs its own.
    """
    evidence = np.float64(evidence)  # the callers' float32 as a double: one compiled version
    if evidence_is_scarce(p, evidence):
        k = int(evidence)
        if k < keeps.shape[0]:  # `first_impression_keeps`: the logarithms taken once
            half_bad, closed = factors_of_keeps(good, bad, keeps[k, 0], keeps[k, 1])
        else:
            rate = first_impression_rate(p.trust_gain, p.trust_prior_weight, evidence)
            half_bad, closed = evidence_factors(good, bad, rate, p.trust_loss_ratio)
    return apply_evidence(np.float64(trust), half_bad, closed)


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

    Only firms that have taken part can have built trust with anyone (evidence comes from
    events, meetings and ventures of participants): the rows of firms still outside are at
    launch and skipped. Each remaining row is one pass without a branch (`faded`), which the
    compiler turns into vector instructions.
    """
    if rate <= 0.0:
        return
    for i in range(s.trust.shape[1]):
        if s.status[r, i] != OUTSIDE:
            faded(s.trust[r, i], s.baseline_trust[r, i], s.contact[r, i], rate)


@njit(cache=True, inline="always")
def faded(trust: np.ndarray, baseline: np.ndarray, met: np.ndarray, rate: float) -> None:
    """One firm's row of `fade`: ``trust`` loses ``rate`` of what is above ``baseline``.

    Written as arithmetic, not a branch: a pair that does not fade loses ``rate * 0``, which
    leaves its trust exactly as it was.
    """
    for j in range(len(trust)):
        before = float(trust[j])  # in double precision, compiled or not
        built = before - float(baseline[j])
        fades = (built > 0.0) & (not met[j])
        trust[j] = before - rate * built * fades
