"""Trust as an expectation learned from evidence, and the measures that show where it forms.

Trust is a number in [0, 1]: how much a firm expects a counterpart (a partner, the agency, the
ministry, collective action itself) to deliver. Every piece of evidence moves it the same way:
a share ``rate`` of the way towards what was seen — 1 for a promise kept, 0 for one broken. Bad
evidence weighs ``loss_ratio`` times good evidence (Slovic 1993; Pant & Yu 2025 use three), so a
bad experience closes ``loss_ratio`` times the share of the distance to the evidence that a
good one closes, at every trust level; the loss at trust ``t`` is ``loss_ratio`` times the gain at
trust ``1 - t``. This is the delta rule with valence-dependent learning rates (Rescorla & Wagner
1972; Lefebvre et al. 2017): a counterpart that delivers a share ``c`` of the time is trusted,
in expectation, ``c / (c + loss_ratio * (1 - c))`` — 0.44 for c = 0.7 with a ratio of 3, 0.5 at
c = 0.75, never 0 unless it never delivers. (A rule whose absolute loss/gain ratio were the same
at every level could not do this: its expected drift would have one sign at every level, so a
counterpart delivering less than ``ratio / (1 + ratio)`` of the time would end fully distrusted.)

Firm-to-firm trust is a directed matrix with a diagonal of 1 (a firm trusts itself; measures
skip it). Every function works on arrays of any leading shape, so the same rule advances one
run or a stack of runs.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def loss_rate(rate: Array | float, loss_ratio: float) -> Array:
    """Learning rate of one piece of bad evidence: ``loss_ratio`` times ``rate``, at most 1."""
    return np.minimum(np.multiply(rate, loss_ratio), 1.0)


def learn(
    trust: Array | float, good: Array | bool, rate: Array | float, loss_ratio: float
) -> Array:
    """Trust after one piece of evidence: good moves it towards 1, bad (``loss_ratio`` x) to 0."""
    good = np.asarray(good, dtype=bool)
    step = np.where(good, np.minimum(rate, 1.0), loss_rate(rate, loss_ratio))
    return trust + step * (good - np.asarray(trust))


def learn_many(
    trust: Array, n_good: Array | float, n_bad: Array | float, rate: float, loss_ratio: float
) -> Array:
    """Trust after ``n_good`` good and ``n_bad`` bad pieces of evidence (counts may be real).

    ``k`` good pieces close ``1 - (1 - rate) ** k`` of the gap to 1: more evidence, diminishing
    returns; bad pieces likewise towards 0. When both arrive in one month, half the bad is taken
    before the good and half after, so their order does not bias the result. Fractional counts
    stand for expected evidence (a meeting where a partner behaved as its reliability says, on
    average).
    """
    keep = np.log1p(-min(float(loss_rate(rate, loss_ratio)), 1.0 - 1e-12))
    half_bad = np.exp(np.multiply(0.5 * np.asarray(n_bad), keep))
    closed = -np.expm1(np.multiply(n_good, np.log1p(-min(rate, 1.0 - 1e-12))))
    before = trust * half_bad
    trusted = before + (1.0 - before) * closed  # exactly ``before`` where nothing good was seen
    return trusted * half_bad


def equilibrium(reliability: Array | float, loss_ratio: float) -> Array:
    """Expected long-run trust in a counterpart delivering a share ``reliability`` of the time."""
    r = np.asarray(reliability, dtype=float)
    return r / (r + loss_ratio * (1.0 - r))


def erode(trust: Array, baseline: Array, rate: float, out: Array | None = None) -> Array:
    """Trust after a month without contact: a share ``rate`` of what was built above ``baseline``.

    Only what the project built fades; a remembered betrayal (trust below the baseline) stays.
    ``out``: a buffer of trust's shape to write into (a block's matrices, every month).
    """
    if out is None:
        return trust - rate * np.maximum(trust - baseline, 0.0)
    built = np.subtract(trust, baseline, out=out)  # the same, with no new array
    np.maximum(built, 0.0, out=built)
    built *= rate
    return np.subtract(trust, built, out=built)


def mutual(trust: Array) -> Array:
    """Mutual trust of each pair: the mean of the two directions (symmetric)."""
    return 0.5 * (trust + np.swapaxes(trust, -1, -2))


def trust_in_groups(trust: Array, members: Array) -> Array:
    """Each member's mean trust in the other members of each group (0 where not a member).

    ``members`` is a boolean ``(groups, firms)`` mask; the diagonal of ``trust`` must be 1.
    """
    m = members.astype(trust.dtype)  # not float64: that would copy a float32 trust matrix
    size = m.sum(axis=-1, keepdims=True)
    # trust @ m.T, not m @ trust.T: the large matrix is read in its own order
    seen = np.swapaxes(trust @ np.swapaxes(m, -1, -2), -1, -2)
    inside = (seen - 1.0) / np.maximum(size - 1.0, 1.0)
    return np.where(members, inside, 0.0)


def group_mean_trust(trust: Array, members: Array) -> Array:
    """Mean trust over the ordered pairs of distinct members of each group (0 below two)."""
    return mean_of_members(trust_in_groups(trust, members), members)


def mean_of_members(per_member: Array, members: Array) -> Array:
    """Each group's mean of ``per_member`` (as `trust_in_groups` gives it; 0 below two)."""
    size = members.sum(axis=-1)
    return np.where(size >= 2, per_member.sum(axis=-1) / np.maximum(size, 1), 0.0)


