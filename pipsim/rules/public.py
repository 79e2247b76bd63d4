"""The public agency: the actions it agreed with the firms fall due, its minister, its crises.

Each action kept or broken is a piece of evidence about the ministry's commitment, seen by every
participant; a kept action announced by a minister in person is seen twice as clearly. A minister
who delegates the steering committee signals that the ministry cares less (and a subordinate
cannot commit it as a minister can); a political crisis (Box 2) cuts commitment, splits the agency
from the firms and cuts demand.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules import events
from pipsim.rules.compiled import njit
from pipsim.rules.learning import learn, learn_many
from pipsim.rules.log import record
from pipsim.rules.motivation import reward, spend
from pipsim.rules.phases import agency_present
from pipsim.rules.state import (
    PARTICIPATING,
    PUBLIC_ACTIONS_BROKEN,
    PUBLIC_ACTIONS_KEPT,
    Rules,
    State,
)

CRISIS_MONTHS = 12  # a political crisis splits the agency from the firms for a year (assumption)
DELEGATED_COMMITMENT = 0.8  # share of the minister's commitment a delegate can deliver
QUICK_WIN_MOTIVATION = 0.05  # share of the gap to full motivation a kept action closes


@njit(cache=True)
def actions_fall_due(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """This month's agreed actions fall due: a Poisson number of them."""
    for _ in range(rng.poisson(p.public_actions_per_year / 12.0)):
        action(s, p, r, rng, month)


@njit(cache=True)
def action(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """One agreed action falls due: the public agency keeps it (with its commitment) or not.

    A kept action is a quick win all can see (the wait for results halves) and a public good:
    every firm of the territory gains a little productivity.
    """
    kept = rng.random() < s.commitment[r]
    visible = 2.0 if kept and s.high_level_present[r] else 1.0
    for i in range(p.n):
        if s.status[r, i] != PARTICIPATING:
            continue
        s.trust_public[r, i] = learn(
            s.trust_public[r, i], kept, p.trust_gain * visible, p.trust_loss_ratio
        )
        if kept:
            s.motivation[r, i] = reward(s.motivation[r, i], QUICK_WIN_MOTIVATION)
            s.months_waiting[r, i] *= 0.5
    if kept:
        for i in range(p.n):
            s.productivity_uplift[r, i] += p.public_action_effect
        s.counts[r, PUBLIC_ACTIONS_KEPT] += 1
    else:
        s.counts[r, PUBLIC_ACTIONS_BROKEN] += 1
        record(s, p, r, month, events.PUBLIC_ACTION_BROKEN, 0, 0)


@njit(cache=True)
def delegate(s: State, p: Rules, r: int, month: int) -> None:
    """The minister delegates: one piece of bad evidence about the ministry's commitment."""
    s.high_level_present[r] = False
    s.commitment[r] *= DELEGATED_COMMITMENT
    for i in range(p.n):
        if s.status[r, i] == PARTICIPATING:
            s.trust_public[r, i] = learn(
                s.trust_public[r, i], False, p.trust_gain, p.trust_loss_ratio
            )
            s.motivation[r, i] = spend(s.motivation[r, i], 0.05)
    record(s, p, r, month, events.DELEGATED, 0, 0)


@njit(cache=True)
def agency_at_work(s: State, p: Rules, r: int, month: int) -> bool:
    """Whether the agency serves the firms this month: present, and not split from them.

    In a political crisis (Box 2) the agency's and the ministry's services are diverted and
    suspended: no events, no new ventures, no agreed actions falling due, nobody monitoring or
    mediating the groups' conflicts.
    """
    return agency_present(p, month) and not s.in_crisis[r]


@njit(cache=True)
def divisions(s: State, p: Rules, r: int) -> None:
    """A month of the crisis's divisions between the agency and the firms' associations.

    Box 2: the crisis "produced divisions between the implementing entity and the target
    entrepreneurial associations": each month of it is a piece of bad evidence about the agency
    for every participant.
    """
    for i in range(p.n):
        if s.status[r, i] == PARTICIPATING:
            s.institutional_trust[r, i] = learn(
                s.institutional_trust[r, i], False, p.trust_gain, p.trust_loss_ratio
            )


@njit(cache=True)
def crisis_passes(s: State, r: int, month: int) -> None:
    """A crisis ends `CRISIS_MONTHS` after it struck (the lost commitment is not regained)."""
    if s.in_crisis[r] and month >= s.crisis_month[r] + CRISIS_MONTHS:
        s.in_crisis[r] = False


@njit(cache=True)
def political_crisis(s: State, p: Rules, r: int, month: int) -> None:
    """Box 2: commitment falls, the agency is split from the firms, demand drops.

    For `CRISIS_MONTHS` the agency stops serving the firms (`agency_at_work`), and each month
    of the divisions between it and the firms' associations is bad evidence about it
    (`divisions`).
    """
    s.in_crisis[r] = True
    s.commitment[r] *= 1.0 - p.crisis_commitment_drop
    for i in range(p.n):
        if s.status[r, i] == PARTICIPATING:
            s.trust_public[r, i] = learn_many(
                s.trust_public[r, i], 0.0, 2.0, p.trust_gain, p.trust_loss_ratio
            )
            s.institutional_trust[r, i] = learn_many(
                s.institutional_trust[r, i], 0.0, 2.0, p.trust_gain, p.trust_loss_ratio
            )
        s.market_index[r, i] *= 1.0 - p.demand_shock_size
    record(s, p, r, month, events.POLITICAL_CRISIS, 0, 0)
