"""Joint ventures: pilots and collective projects, from forming a group to success or collapse.

A venture is a group of firms working together for some months. Each month its members may
fail the group (non-compliance) and conflicts may arise; a technician may mediate them. A pilot
ends after a few months, succeeding or failing; a collective project matures for longer and,
if its business case holds, keeps operating (and paying) for as long as its members keep
working together — during the project and after the agency has left.

This module wires the pure dynamics to the model's state; the rules themselves live in
`pipsim.dynamics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pipsim.dynamics import activities, conflicts, economy, motivation, trust

if TYPE_CHECKING:
    from pipsim.model import PIPModel

PILOT_TRUST_FACTOR = 3.0  # a pilot's outcome weighs three ordinary experiences
PROJECT_TRUST_FACTOR = 4.0  # a project's outcome weighs more still
WORKING_TRUST_FACTOR = 0.3  # a quiet month of joint work
BREAK_TRUST = 0.15  # below this mutual trust a group stops working together
BENEFIT_RAMP_MONTHS = 6  # months for a project's benefits to reach their full size
JOINTLY_MARKETED_SHARE = 0.5  # share of a member's sales sold through a marketing project
MIN_PROJECT_FIRMS = 3  # fewer is a bilateral deal, not a collective project
RESULT_MOTIVATION = 0.3  # share of the gap to full motivation a tangible result closes
FAILURE_MOTIVATION = 0.06  # motivation a failure costs, times the loss ratio


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

PILOT_KINDS = ("joint purchase of inputs", "exploration of a new market")


@dataclass(slots=True)
class Venture:
    """A pilot or collective project under way."""

    kind: str  # "pilot" or "project"
    label: str
    members: np.ndarray
    start: int
    ends: int  # last month of a pilot's work; month a project's maturation completes
    project_kind: ProjectKind | None = None
    operating: bool = False
    months_operating: int = 0
    sales_gain: np.ndarray = field(default_factory=lambda: np.zeros(0))


def start_pilot(model: PIPModel, month: int) -> Venture | None:
    """Form a pilot among willing participants; low trust is no obstacle (the document)."""
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
    weights = activities.partner_weights(model.trust[founder, candidates], keen)
    group = activities.pick_group(rng, founder, candidates, weights, p.pilot_group_size)
    label = PILOT_KINDS[int(rng.integers(len(PILOT_KINDS)))]
    v = Venture("pilot", label, group, month, month + p.pilot_months - 1)
    model.in_pilot[group] = True
    model.counts["pilots_run"] += 1
    return v


def start_project(model: PIPModel, month: int, tries: int = 3) -> Venture | None:
    """Formalise a collective project among firms with a track record who trust each other.

    The team tries a few founders among the firms that have a partner they trust (both ways)
    at least the scenario's threshold; a group whose mutual trust is below it is judged not
    ready. A low threshold (haste to show results) lets groups
    formalise without real trust.
    """
    p, rng = model.p, model.rng
    free = model.participating() & (model.project_of < 0) & (model.track_record > 0)
    candidates = np.flatnonzero(free)
    if len(candidates) < 2:
        return None
    block = model.trust[candidates[:, None], candidates]
    ties = (block >= p.project_trust_threshold) & (block.T >= p.project_trust_threshold)
    np.fill_diagonal(ties, False)
    founders = candidates[ties.any(axis=1)]  # firms with at least one trusted partner
    if len(founders) == 0:
        return None
    keen = (
        model.motivation[founders]
        * model.trust_collective[founders]
        * np.where(model.is_lead[founders], 3.0, 1.0)
        + 1e-9
    )
    for _ in range(tries):
        founder = int(founders[activities.weighted_choice(rng, keen)])
        group = trusting_group(
            model.trust, founder, candidates, p.project_trust_threshold, p.project_group_size
        )
        if len(group) >= MIN_PROJECT_FIRMS:
            kind = PROJECT_KINDS[int(rng.integers(len(PROJECT_KINDS)))]
            matures = month + max(1, round(p.project_maturation_months * kind.maturation_share)) - 1
            v = Venture(
                "project",
                kind.name,
                group,
                month,
                matures,
                project_kind=kind,
                sales_gain=np.zeros(len(group)),
            )
            model.project_of[group] = model.next_project_id
            model.next_project_id += 1
            model.counts["projects_run"] += 1
            if model.first_project_month is None:
                model.first_project_month = month
            model.log(month, f"{len(group)} firms formed a collective project: {kind.name}")
            return v
    return None


def trusting_group(
    trust_matrix: np.ndarray, founder: int, candidates: np.ndarray, threshold: float, size: int
) -> np.ndarray:
    """The largest group around ``founder`` (at most ``size``) whose mutual trust >= threshold.

    Partners are the candidates the founder trusts, and who trust the founder, at least
    ``threshold``, most trusted first; the least trusting member is dropped until the group's
    mean mutual trust reaches the threshold. May return the founder alone.
    """
    others = candidates[candidates != founder]
    mutual = np.minimum(trust_matrix[founder, others], trust_matrix[others, founder])
    order = np.argsort(-mutual, kind="stable")
    partners = others[order][mutual[order] >= threshold][: size - 1]
    group = np.concatenate(([founder], partners)).astype(int)
    while len(group) > 1:
        in_group = trust.trust_in_group(trust_matrix, group)
        if in_group.mean() >= threshold:
            break
        group = np.delete(group, 1 + int(np.argmin(in_group[1:])))
    return group


def advance(model: PIPModel, v: Venture, month: int) -> bool:
    """One month of a venture's life; returns False once it has ended."""
    p, rng = model.p, model.rng
    weight = PILOT_TRUST_FACTOR if v.kind == "pilot" else PROJECT_TRUST_FACTOR
    if len(v.members) < 2:  # partners dropped out of the project
        if v.kind == "pilot":
            return _end_pilot(model, v, month, success=False, reason="partners dropped out")
        return _dissolve(model, v, month, "too few members left")
    # Non-compliance: a member fails the group and the others hold it against that member.
    block_index = (v.members[:, None], v.members)
    block = model.trust[block_index]
    in_group = (block.sum(axis=1) - block.diagonal()) / (len(v.members) - 1)
    risk = activities.noncompliance_probability(
        p.noncompliance_risk, in_group, model.motivation[v.members], p.appropriability
    )
    culprits = v.members[rng.random(len(v.members)) < risk]
    unresolved = False
    for culprit in culprits:
        unresolved |= not _conflict(model, v, month, culprit=int(culprit), weight=weight)
        if v.kind == "pilot":
            return _end_pilot(model, v, month, success=False, reason="a firm did not deliver")
        leave_project(model, v, int(culprit))
    if v.kind == "project" and len(v.members) < 2:
        return _dissolve(model, v, month, "too few members left")
    # Other conflicts: unforeseen difficulties, changed expectations, differing readings.
    troubled = bool(culprits.size)
    if rng.random() < p.conflict_rate * (0.5 if v.operating else 1.0):
        troubled = True
        unresolved |= not _conflict(model, v, month, culprit=None, weight=weight)
    # An unmediated conflict in a group that does not trust itself enough ends the venture.
    if unresolved and conflicts.breaks_group(
        trust.mean_mutual_trust(model.trust, v.members), BREAK_TRUST
    ):
        if v.kind == "pilot":
            return _end_pilot(model, v, month, success=False, reason="the group fell out")
        return _dissolve(model, v, month, "the members fell out")
    model.contact[block_index] = True  # they worked together this month
    if not troubled:  # a quiet month of joint work (nothing changed the block since it was read)
        model.trust[block_index] = trust.reinforce(block, p.trust_gain * WORKING_TRUST_FACTOR)
    if v.kind == "pilot":
        if month >= v.ends:
            ok = rng.random() < activities.venture_success_probability(
                p.pilot_success_rate, model.capability[v.members]
            )
            return _end_pilot(model, v, month, success=ok, reason="the market did not respond")
        return True
    if not v.operating and month >= v.ends:
        ok = rng.random() < activities.venture_success_probability(
            p.project_success_rate, model.capability[v.members]
        )
        if not ok:
            return _fail_project(model, v, month)
        v.operating = True
        model.counts["projects_succeeded"] += 1
        _good_outcome(model, v.members, weight)
        model.log(month, f"collective project ({v.label}) started paying off")
    if v.operating:
        _operate(model, v)
    return True


