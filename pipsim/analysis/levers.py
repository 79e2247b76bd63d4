"""What blocks the log frame at the asked length, and what a designer could change about it.

`pipsim duration` answers "how long?"; a designer with a length already fixed (22 months is
common) asks two more questions. *Which target blocks success?* — the binding target is the
one the runs meet least often at that length (`target_table`). *What would make it enough?*
— the same runs again at that length with one lever a designer controls changed at a time
(`designer_levers`, `run_levers`): the probability of meeting every target with its Wilson
interval, per lever (`lever_table`).

The lever runs use the seeds of the sweep's own runs at that length (common random numbers),
so "as designed" *is* the sweep's point when the length was swept, and every lever is
compared with it on the same draws, not on fresh noise. They run through
`pipsim.sweep.block` (a run takes a few milliseconds), not into the results folder: the
table is the result.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipsim.analysis import uncertainty
from pipsim.analysis.uncertainty import percent as percent  # the one way of writing them
from pipsim.analysis.uncertainty import span as span
from pipsim.outcome_declarations import outcome
from pipsim.parameters import Parameters
from pipsim.sweep import block, design

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pipsim.sweep.design import Scenario

AXIS = "project_months"
# The log frame: the flag a run reports, and the measure whose target it compares against.
TARGETS: tuple[tuple[str, str], ...] = (
    ("met_sales", "sales_growth"),
    ("met_productivity", "productivity_growth"),
    ("met_joint_projects", "firms_in_joint_projects"),
    ("met_participants", "participants"),
)
TARGET_WORDS = {  # how a sentence names each target
    "sales_growth": "sales growth",
    "productivity_growth": "productivity growth",
    "firms_in_joint_projects": "firms in joint projects",
    "participants": "participants",
}
TRUST_FROM_PREPARATION = 0.2  # what a preparation phase adds to initial trust (0-1 scale)
LAUNCH_EXTRA_MONTHS = 3


def parameters(scenario: Scenario, months: int) -> Parameters:
    """The parameters of the scenario's runs at ``months`` (its base on its typology's preset).

    As `pipsim.sweep.block` builds them (`Parameters.from_overrides`): a vertical network's
    targets and firms, not a cluster's.
    """
    return Parameters.from_overrides({**scenario.base, AXIS: months})


def shown(measure: str, value: float) -> str:
    """A target's measure in words: a share as a percentage, a count of firms as a number."""
    if outcome(measure).kind == "share":
        return f"{value:.1%}" if abs(value) < 0.1 else f"{value:.0%}"
    return f"{value:g} firms"


