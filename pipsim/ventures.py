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
from typing import TYPE_CHECKING, Any

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


MATURATION_SHARE = np.array([k.maturation_share for k in PROJECT_KINDS])


class VentureBook:
    """Every venture of a block of runs as padded arrays: ``[run, slot]``, a slot reused when free.

    ``members[r, v]`` is the mask of the members of slot ``v`` of run ``r`` over the firms;
    ``label`` indexes `PILOT_KINDS` for a pilot and `PROJECT_KINDS` for a project; ``ends`` is a
    pilot's last month of work or the month a project's maturation completes; ``uid`` numbers a
    run's ventures in the order they formed. Slots are taken lowest first, so the ventures under
    way sit in the first `width` columns.
    """

    def __init__(self, runs: int, n_firms: int, capacity: int = 8) -> None:
        shape = (runs, capacity)
        self.alive = np.zeros(shape, dtype=bool)
        self.kind = np.zeros(shape, dtype=np.int8)
        self.label = np.zeros(shape, dtype=np.int8)
        self.start = np.zeros(shape, dtype=np.int64)
        self.ends = np.zeros(shape, dtype=np.int64)
        self.operating = np.zeros(shape, dtype=bool)
        self.months_operating = np.zeros(shape, dtype=np.int64)
        self.uid = np.full(shape, -1, dtype=np.int64)
        self.members = np.zeros((*shape, n_firms), dtype=bool)
        self.sales_gain = np.zeros((*shape, n_firms))
        self.formed = np.zeros(runs, dtype=np.int64)

    def add(
        self,
        runs: np.ndarray,
        kind: int,
        labels: np.ndarray,
        members: np.ndarray,
        start: int,
        ends: np.ndarray | int,
    ) -> np.ndarray:
        """Open one venture in each of ``runs`` (members a mask per run); returns their slots."""
        if not (~self.alive[runs]).any(axis=1).all():
            self._grow()
        slots = np.argmax(~self.alive[runs], axis=1)
        at = (runs, slots)
        self.alive[at], self.kind[at], self.label[at] = True, kind, labels
        self.start[at], self.ends[at] = start, ends
        self.operating[at], self.months_operating[at] = False, 0
        self.members[at] = members
        self.sales_gain[at] = 0.0
        self.uid[at] = self.formed[runs]
        self.formed[runs] += 1
        return slots

    def close(self, ended: np.ndarray) -> None:
        """Free the slots marked in ``ended`` (a ``(runs, width)`` mask)."""
        w = ended.shape[1]
        self.alive[:, :w] &= ~ended
        self.members[:, :w] &= ~ended[..., None]
        self.sales_gain[:, :w] *= ~ended[..., None]

    def width(self) -> int:
        """Slots up to the last one in use in any run: the columns a month has to look at."""
        used = np.flatnonzero(self.alive.any(axis=0))
        return int(used[-1]) + 1 if len(used) else 0

    def count(self, kind: int) -> np.ndarray:
        """Ventures of ``kind`` under way, per run."""
        return (self.alive & (self.kind == kind)).sum(axis=1)

    def run(self, r: int) -> RunBook:
        """The ventures of run ``r``."""
        return RunBook(self, r)

    def _grow(self) -> None:
        for name in ("alive", "kind", "label", "start", "ends", "operating", "months_operating"):
            old = getattr(self, name)
            setattr(self, name, np.concatenate((old, np.zeros_like(old)), axis=1))
        self.uid = np.concatenate((self.uid, np.full_like(self.uid, -1)), axis=1)
        self.members = np.concatenate((self.members, np.zeros_like(self.members)), axis=1)
        self.sales_gain = np.concatenate((self.sales_gain, np.zeros_like(self.sales_gain)), axis=1)


