"""What a run achieved: the log frame's indicators (Annex 2) and the monthly state.

`state_measures` reads the state at one moment; the model takes a snapshot of it when the
project ends, and `outcomes` adds the horizon's end, the counts of what happened and whether
the log frame's targets were met. `REPORTERS` are the monthly series for Mesa's DataCollector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipsim import ventures
from pipsim.agents import Status
from pipsim.dynamics import economy, trust
from pipsim.parameters import Parameters

STRONG_TIE = 0.5  # mutual trust at which a pair counts as a strong tie

if TYPE_CHECKING:
    from pipsim.model import PIPModel
    from pipsim.state import RunView


def firms_in_joint_projects(model: PIPModel | RunView) -> int:
    """Participating firms that are members of a collective project under way."""
    return int((model.participating() & (model.project_of >= 0)).sum())


def joint_marketing_share(model: PIPModel | RunView) -> float:
    """Share of participants' sales marketed jointly through operating projects."""
    book = model.book
    sales = model.baseline_sales * model.sales_index()
    members = model.participating()
    total = sales[members].sum()
    marketing = book.alive & book.operating & (book.kind == ventures.PROJECT)
    marketing[marketing] = ventures.JOINT_MARKETING[book.label[marketing]]
    marketed = book.members[marketing].any(axis=0)
    if total <= 0:
        return 0.0
    return float(ventures.JOINTLY_MARKETED_SHARE * sales[members & marketed].sum() / total)


def in_collective_action(model: PIPModel | RunView) -> np.ndarray:
    """Participants who have taken part in a pilot or a collective project (Annex 2's firms)."""
    return model.participating() & model.together.diagonal()


def sales_growth(model: PIPModel | RunView) -> float:
    """Real sales growth of the firms in collective actions, net of the market (Annex 2).

    Compared with the firms that never took part; with none left, with what the market alone
    did to the same firms. Late joiners who never joined a venture do not dilute it.
    """
    return economy.net_growth(
        model.sales_index(), in_collective_action(model), never_joined(model), model.market_index
    )


def productivity_growth(model: PIPModel | RunView) -> float:
    """Growth of value added per worker of the firms in collective actions, net of the market."""
    return economy.net_growth(
        model.productivity_index(),
        in_collective_action(model),
        never_joined(model),
        np.sqrt(model.market_index),
    )


def never_joined(model: PIPModel | RunView) -> np.ndarray:
    """Firms of the territory that have never taken part: the comparison group."""
    return model.status == Status.OUTSIDE


def trust_partners(model: PIPModel | RunView) -> float:
    """Mean mutual trust over pairs of participants who have ever been in a venture together."""
    members = model.participating()
    pairs = model.together & members[:, None] & members[None, :]
    return _nan_to_zero(trust.pair_mean(model.trust, pairs))


def ties(model: PIPModel | RunView) -> tuple[int, float]:
    """(strong ties: participant pairs at mutual trust >= 0.5, share at the project threshold)."""
    idx = np.flatnonzero(model.participating())
    strong, _ = trust.tie_share(model.trust, idx, STRONG_TIE)
    _, density = trust.tie_share(model.trust, idx, model.p.project_trust_threshold)
    return strong, density


def log_frame_met(model: PIPModel | RunView) -> bool:
    """Whether every log frame target is met this month (the counts, cheap, are read first)."""
    p, counts = model.p, _log_frame_counts(model)
    if counts["participants"] < p.target_participants:
        return False
    if counts["firms_in_joint_projects"] < p.target_firms_in_joint_projects:
        return False
    return all(_targets(p, _log_frame_measures(model, counts)).values())


def _log_frame_counts(model: PIPModel | RunView) -> dict[str, float]:
    return {
        "participants": int(model.participating().sum()),
        "firms_in_joint_projects": firms_in_joint_projects(model),
    }


def _log_frame_measures(
    model: PIPModel | RunView, counts: dict[str, float] | None = None
) -> dict[str, float]:
    return {
        **(counts or _log_frame_counts(model)),
        "sales_growth": sales_growth(model),
        "productivity_growth": productivity_growth(model),
    }


def _targets(p: Parameters, measures: dict[str, float]) -> dict[str, bool]:
    return {
        "met_sales": measures["sales_growth"] > p.target_sales_growth,
        "met_productivity": measures["productivity_growth"] > p.target_productivity_growth,
        "met_joint_projects": (
            measures["firms_in_joint_projects"] >= p.target_firms_in_joint_projects
        ),
        "met_participants": measures["participants"] >= p.target_participants,
    }


