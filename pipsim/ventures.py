"""Joint ventures: pilots and collective projects, held as arrays and advanced all at once.

A venture is a group of firms working together for some months. Every venture of a run is a
row of `VentureBook`: its kind, its dates, whether it operates, and a mask of its members over
the firms, so a month of every venture's life is a handful of array operations (`advance`),
with no loop over ventures or firms. Each month every member delivers or fails the group, and
its partners learn from what it did; conflicts arise and a technician may mediate them. A pilot
ends after a few months, its market answering or not; a collective project matures for longer
and, if its business case holds, operates (and pays) for as long as its members keep working
together and its market lasts — during the project and after the agency has left.

The rules themselves are the pure functions of `pipsim.dynamics`; this module applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipsim.dynamics import activities, conflicts, economy, motivation, trust, turnover

if TYPE_CHECKING:
    from pipsim.model import PIPModel

PILOT, PROJECT = 0, 1
KIND_NAMES = ("pilot", "project")
PILOT_EVIDENCE = 2.0  # a pilot's market answer, in pieces of evidence about collective action
PROJECT_EVIDENCE = 4.0  # a project's business case weighs more
OPERATING_EVIDENCE = 0.2  # a month of an operating project paying off
DEFECTION_EVIDENCE = 2.0  # failing the group, in pieces of evidence (a small slip is one)
BENEFIT_RAMP_MONTHS = 6  # months for a project's benefits to reach their full size
JOINTLY_MARKETED_SHARE = 0.5  # share of a member's sales sold through a marketing project
MIN_PROJECT_FIRMS = 3  # fewer is a bilateral deal, not a collective project
RESULT_MOTIVATION = 0.3  # share of the gap to full motivation a tangible result closes
FAILURE_MOTIVATION = 0.06  # motivation a failure costs, times the loss ratio
OPERATING_MOTIVATION = 0.05  # a month of benefits from an operating project
UNSUPERVISED_CONFLICTS = 1.5  # conflicts arise more often with nobody to clarify expectations
EXPORT_CHANCE = 0.1  # monthly chance a member of a ramping marketing project starts exporting


@dataclass(frozen=True, slots=True)
class ProjectKind:
    """A kind of collective project: where its benefit shows, and how soon it pays."""

    name: str
    sales_weight: float
    productivity_weight: float
    joint_marketing: bool
    maturation_share: float  # of project_maturation_months before it pays off


# The document: sales through trade fairs or new markets come in "very short periods of
# time"; changing practices, organisation and technology takes "upward of 18 months".
PROJECT_KINDS: tuple[ProjectKind, ...] = (
    ProjectKind("joint marketing and exports", 1.0, 0.3, True, 0.5),
    ProjectKind("quality standard and common brand", 0.6, 0.7, True, 1.0),
    ProjectKind("shared services", 0.2, 1.0, False, 0.75),
    ProjectKind("common enterprise", 0.8, 0.8, True, 1.0),
)
SALES_WEIGHT = np.array([k.sales_weight for k in PROJECT_KINDS])
PRODUCTIVITY_WEIGHT = np.array([k.productivity_weight for k in PROJECT_KINDS])
JOINT_MARKETING = np.array([k.joint_marketing for k in PROJECT_KINDS])

PILOT_KINDS = ("joint purchase of inputs", "exploration of a new market")
JOINT_PURCHASE = 0  # a pilot of this label lowers costs (productivity); the other sells more


class VentureBook:
    """Every venture of a run as padded arrays: one row (slot) per venture, reused when it ends.

    ``members[v]`` is the mask of slot ``v``'s members over the firms; ``label`` indexes
    `PILOT_KINDS` for a pilot and `PROJECT_KINDS` for a project; ``ends`` is a pilot's last
    month of work or the month a project's maturation completes; ``uid`` numbers ventures in
    the order they formed.
    """

    def __init__(self, n_firms: int, capacity: int = 16) -> None:
        self.alive = np.zeros(capacity, dtype=bool)
        self.kind = np.zeros(capacity, dtype=np.int8)
        self.label = np.zeros(capacity, dtype=np.int8)
        self.start = np.zeros(capacity, dtype=np.int64)
        self.ends = np.zeros(capacity, dtype=np.int64)
        self.operating = np.zeros(capacity, dtype=bool)
        self.months_operating = np.zeros(capacity, dtype=np.int64)
        self.uid = np.full(capacity, -1, dtype=np.int64)
        self.members = np.zeros((capacity, n_firms), dtype=bool)
        self.sales_gain = np.zeros((capacity, n_firms))
        self.formed = 0

    def add(self, kind: int, label: int, members: np.ndarray, start: int, ends: int) -> int:
        """Open a venture of ``members`` (firm indices) in a free slot; returns the slot."""
        free = np.flatnonzero(~self.alive)
        if len(free) == 0:
            self._grow()
            free = np.flatnonzero(~self.alive)
        v = int(free[0])
        self.alive[v], self.kind[v], self.label[v] = True, kind, label
        self.start[v], self.ends[v] = start, ends
        self.operating[v], self.months_operating[v] = False, 0
        self.members[v] = False
        self.members[v, members] = True
        self.sales_gain[v] = 0.0
        self.uid[v] = self.formed
        self.formed += 1
        return v

    def close(self, slots: np.ndarray) -> None:
        """Free the slots of ventures that ended."""
        self.alive[slots] = False
        self.members[slots] = False
        self.sales_gain[slots] = 0.0

    def live(self) -> np.ndarray:
        """Slots of the ventures under way."""
        return np.flatnonzero(self.alive)

    def count(self, kind: int) -> int:
        """Ventures of ``kind`` under way."""
        return int((self.alive & (self.kind == kind)).sum())

    def _grow(self) -> None:
        for name in ("alive", "kind", "label", "start", "ends", "operating", "months_operating"):
            old = getattr(self, name)
            setattr(self, name, np.concatenate((old, np.zeros_like(old))))
        self.uid = np.concatenate((self.uid, np.full_like(self.uid, -1)))
        self.members = np.concatenate((self.members, np.zeros_like(self.members)))
        self.sales_gain = np.concatenate((self.sales_gain, np.zeros_like(self.sales_gain)))


class Venture:
    """A read-only view of one venture under way (for the trainers' view and experiments)."""

    __slots__ = ("_book", "_final", "slot", "uid")

    def __init__(self, book: VentureBook, slot: int) -> None:
        self._book, self.slot, self.uid = book, slot, int(book.uid[slot])
        self._final: np.ndarray | None = None  # its members when it ended

    def freeze(self) -> None:
        """Keep the members it has now: the venture is ending and its slot will be reused."""
        self._final = np.flatnonzero(self._book.members[self.slot])

    @property
    def kind(self) -> str:
        """``"pilot"`` or ``"project"``."""
        return KIND_NAMES[self._book.kind[self.slot]]

    @property
    def label(self) -> str:
        """What the venture does, in plain words."""
        names = PILOT_KINDS if self._book.kind[self.slot] == PILOT else PROJECT_KINDS
        entry = names[self._book.label[self.slot]]
        return entry if isinstance(entry, str) else entry.name

    @property
    def project_kind(self) -> ProjectKind | None:
        """The kind of collective project (None for a pilot)."""
        if self._book.kind[self.slot] == PILOT:
            return None
        return PROJECT_KINDS[self._book.label[self.slot]]

    @property
    def ended(self) -> bool:
        """Whether the venture has ended (its slot is free or holds a later venture)."""
        book = self._book
        return not (book.alive[self.slot] and book.uid[self.slot] == self.uid)

    @property
    def members(self) -> np.ndarray:
        """Indices of its members (once it has ended, those it had at the end)."""
        if self.ended:
            return self._final if self._final is not None else np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self._book.members[self.slot])

    @property
    def sales_gain(self) -> np.ndarray:
        """Each member's sales uplift from this project so far (in the order of ``members``)."""
        return self._book.sales_gain[self.slot, self._book.members[self.slot]]

    @property
    def start(self) -> int:
        """Month it formed."""
        return int(self._book.start[self.slot])

    @property
    def ends(self) -> int:
        """A pilot's last month of work; the month a project's maturation completes."""
        return int(self._book.ends[self.slot])

    @property
    def operating(self) -> bool:
        """Whether a collective project has matured and pays off."""
        return bool(self._book.operating[self.slot])


