"""What a run achieved: the log frame's indicators (Annex 2) and the monthly state.

The measures themselves are compiled (`pipsim.rules.measures`); this module names them.
`state_measures` reads the state of one run at one moment; the model takes a snapshot of it
when the project ends, and `outcomes` adds the horizon's end, the counts of what happened and
whether the log frame's targets were met. `REPORTERS` are the monthly series for Mesa's
DataCollector; `OUTCOMES`, declared once in `pipsim.outcome_declarations`, names them for
tables, figures and scenario checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipsim.outcome_declarations import KEY_OUTCOMES, OUTCOMES, Outcome, outcome, target_flags
from pipsim.parameters import Parameters
from pipsim.rules import measures
from pipsim.rules.measures import SERIES, STATE_MEASURES, STRONG_TIE
from pipsim.rules.state import PHASES

if TYPE_CHECKING:
    from pipsim.model import PIPModel
    from pipsim.state import OneRun

# The declarations live in a light module (`pipsim.outcome_declarations`); named here too.
__all__ = ["KEY_OUTCOMES", "OUTCOMES", "Outcome", "outcome", "target_flags"]
__all__ += ["REPORTERS", "STRONG_TIE", "outcomes", "state_measures"]


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
