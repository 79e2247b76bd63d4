"""A month of every venture under way: conduct, conflicts, what partners learn, endings, benefits.

Each month every member delivers or fails the group, and its partners learn from what it did;
conflicts arise and a technician may mediate them. A pilot ends after a few months, its market
answering or not; a collective project matures for longer and, if its business case holds,
operates (and pays) for as long as its members keep working together and its market lasts —
during the project and after the agency has left.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules import events, probe
from pipsim.rules.book import close_venture, remove_member
from pipsim.rules.compiled import njit
from pipsim.rules.kinds import JOINT_MARKETING, JOINT_PURCHASE, PRODUCTIVITY_WEIGHT, SALES_WEIGHT
from pipsim.rules.learning import (
    learn,
    learn_about_by_record,
    learn_many,
    learn_of,
    rates_by_record,
)
from pipsim.rules.log import record
from pipsim.rules.market import monthly_probability, own_gain, spill_over
from pipsim.rules.motivation import reward, spend
from pipsim.rules.phases import phase_of
from pipsim.rules.public import agency_at_work
from pipsim.rules.state import (
    CLOSE_OUT,
    CONFLICTS,
    CONFLICTS_MEDIATED,
    PILOT,
    PILOTS_FAILED,
    PILOTS_SUCCEEDED,
    PROJECT,
    PROJECTS_FAILED,
    PROJECTS_SUCCEEDED,
    PROMISES_BROKEN,
    PROMISES_KEPT,
    Rules,
    State,
)

PILOT_EVIDENCE = 2.0  # a pilot's market answer, in pieces of evidence about collective action
PROJECT_EVIDENCE = 4.0  # a project's business case weighs more
OPERATING_EVIDENCE = 0.2  # a month of an operating project paying off
DEFECTION_EVIDENCE = 2.0  # failing the group, in pieces of evidence (a small slip is one)
BENEFIT_RAMP_MONTHS = 6  # months for a project's benefits to reach their full size
RESULT_MOTIVATION = 0.3  # share of the gap to full motivation a tangible result closes
FAILURE_MOTIVATION = 0.06  # motivation a failure costs, times the loss ratio
OPERATING_MOTIVATION = 0.05  # a month of benefits from an operating project
UNSUPERVISED_CONFLICTS = 1.5  # conflicts arise more often with nobody to clarify expectations
EXPORT_CHANCE = 0.1  # monthly chance a member of a ramping marketing project starts exporting
SHADOW_MONTHS = 12.0  # cooperation expected to go on this long weighs half (assumption)


# --- the formulas ---------------------------------------------------------------------------
@njit(cache=True)
def noncompliance_probability(
    risk: float,
    trust_in_group: float,
    motivation: float,
    appropriability: float,
    trust_public: float,
) -> float:
    """Monthly chance a member fails the group (does not deliver, does not pay, free-rides).

    ``risk`` is the chance for a member of average reliability that trusts nobody, is half
    motivated and keeps the whole benefit. Distrust, low motivation and benefits that leak to
    others raise it; a public sector trusted to supply the shared part of the benefit removes
    the temptation that leak adds (the document: public participation matters most where
    benefits "cannot be easily appropriated").
    """
    leak = (1.0 - appropriability) * (1.0 - trust_public)
    return min(risk * (1.0 - trust_in_group) * (1.5 - motivation) * (1.0 + leak), 1.0)


@njit(cache=True)
def shadow_of_the_future(months_ahead: float) -> float:
    """How much a firm's future with its partners weighs now (0-1), given the months it expects.

    A firm that expects to go on cooperating has more to lose from letting its partners down
    (Axelrod's shadow of the future; Buskens & Raub 2002): half weight at `SHADOW_MONTHS`.
    """
    ahead = max(months_ahead, 0.0)
    return ahead / (ahead + SHADOW_MONTHS)


@njit(cache=True)
def keep_word_probability(
    reliability: float, goodwill: float, trust: float, shadow: float, monitoring: float
) -> float:
    """Chance a member keeps its commitments to a group this month: trustworthiness answers trust.

    A firm means to keep its word as far as it is of good will and expects its partners to keep
    theirs (``trust`` in them: conditional cooperation); where it does not, being watched
    (``monitoring``, the agency's presence) or expecting to go on together (``shadow``) still
    hold it to its word (Ostrom 1998; Buskens & Raub 2002). Meaning to is not managing to: a firm
    delivers what it intends as often as it is reliable. A group that trusts nobody and has no
    future nor monitor keeps its word less, lets its members down, and trusts less: a trap
    (Macy & Skvoretz 1998).
    """
    intent = goodwill * trust
    assurance = 1.0 - (1.0 - monitoring) * (1.0 - shadow)
    return reliability * (intent + (1.0 - intent) * assurance)


@njit(cache=True)
def pilot_success_probability(base_rate: float, capability: float) -> float:
    """Chance a pilot works when every member delivers: limited risk, capability helps a little."""
    return base_rate * (0.8 + 0.2 * capability)


@njit(cache=True)
def project_success_probability(base_rate: float, capability: float, group_trust: float) -> float:
    """Chance a collective project's business case holds when every member delivers.

    ``base_rate`` is the chance for a capable group whose members trust each other fully; a
    group that distrusts itself pays in transaction costs and hedging (half the chance at 0).
    """
    return base_rate * (0.6 + 0.4 * capability) * (0.5 + 0.5 * group_trust)


@njit(cache=True)
def mediation_probability(skill: float, relationship: float) -> float:
    """Chance a technician mediates: skill, helped by how well they know the parties.

    "The presence of these technicians makes it possible to mediate the most serious conflicts."
    """
    return min(max(skill * (0.3 + 0.7 * relationship), 0.0), 1.0)


@njit(cache=True)
def conflict_weight(mediated: bool, effectiveness: float) -> float:
    """Bad evidence a conflict leaves, in pieces (a mediated one leaves less)."""
    return 1.0 - effectiveness if mediated else 1.0


@njit(cache=True)
def break_probability(group_trust: float) -> float:
    """Chance an unmediated conflict ends the group: members who trust each other settle it."""
    return min(max((1.0 - group_trust) ** 2, 0.0), 1.0)


# --- what a group is --------------------------------------------------------------------------
@njit(cache=True)
def trust_in_partners(s: State, r: int, v: int, a: int) -> float:
    """Member ``a`` of venture ``v``: its mean trust in the other members (0 alone)."""
    size = s.size[r, v]
    if size < 2:
        return 0.0
    i = s.members[r, v, a]
    total = 0.0
    for b in range(size):
        if b != a:
            total += float(s.trust[r, i, s.members[r, v, b]])
    return total / (size - 1)


@njit(cache=True)
def group_trust(s: State, r: int, v: int) -> float:
    """Mean trust over the ordered pairs of distinct members (0 below two members)."""
    size = s.size[r, v]
    if size < 2:
        return 0.0
    total = 0.0
    for a in range(size):
        total += trust_in_partners(s, r, v, a)
    return total / size


@njit(cache=True)
def group_capability(s: State, r: int, v: int) -> float:
    """What a group can do: half its mean capability, half its most capable member's."""
    size = s.size[r, v]
    if size == 0:
        return 0.0
    total, best = 0.0, 0.0
    for a in range(size):
        c = s.capability[r, s.members[r, v, a]]
        total += c
        best = max(best, c)
    return 0.5 * total / size + 0.5 * best


# --- the month ----------------------------------------------------------------------------------
@njit(cache=True)
def month_of_ventures(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """One month of every venture under way, in the order of the ODD.

    First every venture's conduct is drawn (who failed the group, which conflicts arose, which a
    technician mediated, which broke the group), then partners learn from it; then pilots end
    or go on, projects mature, operate or collapse, results teach their members, benefits flow.
    """
    slots = s.alive.shape[1]
    widest = 1  # positions the month's conduct needs: the largest group's, not every firm's
    for v in range(slots):
        if s.alive[r, v]:
            widest = max(widest, s.size[r, v])
    defected = np.zeros((slots, widest), dtype=np.bool_)  # by member position
    lapsed = np.zeros((slots, widest), dtype=np.bool_)
    other = np.zeros(slots, dtype=np.int64)  # conflicts from other sources (0 or 1)
    mediated = np.zeros(slots, dtype=np.bool_)
    broke = np.zeros(slots, dtype=np.bool_)
    trusting = np.zeros(slots)
    for v in range(slots):
        if s.alive[r, v]:
            trusting[v] = conduct(s, p, r, rng, month, v, defected[v], lapsed[v])
            other[v], mediated[v], broke[v] = conflicts(
                s, p, r, rng, month, v, defected[v], trusting[v]
            )
    recording = s.conduct_record.shape[1] > 0  # an experiment's record (`probe`), else none
    rates = rates_by_record(p)  # the learning rates' logarithms, once a month
    for v in range(slots):
        if s.alive[r, v]:
            strain = other[v] * conflict_weight(mediated[v], p.mediation_effectiveness)
            first = probe.note_before(s, r, month, v, defected[v], lapsed[v]) if recording else 0
            learn_from_conduct(s, p, r, v, defected[v], lapsed[v], strain, rates)
            if recording:
                probe.note_after(s, r, first)
    for v in range(slots):
        if s.alive[r, v]:
            n_conflicts = other[v] + defected[v].sum()
            s.counts[r, CONFLICTS] += n_conflicts
            s.counts[r, CONFLICTS_MEDIATED] += n_conflicts * mediated[v]
            if s.kind[r, v] == PILOT:
                pilot_month(s, p, r, rng, month, v, defected[v], broke[v])
            else:
                project_month(s, p, r, rng, month, v, defected[v], broke[v], trusting[v])


@njit(cache=True)
def conduct(
    s: State,
    p: Rules,
    r: int,
    rng: np.random.Generator,
    month: int,
    v: int,
    defected: np.ndarray,
    lapsed: np.ndarray,
) -> float:
    """Who fails the group this month (a serious breach) and who lets a small commitment slip.

    A member fails the group more often when it is less reliable, distrusts its partners, is
    unmotivated, nobody monitors and the benefit leaks; it lets a small commitment slip (a
    payment on time, a meeting kept) unless it means to and can keep it (`keep_word_probability`:
    its good will, its trust in these partners, the future it expects with them, the agency's
    monitoring). Returns the group's trust.
    """
    size = s.size[r, v]
    watched = p.monitoring_effect * agency_at_work(s, p, r, month)
    shadow = shadow_of_the_future(months_ahead(s, p, r, v, month))
    for a in range(size):
        i = s.members[r, v, a]
        trusted = trust_in_partners(s, r, v, a)
        risk = p.noncompliance_risk * s.unreliability[r, i] * (1.0 - watched)
        hazard = noncompliance_probability(
            risk, trusted, s.motivation[r, i], p.appropriability, s.trust_public[r, i]
        )
        defected[a] = size >= 2 and rng.random() < hazard
        keep = keep_word_probability(
            s.reliability[r, i], s.goodwill[r, i], trusted, shadow, watched
        )
        lapsed[a] = not defected[a] and rng.random() >= keep
    return group_trust(s, r, v)


@njit(cache=True)
def months_ahead(s: State, p: Rules, r: int, v: int, month: int) -> float:
    """The months a venture's members expect to go on working together.

    A collective project is meant to last: its maturation, then the life of an operating
    project (one over its yearly chance of losing its market). A pilot is a step on the
    project's ladder: the members look ahead to the project's remaining months.
    """
    if s.kind[r, v] == PROJECT:
        life = 12.0 / max(p.operating_failure_rate, 1e-9)
        return max(s.ends[r, v] - month, 0) + life
    return float(max(p.project_months - month, 0))


@njit(cache=True)
def conflicts(
    s: State,
    p: Rules,
    r: int,
    rng: np.random.Generator,
    month: int,
    v: int,
    defected: np.ndarray,
    trusting: float,
) -> tuple[int, bool, bool]:
    """Conflicts of the month: (from other sources, mediated, broke the group).

    Every failure to deliver is a conflict; others arise from unforeseen difficulties, changed
    expectations, differing interpretations — less often in an operating project, more often
    with no team to clarify expectations. A technician at hand may mediate; an unmediated
    conflict may break the group, less likely the more its members trust each other.
    """
    size = s.size[r, v]
    if size < 2:
        return 0, False, False
    serving = agency_at_work(s, p, r, month)
    supervision = 1.0 if serving else UNSUPERVISED_CONFLICTS
    calm = 0.5 if s.operating[r, v] else 1.0
    other = 1 if rng.random() < p.conflict_rate * calm * supervision else 0
    if other + defected[:size].sum() == 0:
        return other, False, False
    mediated = False
    if p.mediation and serving:
        skill, known = 0.0, 0.0
        for a in range(size):
            i = s.members[r, v, a]
            skill = max(skill, s.mediator_skill[r, i])
            known += s.relationship[r, i]
        chance = mediation_probability(skill, known / size)
        mediated = skill > 0.0 and rng.random() < chance
    broke = not mediated and rng.random() < break_probability(trusting)
    return other, mediated, broke


@njit(cache=True)
def learn_from_conduct(
    s: State,
    p: Rules,
    r: int,
    v: int,
    defected: np.ndarray,
    lapsed: np.ndarray,
    strain: float,
    rates: np.ndarray,
) -> None:
    """Each member learns about each partner from what the partner did this month.

    Keeping its word is a piece of good evidence; a slipped commitment one piece of bad
    evidence, failing the group `DEFECTION_EVIDENCE` pieces; a conflict is bad evidence about
    every partner (``strain``: less once mediated). A member let down by its partners is less
    willing to keep its own word next time (`goodwill`, learned like trust from the share of
    partners who kept theirs); one whose partners kept theirs regains it. ``rates`` are the
    month's `learning.rates_by_record` (every pair of every venture learns at them).
    """
    size = s.size[r, v]
    for b in range(size):
        seen = s.members[r, v, b]
        good = 0.0 if defected[b] or lapsed[b] else 1.0
        bad = lapsed[b] + DEFECTION_EVIDENCE * defected[b] + strain
        s.counts[r, PROMISES_KEPT if good > 0.0 else PROMISES_BROKEN] += 1 if size >= 2 else 0
        for a in range(size):
            if a != b:
                learn_about_by_record(s, p, r, s.members[r, v, a], seen, good, bad, rates)
    if size < 2:
        return
    let_down = 0
    for b in range(size):
        let_down += 1 if defected[b] or lapsed[b] else 0
    for a in range(size):
        i = s.members[r, v, a]
        by_others = let_down - (1 if defected[a] or lapsed[a] else 0)
        share = by_others / (size - 1)
        s.goodwill[r, i] = learn_many(
            s.goodwill[r, i], 1.0 - share, share, p.trust_gain, p.trust_loss_ratio
        )


@njit(cache=True)
def pilot_month(
    s: State,
    p: Rules,
    r: int,
    rng: np.random.Generator,
    month: int,
    v: int,
    defected: np.ndarray,
    broke: bool,
) -> None:
    """A pilot stops if a member failed it or the group broke; at its end the market answers."""
    size = s.size[r, v]
    why = -1
    if size < 2:
        why = events.WHY_PARTNERS_LEFT
    elif defected[:size].any():
        why = events.WHY_NOT_DELIVERED
    elif broke:
        why = events.WHY_FELL_OUT
    if why < 0 and month < s.ends[r, v]:
        return
    if why < 0 and rng.random() < pilot_success_probability(
        p.pilot_success_rate, group_capability(s, r, v)
    ):
        record(s, p, r, month, events.PILOT_SUCCEEDED, size, s.label[r, v])
        s.counts[r, PILOTS_SUCCEEDED] += 1
        result(s, p, r, month, v, True)
    else:
        reason = why if why >= 0 else events.WHY_NO_MARKET
        record(s, p, r, month, events.PILOT_FAILED, reason, s.label[r, v])
        s.counts[r, PILOTS_FAILED] += 1
        result(s, p, r, month, v, False)
    for a in range(size):
        s.in_pilot[r, s.members[r, v, a]] = False
    close_venture(s, r, v)


@njit(cache=True)
def project_month(
    s: State,
    p: Rules,
    r: int,
    rng: np.random.Generator,
    month: int,
    v: int,
    defected: np.ndarray,
    broke: bool,
    trusting: float,
) -> None:
    """A project loses the members who failed it; it matures, operates, or collapses.

    At maturity its business case is tested (capability and the group's trust); an operating
    project may lose its market; with fewer than two members left, or a broken group, it ends.
    In the close-out the team concentrates on bringing maturing projects into operation before
    it leaves (Box 3): each close-out month counts as two months of maturation.
    """
    capability = group_capability(s, r, v)
    size = s.size[r, v]
    for b in range(size - 1, -1, -1):  # from the last, so positions stay valid
        if defected[b]:
            leave_project(s, r, v, s.members[r, v, b])
    operating = s.operating[r, v]
    if not operating and phase_of(p, month) == CLOSE_OUT and s.ends[r, v] > month:
        s.ends[r, v] -= 1  # the close-out's push towards operation (Box 3): a month gained
    too_few = s.size[r, v] < 2 or broke
    matured = not too_few and not operating and month >= s.ends[r, v]
    holds = matured and rng.random() < project_success_probability(
        p.project_success_rate, capability, trusting
    )
    market_lost = (
        operating and not too_few and rng.random() < monthly_probability(p.operating_failure_rate)
    )
    label = s.label[r, v]
    if too_few:
        what = events.PROJECT_DISSOLVED if operating else events.PROJECT_COLLAPSED
        record(s, p, r, month, what, int(broke), label)
        if not operating:
            s.counts[r, PROJECTS_FAILED] += 1
        result(s, p, r, month, v, False)
    elif market_lost:
        record(s, p, r, month, events.PROJECT_MARKET_LOST, 0, label)
        result(s, p, r, month, v, False)
    elif matured and not holds:
        record(s, p, r, month, events.PROJECT_FAILED, 0, label)
        s.counts[r, PROJECTS_FAILED] += 1
        result(s, p, r, month, v, False)
    elif matured:
        record(s, p, r, month, events.PROJECT_PAYS_OFF, 0, label)
        s.counts[r, PROJECTS_SUCCEEDED] += 1
        result(s, p, r, month, v, True)
        s.operating[r, v] = True
    if too_few or market_lost or (matured and not holds):
        while s.size[r, v] > 0:
            leave_project(s, r, v, s.members[r, v, 0])
        close_venture(s, r, v)
    elif s.operating[r, v]:
        operate(s, p, r, rng, month, v)


@njit(cache=True)
def result(s: State, p: Rules, r: int, month: int, v: int, won: bool) -> None:
    """What a venture's result teaches its members about collective action, and what it pays.

    The market is nobody's conduct: success and failure move trust in collective action, the
    agency that supported it and motivation, not trust in partners who delivered. Partners in a
    success climb the ladder of joint experience together.
    """
    weight = PILOT_EVIDENCE if s.kind[r, v] == PILOT else PROJECT_EVIDENCE
    size = s.size[r, v]
    for a in range(size):
        i = s.members[r, v, a]
        if won:
            s.trust_collective[r, i] = learn_many(
                s.trust_collective[r, i], weight, 0.0, p.trust_gain, p.trust_loss_ratio
            )
            s.institutional_trust[r, i] = learn(
                s.institutional_trust[r, i], True, p.trust_gain, p.trust_loss_ratio
            )
            s.motivation[r, i] = reward(s.motivation[r, i], RESULT_MOTIVATION)
            tangible_result(s, r, i, month)
            for b in range(size):
                if b != a:
                    s.joint_successes[r, i, s.members[r, v, b]] += 1
        else:
            s.trust_collective[r, i] = learn_many(
                s.trust_collective[r, i], 0.0, weight, p.trust_gain, p.trust_loss_ratio
            )
            s.motivation[r, i] = spend(s.motivation[r, i], FAILURE_MOTIVATION * p.trust_loss_ratio)
    if won and s.kind[r, v] == PILOT:
        for a in range(size):
            i = s.members[r, v, a]
            s.track_record[r, i] += 1
            if s.label[r, v] == JOINT_PURCHASE:
                s.productivity_uplift[r, i] += p.pilot_productivity_effect
            else:
                s.sales_uplift[r, i] += p.pilot_sales_effect


@njit(cache=True)
def tangible_result(s: State, r: int, firm: int, month: int) -> None:
    """The firm saw a tangible result this month: its wait is over."""
    s.months_waiting[r, firm] = 0.0
    s.last_result_month[r, firm] = month


@njit(cache=True)
def operate(s: State, p: Rules, r: int, rng: np.random.Generator, month: int, v: int) -> None:
    """A month of an operating project: benefits ramp up, members see results and stay motivated.

    What members cannot appropriate of the benefit spills over to every firm of the territory;
    members of a ramping marketing project may start exporting.
    """
    label, size = s.label[r, v], s.size[r, v]
    ramping = s.months_operating[r, v] < BENEFIT_RAMP_MONTHS
    s.months_operating[r, v] += 1
    step = 1.0 / BENEFIT_RAMP_MONTHS if ramping else 0.0
    sales = p.project_sales_effect * SALES_WEIGHT[label] * step
    productivity = p.project_productivity_effect * PRODUCTIVITY_WEIGHT[label] * step
    sales_spill = spill_over(sales, p.appropriability, size, p.n)
    productivity_spill = spill_over(productivity, p.appropriability, size, p.n)
    for i in range(p.n):
        s.sales_uplift[r, i] += sales_spill
        s.productivity_uplift[r, i] += productivity_spill
    for a in range(size):
        i = s.members[r, v, a]
        gain = own_gain(sales, p.appropriability)
        s.sales_gain[r, v, i] += gain
        s.joint_sales_uplift[r, i] += gain
        s.productivity_uplift[r, i] += own_gain(productivity, p.appropriability)
        if ramping and JOINT_MARKETING[label] and rng.random() < EXPORT_CHANCE:
            s.exporter[r, i] = True
        tangible_result(s, r, i, month)
        s.motivation[r, i] = reward(s.motivation[r, i], OPERATING_MOTIVATION)
        s.trust_collective[r, i] = learn(
            s.trust_collective[r, i], True, OPERATING_EVIDENCE * p.trust_gain, p.trust_loss_ratio
        )


@njit(cache=True)
def leave_project(s: State, r: int, v: int, firm: int) -> None:
    """``firm`` leaves collective project ``v``, and the sales it made through it."""
    s.joint_sales_uplift[r, firm] -= s.sales_gain[r, v, firm]
    s.sales_gain[r, v, firm] = 0.0
    s.project_of[r, firm] = -1
    remove_member(s, r, v, firm)


@njit(cache=True)
def walk_out(s: State, p: Rules, r: int, leaving: np.ndarray) -> None:
    """Firms marked in ``leaving`` leave every venture; their partners resent it.

    Walking out is conduct: one piece of bad evidence about the leaver for each venture a
    partner shared with it. A pilot goes on with those left; a project loses the leaver's sales.
    """
    for v in range(s.alive.shape[1]):
        if not s.alive[r, v]:
            continue
        size = s.size[r, v]
        for b in range(size):
            seen = s.members[r, v, b]
            if leaving[seen]:
                for a in range(size):
                    if a != b:
                        learn_of(s, p, r, s.members[r, v, a], seen, 0.0, 1.0)
        for b in range(size - 1, -1, -1):
            firm = s.members[r, v, b]
            if leaving[firm]:
                if s.kind[r, v] == PROJECT:
                    leave_project(s, r, v, firm)
                else:
                    remove_member(s, r, v, firm)
    for i in range(p.n):
        if leaving[i]:
            s.in_pilot[r, i] = False