def _conflict(model: PIPModel, v: Venture, month: int, culprit: int | None, weight: float) -> bool:
    """A conflict in ``v``: mediated by a present technician or not, it costs trust.

    Returns whether it was mediated.
    """
    p, rng = model.p, model.rng
    model.counts["conflicts"] += 1
    mediated = False
    if p.mediation:
        tech = model.technician_for(v.members, month)
        if tech is not None:
            skill = model.agency.technicians[tech].skill
            chance = conflicts.mediation_probability(skill, model.relationship[v.members])
            mediated = bool(rng.random() < chance)
    model.counts["conflicts_mediated"] += int(mediated)
    if culprit is not None:  # betrayal: the partners hold it against the culprit
        others = v.members[v.members != culprit]
        loss = conflicts.conflict_loss(p.trust_gain, weight, mediated, p.mediation_effectiveness)
        trust.undermine_towards(model.trust, others, culprit, loss, p.trust_loss_ratio)
    # Every conflict is one bad shared experience for all the members.
    loss = conflicts.conflict_loss(p.trust_gain, 1.0, mediated, p.mediation_effectiveness)
    trust.undermine_group(model.trust, v.members, loss, p.trust_loss_ratio)
    return mediated


def _good_outcome(model: PIPModel, members: np.ndarray, weight: float) -> None:
    """A venture worked: partners trust each other, and collective action, more."""
    p = model.p
    trust.reinforce_group(model.trust, members, p.trust_gain * weight)
    model.trust_collective[members] = trust.reinforce(
        model.trust_collective[members], p.trust_gain * weight
    )
    model.institutional_trust[members] = trust.reinforce(
        model.institutional_trust[members], p.trust_gain
    )
    model.motivation[members] = motivation.reward(model.motivation[members], RESULT_MOTIVATION)
    model.tangible_result(members)