def state_measures(model: PIPModel | RunView) -> dict[str, float]:
    """The log frame's state indicators at this moment, over the participating firms."""
    members = model.participating()
    idx = np.flatnonzero(members)
    mean = (lambda a: float(a[members].mean())) if members.any() else (lambda a: 0.0)
    strong, density = ties(model)
    frame = _log_frame_measures(model)
    return {
        "participants": frame["participants"],
        "dropouts": int((model.status == Status.DROPPED_OUT).sum()),
        "firms_in_joint_projects": frame["firms_in_joint_projects"],
        "active_projects": model.book.count(ventures.PROJECT),
        "sales_growth": frame["sales_growth"],
        "productivity_growth": frame["productivity_growth"],
        "joint_marketing_share": joint_marketing_share(model),
        "new_exporters": int((model.exporter & ~model.exporter_at_baseline & members).sum()),
        "mean_trust": _nan_to_zero(trust.mean_mutual_trust(model.trust, idx)),
        "trust_partners": trust_partners(model),
        "strong_ties": strong,
        "tie_density": density,
        "trust_in_agency": mean(model.trust_in_agency()),
        "trust_in_public": mean(model.trust_public),
        "trust_in_collective_action": mean(model.trust_collective),
        "network_cohesion": trust.cohesion(model.trust, idx, STRONG_TIE),
    }


def outcomes(model: PIPModel | RunView) -> dict[str, float]:
    """One flat dict of the run's outcomes: at project end, after the horizon, and counts.

    Counts (pilots, projects, conflicts...) cover the project's life, like the log frame;
    ``success`` means every log frame target was met at project end; ``sustained`` that at the
    end of the horizon at least half of the firms in joint projects at project end (and at
    least two) still work in one. Called before the run ends, "end" and "after" are now.
    """
    p = model.p
    end = model.at_project_end or state_measures(model)
    now = state_measures(model)
    first = model.first_project_month
    targets = _targets(p, end)
    still = now["firms_in_joint_projects"]
    sustained = still >= max(2, math.ceil(0.5 * end["firms_in_joint_projects"]))
    return {
        "success": all(targets.values()),
        **targets,
        "sustained": bool(sustained and end["firms_in_joint_projects"] > 0),
        **end,
        "months_to_first_joint_project": float(first) if first is not None else math.nan,
        "months_to_log_frame": _month_or_nan(model.months_to_log_frame),
        **{k: end.get(k, v) for k, v in model.counts.items()},  # counted over the project
        "conflicts_after_project": (
            model.counts["conflicts"] - end["conflicts"] if model.at_project_end else 0
        ),
        "firms_in_joint_projects_after": still,
        "mean_trust_after": now["mean_trust"],
        "trust_partners_after": now["trust_partners"],
        "participants_after": now["participants"],
        "sales_growth_after": now["sales_growth"],
        "trust_in_collective_action_after": now["trust_in_collective_action"],
    }