class RunBook:
    """The ventures of one run of a `VentureBook`: its rows, under the book's names."""

    __slots__ = ("_book", "_r")

    def __init__(self, book: VentureBook, r: int) -> None:
        self._book, self._r = book, r

    def __getattr__(self, name: str) -> np.ndarray:
        if name in ("alive", "kind", "label", "start", "ends", "operating", "months_operating",
                    "uid", "members", "sales_gain"):  # fmt: skip
            return getattr(self._book, name)[self._r]
        raise AttributeError(name)

    def live(self) -> np.ndarray:
        """Slots of the ventures under way."""
        return np.flatnonzero(self._book.alive[self._r])

    def count(self, kind: int) -> int:
        """Ventures of ``kind`` under way."""
        return int(self._book.count(kind)[self._r])


class Venture:
    """A read-only view of one venture of one run (for the trainers' view and experiments)."""

    __slots__ = ("_book", "_final", "_r", "slot", "uid")

    def __init__(self, book: VentureBook, r: int, slot: int) -> None:
        self._book, self._r, self.slot = book, r, slot
        self.uid = int(book.uid[r, slot])
        self._final: np.ndarray | None = None  # its members when it ended

    def _get(self, name: str) -> Any:
        return getattr(self._book, name)[self._r, self.slot]

    def freeze(self) -> None:
        """Keep the members it has now: the venture is ending and its slot will be reused."""
        self._final = np.flatnonzero(self._get("members"))

    @property
    def kind(self) -> str:
        """``"pilot"`` or ``"project"``."""
        return KIND_NAMES[self._get("kind")]

    @property
    def label(self) -> str:
        """What the venture does, in plain words."""
        return label_name(int(self._get("kind")), int(self._get("label")))

    @property
    def ended(self) -> bool:
        """Whether the venture has ended (its slot is free or holds a later venture)."""
        return not (self._get("alive") and self._get("uid") == self.uid)

    @property
    def members(self) -> np.ndarray:
        """Indices of its members (once it has ended, those it had at the end)."""
        if self.ended:
            return self._final if self._final is not None else np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self._get("members"))

    @property
    def sales_gain(self) -> np.ndarray:
        """Each member's sales uplift from this project so far (in the order of ``members``)."""
        return self._get("sales_gain")[self._get("members")]

    @property
    def start(self) -> int:
        """Month it formed."""
        return int(self._get("start"))

    @property
    def ends(self) -> int:
        """A pilot's last month of work; the month a project's maturation completes."""
        return int(self._get("ends"))

    @property
    def operating(self) -> bool:
        """Whether a collective project has matured and pays off."""
        return bool(self._get("operating"))


def label_name(kind: int, label: int) -> str:
    """What a venture of this kind and label does, in plain words."""
    return PILOT_KINDS[label] if kind == PILOT else PROJECT_KINDS[label].name


# --- forming ventures -------------------------------------------------------------------------
def start_pilots(model: PIPModel, month: int, trying: np.ndarray) -> np.ndarray:
    """Form a pilot in each run marked in ``trying``; low trust is no obstacle (the document).

    Willing participants not already in a pilot take part; a founder, keen and often a lead
    firm, picks partners it trusts, who are keen, and with whom it has succeeded before.
    Returns the runs where a pilot formed (at least two firms were willing).
    """
    s, p, rng = model.state, model.p, model.rng
    candidates = model.participating_all() & ~s.in_pilot
    willing = s.motivation * (0.5 + 0.5 * s.self_confidence)
    candidates &= rng.random(candidates.shape) < willing
    formed = trying & (candidates.sum(axis=1) >= 2)
    if not formed.any():
        return formed
    r = np.flatnonzero(formed)
    candidates = candidates[r]
    keen = np.where(candidates, s.motivation[r] * np.where(model.is_lead, 2.0, 1.0) + 1e-9, 0.0)
    founders = activities.choose_rows(rng, keen)
    weights = activities.partner_weights(s.trust[r, founders], keen, s.joint_successes[r, founders])
    group = activities.pick_groups(
        rng, founders, np.where(candidates, weights, 0.0), p.pilot_group_size
    )
    labels = rng.integers(len(PILOT_KINDS), size=len(r))
    model.books.add(r, PILOT, labels, group, month, month + p.pilot_months - 1)
    s.in_pilot[r] |= group
    model.worked_together(r, group)
    s.counts["pilots_run"][r] += 1
    return formed


