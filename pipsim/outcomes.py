"""What a run achieved: the log frame's indicators (Annex 2) and the monthly state.

The measures themselves are compiled (`pipsim.rules.measures`); this module names them.
`state_measures` reads the state of one run at one moment; the model takes a snapshot of it
when the project ends, and `outcomes` adds the horizon's end, the counts of what happened and
whether the log frame's targets were met. `REPORTERS` are the monthly series for Mesa's
DataCollector; `OUTCOMES` declares every outcome once, for tables, figures and scenario checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipsim.parameters import Parameters
from pipsim.rules import measures
from pipsim.rules.measures import SERIES, STATE_MEASURES, STRONG_TIE
from pipsim.rules.state import PHASES

if TYPE_CHECKING:
    from pipsim.model import PIPModel
    from pipsim.state import OneRun

__all__ = ["OUTCOMES", "REPORTERS", "STRONG_TIE", "outcomes", "state_measures"]


def firms_in_joint_projects(model: OneRun) -> int:
    """Participating firms that are members of a collective project under way."""
    s, _, r = model.core()
    return int(measures.firms_in_joint_projects(s, r))


def sales_growth(model: OneRun) -> float:
    """Real sales growth of the firms in collective actions, net of the market (Annex 2).

    Each firm against its own market path in the same run: what it would have sold without
    the project. Late joiners who never joined a venture do not dilute it.
    """
    s, _, r = model.core()
    return float(measures.growth_of_collective_action(s, r, False))


def productivity_growth(model: OneRun) -> float:
    """Growth of value added per worker of the firms in collective actions, net of the market."""
    s, _, r = model.core()
    return float(measures.growth_of_collective_action(s, r, True))


def trust_partners(model: OneRun) -> float:
    """Mean mutual trust over pairs of participants who have ever been in a venture together."""
    s, _, r = model.core()
    return float(measures.trust_partners(s, r))


def ties(model: OneRun) -> tuple[int, float]:
    """(strong ties: participant pairs at mutual trust >= 0.5, share at the project threshold)."""
    s, rules, r = model.core()
    strong, _ = measures.ties(s, r, STRONG_TIE)
    _, density = measures.ties(s, r, rules.project_trust_threshold)
    return int(strong), float(density)


def log_frame_met(model: OneRun) -> bool:
    """Whether every log frame target is met this month."""
    s, rules, r = model.core()
    return bool(measures.log_frame_met(s, rules, r))


def _targets(p: Parameters, measured: dict[str, float]) -> dict[str, bool]:
    return {
        "met_sales": measured["sales_growth"] > p.target_sales_growth,
        "met_productivity": measured["productivity_growth"] > p.target_productivity_growth,
        "met_joint_projects": (
            measured["firms_in_joint_projects"] >= p.target_firms_in_joint_projects
        ),
        "met_participants": measured["participants"] >= p.target_participants,
    }


_COUNTED: tuple[str, ...] = (
    "participants",
    "dropouts",
    "firms_in_joint_projects",
    "active_projects",
)
_COUNTED += ("new_exporters", "strong_ties")


def state_measures(model: OneRun) -> dict[str, float]:
    """The log frame's state indicators at this moment, over the participating firms."""
    s, rules, r = model.core()
    row = np.empty(len(STATE_MEASURES))
    measures.state_measures(s, rules, r, row)
    return _named(STATE_MEASURES, row)


def _named(names: tuple[str, ...], row: np.ndarray) -> dict[str, Any]:
    return {k: int(v) if k in _COUNTED else float(v) for k, v in zip(names, row, strict=True)}


def outcomes(model: OneRun) -> dict[str, float]:
    """One flat dict of the run's outcomes: at project end, after the horizon, and counts.

    Counts (pilots, projects, conflicts...) cover the project's life, like the log frame;
    ``success`` means every log frame target was met at project end; ``sustained`` that at the
    end of the horizon at least half of the firms in joint projects at project end (and at
    least two) still work in one. Called before the run ends, "end" and "after" are now.
    """
    p = model.p
    now = state_measures(model)
    at_end = model.at_project_end
    end = _named(STATE_MEASURES, np.array([at_end[k] for k in STATE_MEASURES])) if at_end else now
    counts = {k: int(at_end[k]) for k in model.counts} if at_end else model.counts
    first = model.first_project_month
    targets = _targets(p, end)
    still = now["firms_in_joint_projects"]
    sustained = still >= max(2, math.ceil(0.5 * end["firms_in_joint_projects"]))
    return {
        "success": all(targets.values()),
        **targets,
        "sustained": bool(sustained and end["firms_in_joint_projects"] > 0),
        **end,
        **counts,  # counted over the project
        "months_to_first_joint_project": float(first) if first is not None else math.nan,
        "pilots_before_first_project": float(model.pilots_before_first_project),
        "trust_at_first_project": float(model.trust_at_first_project),
        "months_to_log_frame": _month_or_nan(model.months_to_log_frame),
        "conflicts_after_project": (
            model.counts["conflicts"] - counts["conflicts"] if at_end else 0
        ),
        "firms_in_joint_projects_after": still,
        "mean_trust_after": now["mean_trust"],
        "trust_partners_after": now["trust_partners"],
        "participants_after": now["participants"],
        "sales_growth_after": now["sales_growth"],
        "trust_in_collective_action_after": now["trust_in_collective_action"],
    }


