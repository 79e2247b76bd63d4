"""The executing agency's technical team: technicians leave, posts stay empty, firms are served.

The document: "any change in the makeup of the technical team damages the bonds of trust created
by the promoting agency with the participating enterprises". A replacement starts without the
relationships of the technician they replace; firms of a vacant post wait for its next holder.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules import events
from pipsim.rules.compiled import njit
from pipsim.rules.learning import learn, learn_many
from pipsim.rules.log import record
from pipsim.rules.market import monthly_probability
from pipsim.rules.state import PARTICIPATING, TECHNICIANS_LEFT, Rules, State


@njit(cache=True)
def post_held(s: State, r: int, post: int, month: int) -> bool:
    """Whether someone holds ``post`` this month."""
    return s.vacant_until[r, post] <= month


@njit(cache=True)
def posts_held(s: State, r: int, month: int) -> int:
    """Posts of the team held this month."""
    held = 0
    for k in range(s.vacant_until.shape[1]):
        held += post_held(s, r, k, month)
    return held


@njit(cache=True)
def vacancy_months(rng: np.random.Generator, mean_months: float) -> int:
    """How long a post stays empty: geometric with mean ``mean_months`` (0: filled at once)."""
    if mean_months <= 0.0:
        return 0
    return rng.geometric(1.0 / (1.0 + mean_months)) - 1


@njit(cache=True)
def turnover(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """Technicians leave; their firms lose the relationship, and every participant hears of it.

    Each departure is half a piece of bad evidence about the agency for every participant. The
    caseload stays with the post: the successor takes it on, without the relationship.
    """
    chance = monthly_probability(p.staff_turnover)
    for k in range(p.n_technicians):
        if not post_held(s, r, k, month) or rng.random() >= chance:
            continue
        lost_contact = 0
        for i in range(p.n):
            if s.technician_of[r, i] == k:
                s.relationship[r, i] = 0.0
                lost_contact += s.status[r, i] == PARTICIPATING
            if s.status[r, i] == PARTICIPATING:
                s.institutional_trust[r, i] = learn_many(
                    s.institutional_trust[r, i], 0.0, 1.0, p.trust_gain / 2, p.trust_loss_ratio
                )
        s.vacant_until[r, k] = month + 1 + vacancy_months(rng, p.vacancy_months)
        s.technician_skill[r, k] = min(max(rng.normal(p.technician_skill, 0.15), 0.0), 1.0)
        s.counts[r, TECHNICIANS_LEFT] += 1
        record(s, p, r, month, events.TECHNICIAN_LEFT, lost_contact, 0)


@njit(cache=True)
def serve_firms(s: State, p: Rules, r: int, month: int) -> None:
    """Firms without a technician get the least loaded one present; contact builds relationships.

    A technician with more firms than they can serve sees each less; distance halves the contact
    at most. Only a served firm has a mediator at hand this month.
    """
    posts = p.n_technicians
    loads = np.zeros(posts, dtype=np.int64)
    for i in range(p.n):
        s.mediator_skill[r, i] = 0.0
        if s.status[r, i] == PARTICIPATING and s.technician_of[r, i] >= 0:
            loads[s.technician_of[r, i]] += 1
    if posts_held(s, r, month) > 0:
        for i in range(p.n):  # in firm order, each to the least loaded post held
            if s.status[r, i] == PARTICIPATING and s.technician_of[r, i] < 0:
                best = -1
                for k in range(posts):
                    if post_held(s, r, k, month) and (best < 0 or loads[k] < loads[best]):
                        best = k
                s.technician_of[r, i] = best
                loads[best] += 1
    for i in range(p.n):
        k = s.technician_of[r, i]
        if s.status[r, i] != PARTICIPATING or k < 0 or not post_held(s, r, k, month):
            continue
        skill = s.technician_skill[r, k]
        s.mediator_skill[r, i] = skill
        intensity = min(1.0, p.firms_per_technician / max(loads[k], 1))
        intensity *= 1.0 - 0.5 * p.geographic_distance
        s.relationship[r, i] = learn(
            s.relationship[r, i], True, 0.15 * skill * intensity, p.trust_loss_ratio
        )
