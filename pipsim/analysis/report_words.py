"""The report's words: what a reader of a project document takes in without a statistician.

`pipsim.analysis.report` gathers the files of a results folder; this module says them for
people. Chances are percentages with their 95% interval ("72% (60–80%)", never 0.72 or
0.003539); yes/no columns say yes or no; the columns only pipsim needs (design point ids,
sort keys) are left out; the targets and the assumptions are sentences made from the
parameters' own declaration (`pipsim.parameters.FIELDS`), not the scenario's TOML; and the
answer warns when it is too uncertain to lean on (wide intervals, few runs per cell).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipsim.analysis.levers import percent
from pipsim.outcome_declarations import KEY_OUTCOMES, outcome, target_flags
from pipsim.parameters import FIELDS, Parameters
from pipsim.plots.style import value_label

WIDE = 0.30  # an interval wider than this (30 points) is too wide to lean on
FEW = 50  # fewer runs than this per cell: the chances move with a few runs more
INTERNAL = frozenset(  # columns pipsim needs and readers do not
    {"point", "shortfall", "target_name", "lever", "source", "common", "shortest", "place"}
)
TARGETS = target_flags()


def chance(p: float, low: float, high: float) -> str:
    """A probability with its 95% interval in percent: "72% (60–80%)"."""
    return f"{percent(p)} ({low * 100:.0f}–{high * 100:.0f}%)"


def measure(name: str, value: float) -> str:
    """A measured value in words: a share as a percentage, anything else to 3 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if name in _KINDS and _KINDS[name] == "share":
        return f"{value:.1%}" if abs(value) < 0.1 else f"{value:.0%}"
    return f"{value:.3g}"


_KINDS = {name: outcome(name).kind for name in (*KEY_OUTCOMES, *TARGETS)}


def sweep_title(name: str, sweep: Mapping[str, Any], sampled: bool, duration: bool) -> str:
    """What the folder is, as a title: "How long must the project be? x: length 12–36 months"."""
    if duration and "project_months" in sweep:
        months = [float(v) for v in sweep["project_months"]]
        return (
            f"How long must the project be? {name}: project length from "
            f"{min(months):g} to {max(months):g} months"
        )
    axes = [f"{_words(k)} ({_values(v)})" for k, v in sweep.items() if _many(v)]
    if sampled:
        axes.append("sampled inputs")
    if not axes:
        return f"{name}: one design, its runs"
    return f"{name}: a sweep over " + " and ".join(axes)


def _many(values: object) -> bool:
    return isinstance(values, list | tuple) and len(values) > 1


def _values(values: Iterable[Any]) -> str:
    shown = [value_label(v) for v in values]
    if len(shown) > 6:
        return f"{shown[0]} to {shown[-1]}, {len(shown)} values"
    return ", ".join(shown)


def _words(name: str) -> str:
    return name.replace("_", " ")


def sustained(post_months: int) -> tuple[str, str]:
    """The word *sustained*, defined as `pipsim.outcomes.outcomes` judges a run."""
    return (
        "sustained",
        f"a venture still operating {post_months} months after the agency leaves: at the end "
        "of the horizon at least half of the firms that were in joint projects when the "
        "agency left (and at least two) still work in one.",
    )


def definitions(p: Parameters) -> list[tuple[str, str]]:
    """The words the report uses, defined: the log frame, success, sustained."""
    return [
        (
            "meeting the log frame",
            "every target below met when the agency leaves, at the end of the project's "
            "length; the chance is the share of simulated runs that meet them all.",
        ),
        sustained(p.post_project_months),
        (
            "95% interval",
            "the range the chance lies in, given the number of runs (Wilson interval); a "
            "length's interval comes from resampling the runs (bootstrap).",
        ),
    ]


def targets_in_words(p: Parameters) -> list[str]:
    """The log frame's targets as sentences, from the parameters of the runs."""
    return [
        f"at least {p.target_participants:g} firms still taking part when the agency leaves;",
        f"at least {p.target_firms_in_joint_projects:g} of them in joint projects under way;",
        f"sales of the firms in collective action growing more than "
        f"{measure('sales_growth', p.target_sales_growth)}, net of their market;",
        f"their productivity (value added per worker) growing more than "
        f"{measure('productivity_growth', p.target_productivity_growth)}, net of their market.",
    ]