def _nan_to_zero(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def _month_or_nan(month: int | None) -> float:
    return float(month) if month is not None else math.nan


def _mean_over_members(values: np.ndarray, model: PIPModel | RunView) -> float:
    members = model.participating()
    return float(values[members].mean()) if members.any() else 0.0


REPORTERS = {
    "month": lambda m: m.steps,
    "phase": lambda m: m.phase,
    "participants": lambda m: int(m.participating().sum()),
    "dropouts": lambda m: int((m.status == Status.DROPPED_OUT).sum()),
    "firms_in_joint_projects": firms_in_joint_projects,
    "active_pilots": lambda m: m.book.count(ventures.PILOT),
    "active_projects": lambda m: m.book.count(ventures.PROJECT),
    "technicians_present": lambda m: m.technicians_present(),
    "mean_trust": lambda m: _nan_to_zero(
        trust.mean_mutual_trust(m.trust, np.flatnonzero(m.participating()))
    ),
    "trust_partners": trust_partners,
    "strong_ties": lambda m: ties(m)[0],
    "tie_density": lambda m: ties(m)[1],
    "trust_in_agency": lambda m: _mean_over_members(m.trust_in_agency(), m),
    "trust_in_public": lambda m: _mean_over_members(m.trust_public, m),
    "trust_in_collective_action": lambda m: _mean_over_members(m.trust_collective, m),
    "mean_motivation": lambda m: _mean_over_members(m.motivation, m),
    "sales_growth": sales_growth,
    "productivity_growth": productivity_growth,
}


# --- the declaration of every outcome -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome of a run, declared once; tables, figures and scenario checks derive from it.

    Attributes:
        name: its key in `outcomes` (a column of the run table).
        kind: ``flag`` (met or not), ``count`` (firms or events), ``share`` (growth, a share),
            ``level`` (trust, cohesion: 0–1) or ``months``.
        label: how a figure's axis or legend names it, with its unit.
        question: what it tells, as a phrase ("Which parameters drive <question>?").
        target: the `Parameters` field holding its log frame target, if it has one.
    """

    name: str
    kind: str
    label: str = ""
    question: str = ""
    target: str | None = None

    def __post_init__(self) -> None:
        words = self.name.replace("_", " ")
        object.__setattr__(self, "label", self.label or words)
        object.__setattr__(self, "question", self.question or words)


def _o(
    name: str, kind: str, label: str = "", question: str = "", target: str | None = None
) -> Outcome:
    return Outcome(name, kind, label, question, target)


# In the order `outcomes` returns them. An outcome a run returns but nobody declared here still
# works everywhere (`outcome` makes it a plain declaration); a test asks for one all the same.
OUTCOMES: tuple[Outcome, ...] = (
    _o("success", "flag", "all log frame targets met", "the chance of meeting the log frame"),
    _o(
        "met_sales",
        "flag",
        "sales growth target",
        "the chance of meeting the sales target",
    ),
    _o(
        "met_productivity",
        "flag",
        "productivity target",
        "the chance of meeting the productivity target",
    ),
    _o(
        "met_joint_projects",
        "flag",
        "firms in joint projects target",
        "the chance of meeting the joint projects target",
    ),
    _o(
        "met_participants",
        "flag",
        "participants target",
        "the chance of meeting the participants target",
    ),
    _o(
        "sustained",
        "flag",
        "cooperation sustained after the horizon",
        "the chance that cooperation outlasts the project",
    ),
    _o(
        "participants",
        "count",
        "participants at project end (firms)",
        "participation at project end",
        "target_participants",
    ),
    _o("dropouts", "count"),
    _o(
        "firms_in_joint_projects",
        "count",
        "firms in joint projects at project end",
        "the number of firms in joint projects at project end",
        "target_firms_in_joint_projects",
    ),
    _o("active_projects", "count"),
    _o(
        "sales_growth",
        "share",
        "sales growth at project end, net of the market (share)",
        "sales growth of the firms in collective actions",
        "target_sales_growth",
    ),
    _o(
        "productivity_growth",
        "share",
        "productivity growth at project end, net of the market (share)",
        question="productivity growth of the firms in collective actions",
        target="target_productivity_growth",
    ),
    _o("joint_marketing_share", "share"),
    _o("new_exporters", "count"),
    _o(
        "mean_trust",
        "level",
        "mean firm–firm trust at project end (0–1)",
        "firm–firm trust at project end",
    ),
    _o(
        "trust_partners",
        "level",
        "trust among partners at project end (0–1)",
        "trust among firms who worked together",
    ),
    _o("strong_ties", "count", "strong ties at project end (pairs)", "the number of strong ties"),
    _o("tie_density", "share", "share of pairs trusting enough for a project", "tie density"),
    _o("trust_in_agency", "level", question="trust in the executing agency"),
    _o("trust_in_public", "level", question="trust in the public sector"),
    _o("trust_in_collective_action", "level"),
    _o("network_cohesion", "level"),
    *(_o(name, "count") for name in ("events_held", "pilots_run", "pilots_succeeded")),
    *(_o(name, "count") for name in ("pilots_failed", "projects_run", "projects_succeeded")),
    *(_o(name, "count") for name in ("projects_failed", "conflicts", "conflicts_mediated")),
    *(_o(name, "count") for name in ("technicians_left", "public_actions_kept")),
    _o("public_actions_broken", "count"),
    _o(
        "months_to_first_joint_project",
        "months",
        question="the months until the first joint project",
    ),
    _o(
        "months_to_log_frame",
        "months",
        question="the months until every log frame target is met",
    ),
    _o("conflicts_after_project", "count"),
    _o("firms_in_joint_projects_after", "count"),
    _o("mean_trust_after", "level"),
    _o("trust_partners_after", "level"),
    _o("participants_after", "count"),
    _o("sales_growth_after", "share"),
    _o("trust_in_collective_action_after", "level"),
)
# The outcomes tables lead with, in their order (the screen shows the first five).
KEY_OUTCOMES: tuple[str, ...] = ("sales_growth", "productivity_growth", "firms_in_joint_projects")
KEY_OUTCOMES += ("participants", "trust_partners", "mean_trust", "trust_in_agency")
_DECLARED = {o.name: o for o in OUTCOMES}


def outcome(name: str) -> Outcome:
    """The declaration of outcome ``name``; an undeclared one gets a plain one (its name)."""
    return _DECLARED.get(name) or Outcome(name, "level")


def target_flags() -> tuple[str, ...]:
    """The yes/no outcomes (every log frame target, success, sustained), in declared order."""
    return tuple(o.name for o in OUTCOMES if o.kind == "flag")
