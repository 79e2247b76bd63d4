"""Why firms stay, leave or join: waiting costs motivation, tangible results restore it.

"The enterprises will desist from their collaborative efforts if they are unable to see any
concrete results from their joint activities" — each month without a result costs motivation;
a firm that waits past its patience or loses its motivation drops out. Outside firms join by
word of mouth when they see participants getting results.
"""

from __future__ import annotations

from pipsim.rules.compiled import njit

TRUSTING_PATIENCE = 1.0  # a member trusting its partners fully waits twice as long (assumption)
SUNK_PATIENCE = 0.5  # months of patience each month already put into a project adds (assumption)


@njit(cache=True)
def spend(motivation: float, cost: float) -> float:
    """Motivation after a month of taking part: time and money spent."""
    return max(motivation - cost, 0.0)


@njit(cache=True)
def reward(motivation: float, amount: float) -> float:
    """Motivation after a tangible result: close a share ``amount`` of the gap to 1."""
    return motivation + min(amount, 1.0) * (1.0 - motivation)


@njit(cache=True)
def expected_benefit(trust_collective: float, trust_public: float, appropriability: float) -> float:
    """What a firm expects from staying in the project (0-1).

    The part of the benefit firms can appropriate comes through collective action with their
    partners; the rest is public goods, which come only if the public sector delivers. So the
    less appropriable the benefits, the more trust in the public sector matters (the document:
    public participation should increase when benefits "cannot be easily appropriated").
    """
    return appropriability * trust_collective + (1.0 - appropriability) * trust_public


@njit(cache=True)
def patience_in_a_group(patience: float, trust_in_partners: float, months_sunk: float) -> float:
    """Months without results a member of a collective project tolerates.

    Waiting is bearable when the partners are expected to deliver: patience grows with trust
    in them (twice as long at full trust, `TRUSTING_PATIENCE`); what the firm has already put
    into the project (its months in it) is not given up lightly (`SUNK_PATIENCE` of a month's
    patience per month sunk).
    """
    return (patience + SUNK_PATIENCE * months_sunk) * (1.0 + TRUSTING_PATIENCE * trust_in_partners)


@njit(cache=True)
def dropout_probability(months_waiting: float, patience: float, motivation: float) -> float:
    """Monthly chance a participant leaves: past its patience, or with no motivation left."""
    impatient = 0.1 if months_waiting > patience else 0.0
    discouraged = 0.3 if motivation < 0.1 else 0.0
    return min(max(impatient + discouraged, 0.0), 1.0)


@njit(cache=True)
def join_probability(rate: float, share_with_results: float, expected: float) -> float:
    """Monthly chance an outside firm joins, having heard of participants' results.

    ``expected`` is what the firm expects from taking part (`expected_benefit`): where benefits
    are hard to appropriate, a ministry nobody trusts keeps firms away.
    """
    return min(max(rate * share_with_results * (0.5 + expected), 0.0), 1.0)