def project_founders(
    model: PIPModel, trying: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(runs, ready ties, founders) for a collective project, in the runs marked in ``trying``.

    Candidates are participants not in a project. A tie is ready when the pair's mutual trust
    reaches the threshold and they have succeeded together at least
    ``successes_before_project`` times; founders are candidates with enough ready ties for a
    group of `MIN_PROJECT_FIRMS`. Returns the runs that have a founder, and for them ``ready``
    ``(runs, n, n)`` and ``founders`` ``(runs, n)``. Pairs are checked from the list of proven
    ones, which is short: a month costs what the ladder holds, not every pair of firms.
    """
    s, p, n = model.state, model.p, model.n
    candidates = model.participating_all() & (s.project_of < 0) & trying[:, None]
    proven = np.flatnonzero(s.joint_successes >= p.successes_before_project)
    r, pair = np.divmod(proven, n * n)
    i, j = np.divmod(pair, n)
    keep = (i != j) & candidates[r, i] & candidates[r, j]
    r, i, j = r[keep], i[keep], j[keep]
    keep = 0.5 * (s.trust[r, i, j] + s.trust[r, j, i]) >= p.project_trust_threshold
    r, i, j = r[keep], i[keep], j[keep]
    ties = np.bincount(r * n + i, minlength=model.runs * n).reshape(model.runs, n)
    founders = ties >= MIN_PROJECT_FIRMS - 1
    runs = np.flatnonzero(founders.any(axis=1))
    ready = np.zeros((model.runs, n, n), dtype=bool)
    ready[r, i, j] = True
    return runs, ready[runs], founders[runs]


def start_projects(model: PIPModel, month: int, trying: np.ndarray, tries: int = 3) -> np.ndarray:
    """Formalise a collective project, in each run marked in ``trying``, among ready firms.

    The team (or, after the project, the firms themselves) tries a few founders; a group whose
    mean mutual trust is below the threshold is judged not ready. A low threshold (haste to
    show results) lets groups formalise without real trust. Returns the runs where one formed.
    """
    s, p, rng = model.state, model.p, model.rng
    started = np.zeros(model.runs, dtype=bool)
    if not trying.any():
        return started
    runs, ready, founders = project_founders(model, trying)
    if len(runs) == 0:
        return started
    keen = np.where(
        founders,
        s.motivation[runs] * s.trust_collective[runs] * np.where(model.is_lead, 3.0, 1.0) + 1e-9,
        0.0,
    )
    going = founders.any(axis=1)
    for _ in range(tries):
        k = np.flatnonzero(going)
        if len(k) == 0:
            break
        founder = activities.choose_rows(rng, keen[k])
        group = trusting_groups(
            s.trust[runs[k]],
            founder,
            ready[k, founder],
            p.project_trust_threshold,
            p.project_group_size,
        )
        big = group.sum(axis=1) >= MIN_PROJECT_FIRMS
        if big.any():
            _open_projects(model, month, runs[k[big]], group[big])
            started[runs[k[big]]] = True
            going[k[big]] = False
    return started


def start_pilot(model: PIPModel, month: int) -> Venture | None:
    """Form one pilot in a model of one run; returns it, or None if too few firms are willing."""
    formed = model.books.formed[0]
    if not start_pilots(model, month, np.ones(1, dtype=bool))[0]:
        return None
    return model.venture(int(np.flatnonzero(model.books.uid[0] == formed)[0]))


def start_project(model: PIPModel, month: int) -> Venture | None:
    """Formalise one collective project in a model of one run; None if no group is ready."""
    formed = model.books.formed[0]
    if not start_projects(model, month, np.ones(1, dtype=bool))[0]:
        return None
    return model.venture(int(np.flatnonzero(model.books.uid[0] == formed)[0]))


def trusting_group(
    trust_matrix: np.ndarray, founder: int, partners: np.ndarray, threshold: float, size: int
) -> np.ndarray:
    """`trusting_groups` for one founder: the group's firms, the founder first."""
    ties = np.zeros((1, len(trust_matrix)), dtype=bool)
    ties[0, partners] = True
    group = trusting_groups(trust_matrix[None], np.array([founder]), ties, threshold, size)[0]
    others = np.flatnonzero(group)
    return np.concatenate(([founder], others[others != founder])).astype(int)


def _open_projects(model: PIPModel, month: int, runs: np.ndarray, groups: np.ndarray) -> None:
    s, p, rng = model.state, model.p, model.rng
    labels = rng.integers(len(PROJECT_KINDS), size=len(runs))
    months = np.maximum(1, np.round(p.project_maturation_months * MATURATION_SHARE[labels]))
    slots = model.books.add(runs, PROJECT, labels, groups, month, month + months.astype(int) - 1)
    uid = model.books.uid[runs, slots]
    s.project_of[runs] = np.where(groups, uid[:, None], s.project_of[runs])
    model.worked_together(runs, groups)
    s.counts["projects_run"][runs] += 1
    first = np.isnan(s.first_project[runs])
    s.first_project[runs[first]] = month
    if model.logging:
        for r, group, label in zip(runs, groups, labels, strict=True):
            name = PROJECT_KINDS[label].name
            model.log(month, f"{int(group.sum())} firms formed a collective project: {name}", r)


def trusting_groups(
    trust_matrices: np.ndarray,
    founders: np.ndarray,
    partners: np.ndarray,
    threshold: float,
    size: int,
) -> np.ndarray:
    """For each row, the largest group around the founder (at most ``size``) trusting enough.

    ``trust_matrices`` is ``(k, n, n)``, ``founders`` ``(k,)``, ``partners`` a ``(k, n)`` mask of
    each founder's ready ties. The partners the founder trusts most (mutually) join first; the
    least trusting member is dropped until the group's mean mutual trust reaches ``threshold``.
    Returns each group's mask (it may hold the founder alone).
    """
    rows = np.arange(len(founders))
    partners = partners.copy()
    partners[rows, founders] = False
    mutual = 0.5 * (trust_matrices[rows, founders] + trust_matrices[rows, :, founders])
    order = np.argsort(-np.where(partners, mutual, -np.inf), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1]), axis=1)
    group = partners & (rank < size - 1)
    group[rows, founders] = True
    is_founder = np.zeros_like(group)
    is_founder[rows, founders] = True
    while True:
        in_group = trust.trust_in_groups(trust_matrices, group[:, None, :])[:, 0]
        size_now = group.sum(axis=1)
        low = (size_now > 1) & (in_group.sum(axis=1) / size_now < threshold)
        if not low.any():
            return group
        weakest = np.argmin(np.where(group & ~is_founder, in_group, np.inf), axis=1)
        group[rows[low], weakest[low]] = False


