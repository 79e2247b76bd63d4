"""Contact between firms: the team's trust-building events, chance meetings, the close-out's talks.

Trust-building events (meetings with peer testimony, travel, social events with families,
visits to other enterprises) let firms see how the others behave: weak evidence of each other's
reliability. Distance keeps some away, but those who come learn as much as anywhere: the value
of contact the team arranges does not shrink with distance (Box 5 blames the *lack* of contact).
Neighbours also meet informally; distant firms rarely do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipsim.rules.compiled import njit
from pipsim.rules.draws import choose, whole_and_chance
from pipsim.rules.learning import (
    FIRST_IMPRESSIONS_TABULATED,
    apply_evidence,
    evidence_factors,
    factors_of_keeps,
    first_impression_keeps,
    learn_from_sight,
    learn_many,
    observe,
    trust_in_agency,
)
from pipsim.rules.state import EVENTS_HELD, PARTICIPATING, PROJECT, Rules, State


@dataclass(frozen=True, slots=True)
class EventKind:
    """One kind of trust-building event: how many it invites and how much one attendance shows."""

    name: str
    evidence: float  # weight of seeing a partner at it, in units of one joint-work month
    invited: int  # firms invited (every participant if larger than their number)
    collective_action_gain: float  # peer testimony: evidence that collective action pays
    weight: float  # how often the team organises it


# The document's "How to promote trust": testimony by peers is "particularly effective";
# travel shares new environments; social events with families let people know each other;
# visits "are a test of the willingness to form a group". Sizes are this model's assumptions:
# a meeting or a social event is open to every participant; a trip or a visit takes a group.
EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind("meeting with peer testimony", 0.3, 1000, 0.5, 0.4),
    EventKind("business or technology travel", 1.0, 12, 0.3, 0.15),
    EventKind("social event with families", 0.6, 1000, 0.0, 0.2),
    EventKind("visit to another enterprise", 0.8, 8, 0.3, 0.25),
)
EVENT_WEIGHTS = np.array([k.weight for k in EVENT_KINDS])
EVENT_INVITED = np.array([k.invited for k in EVENT_KINDS])
EVENT_EVIDENCE = np.array([k.evidence for k in EVENT_KINDS])
EVENT_TESTIMONY = np.array([k.collective_action_gain for k in EVENT_KINDS])
DISTANCE_ABSENCE = 0.3  # share of invited firms far away who stay home (travel time and cost)


@njit(cache=True)
def attendance_probability(
    motivation: float, trust_collective: float, trust_agency: float, distance: float
) -> float:
    """Chance an invited firm attends: motivated firms that trust the organisers come.

    Distance keeps some of them away (Box 5: it "made communications difficult").
    """
    keen = (0.3 + 0.7 * motivation) * (0.6 + 0.4 * trust_collective) * (0.7 + 0.3 * trust_agency)
    return min(max(keen * (1.0 - DISTANCE_ABSENCE * distance), 0.0), 1.0)


@njit(cache=True)
def chance_meeting_probability(rate: float, distance: float) -> float:
    """Monthly chance two participants meet informally: neighbours often, distant firms rarely."""
    return rate * (1.0 - distance)


@njit(cache=True)
def participants(s: State, r: int) -> np.ndarray:
    """The firms taking part, in firm order."""
    n = s.status.shape[1]
    out = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        if s.status[r, i] == PARTICIPATING:
            out[count] = i
            count += 1
    return out[:count]


@njit(cache=True)
def trust_building(s: State, p: Rules, r: int, rng: np.random.Generator) -> None:
    """The month's events: who is invited, who comes, what they see of each other.

    Every pair that attends the same event gains an observation of each other's conduct,
    weighted by the kind of event: on average a firm behaves as reliably as it is (fractional
    evidence, as `learning.observe`); peer testimony is evidence that
    collective action pays. Events are the team's own programme: they do not take the slots of
    pilots and projects.
    """
    if not p.trust_building_events:
        return
    planned = whole_and_chance(rng, p.events_per_month)
    members = participants(s, r)
    k = len(members)
    if k < 2 or planned == 0:
        return
    attended = np.zeros((planned, k), dtype=np.bool_)
    evidence = np.empty(planned)
    testimony = np.empty(planned)
    for e in range(planned):
        kind = choose(rng, EVENT_WEIGHTS, len(EVENT_WEIGHTS))
        evidence[e], testimony[e] = EVENT_EVIDENCE[kind], EVENT_TESTIMONY[kind]
        invited = invite(rng, k, min(EVENT_INVITED[kind], k))
        for a in invited:
            i = members[a]
            come = attendance_probability(
                s.motivation[r, i],
                s.trust_collective[r, i],
                trust_in_agency(
                    s.relationship[r, i], s.institutional_trust[r, i], p.relationship_weight
                ),
                p.geographic_distance,
            )
            attended[e, a] = rng.random() < come
    s.counts[r, EVENTS_HELD] += planned
    keeps = first_impression_keeps(p)
    for e in range(planned):
        # by firm: what the others saw of it at the steady rate, worked out when first needed
        half_bad, closed = np.full(p.n, np.nan), np.full(p.n, np.nan)
        # by firm and pieces seen of it: first impressions' factors, worked out when first needed
        first = np.full((p.n, len(keeps), 2), np.nan)
        present = members[attended[e]]
        for i in present:
            see_each_other(s, p, r, i, present, evidence[e], half_bad, closed, first, keeps)
    for a in range(k):
        heard = 0.0
        for e in range(planned):
            heard += testimony[e] * attended[e, a]
        i = members[a]
        s.trust_collective[r, i] = learn_many(
            s.trust_collective[r, i], heard, 0.0, p.trust_gain, p.trust_loss_ratio
        )


@njit(cache=True)
def see_each_other(
    s: State,
    p: Rules,
    r: int,
    watcher: int,
    present: np.ndarray,
    weight: float,
    half_bad: np.ndarray,
    closed: np.ndarray,
    first: np.ndarray,
    keeps: np.ndarray,
) -> None:
    """At a gathering, ``watcher`` sees every other firm there at work for ``weight``.

    ``present`` lists who came. ``half_bad`` and ``closed`` are each firm's `seen_at_work`
    factors at the steady rate; ``first[j, k]`` those a watcher who has seen ``k`` whole
    pieces of firm j applies (first impressions, `learning.scarce_pieces` of them); both
    worked out by the first watcher who needs them (NaN until then): once per firm and
    record, not per pair, and not for firms nobody yet knows well. One pass over those
    present, not over every firm: a gathering's pairs are what a month's events cost, and
    most of them are first impressions.
    """
    trust, evidence, contact = s.trust[r], s.evidence[r], s.contact[r]
    scarce = first.shape[1]
    steady_from = steady_after(scarce)
    for j in present:
        if j == watcher:
            continue
        if evidence[watcher, j] >= steady_from:  # the steady rate, shared by every watcher
            steady_factors(s, p, r, j, weight, half_bad, closed, j)
            trust[watcher, j] = apply_evidence(
                np.float64(trust[watcher, j]), half_bad[j], closed[j]
            )
        else:
            k = int(evidence[watcher, j])
            if k < scarce:
                good = weight * s.reliability[r, j]
                half, close = first_impression(first, j, k, good, weight, keeps)
                trust[watcher, j] = apply_evidence(np.float64(trust[watcher, j]), half, close)
            else:  # first impressions beyond the tabulated pieces
                steady_factors(s, p, r, j, weight, half_bad, closed, j)
                good = weight * s.reliability[r, j]
                trust[watcher, j] = learn_from_sight(
                    trust[watcher, j],
                    evidence[watcher, j],
                    good,
                    weight - good,
                    half_bad[j],
                    closed[j],
                    keeps,
                    p,
                )
        evidence[watcher, j] += weight
        contact[watcher, j] = True


@njit(cache=True, inline="always")
def steady_after(scarce: int) -> float:
    """Evidence from which a watcher learns at the steady rate, given `scarce_pieces`.

    At the cap (`FIRST_IMPRESSIONS_TABULATED`) evidence may still be scarce beyond the
    table: then no record is steady here, and `learning.learn_from_sight` decides.
    """
    return scarce if scarce < FIRST_IMPRESSIONS_TABULATED else np.inf


@njit(cache=True, inline="always")
def first_impression(
    first: np.ndarray, at: int, pieces: int, good: float, weight: float, keeps: np.ndarray
) -> tuple[float, float]:
    """``first[at, pieces]``: the factors of a first impression, ``good`` of ``weight`` seen.

    Worked out by the first watcher with a record of ``pieces`` whole pieces of the firm at
    ``at`` (NaN until then), then shared by every watcher with that record: once per firm and
    record, not per pair.
    """
    if np.isnan(first[at, pieces, 0]):
        first[at, pieces, 0], first[at, pieces, 1] = factors_of_keeps(
            good, weight - good, keeps[pieces, 0], keeps[pieces, 1]
        )
    return first[at, pieces, 0], first[at, pieces, 1]


@njit(cache=True, inline="always")
def steady_factors(
    s: State,
    p: Rules,
    r: int,
    firm: int,
    weight: float,
    half_bad: np.ndarray,
    closed: np.ndarray,
    at: int,
) -> None:
    """``firm``'s `seen_at_work` factors into ``half_bad[at]``, ``closed[at]`` if not there yet.

    A rule keeps them NaN until a watcher who knows the firm well (the steady rate) needs
    them: most watchers are still on first impressions, which have their own factors.
    """
    if np.isnan(half_bad[at]):
        half_bad[at], closed[at] = seen_at_work(s, p, r, firm, weight)


@njit(cache=True)
def seen_at_work(s: State, p: Rules, r: int, firm: int, weight: float) -> tuple[float, float]:
    """`learning.evidence_factors` of watching ``firm`` at work for ``weight`` of a month.

    Fractional evidence: on average a firm behaves as reliably as it is (`learning.observe`).
    At the steady rate: first impressions are the watcher's (`learning.learn_from_sight`).
    """
    good = weight * s.reliability[r, firm]
    return evidence_factors(good, weight - good, p.trust_gain, p.trust_loss_ratio)


@njit(cache=True)
def invite(rng: np.random.Generator, k: int, invited: int) -> np.ndarray:
    """``invited`` of ``k`` participants, drawn at random (positions in the participants' list)."""
    order = np.arange(k)
    for a in range(invited):  # a partial Fisher-Yates shuffle
        b = a + rng.integers(0, k - a)
        order[a], order[b] = order[b], order[a]
    return order[:invited]


@njit(cache=True)
def chance_meetings(s: State, p: Rules, r: int, rng: np.random.Generator) -> None:
    """Participants who are neighbours meet informally; each meeting shows both their conduct.

    A meeting is one observation of each other at work (`learning.observe`, weight 1).

    Each pair of participants meets with the same small chance; the number of meetings is drawn
    first and the pairs after, so a month costs what its meetings cost. Most meetings are
    between firms that have seen little of each other (first impressions): a participant's
    factors for a watcher with a given record are worked out once a month, not per meeting.
    """
    chance = chance_meeting_probability(p.spontaneous_contact, p.geographic_distance)
    if chance <= 0.0:
        return
    members = participants(s, r)
    k = len(members)
    if k < 2:
        return
    # by participant: what a meeting shows of it at the steady rate (the same at every meeting),
    # worked out when first needed
    half_bad, closed = np.full(k, np.nan), np.full(k, np.nan)
    keeps = first_impression_keeps(p)
    scarce = len(keeps)
    steady_from = steady_after(scarce)
    # by participant and pieces seen of it: first impressions' factors, worked out when first
    # needed (NaN until then) and shared by every watcher with that record of it this month
    first = np.full((k, scarce, 2), np.nan)
    trust, evidence, contact = s.trust[r], s.evidence[r], s.contact[r]  # this run's matrices
    for _ in range(rng.binomial(k * (k - 1) // 2, chance)):
        a, b = int(rng.random() * k), int(rng.random() * k)  # two participants at random
        if a != b:
            for x, y in ((a, b), (b, a)):  # each sees the other at work once
                i, j = members[x], members[y]
                kept = s.reliability[r, j]
                pieces = int(evidence[i, j])
                if evidence[i, j] < steady_from and pieces < scarce:
                    half, close = first_impression(first, y, pieces, kept, 1.0, keeps)
                    trust[i, j] = apply_evidence(np.float64(trust[i, j]), half, close)
                else:  # the steady rate (or first impressions beyond the table)
                    steady_factors(s, p, r, j, 1.0, half_bad, closed, y)
                    trust[i, j] = learn_from_sight(
                        trust[i, j],
                        evidence[i, j],
                        kept,
                        1.0 - kept,
                        half_bad[y],
                        closed[y],
                        keeps,
                        p,
                    )
                evidence[i, j] += 1.0
                contact[i, j] = True


@njit(cache=True)
def consolidate(s: State, p: Rules, r: int) -> None:
    """Close-out: the team meets each collective project's group to prepare it to go alone."""
    for v in range(s.alive.shape[1]):
        if not s.alive[r, v] or s.kind[r, v] != PROJECT:
            continue
        size = s.size[r, v]
        for a in range(size):
            for b in range(size):
                if a != b:
                    observe(s, p, r, s.members[r, v, a], s.members[r, v, b], 1.0)
