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

from pipsim.agents import Status
from pipsim.dynamics import economy, trust

if TYPE_CHECKING:
    from pipsim.model import PIPModel


def firms_in_joint_projects(model: PIPModel) -> int:
    """Participating firms that are members of a collective project under way."""
    return int((model.participating() & (model.project_of >= 0)).sum())


def joint_marketing_share(model: PIPModel) -> float:
    """Share of participants' sales marketed jointly through operating projects."""
    from pipsim.ventures import JOINTLY_MARKETED_SHARE

    sales = model.baseline_sales * model.sales_index()
    members = model.participating()
    total = sales[members].sum()
    marketed = np.zeros(model.n, dtype=bool)
    for v in model.ventures:
        if v.kind == "project" and v.operating and v.project_kind.joint_marketing:
            marketed[v.members] = True
    return float(JOINTLY_MARKETED_SHARE * sales[members & marketed].sum() / total) if total else 0.0


def state_measures(model: PIPModel) -> dict[str, float]:
    """The log frame's state indicators at this moment, over the participating firms."""
    members = model.participating()
    idx = np.flatnonzero(members)
    mean = (lambda a: float(a[members].mean())) if members.any() else (lambda a: 0.0)
    return {
        "participants": int(members.sum()),
        "dropouts": int((model.status == Status.DROPPED_OUT).sum()),
        "firms_in_joint_projects": firms_in_joint_projects(model),
        "active_projects": sum(v.kind == "project" for v in model.ventures),
        "sales_growth": economy.growth(model.sales_index(), members),
        "productivity_growth": economy.growth(model.productivity_index(), members),
        "joint_marketing_share": joint_marketing_share(model),
        "new_exporters": int((model.exporter & ~model.exporter_at_baseline & members).sum()),
        "mean_trust": _nan_to_zero(trust.mean_mutual_trust(model.trust, idx)),
        "trust_in_agency": mean(model.trust_in_agency()),
        "trust_in_public": mean(model.trust_public),
        "trust_in_collective_action": mean(model.trust_collective),
        "network_cohesion": trust.cohesion(model.trust, idx),
    }


def outcomes(model: PIPModel) -> dict[str, float]:
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
    targets = {
        "met_sales": end["sales_growth"] > p.target_sales_growth,
        "met_productivity": end["productivity_growth"] > p.target_productivity_growth,
        "met_joint_projects": end["firms_in_joint_projects"] >= p.target_firms_in_joint_projects,
        "met_participants": end["participants"] >= p.target_participants,
    }
    still = now["firms_in_joint_projects"]
    sustained = still >= max(2, math.ceil(0.5 * end["firms_in_joint_projects"]))
    return {
        "success": all(targets.values()),
        **targets,
        "sustained": bool(sustained and end["firms_in_joint_projects"] > 0),
        **end,
        "months_to_first_joint_project": float(first) if first is not None else math.nan,
        **{k: end.get(k, v) for k, v in model.counts.items()},  # counted over the project
        "conflicts_after_project": (
            model.counts["conflicts"] - end["conflicts"] if model.at_project_end else 0
        ),
        "firms_in_joint_projects_after": still,
        "mean_trust_after": now["mean_trust"],
        "sales_growth_after": now["sales_growth"],
        "trust_in_collective_action_after": now["trust_in_collective_action"],
    }


def _nan_to_zero(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def _mean_over_members(values: np.ndarray, model: PIPModel) -> float:
    members = model.participating()
    return float(values[members].mean()) if members.any() else 0.0


REPORTERS = {
    "month": lambda m: m.steps,
    "phase": lambda m: m.phase,
    "participants": lambda m: int(m.participating().sum()),
    "dropouts": lambda m: int((m.status == Status.DROPPED_OUT).sum()),
    "firms_in_joint_projects": firms_in_joint_projects,
    "active_pilots": lambda m: sum(v.kind == "pilot" for v in m.ventures),
    "active_projects": lambda m: sum(v.kind == "project" for v in m.ventures),
    "technicians_present": lambda m: len(m.agency.team_present(m.steps)),
    "mean_trust": lambda m: _nan_to_zero(
        trust.mean_mutual_trust(m.trust, np.flatnonzero(m.participating()))
    ),
    "trust_in_agency": lambda m: _mean_over_members(m.trust_in_agency(), m),
    "trust_in_public": lambda m: _mean_over_members(m.trust_public, m),
    "trust_in_collective_action": lambda m: _mean_over_members(m.trust_collective, m),
    "mean_motivation": lambda m: _mean_over_members(m.motivation, m),
    "sales_growth": lambda m: economy.growth(m.sales_index(), m.participating()),
    "productivity_growth": lambda m: economy.growth(m.productivity_index(), m.participating()),
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
        "sales growth at project end (share)",
        "sales growth at project end",
        "target_sales_growth",
    ),
    _o(
        "productivity_growth",
        "share",
        question="productivity growth at project end",
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
    _o("conflicts_after_project", "count"),
    _o("firms_in_joint_projects_after", "count"),
    _o("mean_trust_after", "level"),
    _o("sales_growth_after", "share"),
    _o("trust_in_collective_action_after", "level"),
)
# The outcomes tables lead with, in their order (the screen shows the first five).
KEY_OUTCOMES: tuple[str, ...] = ("sales_growth", "productivity_growth", "firms_in_joint_projects")
KEY_OUTCOMES += ("participants", "mean_trust", "trust_in_agency")
_DECLARED = {o.name: o for o in OUTCOMES}


def outcome(name: str) -> Outcome:
    """The declaration of outcome ``name``; an undeclared one gets a plain one (its name)."""
    return _DECLARED.get(name) or Outcome(name, "level")


def target_flags() -> tuple[str, ...]:
    """The yes/no outcomes (every log frame target, success, sustained), in declared order."""
    return tuple(o.name for o in OUTCOMES if o.kind == "flag")