# --- one month of every venture ---------------------------------------------------------------
@dataclass(slots=True)
class Month:
    """What happened to the ventures under way this month: ``(runs, width)`` or with firms."""

    members: np.ndarray  # (runs, width, firms) mask at the start of the month
    defected: np.ndarray  # members who failed the group (a serious breach)
    lapsed: np.ndarray  # members who let a small commitment slip
    conflicts: np.ndarray  # conflicts per venture
    mediated: np.ndarray  # whether a technician mediated them
    broke: np.ndarray  # an unmediated conflict ended the group
    group_trust: np.ndarray  # mean mutual trust of each group
    pairs: tuple[np.ndarray, ...]  # (run, venture, watcher, seen): `member_pairs` of members


def advance(model: PIPModel, month: int) -> None:
    """One month of every venture under way: conduct, conflicts, evidence, endings, benefits."""
    book, p, rng = model.books, model.p, model.rng
    w = book.width()
    if w == 0:
        return
    alive, kind = book.alive[:, :w], book.kind[:, :w]
    operating, ends = book.operating[:, :w].copy(), book.ends[:, :w]
    m = _conduct(model, w)
    learn_from_conduct(model, m)
    is_pilot, is_project = alive & (kind == PILOT), alive & (kind == PROJECT)
    size = m.members.sum(axis=2)
    # Pilots: a member's failure or a broken group ends the pilot; otherwise the market answers.
    stopped = is_pilot & ((size < 2) | m.defected.any(axis=2) | m.broke)
    due = is_pilot & ~stopped & (month >= ends)
    capability = activities.group_capability(model.state.capability, m.members)
    answered = rng.random(alive.shape) < activities.pilot_success_probability(
        p.pilot_success_rate, capability
    )
    # Projects: members who failed the group leave it; the business case is tested at maturity.
    leavers = m.defected & is_project[..., None]
    _leave_projects(model, leavers)
    remaining = m.members & ~leavers
    too_few = is_project & ((remaining.sum(axis=2) < 2) | m.broke)
    maturing = is_project & ~too_few & ~operating & (month >= ends)
    holds = rng.random(alive.shape) < activities.project_success_probability(
        p.project_success_rate, capability, m.group_trust
    )
    failing = turnover.monthly_probability(p.operating_failure_rate)
    market_lost = is_project & operating & ~too_few & (rng.random(alive.shape) < failing)
    pilot_won, pilot_lost = due & answered, stopped | (due & ~answered)
    project_won = maturing & holds
    project_lost = (maturing & ~holds) | (too_few & ~operating)
    lost = project_lost | market_lost | too_few
    _results(model, w, remaining, pilot_won, project_won, pilot_lost, lost)
    book.operating[:, :w] |= project_won
    ended = pilot_won | pilot_lost | project_lost | market_lost | too_few
    if model.logging:
        outcome = Outcome(pilot_won, pilot_lost, project_won, project_lost, market_lost, too_few)
        _log_month(model, month, m, outcome)
    _count(model, m, pilot_won, pilot_lost, project_won, project_lost)
    _end(model, ended, remaining)
    running = ~ended & is_project & book.operating[:, :w]
    _operate(model, running, remaining & running[..., None])