def block_outcomes(model: PIPModel) -> list[dict[str, float]]:
    """The outcomes of every run of a block, in order."""
    return [outcomes(model.run(r)) for r in range(model.runs)]


def _month_or_nan(month: int | None) -> float:
    return float(month) if month is not None else math.nan


# --- the monthly series ---------------------------------------------------------------------
_SERIES_COUNTED = frozenset(_COUNTED) | {"month", "active_pilots", "technicians_present"}


def series_rows(model: PIPModel, series: np.ndarray, month: int) -> None:
    """Fill ``series[:, month]`` with every run's row of the monthly series."""
    s, rules = model.state, model.rules
    for r in range(model.runs):
        measures.series_row(s, rules, r, month, series[r, month])


def series_frame(series: np.ndarray) -> pd.DataFrame:
    """The monthly series of a block, ``(runs, months, columns)``, as one table with ``place``."""
    runs, months, _ = series.shape
    frame = pd.DataFrame(series.reshape(runs * months, len(SERIES)), columns=list(SERIES))
    frame["place"] = np.repeat(np.arange(runs), months)
    frame = frame.dropna(subset=["month"]).reset_index(drop=True)
    for name in _SERIES_COUNTED & set(SERIES):
        frame[name] = frame[name].astype(int)
    frame["phase"] = [PHASES[int(k)] for k in frame["phase"]]
    return frame


def series_row(model: OneRun) -> np.ndarray:
    """This month's row of the monthly series of one run.

    While a model collects (`PIPModel._collect`) it holds the row it measured once, and every
    reporter reads that.
    """
    kept = getattr(model, "collecting", None)
    if kept is not None:
        return kept
    s, rules, r = model.core()
    row = np.empty(len(SERIES))
    measures.series_row(s, rules, r, model.steps, row)
    return row


def report(k: int, name: str, model: OneRun) -> Any:
    """Column ``k`` (``name``) of this month's row of the monthly series, for Mesa's collector.

    Bound to a column with `functools.partial` (a partial pickles, as a closure would not).
    """
    row = series_row(model)
    if name == "phase":
        return PHASES[int(row[k])]
    return int(row[k]) if name in _SERIES_COUNTED else float(row[k])


REPORTERS: dict[str, Callable[[OneRun], Any]] = {
    name: partial(report, k, name) for k, name in enumerate(SERIES)
}


FLAGS = ("success", "met_sales", "met_productivity", "met_joint_projects", "met_participants")


def flag(name: str, model: OneRun) -> bool:
    """Whether the run meets target ``name`` (or the whole log frame), judged as `outcomes` does.

    While a model collects it holds its outcomes, measured once for every flag.
    """
    held = getattr(model, "collecting_outcomes", None)
    return bool((held if held is not None else outcomes(model))[name])


def reporters() -> dict[str, Callable[[OneRun], Any]]:
    """Mesa's DataCollector reporters of one run: the monthly series, then the log frame's flags.

    The flags make `mesa.batch_run`'s rows carry whether each target was met (at project end,
    once the run is past it; until then, now), as Mesa users expect of a model's outcomes.
    """
    return {**REPORTERS, **{name: partial(flag, name) for name in FLAGS}}


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
    _o(
        "spillover_sales_growth",
        "share",
        "sales growth of bystander firms at project end (share)",
        "what the project's sales gains spilt over to firms outside it",
    ),
    _o(
        "spillover_productivity_growth",
        "share",
        "productivity growth of bystander firms at project end (share)",
        "what the project's productivity gains spilt over to firms outside it",
    ),
    *(_o(name, "count") for name in ("events_held", "pilots_run", "pilots_succeeded")),
    *(_o(name, "count") for name in ("pilots_failed", "projects_run", "projects_succeeded")),
    *(_o(name, "count") for name in ("projects_failed", "conflicts", "conflicts_mediated")),
    *(_o(name, "count") for name in ("technicians_left", "public_actions_kept")),
    _o("public_actions_broken", "count"),
    _o("promises_kept", "count", "member-months a venture's member kept its word"),
    _o("promises_broken", "count", "member-months a venture's member let its partners down"),
    _o(
        "months_to_first_joint_project",
        "months",
        question="the months until the first joint project",
    ),
    _o(
        "pilots_before_first_project",
        "count",
        "pilots run before the first joint project (NaN: none formed)",
        "how many pilots lead up to the first joint project",
    ),
    _o(
        "trust_at_first_project",
        "level",
        "mutual trust of the first project's members as they formalised it (0–1)",
        "the trust firms have built when they first formalise a project",
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