# --- forming ventures -------------------------------------------------------------------------
def start_pilot(model: PIPModel, month: int) -> Venture | None:
    """Form a pilot among willing participants; low trust is no obstacle (the document).

    Returns the new pilot, or None if fewer than two firms are willing.
    """
    p, rng = model.p, model.rng
    candidates = np.flatnonzero(model.participating() & ~model.in_pilot)
    if len(candidates) < 2:
        return None
    willing = model.motivation[candidates] * (0.5 + 0.5 * model.self_confidence[candidates])
    candidates = candidates[rng.random(len(candidates)) < willing]
    if len(candidates) < 2:
        return None
    keen = model.motivation[candidates] * np.where(model.is_lead[candidates], 2.0, 1.0) + 1e-9
    founder = int(candidates[activities.weighted_choice(rng, keen)])
    weights = activities.partner_weights(
        model.trust[founder, candidates], keen, model.joint_successes[founder, candidates]
    )
    group = activities.pick_group(rng, founder, candidates, weights, p.pilot_group_size)
    label = int(rng.integers(len(PILOT_KINDS)))
    slot = model.book.add(PILOT, label, group, month, month + p.pilot_months - 1)
    model.in_pilot[group] = True
    model.worked_together(group)
    model.counts["pilots_run"] += 1
    return model.venture(slot)