def _bad_outcome(model: PIPModel, members: np.ndarray, weight: float) -> None:
    """A venture failed: a bad shared experience, and a blow to faith in collective action.

    The loss ratio weighs it against a success of the same weight (Slovic 1993): nobody in
    particular is to blame here (a partner's non-compliance is charged to that partner in
    `_conflict`), so partners' mutual trust loses one ordinary step, trust in collective action
    the venture's full weight, and motivation a fixed step (both times the loss ratio).
    """
    p = model.p
    trust.undermine_group(model.trust, members, p.trust_gain, p.trust_loss_ratio)
    model.trust_collective[members] = trust.undermine(
        model.trust_collective[members], p.trust_gain * weight, p.trust_loss_ratio
    )
    model.motivation[members] = motivation.spend(
        model.motivation[members], FAILURE_MOTIVATION * p.trust_loss_ratio
    )


def _end_pilot(model: PIPModel, v: Venture, month: int, success: bool, reason: str) -> bool:
    p = model.p
    model.in_pilot[v.members] = False
    if success:
        model.counts["pilots_succeeded"] += 1
        model.track_record[v.members] += 1
        _good_outcome(model, v.members, PILOT_TRUST_FACTOR)
        if v.label == PILOT_KINDS[0]:  # a joint purchase lowers costs: value added per worker
            model.productivity_uplift[v.members] += p.pilot_productivity_effect
        else:
            model.sales_uplift[v.members] += p.pilot_sales_effect
        model.log(month, f"{v.label} pilot succeeded ({len(v.members)} firms)")
    else:
        model.counts["pilots_failed"] += 1
        _bad_outcome(model, v.members, PILOT_TRUST_FACTOR)
        model.log(month, f"{v.label} pilot failed: {reason}")
    return False


def leave_project(model: PIPModel, v: Venture, firm: int) -> None:
    """``firm`` leaves project ``v``, taking its share of the joint sales with it."""
    keep = v.members != firm
    model.joint_sales_uplift[firm] -= v.sales_gain[~keep].sum()
    model.project_of[firm] = -1
    v.members, v.sales_gain = v.members[keep], v.sales_gain[keep]


def _fail_project(model: PIPModel, v: Venture, month: int) -> bool:
    model.counts["projects_failed"] += 1
    _bad_outcome(model, v.members, PROJECT_TRUST_FACTOR)
    model.log(month, f"collective project ({v.label}) failed: the business case did not hold")
    return _release(model, v)


def _dissolve(model: PIPModel, v: Venture, month: int, reason: str) -> bool:
    if v.operating:
        model.log(month, f"collective project ({v.label}) dissolved: {reason}")
    else:
        model.counts["projects_failed"] += 1
        model.log(month, f"collective project ({v.label}) collapsed before paying off: {reason}")
    if len(v.members):
        _bad_outcome(model, v.members, PROJECT_TRUST_FACTOR)
    return _release(model, v)


def _release(model: PIPModel, v: Venture) -> bool:
    model.joint_sales_uplift[v.members] -= v.sales_gain
    model.project_of[v.members] = -1
    return False


def _operate(model: PIPModel, v: Venture) -> None:
    """A month of an operating project: its benefits ramp up and keep members motivated."""
    p, kind = model.p, v.project_kind
    ramping = v.months_operating < BENEFIT_RAMP_MONTHS
    v.months_operating += 1
    if ramping:
        step = 1.0 / BENEFIT_RAMP_MONTHS
        own, spill = economy.split_benefit(
            p.project_sales_effect * kind.sales_weight * step,
            p.appropriability,
            len(v.members),
            model.n,
        )
        v.sales_gain += own
        model.joint_sales_uplift[v.members] += own
        model.sales_uplift += spill
        own, spill = economy.split_benefit(
            p.project_productivity_effect * kind.productivity_weight * step,
            p.appropriability,
            len(v.members),
            model.n,
        )
        model.productivity_uplift[v.members] += own
        model.productivity_uplift += spill
        if kind.joint_marketing:
            model.exporter[v.members] |= model.rng.random(len(v.members)) < 0.1
    model.tangible_result(v.members)
    model.motivation[v.members] = motivation.reward(model.motivation[v.members], 0.05)
    model.trust_collective[v.members] = trust.reinforce(
        model.trust_collective[v.members], p.trust_gain * 0.2
    )
