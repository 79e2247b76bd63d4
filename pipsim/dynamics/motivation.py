"""Why firms stay, leave or join: waiting costs motivation, tangible results restore it.

"The enterprises will desist from their collaborative efforts if they are unable to see any
concrete results from their joint activities" — each month without a result costs motivation;
a firm that waits past its patience or loses its motivation drops out. Outside firms join by
word of mouth when they see participants getting results.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def spend(motivation: Array, cost: float) -> Array:
    """Motivation after a month of taking part: time and money spent."""
    return np.maximum(motivation - cost, 0.0)


def reward(motivation: Array | float, amount: float) -> Array:
    """Motivation after a tangible result: close a share ``amount`` of the gap to 1."""
    return motivation + min(amount, 1.0) * (1.0 - motivation)


def expected_benefit(trust_collective: Array, trust_public: Array, appropriability: float) -> Array:
    """What a firm expects from staying in the project (0-1).

    The part of the benefit firms can appropriate comes through collective action with their
    partners; the rest is public goods, which come only if the public sector delivers. So the
    less appropriable the benefits, the more trust in the public sector matters (the document:
    public participation should increase when benefits "cannot be easily appropriated").
    """
    return appropriability * trust_collective + (1.0 - appropriability) * trust_public


def dropout_probability(months_waiting: Array, patience: Array, motivation: Array) -> Array:
    """Monthly chance a participant leaves: past its patience, or with no motivation left."""
    impatient = np.where(months_waiting > patience, 0.1, 0.0)
    discouraged = np.where(motivation < 0.1, 0.3, 0.0)
    return np.clip(impatient + discouraged, 0.0, 1.0)


def join_probability(rate: float, share_with_results: float, expected: Array) -> Array:
    """Monthly chance an outside firm joins, having heard of participants' results.

    ``expected`` is what the firm expects from taking part (`expected_benefit`): where benefits
    are hard to appropriate, a ministry nobody trusts keeps firms away.
    """
    return np.clip(rate * share_with_results * (0.5 + expected), 0.0, 1.0)