def walk_out(model: PIPModel, leavers: np.ndarray) -> None:
    """Firms in ``leavers`` (a ``(runs, n)`` mask) leave every venture; partners resent it.

    Walking out is conduct: one piece of bad evidence about the leaver for each venture a
    partner shared with it. A pilot goes on with those left; a project loses the leaver's sales.
    """
    s, book = model.state, model.books
    w = book.width()
    if w == 0:
        return
    members = book.members[:, :w]
    in_venture = members & leavers[:, None, :]
    if in_venture.any():
        r, _, watcher, seen = member_pairs(members & in_venture.any(axis=2)[..., None])
        left = leavers[r, seen]
        r, watcher, seen = r[left], watcher[left], seen[left]
        model.learn_about(r, watcher, seen, np.zeros(len(r)), np.ones(len(r)))
        pilots = book.kind[:, :w] == PILOT
        _leave_projects(model, in_venture & ~pilots[..., None])
        book.members[:, :w] &= ~in_venture
    s.in_pilot &= ~leavers


def _conduct(model: PIPModel, w: int) -> Month:
    """Who fails the group, which conflicts arise, which a technician mediates, which break it."""
    s, p, rng, book = model.state, model.p, model.rng, model.books
    members = book.members[:, :w].copy()
    size = members.sum(axis=2)
    pairs = member_pairs(members)
    in_group = _trust_in_partners(s.trust, members, pairs)
    group_trust = trust.mean_of_members(in_group, members)
    present = model.agency_present
    risk = p.noncompliance_risk * s.unreliability * (1.0 - p.monitoring_effect * present)
    hazard = activities.noncompliance_probability(
        risk[:, None], in_group, s.motivation[:, None], p.appropriability, s.trust_public[:, None]
    )
    defected = members & (rng.random(members.shape) < hazard) & (size >= 2)[..., None]
    # Small commitments (a payment on time, a meeting kept) slip as often as a firm is unreliable.
    lapsed = members & ~defected & (rng.random(members.shape) >= s.reliability[:, None])
    supervision = 1.0 if present else UNSUPERVISED_CONFLICTS
    calm = np.where(book.operating[:, :w], 0.5, 1.0)
    other = (rng.random(size.shape) < p.conflict_rate * calm * supervision) & (size >= 2)
    n_conflicts = defected.sum(axis=2) + other
    mediated = np.zeros(size.shape, dtype=bool)
    if p.mediation:
        skill = np.where(members, s.mediator_skill[:, None], 0.0).max(axis=2)
        known = np.where(members, s.relationship[:, None], 0.0).sum(axis=2) / np.maximum(size, 1)
        chance = conflicts.mediation_probability(skill, known)
        mediated = (n_conflicts > 0) & (skill > 0) & (rng.random(size.shape) < chance)
    unresolved = (n_conflicts > 0) & ~mediated
    broke = unresolved & (rng.random(size.shape) < conflicts.break_probability(group_trust))
    return Month(members, defected, lapsed, n_conflicts, mediated, broke, group_trust, pairs)