def target_table(runs: pd.DataFrame, p: Parameters) -> pd.DataFrame:
    """Per log frame target: how often it is met, the median reached and the target.

    Sorted so the binding target, the one met least often, is first; among targets met
    equally often, the one whose median falls furthest short of its target (relative to the
    target) comes first.
    """
    rows = []
    for flag, measure in TARGETS:
        target = float(getattr(p, str(outcome(measure).target)))
        median = float(runs[measure].median())
        rows.append(
            {
                "target_name": measure,
                "words": TARGET_WORDS[measure],
                "met": int(runs[flag].sum()),
                "runs": len(runs),
                "met_share": float(runs[flag].mean()),
                "median": median,
                "target": target,
                "shortfall": (target - median) / max(abs(target), 1e-9),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values(["met_share", "shortfall"], ascending=[True, False], ignore_index=True)


def binding_sentence(targets: pd.DataFrame) -> str:
    """The binding target in one sentence, e.g. "... productivity growth (met in 6% of runs...)"."""
    b = targets.iloc[0]
    return (
        f"The binding target is {b.words} (met in {percent(b.met_share)} of runs; median "
        f"{shown(b.target_name, b['median'])} against {shown(b.target_name, b.target)})."
    )


@dataclass(frozen=True)
class Lever:
    """One thing a designer controls, set one way: its name, its setting in words, its values."""

    name: str
    label: str
    setting: str
    overrides: dict[str, Any] = field(default_factory=dict)


AS_DESIGNED = Lever("as_designed", "as designed", "the scenario's own settings")


def designer_levers(p: Parameters, targets: pd.DataFrame) -> list[Lever]:
    """The project as designed, then each lever a designer controls changed alone.

    The settings are what a designer can plausibly buy: a preparation phase worth
    `TRUST_FROM_PREPARATION` of initial trust, a team kept whole, a ministry that keeps every
    promise and stays at the table, twice the trust-building events, a launch
    `LAUNCH_EXTRA_MONTHS` longer (inside the same length), and the binding target lowered to
    what half the runs reach at this length (`lower_targets`).
    """
    trust = min(1.0, round(p.initial_trust + TRUST_FROM_PREPARATION, 3))
    events = round(max(2 * p.events_per_month, 1.0), 2)
    launch = min(24, p.launch_months + LAUNCH_EXTRA_MONTHS)
    return [
        AS_DESIGNED,
        Lever(
            "preparation",
            "initial trust from preparation",
            f"initial trust {p.initial_trust:g} → {trust:g}",
            {"initial_trust": trust},
        ),
        Lever(
            "no_turnover",
            "no staff turnover",
            f"staff turnover {p.staff_turnover:g} → 0 a year",
            {"staff_turnover": 0.0},
        ),
        Lever(
            "committed_ministry",
            "a committed ministry",
            f"promises kept {p.public_commitment:g} → 1, a minister stays at the table",
            {"public_commitment": 1.0, "high_level_participation": True, "delegation_rate": 0.0},
        ),
        Lever(
            "more_events",
            "more trust-building events",
            f"events {p.events_per_month:g} → {events:g} a month",
            {"trust_building_events": True, "events_per_month": events},
        ),
        Lever(
            "longer_launch",
            "a longer launch",
            f"launch {p.launch_months} → {launch} months (same project length)",
            {"launch_months": launch},
        ),
        lower_targets(p, targets),
    ]


def lower_targets(p: Parameters, targets: pd.DataFrame) -> Lever:
    """Every target fewer than half the runs meet, lowered to what half the runs reach.

    With none such, the binding target lowered by a quarter. A share's target must be
    exceeded, so it is set just under the median; a count's is reached at the median.
    """
    short = targets[targets["met_share"] < 0.5]
    changes, words = {}, []
    for t in short.itertuples() if len(short) else targets.head(1).itertuples():
        new = _lowered(t.target_name, t.median if len(short) else 0.75 * t.target)
        changes[str(outcome(t.target_name).target)] = new
        words.append(f"{t.words} {shown(t.target_name, t.target)} → {shown(t.target_name, new)}")
    return Lever("lower_targets", "lower targets", ", ".join(words), changes)


def _lowered(measure: str, value: float) -> float:
    """A target at ``value``: a whole number of firms, or a share just under it."""
    if outcome(measure).kind == "count":
        return int(np.floor(value))
    return float(np.floor(value * 1000 - 1e-6) / 1000)  # a tenth of a point, strictly under


def lever_blocks(scenario: Scenario, months: int) -> list[design.Block]:
    """The blocks of the sweep's point at ``months`` (that point added when not swept)."""
    lengths = tuple(scenario.sweep.get(AXIS, ()))
    if months not in lengths:
        scenario = scenario.replace(sweep={**scenario.sweep, AXIS: (*lengths, months)})
    points = design.design_points(scenario)
    point = next(i for i, pt in enumerate(points) if pt[AXIS] == months)
    per = design.blocks_per_point(scenario)
    return [design.block(scenario, points, point * per + k) for k in range(per)]


def run_levers(
    scenario: Scenario,
    months: int,
    levers: list[Lever],
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Every lever's runs at ``months``, on the seeds of the sweep's runs there; one row a run."""
    blocks = lever_blocks(scenario, months)
    tables, done = [], 0
    for lever in levers:
        for b in blocks:
            runs, _ = block.run_block({**b.overrides, **lever.overrides}, b.seed, b.size)
            runs = runs.assign(lever=lever.name, replicate=b.first + runs["place"], seed=b.seed)
            if b.member is not None:  # drawn across an ensemble (`uncertainty.split` reads it)
                runs["member"] = b.member
            tables.append(runs)
        done += 1
        if progress is not None:
            progress(done, len(levers))
    return pd.concat(tables, ignore_index=True)


def lever_table(
    runs: pd.DataFrame, levers: list[Lever], target: float, binding: str
) -> pd.DataFrame:
    """Per lever: its setting, P(every target met) with its Wilson 95% interval, the change.

    Across an ensemble, the interval is the runs' (`pipsim.analysis.uncertainty`) and
    ``parameters_lower``/``parameters_upper`` hold the one with what we do not know about the
    parameters (NaN without an ensemble).

    ``binding_met`` is how often the binding target (the flag ``binding``) is met under the
    lever: a lever can move it a long way and still leave the whole log frame out of reach.
    """
    rows = []
    for lever in levers:
        mine = runs[runs["lever"] == lever.name]
        hits, n = int(mine["success"].sum()), len(mine)
        both = uncertainty.split(mine)
        rows.append(
            {
                "lever": lever.name,
                "label": lever.label,
                "setting": lever.setting,
                "runs": n,
                "successes": hits,
                "probability": hits / n if n else float("nan"),
                "lower": both.runs[0],
                "upper": both.runs[1],
                "parameters_lower": both.parameters[0] if both.parameters else np.nan,
                "parameters_upper": both.parameters[1] if both.parameters else np.nan,
                "binding_met": float(mine[binding].mean()),
            }
        )
    table = pd.DataFrame(rows)
    table["change"] = table["probability"] - table["probability"].iloc[0]
    table["reaches_target"] = table["probability"] >= target - 1e-9
    return table


def lever_text(table: pd.DataFrame, months: int, target: float, binding: str) -> str:
    """The lever table as the terminal prints it, under its question (``binding``: in words)."""
    met = f"{binding} met"
    lines = [
        f"What would make {months} months enough? Each lever alone, on the same runs "
        f"({int(table['runs'].iloc[0])} per lever):",
        "",
        f"  {'lever':<31} {'P(log frame met) [95%]':<24} {met:<{len(met)}}  setting",
    ]
    for r in table.itertuples():
        odds = f"{percent(r.probability):>4} [{span(r.lower, r.upper)}]"
        mark = "  ← enough" if r.reaches_target else ""
        lines.append(
            f"  {r.label:<31} {odds:<24} {percent(r.binding_met):>{len(met)}}  {r.setting}{mark}"
        )
    return "\n".join(lines)


def figure(table: pd.DataFrame, months: int, target: float) -> Figure:
    """Each lever's probability with its interval, against the design's and the target."""
    from matplotlib.figure import Figure

    from pipsim.plots.style import OKABE_ITO

    t = table.iloc[::-1].reset_index(drop=True)  # as designed on top
    y = np.arange(len(t))
    lines = sum(1 + textwrap.fill(str(r.setting), 42).count("\n") for r in t.itertuples())
    fig = Figure(figsize=(10, 0.28 * (lines + len(t)) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.hlines(y, t["lower"], t["upper"], color=OKABE_ITO["blue"], lw=3, label="95% interval")
    ax.plot(t["probability"], y, "o", color=OKABE_ITO["black"], ms=8, label="P(log frame met)")
    ax.axvline(
        target, color=OKABE_ITO["vermillion"], ls="--", lw=1.5, label=f"target: {percent(target)}"
    )
    ax.axvline(t["probability"].iloc[-1], color="0.5", ls=":", lw=1.5, label="as designed")
    # settings wrapped: one long label ("lower targets" lists several) must not squeeze the
    # axes until the title and the axis label are cut off at the figure's edges
    names = [f"{r.label}\n({textwrap.fill(str(r.setting), 42)})" for r in t.itertuples()]
    ax.set_yticks(y, names, fontsize=10)
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("chance of meeting every log frame target", fontsize=12)
    fig.suptitle(f"What would make {months} months enough? Each lever alone", fontsize=13)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=10, loc="lower right")
    return fig


@dataclass(frozen=True)
class DesignerAnswer:
    """At the asked length: the log frame's targets (binding first) and the levers' table."""

    months: int
    target: float  # the probability the designer wants
    targets: pd.DataFrame  # `target_table` of the runs as designed
    levers: pd.DataFrame  # `lever_table`, as designed first

    def headline(self) -> str:
        """The chance at the asked length, with its interval, in one sentence."""
        r = self.levers.iloc[0]
        start = f"At {self.months} months the chance of meeting the whole log frame is"
        if np.isfinite(r.get("parameters_lower", np.nan)):  # drawn across an ensemble
            return f"{start} {self.split().sentence()}."
        return f"{start} {percent(r.probability)} (95% interval {span(r.lower, r.upper)})."

    def split(self) -> uncertainty.Split:
        """The as-designed row's two uncertainties (its parameters' interval NaN: none)."""
        r = self.levers.iloc[0]
        both = (float(r.parameters_lower), float(r.parameters_upper))
        parameters = both if np.isfinite(both).all() else None
        return uncertainty.Split(
            float(r.probability), (float(r.lower), float(r.upper)), parameters, 0, int(r.runs)
        )

    def text(self) -> str:
        """The levers' table as the terminal prints it."""
        words = str(self.targets["words"].iloc[0])
        return lever_text(self.levers, self.months, self.target, words)

    def facts(self) -> dict[str, Any]:
        """The answer as plain JSON values, for ``duration.json``."""
        r = self.levers.iloc[0]
        return {
            "months": self.months,
            "probability": float(r.probability),
            "interval": [float(r.lower), float(r.upper)],
            "parameters_interval": (
                list(self.split().parameters or ()) or None  # None: no ensemble
            ),
            "sentence": self.headline(),
            "binding_target": binding_sentence(self.targets),
            "targets": self.targets.drop(columns="shortfall").to_dict(orient="records"),
            "levers": self.levers.to_dict(orient="records"),
        }


def ask(
    scenario: Scenario,
    months: int,
    target: float,
    progress: Callable[[int, int], None] | None = None,
) -> DesignerAnswer:
    """Run the design and every lever at ``months``; the binding target and the levers' table.

    The design runs first: the "lower targets" lever lowers the target it finds binding.
    """
    p = parameters(scenario, months)
    designed = run_levers(scenario, months, [AS_DESIGNED])
    targets = target_table(designed, p)
    levers = designer_levers(p, targets)
    rest = run_levers(scenario, months, levers[1:], progress)
    runs = pd.concat([designed, rest], ignore_index=True)
    flag = dict((m, f) for f, m in TARGETS)[targets["target_name"].iloc[0]]
    return DesignerAnswer(months, target, targets, lever_table(runs, levers, target, flag))
