"""How trust grows with good joint experience, falls with bad, and erodes without contact.

Trust is a number in [0, 1]. A good experience closes a share ``gain`` of the gap to full
trust, so gains slow as trust saturates. A bad experience takes ``loss_ratio`` times the gain
step away at once: negative events weigh more than positive ones (Slovic 1993), and a loss
rate three times the gain rate is one recent calibration (Pant & Yu 2025). Firm-to-firm trust
is a directed matrix whose diagonal is ignored.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

Array = np.ndarray


def reinforce(trust: Array | float, gain: Array | float) -> Array:
    """Trust after a good experience: close a share ``gain`` (at most all) of the gap to 1."""
    return trust + np.minimum(gain, 1.0) * (1.0 - trust)


def undermine(trust: Array | float, gain: Array | float, loss_ratio: float) -> Array:
    """Trust after a bad experience: lose ``loss_ratio`` gain steps, never below 0."""
    return np.maximum(trust - loss_ratio * gain, 0.0)


def erode(trust: Array, baseline: Array, rate: float) -> Array:
    """Trust after a month without contact: a share ``rate`` of what was built fades.

    Only trust above the ``baseline`` (what existed before the project) fades.
    """
    return trust - rate * np.maximum(trust - baseline, 0.0)


def reinforce_group(trust: Array, group: Array, gain: float) -> None:
    """Raise the mutual trust of every ordered pair within ``group`` in place."""
    block = (group[:, None], group)
    trust[block] = reinforce(trust[block], gain)


def undermine_group(trust: Array, group: Array, gain: float, loss_ratio: float) -> None:
    """Lower the mutual trust of every ordered pair within ``group`` in place."""
    block = (group[:, None], group)
    trust[block] = undermine(trust[block], gain, loss_ratio)


def undermine_towards(
    trust: Array, observers: Array, culprit: int, gain: float, loss_ratio: float
) -> None:
    """Lower the trust that ``observers`` place in one ``culprit`` (a partner who let them down)."""
    trust[observers, culprit] = undermine(trust[observers, culprit], gain, loss_ratio)


def trust_in_group(trust: Array, group: Array) -> Array:
    """Each member's mean trust in the other members of ``group`` (0 for a lone member)."""
    k = len(group)
    if k < 2:
        return np.zeros(k)
    block = trust[group[:, None], group]
    return (block.sum(axis=1) - trust[group, group]) / (k - 1)


def mean_mutual_trust(trust: Array, group: Array) -> float:
    """Mean trust over the ordered pairs of distinct members of ``group`` (nan if fewer than 2)."""
    if len(group) < 2:
        return float("nan")
    return float(trust_in_group(trust, group).mean())


def trust_in_agency(relationship: Array, institutional: Array, relationship_weight: float) -> Array:
    """Firms' trust in the executing agency: part personal (via the technician), part institutional.

    The personal part is why losing the technician loses most of it (the document: any change in
    the team damages the bonds of trust).
    """
    return relationship_weight * relationship + (1.0 - relationship_weight) * institutional


def cohesion(trust: Array, members: Array, threshold: float = 0.5) -> float:
    """Share of ``members`` in the largest group joined by mutual ties of trust >= ``threshold``.

    A tie counts when both firms trust each other at least ``threshold``; 1 means the members
    form one connected trust network, 1/n that nobody trusts anybody enough.
    """
    n = len(members)
    if n == 0:
        return 0.0
    block = trust[np.ix_(members, members)]
    ties = (block >= threshold) & (block.T >= threshold)
    _, labels = connected_components(csr_array(ties), directed=False)  # sparse: 2x faster
    return float(np.bincount(labels).max() / n)