def _trust_in_partners(
    trust_matrix: np.ndarray, members: np.ndarray, pairs: tuple[np.ndarray, ...]
) -> np.ndarray:
    """`trust.trust_in_groups`, summed over the pair lists: a month costs what groups hold."""
    r, v, watcher, seen = pairs
    key = (r * members.shape[1] + v) * members.shape[2] + watcher
    total = np.bincount(key, trust_matrix[r, watcher, seen], minlength=members.size)
    size = members.sum(axis=2, keepdims=True)
    return np.where(members, total.reshape(members.shape) / np.maximum(size - 1, 1), 0.0)


def learn_from_conduct(model: PIPModel, m: Month) -> None:
    """Partners learn from what each member did this month: kept its word (good) or not (bad).

    A slipped commitment is one piece of bad evidence, failing the group `DEFECTION_EVIDENCE`
    pieces; a conflict is bad evidence about every partner, less once mediated.
    """
    p = model.p
    r, v, watcher, seen = m.pairs
    defected, lapsed = m.defected[r, v, seen], m.lapsed[r, v, seen]
    other = m.conflicts - m.defected.sum(axis=2)
    strain = other * conflicts.conflict_weight(m.mediated, p.mediation_effectiveness)
    bad = lapsed + DEFECTION_EVIDENCE * defected + strain[r, v]
    model.learn_about(r, watcher, seen, ~defected & ~lapsed, bad, met=True)


