"""Who stays, who leaves, who joins: a month of taking part, the impatient leaving, word of mouth.

Waiting for results costs motivation; a firm past its patience or out of motivation drops out,
walking out of its ventures. A member of a collective project is more patient the more it
trusts its partners and the more it has already put in (v3). Outsiders, and firms that left
(harder to win back), join when they hear of participants getting results. After the project,
members of a collective project carry its coordination themselves, and word of mouth is all
that recruits.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules.book import position_in, slot_of
from pipsim.rules.compiled import njit
from pipsim.rules.motivation import (
    dropout_probability,
    expected_benefit,
    join_probability,
    patience_in_a_group,
    spend,
)
from pipsim.rules.phases import agency_present
from pipsim.rules.state import DROPPED_OUT, OUTSIDE, PARTICIPATING, Rules, State
from pipsim.rules.ventures import trust_in_partners, walk_out

RETURN_FACTOR = 0.5  # a firm that dropped out is half as likely to join again as a newcomer
WORD_OF_MOUTH = 0.5  # recruitment after the agency left, as a share of the rate during it
RESULTS_REMEMBERED = 6  # months a participant's last result is talked about


@njit(cache=True)
def month_of_membership(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """Taking part costs motivation, waiting costs patience; the impatient leave; others join."""
    present = agency_present(p, month)
    leaving = np.zeros(p.n, dtype=np.bool_)
    anyone = False
    for i in range(p.n):
        if s.status[r, i] != PARTICIPATING:
            continue
        in_project = s.project_of[r, i] >= 0
        expected = expected_benefit(
            s.trust_collective[r, i], s.trust_public[r, i], p.appropriability
        )
        cost = p.participation_cost * (1.5 - expected)
        if not present and in_project:
            cost += p.coordination_cost
        s.motivation[r, i] = spend(s.motivation[r, i], cost)
        if s.last_result_month[r, i] < month:
            # Progress indicators the firms can verify make the wait for a maturing project's
            # results easier to bear (the document's advice on balancing short and long term).
            s.months_waiting[r, i] += 0.5 if in_project and p.progress_indicators else 1.0
        patience = s.patience[r, i]
        if in_project:
            v = slot_of(s, r, s.project_of[r, i])
            a = position_in(s, r, v, i)
            sunk = float(month - s.start[r, v])
            patience = patience_in_a_group(patience, trust_in_partners(s, r, v, a), sunk)
        leave = dropout_probability(s.months_waiting[r, i], patience, s.motivation[r, i])
        if leave > 0.0 and rng.random() < leave:
            leaving[i] = anyone = True
    if anyone:
        drop_out(s, p, r, leaving)
    recruit(s, p, r, rng, month, present)


@njit(cache=True)
def drop_out(s: State, p: Rules, r: int, leaving: np.ndarray) -> None:
    """Firms leave the project, walking out of their ventures (their partners resent it)."""
    for i in range(p.n):
        if leaving[i]:
            s.status[r, i] = DROPPED_OUT
            s.technician_of[r, i] = -1
            s.relationship[r, i] = 0.0  # should one return, it starts afresh with a technician
    walk_out(s, p, r, leaving)


@njit(cache=True)
def recruit(
    s: State, p: Rules, r: int, rng: np.random.Generator, month: int, present: bool
) -> None:
    """Word of mouth reaches outsiders, and those who left, in proportion to recent results.

    The ministry's record is common talk: a newcomer judges it as the participants do (a firm
    that returns remembers its own).
    """
    members, with_results, reputation = 0, 0, 0.0
    for i in range(p.n):
        if s.status[r, i] == PARTICIPATING:
            members += 1
            with_results += s.last_result_month[r, i] >= month - RESULTS_REMEMBERED
            reputation += s.trust_public[r, i]
    if members == 0 or members == p.n:
        return
    seen = with_results / members
    reputation /= members
    rate = p.recruitment_rate * (1.0 if present else WORD_OF_MOUTH)
    for i in range(p.n):
        if s.status[r, i] == PARTICIPATING:
            continue
        expected = expected_benefit(s.trust_collective[r, i], reputation, p.appropriability)
        join = join_probability(rate, seen, expected)
        if s.status[r, i] == DROPPED_OUT:
            join *= RETURN_FACTOR
        if join > 0.0 and rng.random() < join:
            if s.status[r, i] == OUTSIDE:
                s.trust_public[r, i] = reputation
            s.status[r, i] = PARTICIPATING
            s.months_waiting[r, i] = 0.0
            s.motivation[r, i] = max(s.motivation[r, i], p.initial_motivation)
