"""What a run achieved: the log frame's indicators (Annex 2) and the monthly state.

`state_measures` reads the state at one moment; the model takes a snapshot of it when the
project ends, and `outcomes` adds the horizon's end, the counts of what happened and whether
the log frame's targets were met. `REPORTERS` are the monthly series for Mesa's DataCollector.
"""

from __future__ import annotations

import math
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