def member_pairs(members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(run, venture, i, j) for every ordered pair of distinct members of each venture.

    ``members`` is a ``(runs, width, firms)`` mask. Groups are small, so the pairs are far
    fewer than the firm pairs of every run: the month's evidence costs what its ventures hold.
    """
    r, v, firm = np.nonzero(members)
    group = r * members.shape[1] + v  # sorted: nonzero walks in order
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    size = np.diff(np.append(starts, len(group)))
    place = np.arange(len(group)) - np.repeat(starts, size)
    room = np.repeat(size, size) - place  # members after this one in its group, plus 1
    first: list[np.ndarray] = [np.zeros(0, dtype=np.intp)]
    second: list[np.ndarray] = [np.zeros(0, dtype=np.intp)]
    for gap in range(1, int(size.max(initial=1))):
        a = np.flatnonzero(room > gap)
        first.append(a)
        second.append(a + gap)
    a = np.concatenate([*first, *second]).astype(np.intp)
    b = np.concatenate([*second, *first]).astype(np.intp)
    return r[a], v[a], firm[a], firm[b]


def _leave_projects(model: PIPModel, leavers: np.ndarray) -> None:
    """Members marked in ``leavers`` (runs, width, firms) leave their projects and joint sales."""
    if not leavers.any():
        return
    s, book = model.state, model.books
    w = leavers.shape[1]
    gains = np.where(leavers, book.sales_gain[:, :w], 0.0)
    s.joint_sales_uplift -= gains.sum(axis=1)
    book.sales_gain[:, :w] -= gains
    book.members[:, :w] &= ~leavers
    s.project_of[leavers.any(axis=1)] = -1


def _results(
    model: PIPModel,
    w: int,
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
    s, p, book = model.state, model.p, model.books
    won, lost = pilot_won | project_won, pilot_lost | project_lost
    if not (won | lost).any():
        return
    weight = np.where(book.kind[:, :w] == PILOT, PILOT_EVIDENCE, PROJECT_EVIDENCE)
    good = ((members & won[..., None]) * weight[..., None]).sum(axis=1)
    bad = ((members & lost[..., None]) * weight[..., None]).sum(axis=1)
    s.trust_collective = trust.learn_many(
        s.trust_collective, good, bad, p.trust_gain, p.trust_loss_ratio
    )
    winners = (members & won[..., None]).any(axis=1)
    losers = (members & lost[..., None]).any(axis=1)
    learned = trust.learn(s.institutional_trust, True, p.trust_gain, p.trust_loss_ratio)
    s.institutional_trust = np.where(winners, learned, s.institutional_trust)
    s.motivation = np.where(
        winners, motivation.reward(s.motivation, RESULT_MOTIVATION), s.motivation
    )
    spent = motivation.spend(s.motivation, FAILURE_MOTIVATION * p.trust_loss_ratio)
    s.motivation = np.where(losers, spent, s.motivation)
    model.tangible_result(winners)
    r, _, a, b = member_pairs(members & won[..., None])  # partners in a success
    key, times = np.unique((r * model.n + a) * model.n + b, return_counts=True)
    s.joint_successes.reshape(-1)[key] += times.astype(s.joint_successes.dtype)
    piloted = members & pilot_won[..., None]
    s.track_record += piloted.sum(axis=1)
    purchase = (book.label[:, :w] == JOINT_PURCHASE)[..., None]
    s.productivity_uplift += p.pilot_productivity_effect * (piloted & purchase).any(axis=1)
    s.sales_uplift += p.pilot_sales_effect * (piloted & ~purchase).any(axis=1)


def _count(
    model: PIPModel,
    m: Month,
    pilot_won: np.ndarray,
    pilot_lost: np.ndarray,
    project_won: np.ndarray,
    project_lost: np.ndarray,
) -> None:
    counts = model.state.counts
    counts["conflicts"] += m.conflicts.sum(axis=1)
    counts["conflicts_mediated"] += (m.conflicts * m.mediated).sum(axis=1)
    counts["pilots_succeeded"] += pilot_won.sum(axis=1)
    counts["pilots_failed"] += pilot_lost.sum(axis=1)
    counts["projects_succeeded"] += project_won.sum(axis=1)
    counts["projects_failed"] += project_lost.sum(axis=1)


def _end(model: PIPModel, ended: np.ndarray, members: np.ndarray) -> None:
    """Close ventures that ended: pilots free their members, projects take their sales back."""
    if not ended.any():
        return
    w = ended.shape[1]
    pilots = model.books.kind[:, :w] == PILOT
    model.state.in_pilot &= ~(members & (ended & pilots)[..., None]).any(axis=1)
    model.freeze_views(ended)
    _leave_projects(model, members & (ended & ~pilots)[..., None])
    model.books.close(ended)


def _operate(model: PIPModel, running: np.ndarray, members: np.ndarray) -> None:
    """A month of operating projects: benefits ramp up, members see results and stay motivated."""
    if not running.any():
        return
    s, p, book = model.state, model.p, model.books
    w = running.shape[1]
    label = book.label[:, :w]
    ramping = running & (book.months_operating[:, :w] < BENEFIT_RAMP_MONTHS)
    book.months_operating[:, :w] += running
    size = members.sum(axis=2)
    step = ramping / BENEFIT_RAMP_MONTHS
    for effect, weight, uplift in (
        (p.project_sales_effect, SALES_WEIGHT, "joint_sales_uplift"),
        (p.project_productivity_effect, PRODUCTIVITY_WEIGHT, "productivity_uplift"),
    ):
        own, spill = economy.split_benefit(
            effect * weight[label] * step, p.appropriability, size, model.n
        )
        gains = members * own[..., None]
        if uplift == "joint_sales_uplift":
            book.sales_gain[:, :w] += gains
            s.joint_sales_uplift += gains.sum(axis=1)
            s.sales_uplift += spill.sum(axis=1)[:, None]
        else:
            s.productivity_uplift += gains.sum(axis=1) + spill.sum(axis=1)[:, None]
    marketing = members & (ramping & JOINT_MARKETING[label])[..., None]
    s.exporter |= (marketing & (model.rng.random(marketing.shape) < EXPORT_CHANCE)).any(axis=1)
    firms = members.any(axis=1)
    model.tangible_result(firms)
    s.motivation = np.where(
        firms, motivation.reward(s.motivation, OPERATING_MOTIVATION), s.motivation
    )
    learned = trust.learn(
        s.trust_collective, True, OPERATING_EVIDENCE * p.trust_gain, p.trust_loss_ratio
    )
    s.trust_collective = np.where(firms, learned, s.trust_collective)


@dataclass(slots=True)
class Outcome:
    """How each venture's month ended, ``(runs, width)`` masks (for the event log)."""

    pilot_won: np.ndarray
    pilot_lost: np.ndarray
    project_won: np.ndarray
    project_lost: np.ndarray
    market_lost: np.ndarray
    too_few: np.ndarray


def _log_month(model: PIPModel, month: int, m: Month, o: Outcome) -> None:
    """The month's endings in plain words, for the trainers' view (text only: no dynamics)."""
    book = model.books
    any_end = o.pilot_won | o.pilot_lost | o.project_won | o.project_lost | o.market_lost
    size = m.members.sum(axis=2)
    for r, v in zip(*np.nonzero(any_end | o.too_few), strict=True):
        label = label_name(int(book.kind[r, v]), int(book.label[r, v]))
        if o.pilot_won[r, v]:
            text = f"{label} pilot succeeded ({int(size[r, v])} firms)"
        elif o.pilot_lost[r, v]:
            reason = (
                "partners dropped out"
                if size[r, v] < 2
                else "a firm did not deliver"
                if m.defected[r, v].any()
                else "the group fell out"
                if m.broke[r, v]
                else "the market did not respond"
            )
            text = f"{label} pilot failed: {reason}"
        elif o.project_won[r, v]:
            text = f"collective project ({label}) started paying off"
        elif o.market_lost[r, v]:
            text = f"collective project ({label}) closed: its market fell away"
        elif o.too_few[r, v]:
            why = "the members fell out" if m.broke[r, v] else "too few members left"
            what = "dissolved" if book.operating[r, v] else "collapsed before paying off"
            text = f"collective project ({label}) {what}: {why}"
        else:
            text = f"collective project ({label}) failed: the business case did not hold"
        model.log(month, text, int(r))