def project_founders(model: PIPModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidates, founders, ready ties) for a collective project.

    Candidates are participants not in a project. A tie is ready when the pair's mutual trust
    reaches the threshold and they have succeeded together at least
    ``successes_before_project`` times; founders are candidates with enough ready ties for a
    group of `MIN_PROJECT_FIRMS`.
    """
    p = model.p
    candidates = np.flatnonzero(model.participating() & (model.project_of < 0))
    if p.successes_before_project > 0 and (
        model.joint_successes.max(initial=0) < p.successes_before_project
    ):
        return candidates, candidates[:0], np.zeros((0, 0), dtype=bool)  # nobody proven yet
    block = trust.mutual(model.trust[np.ix_(candidates, candidates)])
    proven = model.joint_successes[np.ix_(candidates, candidates)] >= p.successes_before_project
    ready = (block >= p.project_trust_threshold) & proven
    np.fill_diagonal(ready, False)
    founders = candidates[ready.sum(axis=1) >= MIN_PROJECT_FIRMS - 1]
    return candidates, founders, ready


def start_project(model: PIPModel, month: int, tries: int = 3) -> Venture | None:
    """Formalise a collective project among firms who trust each other and have succeeded together.

    The team (or, after the project, the firms themselves) tries a few founders; a group whose
    mean mutual trust is below the threshold is judged not ready. A low threshold (haste to
    show results) lets groups formalise without real trust.
    """
    p, rng = model.p, model.rng
    candidates, founders, ready = project_founders(model)
    if len(founders) == 0:
        return None
    keen = (
        model.motivation[founders]
        * model.trust_collective[founders]
        * np.where(model.is_lead[founders], 3.0, 1.0)
        + 1e-9
    )
    position = {int(f): i for i, f in enumerate(candidates)}
    for _ in range(tries):
        founder = int(founders[activities.weighted_choice(rng, keen)])
        partners = candidates[ready[position[founder]]]
        group = trusting_group(
            model.trust, founder, partners, p.project_trust_threshold, p.project_group_size
        )
        if len(group) >= MIN_PROJECT_FIRMS:
            label = int(rng.integers(len(PROJECT_KINDS)))
            kind = PROJECT_KINDS[label]
            matures = month + max(1, round(p.project_maturation_months * kind.maturation_share)) - 1
            slot = model.book.add(PROJECT, label, group, month, matures)
            model.project_of[group] = model.book.uid[slot]
            model.worked_together(group)
            model.counts["projects_run"] += 1
            if model.first_project_month is None:
                model.first_project_month = month
            model.log(month, f"{len(group)} firms formed a collective project: {kind.name}")
            return model.venture(slot)
    return None


def trusting_group(
    trust_matrix: np.ndarray, founder: int, partners: np.ndarray, threshold: float, size: int
) -> np.ndarray:
    """The largest group around ``founder`` (at most ``size``) whose mutual trust >= threshold.

    ``partners`` are the founder's ready ties, most trusted first; the least trusting member is
    dropped until the group's mean mutual trust reaches the threshold. May return the founder
    alone.
    """
    others = partners[partners != founder]
    mutual = 0.5 * (trust_matrix[founder, others] + trust_matrix[others, founder])
    order = np.argsort(-mutual, kind="stable")
    group = np.concatenate(([founder], others[order][: size - 1])).astype(int)
    while len(group) > 1:
        mask = np.zeros((1, trust_matrix.shape[0]), dtype=bool)
        mask[0, group] = True
        in_group = trust.trust_in_groups(trust_matrix, mask)[0, group]
        if in_group.mean() >= threshold:
            break
        group = np.delete(group, 1 + int(np.argmin(in_group[1:])))
    return group


# --- one month of every venture ---------------------------------------------------------------
@dataclass(slots=True)
class Month:
    """What happened to the ventures under way this month, one entry per live slot."""

    members: np.ndarray  # (ventures, firms) mask at the start of the month
    defected: np.ndarray  # (ventures, firms) members who failed the group (a serious breach)
    lapsed: np.ndarray  # (ventures, firms) members who let a small commitment slip
    conflicts: np.ndarray  # conflicts per venture
    mediated: np.ndarray  # whether a technician mediated them
    broke: np.ndarray  # an unmediated conflict ended the group
    group_trust: np.ndarray  # mean mutual trust of each group


def advance(model: PIPModel, month: int) -> None:
    """One month of every venture under way: conduct, conflicts, evidence, endings, benefits."""
    book = model.book
    slots = book.live()
    if len(slots) == 0:
        return
    m = _conduct(model, slots)
    learn_from_conduct(model, m)
    kind, operating = book.kind[slots], book.operating[slots]
    is_pilot = kind == PILOT
    size = m.members.sum(axis=1)
    # Pilots: a member's failure or a broken group ends the pilot; otherwise the market answers.
    stopped = is_pilot & ((size < 2) | m.defected.any(axis=1) | m.broke)
    due = is_pilot & ~stopped & (month >= book.ends[slots])
    capability = activities.group_capability(model.capability, m.members)
    answered = model.rng.random(len(slots)) < activities.pilot_success_probability(
        model.p.pilot_success_rate, capability
    )
    # Projects: members who failed the group leave it; the business case is tested at maturity.
    leavers = m.defected & ~is_pilot[:, None]
    _leave_projects(model, slots, leavers)
    remaining = m.members & ~leavers
    too_few = ~is_pilot & ((remaining.sum(axis=1) < 2) | m.broke)
    maturing = ~is_pilot & ~too_few & ~operating & (month >= book.ends[slots])
    holds = model.rng.random(len(slots)) < activities.project_success_probability(
        model.p.project_success_rate, capability, m.group_trust
    )
    market_lost = (
        ~is_pilot
        & operating
        & ~too_few
        & (
            model.rng.random(len(slots))
            < turnover.monthly_probability(model.p.operating_failure_rate)
        )
    )
    pilot_won, pilot_lost = due & answered, stopped | (due & ~answered)
    project_won = maturing & holds
    project_lost = (maturing & ~holds) | (too_few & ~operating)
    lost = project_lost | market_lost | too_few
    _results(model, slots, remaining, pilot_won, project_won, pilot_lost, lost)
    book.operating[slots[project_won]] = True
    ended = pilot_won | pilot_lost | project_lost | market_lost | too_few
    _log_month(
        model,
        month,
        slots,
        m,
        pilot_won,
        pilot_lost,
        project_won,
        project_lost,
        market_lost,
        too_few,
    )
    _count(model, m, pilot_won, pilot_lost, project_won, project_lost)
    _end(model, slots[ended], remaining[ended])
    running = ~ended & ~is_pilot & book.operating[slots]
    _operate(model, slots[running], remaining[running])


def walk_out(model: PIPModel, leavers: np.ndarray) -> None:
    """Firms in ``leavers`` (a mask) leave every venture; partners learn they walked out.

    Walking out is conduct: one piece of bad evidence about the leaver for each venture a
    partner shared with it. A pilot goes on with those left; a project loses the leaver's sales.
    """
    p, book = model.p, model.book
    slots = book.live()
    if len(slots) == 0:
        return
    members = book.members[slots]
    shared = members.astype(float).T @ members[:, leavers]
    model.trust[:, leavers] = trust.learn_many(
        model.trust[:, leavers], 0.0, shared, p.trust_gain, p.trust_loss_ratio
    )
    model.trust[leavers, leavers] = 1.0
    in_venture = members & leavers[None, :]
    pilots = book.kind[slots] == PILOT
    _leave_projects(model, slots, in_venture & ~pilots[:, None])
    book.members[slots] &= ~in_venture
    model.in_pilot[leavers] = False


def _conduct(model: PIPModel, slots: np.ndarray) -> Month:
    """Who fails the group, which conflicts arise, which a technician mediates, which break it."""
    p, rng, book = model.p, model.rng, model.book
    members = book.members[slots]
    size = members.sum(axis=1)
    in_group = trust.trust_in_groups(model.trust, members)
    group_trust = trust.mean_of_members(in_group, members)
    present = model.agency.present_in_territory
    risk = p.noncompliance_risk * model.unreliability * (1.0 - p.monitoring_effect * present)
    hazard = activities.noncompliance_probability(
        risk, in_group, model.motivation, p.appropriability, model.trust_public
    )
    defected = members & (rng.random(members.shape) < hazard) & (size >= 2)[:, None]
    # Small commitments (a payment on time, a meeting kept) slip as often as a firm is unreliable.
    lapsed = members & ~defected & (rng.random(members.shape) >= model.reliability)
    supervision = 1.0 if present else UNSUPERVISED_CONFLICTS
    calm = np.where(book.operating[slots], 0.5, 1.0)
    other = (rng.random(len(slots)) < p.conflict_rate * calm * supervision) & (size >= 2)
    n_conflicts = defected.sum(axis=1) + other
    mediated = np.zeros(len(slots), dtype=bool)
    if p.mediation:
        skill = np.where(members, model.mediator_skill, 0.0).max(axis=1)
        known = (members @ model.relationship) / np.maximum(size, 1)
        chance = conflicts.mediation_probability(skill, known)
        mediated = (n_conflicts > 0) & (skill > 0) & (rng.random(len(slots)) < chance)
    unresolved = (n_conflicts > 0) & ~mediated
    broke = unresolved & (rng.random(len(slots)) < conflicts.break_probability(group_trust))
    return Month(members, defected, lapsed, n_conflicts, mediated, broke, group_trust)


def learn_from_conduct(model: PIPModel, m: Month) -> None:
    """Partners learn from what each member did this month: kept its word (good) or not (bad).

    A slipped commitment is one piece of bad evidence, failing the group `DEFECTION_EVIDENCE`
    pieces; a conflict is bad evidence about every partner, less once mediated. Only the block
    of firms in some venture is touched.
    """
    p = model.p
    firms = np.flatnonzero(m.members.any(axis=0))
    inside = m.members[:, firms]
    members = inside.astype(float)
    defected, lapsed = m.defected[:, firms], m.lapsed[:, firms]
    delivered = members.T @ (inside & ~defected & ~lapsed)
    failed = members.T @ (lapsed + DEFECTION_EVIDENCE * defected)
    other = m.conflicts - m.defected.sum(axis=1)
    strain = other * conflicts.conflict_weight(m.mediated, p.mediation_effectiveness)
    quarrels = (members * strain[:, None]).T @ members
    block = np.ix_(firms, firms)
    model.trust[block] = trust.learn_many(
        model.trust[block], delivered, failed + quarrels, p.trust_gain, p.trust_loss_ratio
    )
    model.trust[firms, firms] = 1.0
    model.contact[block] |= members.T @ members > 0  # they worked together this month


def _co_membership(members: np.ndarray) -> np.ndarray:
    """How many of these ventures each pair of firms shares."""
    m = members.astype(float)
    return m.T @ m


def _leave_projects(model: PIPModel, slots: np.ndarray, leavers: np.ndarray) -> None:
    """Members marked in ``leavers`` leave their projects, taking their joint sales with them."""
    if not leavers.any():
        return
    book = model.book
    gains = np.where(leavers, book.sales_gain[slots], 0.0)
    model.joint_sales_uplift -= gains.sum(axis=0)
    book.sales_gain[slots] -= gains
    book.members[slots] &= ~leavers
    model.project_of[leavers.any(axis=0)] = -1


def _results(
    model: PIPModel,
    slots: np.ndarray,
    members: np.ndarray,
    pilot_won: np.ndarray,
    project_won: np.ndarray,
    pilot_lost: np.ndarray,
    project_lost: np.ndarray,
) -> None:
    """What a venture's result teaches its members about collective action, and what it pays.

    The market is nobody's conduct: success and failure move trust in collective action, the
    agency that supported it and motivation, not trust in partners who delivered.
    """
    p = model.p
    won = pilot_won | project_won
    if not (won | pilot_lost | project_lost).any():
        return
    weight = np.where(model.book.kind[slots] == PILOT, PILOT_EVIDENCE, PROJECT_EVIDENCE)
    good = ((members & won[:, None]) * weight[:, None]).sum(axis=0)
    bad = ((members & (pilot_lost | project_lost)[:, None]) * weight[:, None]).sum(axis=0)
    model.trust_collective = trust.learn_many(
        model.trust_collective, good, bad, p.trust_gain, p.trust_loss_ratio
    )
    winners = (members & won[:, None]).any(axis=0)
    losers = (members & (pilot_lost | project_lost)[:, None]).any(axis=0)
    model.institutional_trust[winners] = trust.learn(
        model.institutional_trust[winners], True, p.trust_gain, p.trust_loss_ratio
    )
    model.motivation[winners] = motivation.reward(model.motivation[winners], RESULT_MOTIVATION)
    model.motivation[losers] = motivation.spend(
        model.motivation[losers], FAILURE_MOTIVATION * p.trust_loss_ratio
    )
    model.tangible_result(np.flatnonzero(winners))
    together = members & won[:, None]
    partners = np.flatnonzero(winners)
    model.joint_successes[np.ix_(partners, partners)] += _co_membership(
        together[:, partners]
    ).astype(model.joint_successes.dtype)
    piloted = members & pilot_won[:, None]
    model.track_record += piloted.sum(axis=0)
    purchase = model.book.label[slots] == JOINT_PURCHASE
    model.productivity_uplift += p.pilot_productivity_effect * (piloted & purchase[:, None]).any(0)
    model.sales_uplift += p.pilot_sales_effect * (piloted & ~purchase[:, None]).any(0)


def _count(
    model: PIPModel,
    m: Month,
    pilot_won: np.ndarray,
    pilot_lost: np.ndarray,
    project_won: np.ndarray,
    project_lost: np.ndarray,
) -> None:
    counts = model.counts
    counts["conflicts"] += int(m.conflicts.sum())
    counts["conflicts_mediated"] += int(m.conflicts[m.mediated].sum())
    counts["pilots_succeeded"] += int(pilot_won.sum())
    counts["pilots_failed"] += int(pilot_lost.sum())
    counts["projects_succeeded"] += int(project_won.sum())
    counts["projects_failed"] += int(project_lost.sum())


def _end(model: PIPModel, slots: np.ndarray, members: np.ndarray) -> None:
    """Close ventures that ended: pilots free their members, projects take their sales back."""
    if len(slots) == 0:
        return
    book = model.book
    pilots = book.kind[slots] == PILOT
    model.in_pilot[(members & pilots[:, None]).any(axis=0)] = False
    model.freeze_views(slots)
    _leave_projects(model, slots, members & ~pilots[:, None])
    book.close(slots)


def _operate(model: PIPModel, slots: np.ndarray, members: np.ndarray) -> None:
    """A month of operating projects: benefits ramp up, members see results and stay motivated."""
    if len(slots) == 0:
        return
    p, book = model.p, model.book
    label = book.label[slots]
    ramping = book.months_operating[slots] < BENEFIT_RAMP_MONTHS
    book.months_operating[slots] += 1
    size = members.sum(axis=1)
    step = ramping / BENEFIT_RAMP_MONTHS
    for effect, weight, uplift in (
        (p.project_sales_effect, SALES_WEIGHT, "joint_sales_uplift"),
        (p.project_productivity_effect, PRODUCTIVITY_WEIGHT, "productivity_uplift"),
    ):
        own, spill = economy.split_benefit(
            effect * weight[label] * step, p.appropriability, size, model.n
        )
        gains = members * own[:, None]
        if uplift == "joint_sales_uplift":
            book.sales_gain[slots] += gains
            model.joint_sales_uplift += gains.sum(axis=0)
            model.sales_uplift += spill.sum()
        else:
            model.productivity_uplift += gains.sum(axis=0) + spill.sum()
    marketing = members & (ramping & JOINT_MARKETING[label])[:, None]
    model.exporter |= (marketing & (model.rng.random(marketing.shape) < EXPORT_CHANCE)).any(0)
    firms = members.any(axis=0)
    model.tangible_result(np.flatnonzero(firms))
    model.motivation[firms] = motivation.reward(model.motivation[firms], OPERATING_MOTIVATION)
    model.trust_collective[firms] = trust.learn(
        model.trust_collective[firms], True, OPERATING_EVIDENCE * p.trust_gain, p.trust_loss_ratio
    )


def _log_month(
    model: PIPModel,
    month: int,
    slots: np.ndarray,
    m: Month,
    pilot_won: np.ndarray,
    pilot_lost: np.ndarray,
    project_won: np.ndarray,
    project_lost: np.ndarray,
    market_lost: np.ndarray,
    too_few: np.ndarray,
) -> None:
    """The month's endings in plain words, for the trainers' view (text only: no dynamics)."""
    if not (pilot_won | pilot_lost | project_won | project_lost | market_lost | too_few).any():
        return
    views = [model.venture(int(v)) for v in slots]
    size = m.members.sum(axis=1)
    for i, v in enumerate(views):
        if pilot_won[i]:
            model.log(month, f"{v.label} pilot succeeded ({int(size[i])} firms)")
        elif pilot_lost[i]:
            reason = (
                "partners dropped out"
                if size[i] < 2
                else "a firm did not deliver"
                if m.defected[i].any()
                else "the group fell out"
                if m.broke[i]
                else "the market did not respond"
            )
            model.log(month, f"{v.label} pilot failed: {reason}")
        elif project_won[i]:
            model.log(month, f"collective project ({v.label}) started paying off")
        elif market_lost[i]:
            model.log(month, f"collective project ({v.label}) closed: its market fell away")
        elif too_few[i]:
            why = "the members fell out" if m.broke[i] else "too few members left"
            what = "dissolved" if v.operating else "collapsed before paying off"
            model.log(month, f"collective project ({v.label}) {what}: {why}")
        elif project_lost[i]:
            model.log(
                month, f"collective project ({v.label}) failed: the business case did not hold"
            )