def mean_mutual_trust(trust: Array, group: Array) -> float:
    """Mean trust over the ordered pairs of distinct members of ``group`` (nan below two)."""
    k = len(group)
    if k < 2:
        return float("nan")
    block = trust[np.ix_(group, group)]
    return float((block.sum() - np.trace(block)) / (k * (k - 1)))


def pair_mean(trust: Array, pairs: Array) -> float:
    """Mean mutual trust over the pairs marked in the symmetric mask ``pairs`` (nan if none)."""
    upper = np.triu(pairs, 1)
    count = upper.sum()
    return float(mutual(trust)[upper].sum() / count) if count else float("nan")


def tie_share(trust: Array, members: Array, threshold: float) -> tuple[int, float]:
    """(pairs of ``members`` whose mutual trust >= ``threshold``, their share of all pairs)."""
    k = len(members)
    if k < 2:
        return 0, 0.0
    block = mutual(trust[np.ix_(members, members)])
    ties = int(np.triu(block >= threshold, 1).sum())
    return ties, ties / (k * (k - 1) / 2)


def trust_in_agency(relationship: Array, institutional: Array, relationship_weight: float) -> Array:
    """Firms' trust in the executing agency: part personal (via the technician), part institutional.

    The personal part is why losing the technician loses most of it (the document: any change in
    the team damages the bonds of trust).
    """
    return relationship_weight * relationship + (1.0 - relationship_weight) * institutional


def cohesion(trust: Array, members: Array, threshold: float = 0.5) -> float:
    """How tightly ``members`` are knit by strong ties: largest group's share x its tie density.

    A tie is a pair whose mutual trust is at least ``threshold``. For each connected group of
    ties, its share of the members is multiplied by the share of its own pairs that are tied,
    and the best-knit group counts (whatever order the members come in);
    so a chain or a star of a few strong ties does not count as a cohesive network (the bare
    component share saturates at 1 as soon as a spanning tree exists). 1 means every member
    trusts every other strongly; 0 that no tie is strong.
    """
    n = len(members)
    if n < 2:
        return 0.0
    block = mutual(trust[np.ix_(members, members)])
    ties = block >= threshold
    np.fill_diagonal(ties, False)
    if not ties.any():
        return 0.0
    labels = components(ties)
    sizes = np.bincount(labels, minlength=n)
    tied_pairs = np.bincount(labels[np.nonzero(ties)[0]], minlength=n)  # ordered pairs
    knit = sizes * tied_pairs / np.maximum(sizes * (sizes - 1), 1)  # size x density
    return float(knit.max() / n)


def components(ties: Array) -> Array:
    """Each node's connected group in the symmetric tie mask: the lowest node it reaches.

    Reachability doubles its path length at each step (a Boolean matrix product), so a
    handful of small products find every group: no graph library on a model's hot path.
    """
    reach = ties | np.eye(len(ties), dtype=bool)
    while True:
        step = reach.astype(np.float32)
        wider = (step @ step) > 0
        if np.array_equal(wider, reach):
            return reach.argmax(axis=1)
        reach = wider