def assumptions_in_words(base: Mapping[str, Any]) -> list[str]:
    """The scenario's settings as sentences ("horizon after the agency leaves: 6 months")."""
    lines = []
    for key, value in base.items():
        if key.startswith("target_") or key not in FIELDS:
            continue
        meta = FIELDS[key].metadata
        unit = meta.get("unit", "")
        if isinstance(value, bool) or unit == "switch":
            shown = "yes" if value else "no"
        elif unit == "share" and isinstance(value, int | float):
            shown = f"{value:.0%}"
        elif unit == "0-1":
            shown = f"{value_label(value)} (on a 0–1 scale)"
        else:
            shown = value_label(value) + (f" {unit}" if unit else "")
        lines.append(f"{meta.get('doc') or _words(key)}: {shown}")
    lines.append("every other setting: pipsim's defaults (listed in the README's table).")
    return lines


def people_table(table: pd.DataFrame) -> pd.DataFrame:
    """A table as people read it: no internal columns, yes/no for flags, words for names."""
    table = table.drop(columns=[c for c in table.columns if c in INTERNAL])
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        present = values.dropna()
        flags = pd.api.types.is_bool_dtype(values) or (
            len(present) > 0 and all(isinstance(v, bool | np.bool_) for v in present)
        )  # never 0/1 counts, which equal False/True
        if flags:
            values = values.map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
        out[_words(str(column))] = values
    return out


def duration_table(table: pd.DataFrame, target: float) -> pd.DataFrame:
    """``duration.csv`` for people: length, runs, chance with its interval, a note in words."""
    rows = []
    for r in table.itertuples():
        if r.source == "not swept":
            continue
        note = []
        if bool(r.shortest):
            note.append(f"shortest reaching {percent(target)}")
        if r.source == "interpolated":
            note.append("between swept lengths (interpolated)")
        rows.append(
            {
                "project length (months)": f"{r.project_months:g}",
                "runs": "" if pd.isna(r.runs) else f"{int(r.runs)}",
                "chance of meeting the log frame (95% interval)": chance(
                    r.probability, r.lower, r.upper
                ),
                "note": "; ".join(note),
            }
        )
    return pd.DataFrame(rows)


def odds_table(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``probabilities.csv`` as one row per design point: "72% (60–80%)" per target."""
    ids = ["point", *keys]
    cell = table.apply(lambda r: chance(r.probability, r.lower, r.upper), axis=1)
    wide = table.assign(cell=cell).pivot(index=ids, columns="target", values="cell")
    runs = table.groupby(ids)["n"].max().rename("runs")
    order = sorted(wide.columns, key=lambda t: (TARGETS.index(t) if t in TARGETS else 99, t))
    wide = pd.concat([runs, wide[order]], axis=1).reset_index().drop(columns="point")
    return wide.rename(columns=lambda c: outcome(c).label if c in TARGETS else _words(c))


def outcomes_table(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``summary.csv`` as one row per design point: "mean (5% to 95% of runs)" per outcome."""
    ids = ["point", *keys]
    table = table[table["outcome"].isin(KEY_OUTCOMES)]
    cell = table.apply(
        lambda r: (
            f"{measure(r.outcome, r['mean'])} ({measure(r.outcome, r.q05)} to "
            f"{measure(r.outcome, r.q95)})"
        ),
        axis=1,
    )
    wide = table.assign(cell=cell).pivot(index=ids, columns="outcome", values="cell")
    wide = wide[[o for o in KEY_OUTCOMES if o in wide.columns]].reset_index().drop(columns="point")
    return wide.rename(columns=_words)


def lever_table(levers: list[dict[str, Any]], binding: str) -> pd.DataFrame:
    """The levers of ``duration.json`` for people: setting, chance, binding target met, enough."""
    return pd.DataFrame(
        [
            {
                "lever": r.get("label", ""),
                "setting": r.get("setting", ""),
                "chance of meeting the log frame (95% interval)": chance(
                    float(r["probability"]), float(r["lower"]), float(r["upper"])
                ),
                f"{binding} met": percent(float(r.get("binding_met", math.nan))),
                "enough?": "yes" if r.get("reaches_target") else "no",
            }
            for r in levers
        ]
    )


def warnings(intervals: list[tuple[float, float]], runs: list[int]) -> list[str]:
    """Warnings when the answer is too uncertain to lean on: wide intervals, few runs."""
    said = []
    widths = [high - low for low, high in intervals if not math.isnan(high - low)]
    if widths and max(widths) > WIDE:
        said.append(
            f"Wide intervals: some 95% intervals span {max(widths) * 100:.0f} percentage "
            f"points (more than {WIDE * 100:.0f}). Read those chances as rough; more runs "
            "narrow them (pipsim duration --replications N, or --adaptive)."
        )
    if runs and min(runs) < FEW:
        said.append(
            f"Few runs: {min(runs)} runs per cell (fewer than {FEW}). A few runs more or "
            "less can move a chance by many points; re-run with 100 or more replications "
            "before putting a number in a project document."
        )
    return said
