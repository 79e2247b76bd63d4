"""Forming ventures: pilots among willing participants, collective projects among proven partners.

Low trust is no obstacle to a pilot (the document): willing participants not already in one
take part, a founder picking partners it trusts, who are keen, and with whom it has succeeded
before. A collective project needs more: a founder with at least two *ready* ties — partners it
has succeeded with ``successes_before_project`` times and trusts (mutually) at the threshold —
and a group whose mean mutual trust reaches it; then the group decides, each member weighing
the risk of being let down against the record of what they achieved together (v3). A low
threshold (haste to show results) lets groups formalise without real trust.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules import events
from pipsim.rules.book import count_alive, open_venture
from pipsim.rules.compiled import njit
from pipsim.rules.draws import choose, sample, whole_and_chance
from pipsim.rules.kinds import MATURATION_SHARE, N_PILOT_KINDS, N_PROJECT_KINDS
from pipsim.rules.log import record
from pipsim.rules.state import (
    JOINT_WORK,
    PARTICIPATING,
    PILOT,
    PILOTS_RUN,
    PROJECT,
    PROJECTS_RUN,
    Rules,
    State,
)
from pipsim.rules.team import posts_held

MIN_PROJECT_FIRMS = 3  # fewer is a bilateral deal, not a collective project
FOUNDER_TRIES = 3  # founders the team (or the firms) try in a month before giving up


@njit(cache=True)
def partner_weight(trust: float, keenness: float, successes_together: int) -> float:
    """How likely a founder picks a partner: trusted, keen, and one it succeeded with before.

    Every joint success with a partner makes choosing it again likelier: the ladder of joint
    experience climbs with the same partners.
    """
    return (0.05 + trust) * (0.1 + keenness) * (1.0 + successes_together)


@njit(cache=True)
def willingness_to_formalise(trust: float, loss_ratio: float, successes: float) -> float:
    """Monthly chance a member agrees to formalise a project with these partners now.

    Formalising stakes money and time on partners: the member weighs the chance they deliver
    (its ``trust`` in them) against being let down, which weighs ``loss_ratio`` times as much
    (`learning.equilibrium`'s odds), and the chance the venture works, read from the group's
    record (``successes`` together, Laplace's rule: one half with none). Low trust does not
    forbid a project; it makes the group wait, so first projects spread over the months.
    """
    at_stake = trust / (trust + loss_ratio * (1.0 - trust)) if trust > 0.0 else 0.0
    works = (successes + 1.0) / (successes + 2.0)
    return at_stake * works


@njit(cache=True)
def group_agrees(s: State, p: Rules, r: int, rng: np.random.Generator, group: np.ndarray) -> bool:
    """Whether a group formalises this month: the group's decision, its members' mean willingness.

    Each member weighs its mean trust in the others and their joint successes
    (`willingness_to_formalise`); the group goes ahead with the mean of its members' chances.
    """
    k = len(group)
    total = 0.0
    for a in range(k):
        trust, successes = 0.0, 0.0
        for b in range(k):
            if b != a:
                trust += float(s.trust[r, group[a], group[b]])
                successes += s.joint_successes[r, group[a], group[b]]
        chance = willingness_to_formalise(trust / (k - 1), p.trust_loss_ratio, successes / (k - 1))
        total += chance
    return rng.random() < total / k


@njit(cache=True)
def mutual_trust(s: State, r: int, i: int, j: int) -> float:
    """Mutual trust of a pair: the mean of the two directions."""
    return 0.5 * (float(s.trust[r, i, j]) + float(s.trust[r, j, i]))


@njit(cache=True)
def group_trust(s: State, r: int, group: np.ndarray) -> float:
    """Mean mutual trust over the pairs of ``group`` (every direction once)."""
    k = len(group)
    total = 0.0
    for a in range(k):
        for b in range(k):
            if a != b:
                total += float(s.trust[r, group[a], group[b]])
    return total / (k * (k - 1)) if k > 1 else 0.0


@njit(cache=True)
def free_slots(s: State, p: Rules, r: int, month: int) -> float:
    """Ventures the present team can launch this month after supervising those under way."""
    return p.activities_per_technician * posts_held(s, r, month) - 0.5 * count_alive(s, r, -1)


@njit(cache=True)
def new_ventures(
    s: State, p: Rules, r: int, rng: np.random.Generator, month: int, phase: int
) -> None:
    """Formalise a collective project if a group is ready; launch the month's pilots.

    Pilots stop in the close-out; groups that are ready may still formalise a project. A month
    stops at its first pilot that finds too few willing firms.
    """
    slots = free_slots(s, p, r, month)
    if p.collective_projects and slots >= 1.0:
        slots -= start_project(s, p, r, rng, month)
    if not p.pilots or phase != JOINT_WORK:
        return
    planned = min(whole_and_chance(rng, p.pilots_per_month), int(np.floor(max(slots, 0.0))))
    for _ in range(planned):
        if not start_pilot(s, p, r, rng, month):
            break


@njit(cache=True)
def start_pilot(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> bool:
    """Form a pilot among the willing participants not in one; False if fewer than two are."""
    n = p.n
    candidates = np.empty(n, dtype=np.int64)
    keen = np.empty(n)
    count = 0
    for i in range(n):
        if s.status[r, i] != PARTICIPATING or s.in_pilot[r, i]:
            continue
        if rng.random() < s.motivation[r, i] * (0.5 + 0.5 * s.self_confidence[r, i]):
            candidates[count] = i
            keen[count] = s.motivation[r, i] * (2.0 if s.is_lead[r, i] else 1.0) + 1e-9
            count += 1
    if count < 2:
        return False
    founder = candidates[choose(rng, keen, count)]
    weights = np.empty(count)
    for k in range(count):
        j = candidates[k]
        weights[k] = (
            0.0
            if j == founder
            else partner_weight(
                float(s.trust[r, founder, j]), keen[k], s.joint_successes[r, founder, j]
            )
        )
    picked = np.empty(count, dtype=np.int64)
    drawn = sample(rng, weights, count, p.pilot_group_size - 1, picked)
    group = np.empty(drawn + 1, dtype=np.int64)
    group[0] = founder
    for k in range(drawn):
        group[k + 1] = candidates[picked[k]]
    label = int(rng.integers(0, N_PILOT_KINDS))
    open_venture(s, r, PILOT, label, month, month + p.pilot_months - 1, group, drawn + 1)
    for k in range(drawn + 1):
        s.in_pilot[r, group[k]] = True
    s.counts[r, PILOTS_RUN] += 1
    return True


@njit(cache=True)
def ready_ties(s: State, p: Rules, r: int) -> np.ndarray:
    """(n, n) mask of the pairs ready for a project, among participants not in one.

    A tie is ready when the pair has succeeded together ``successes_before_project`` times and
    their mutual trust reaches the threshold.
    """
    n = p.n
    free = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        if s.status[r, i] == PARTICIPATING and s.project_of[r, i] < 0:
            free[k] = i
            k += 1
    ready = np.zeros((n, n), dtype=np.bool_)
    need = p.successes_before_project
    for a in range(k):
        i = free[a]
        successes = s.joint_successes[r, i]  # i's row: most pairs stop at its first test
        for b in range(a + 1, k):
            j = free[b]
            if successes[j] < need or s.joint_successes[r, j, i] < need:
                continue
            if mutual_trust(s, r, i, j) >= p.project_trust_threshold:
                ready[i, j] = ready[j, i] = True
    return ready


@njit(cache=True)
def start_project(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> bool:
    """Formalise a collective project among ready firms; whether one formed.

    Founders are firms with ready ties enough for a group of `MIN_PROJECT_FIRMS`; the keen ones
    (motivated, trusting collective action, lead firms above all) are tried first.
    """
    n = p.n
    ready = ready_ties(s, p, r)
    if not ready.any():
        return False  # no pair is ready: nobody can found a project (most months)
    founders = np.empty(n, dtype=np.int64)
    keen = np.empty(n)
    count = 0
    for i in range(n):
        if s.status[r, i] == PARTICIPATING and ready[i].sum() >= MIN_PROJECT_FIRMS - 1:
            founders[count] = i
            lead = 3.0 if s.is_lead[r, i] else 1.0
            keen[count] = s.motivation[r, i] * s.trust_collective[r, i] * lead + 1e-9
            count += 1
    if count == 0:
        return False
    for _ in range(FOUNDER_TRIES):
        founder = founders[choose(rng, keen, count)]
        group = trusting_group(
            s.trust[r], founder, ready[founder], p.project_trust_threshold, p.project_group_size
        )
        if len(group) >= MIN_PROJECT_FIRMS and group_agrees(s, p, r, rng, group):
            open_project(s, p, r, rng, month, group)
            return True  # (a group not ready to stake on each other waits; the next founder)
    return False


@njit(cache=True)
def open_project(
    s: State, p: Rules, r: int, rng: np.random.Generator, month: int, group: np.ndarray
) -> None:
    """A collective project of ``group``: a kind drawn, a maturation as long as the kind takes."""
    label = int(rng.integers(0, N_PROJECT_KINDS))
    months = max(1, round(p.project_maturation_months * MATURATION_SHARE[label]))
    v = open_venture(s, r, PROJECT, label, month, month + months - 1, group, len(group))
    for k in range(len(group)):
        s.project_of[r, group[k]] = s.uid[r, v]
    s.counts[r, PROJECTS_RUN] += 1
    if np.isnan(s.first_project[r]):  # the ladder's record: what came before, how trusted
        s.first_project[r] = month
        s.pilots_before_first_project[r] = s.counts[r, PILOTS_RUN]
        s.trust_at_first_project[r] = group_trust(s, r, group)
    record(s, p, r, month, events.PROJECT_FORMED, len(group), label)


@njit(cache=True)
def trusting_group(
    trust: np.ndarray, founder: int, partners: np.ndarray, threshold: float, size: int
) -> np.ndarray:
    """The largest group around the founder (at most ``size``) whose members trust each other.

    The partners the founder trusts most (mutually) join first; the least trusting member is
    dropped until the group's mean mutual trust reaches ``threshold``. Returns the group's
    firms, the founder first (it may be the founder alone). Only the partners are sorted: a
    founder has a few ready ties among many firms.
    """
    candidates = np.flatnonzero(partners)  # in firm order
    candidates = candidates[candidates != founder]
    closeness = np.empty(len(candidates))
    for k, j in enumerate(candidates):
        closeness[k] = 0.5 * (float(trust[founder, j]) + float(trust[j, founder]))
    order = np.argsort(-closeness, kind="mergesort")  # stable: ties in firm order
    group = [founder]
    for k in range(min(size - 1, len(candidates))):
        group.append(candidates[order[k]])
    while len(group) > 1:
        k = len(group)
        in_group = np.empty(k)
        for a in range(k):
            total = 0.0
            for b in range(k):
                if b != a:
                    total += float(trust[group[a], group[b]])
            in_group[a] = total / (k - 1)
        if in_group.sum() / k >= threshold:
            break
        weakest = 1 + np.argmin(in_group[1:])
        group.pop(weakest)
    return np.array(group, dtype=np.int64)
