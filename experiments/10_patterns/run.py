"""Experiment 10: patterns across a project's life — trust's path, first project, survival.

Run: ``python experiments/10_patterns/run.py [--replications N] [--workers N]``. One sweep of a
cluster (monthly series kept) answers (a) how mean firm-to-firm trust moves month by month and
(c) how often cooperation survives the agency's departure; a probe re-steps each run (same
seed) until its first collective project forms to read (b) the founders' experience then.
Writes ``result.json`` and ``figure.png`` beside this file; the verdict rules are the README's,
fixed before the first run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.analysis.stats import wilson_interval
from pipsim.model import PIPModel
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import design
from pipsim.sweep.results import load_timeseries
from pipsim.validation import experiment_main, mann_whitney, probe_runs

HERE = Path(__file__).resolve().parent
LESSON = (
    "Patterns across a project's life: trust rises slowly and drops sharply; pilots first, "
    "collective projects later; cooperation often does not outlast the agency"
)
IN_TIME = 18  # months: a first project by then can transform firms ("upward of 18 months") by 36
SHARP = 3.0  # (a2): the worst month takes away more than this many typical months of gain
TRACK_RECORD = 2.0  # (b3): founders' successful pilots before the first project, median at least
SUSTAINED_RANGE = (0.10, 0.75)  # (c): Wilson interval of P(sustained) must lie inside


# --- (a) trust trajectories ------------------------------------------------------------------
def trajectory_shape(trust: np.ndarray) -> dict[str, float]:
    """One run's monthly changes: share of rising months, typical rise, largest drop."""
    change = np.diff(trust)
    rises, drops = change[change > 0], -change[change < 0]
    typical = float(np.median(rises)) if len(rises) else math.nan
    largest = float(drops.max()) if len(drops) else 0.0
    return {
        "rise_share": float(len(rises) / len(change)),
        "typical_rise": typical,
        "largest_drop": largest,
        "largest_rise": float(rises.max()) if len(rises) else 0.0,
        "drop_to_rise": largest / typical if typical > 0 else math.inf,
    }


def trajectories(series: pd.DataFrame, months: int) -> pd.DataFrame:
    """Per run, the shape of mean trust over the project (months 0..months) and after it."""
    rows = []
    for run, s in series.groupby("run"):
        trust = s.sort_values("month")["mean_trust"].to_numpy()
        after = np.diff(trust[months:])
        shape = trajectory_shape(trust[: months + 1])
        rows.append({"run": run, **shape, "fall_share_after": float((after < 0).mean())})
    return pd.DataFrame(rows)


def pattern_a(shapes: pd.DataFrame) -> dict:
    """(a1) median share of rising months > 0.5; (a2) median drop / typical rise > SHARP."""
    rise = float(shapes["rise_share"].median())
    ratio = float(shapes["drop_to_rise"].median())
    return {
        "median_rise_share": rise,
        "median_drop_to_rise": ratio,
        "median_typical_rise": float(shapes["typical_rise"].median()),
        "median_largest_drop": float(shapes["largest_drop"].median()),
        "median_largest_rise": float(shapes["largest_rise"].median()),
        "median_fall_share_after": float(shapes["fall_share_after"].median()),
        "a1_rise_share_gt_0.5": rise > 0.5,
        "a2_drop_to_rise_gt_3": ratio > SHARP,
        "met": bool(rise > 0.5 and ratio > SHARP),
    }


# --- (b) the first collective project --------------------------------------------------------
def probe(run: design.Run) -> dict:
    """Step one run until its first collective project forms; what its founders had done.

    Counts and track records are read before the month's step, so a pilot ending in the month
    the project forms is not counted (the project was formed before the pilots advanced).
    """
    model = PIPModel(rng=run.seed, **run.overrides)
    row = {"run": run.index, "pilots_succeeded_before": math.nan, "founders_track_record": math.nan}
    while model.running and model.first_project_month is None:
        succeeded = model.counts["pilots_succeeded"]
        record = model.track_record.copy()
        model.step()
    if model.first_project_month is None:
        return row
    first = [v for v in model.ventures if v.kind == "project"]
    row["pilots_succeeded_before"] = succeeded
    if first:  # it may have collapsed in the month it formed
        row["founders_track_record"] = float(record[first[0].members].mean())
    return row


def probe_first_projects(runs: pd.DataFrame, experiment) -> pd.DataFrame:
    """The probe over every run, in parallel (same seeds as the sweep)."""
    return pd.DataFrame(probe_runs(experiment, probe))


def pattern_b(runs: pd.DataFrame, first: pd.DataFrame) -> dict:
    """(b1) pilots before every first project; (b2) most by month 18; (b3) founders' record."""
    months = runs["months_to_first_joint_project"]
    formed = first.dropna(subset=["pilots_succeeded_before"])
    b1 = bool((formed["pilots_succeeded_before"] >= 1).all())
    b1 &= bool((formed["founders_track_record"].dropna() >= 1).all())
    in_time = int((months <= IN_TIME).sum())
    lower, upper = (float(v) for v in wilson_interval(in_time, len(runs)))
    record = float(formed["founders_track_record"].median())
    return {
        "runs_with_a_project": int(months.notna().sum()),
        "months_quantiles": quantiles(months.dropna()),
        "earliest_month": float(months.min()),
        "p_first_by_18": in_time / len(runs),
        "p_first_by_18_ci95": [lower, upper],
        "median_pilots_succeeded_before": float(formed["pilots_succeeded_before"].median()),
        "median_founders_track_record": record,
        "share_founders_record_ge_2": float((formed["founders_track_record"] >= 2).mean()),
        "b1_pilot_before_every_first_project": b1,
        "b2_lower_bound_by_18_gt_0.5": lower > 0.5,
        "b3_median_founders_record_ge_2": record >= TRACK_RECORD,
        "met": bool(b1 and lower > 0.5 and record >= TRACK_RECORD),
    }


# --- (c) survival after the agency leaves ---------------------------------------------------
def pattern_c(runs: pd.DataFrame) -> dict:
    """P(sustained) among runs with cooperation at project end, inside SUSTAINED_RANGE."""
    coop = runs[runs["firms_in_joint_projects"] > 0]
    kept = int(coop["sustained"].sum())
    lower, upper = (float(v) for v in wilson_interval(kept, len(coop)))
    low, high = SUSTAINED_RANGE
    result = {
        "runs_with_cooperation": len(coop),
        "sustained": kept,
        "p_sustained": kept / len(coop),
        "p_sustained_ci95": [lower, upper],
        "p_sustained_all_runs": float(runs["sustained"].mean()),
        "met": bool(lower > low and upper < high),
    }
    yes, no = coop[coop["sustained"]], coop[~coop["sustained"]]
    for outcome in ("mean_trust_after", "trust_in_collective_action_after"):
        if len(yes) and len(no):
            result[f"{outcome}_sustained_vs_not"] = mann_whitney(yes[outcome], no[outcome])
    return result


def quantiles(values: pd.Series) -> dict[str, float]:
    """The 5, 25, 50, 75 and 95% quantiles, keyed for JSON."""
    return {f"q{q:.2f}": float(values.quantile(q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}


def analyse(runs, experiment):
    """The three patterns, each judged by its README rule; the overall verdict counts them."""
    months = int(experiment.scenario.base["project_months"])
    series = load_timeseries(experiment.runs_dir)
    shapes = trajectories(series, months)
    first = probe_first_projects(runs, experiment)
    a, b, c = pattern_a(shapes), pattern_b(runs, first), pattern_c(runs)
    met = a["met"] + b["met"] + c["met"]
    rule = "holds" if met == 3 else "partly" if met else "does not hold"
    result = {
        "lesson": LESSON,
        "test": "(a) per-run monthly changes of mean trust over the project: share of rising "
        "months, largest drop / median rise; (b) months to the first collective project, "
        "founders' successful pilots (probe); (c) Wilson interval of P(sustained) among runs "
        "with cooperation at project end",
        "statistic": {
            "median_rise_share": a["median_rise_share"],
            "median_drop_to_rise": a["median_drop_to_rise"],
            "p_first_project_by_18_months": b["p_first_by_18"],
            "median_founders_track_record": b["median_founders_track_record"],
            "p_sustained": c["p_sustained"],
            "n_runs": len(runs),
        },
        "effect_size": {
            "p_sustained_ci95": c["p_sustained_ci95"],
            "p_first_project_by_18_ci95": b["p_first_by_18_ci95"],
        },
        "p_value": None,  # three descriptive patterns, judged against thresholds, not one test
        "a_trajectories": a,
        "b_first_project": b,
        "c_survival": c,
        "criteria": {"a_met": a["met"], "b_met": b["met"], "c_met": c["met"]},
        "summary": summary(a, b, c),
        "verdict": rule,
    }
    return result, figure(series, shapes, runs, months)


def summary(a: dict, b: dict, c: dict) -> str:
    """One line of Markdown with the key numbers, for docs/validation.md."""
    lo, hi = c["p_sustained_ci95"]
    return (
        f"(a) trust rose in {a['median_rise_share']:.0%} of months (median run), worst drop = "
        f"{a['median_drop_to_rise']:.1f} typical rises {'✓' if a['met'] else '✗'}; (b) first "
        f"project by month 18 in {b['p_first_by_18']:.0%}, median month "
        f"{b['months_quantiles']['q0.50']:.0f}, founders' pilots "
        f"{b['median_founders_track_record']:.1f} {'✓' if b['met'] else '✗'}; (c) sustained "
        f"{c['p_sustained']:.2f} [{lo:.2f}, {hi:.2f}] {'✓' if c['met'] else '✗'}"
    )


# --- the figure --------------------------------------------------------------------------------
def figure(series, shapes, runs, months):
    """Four panels: trajectories, their shape, months to the first project, survival."""
    fig = Figure(figsize=(12, 9), layout="constrained")
    (top_left, top_right), (bottom_left, bottom_right) = fig.subplots(2, 2)
    draw_trajectories(top_left, series, months)
    draw_shapes(top_right, shapes)
    draw_first_project(bottom_left, runs)
    draw_survival(bottom_right, runs)
    fig.suptitle("Patterns across a project's life (cluster, 48 months, initial trust 0.3)")
    return fig


def draw_trajectories(ax, series: pd.DataFrame, months: int, shown: int = 25) -> None:
    """(a) Mean firm-to-firm trust of some runs month by month, with the median of all."""
    for k, (_, s) in enumerate(series.groupby("run")):
        if k >= shown:
            break
        ax.plot(s["month"], s["mean_trust"], color=OKABE_ITO["sky_blue"], lw=0.7, alpha=0.7)
    median = series.groupby("month")["mean_trust"].median()
    ax.plot(median.index, median, color=OKABE_ITO["blue"], lw=2, label="median of all runs")
    ax.axvline(months, color=OKABE_ITO["black"], ls="--", lw=1, label="agency leaves")
    ax.set_xlabel("months since launch")
    ax.set_ylabel("mean firm-to-firm trust among participants")
    ax.set_title(f"(a) Trust month by month ({shown} runs shown)")
    ax.legend(fontsize=8)


def draw_shapes(ax, shapes: pd.DataFrame) -> None:
    """(a) Per run: share of rising months against the worst drop in typical rises."""
    ratio = shapes["drop_to_rise"].clip(upper=1e3)
    ax.scatter(shapes["rise_share"], ratio, s=12, color=OKABE_ITO["blue"], alpha=0.6)
    ax.axvline(0.5, color=OKABE_ITO["vermillion"], ls="--", lw=1, label="rule: 0.5")
    ax.axhline(SHARP, color=OKABE_ITO["orange"], ls="--", lw=1, label=f"rule: {SHARP:g}")
    ax.set_yscale("log")
    ax.set_xlabel("share of project months in which mean trust rose")
    ax.set_ylabel("largest one-month drop / median monthly rise")
    ax.set_title("(a) Slow rises, sharp drops? (one dot per run)")
    ax.legend(fontsize=8)


def draw_first_project(ax, runs: pd.DataFrame) -> None:
    """(b) Histogram and ECDF of the month the first collective project forms."""
    months = runs["months_to_first_joint_project"]
    formed = months.dropna().to_numpy()
    top = int(max(formed.max() if len(formed) else 0, IN_TIME)) + 2
    ax.hist(formed, bins=np.arange(0.5, top + 0.5), color=OKABE_ITO["sky_blue"], label="runs")
    ax.set_xlabel("month the first collective project forms")
    ax.set_ylabel("runs")
    ecdf = ax.twinx()
    x = np.sort(formed)
    ecdf.step(x, np.arange(1, len(x) + 1) / len(months), where="post", color=OKABE_ITO["blue"])
    ecdf.set_ylim(0, 1.02)
    ecdf.set_ylabel("share of all runs with a project by then (ECDF)")
    ax.axvline(IN_TIME, color=OKABE_ITO["vermillion"], ls="--", lw=1, label="month 18")
    ax.set_title("(b) Months to the first collective project")
    ax.legend(fontsize=8, loc="center right")


def draw_survival(ax, runs: pd.DataFrame) -> None:
    """(c) Trust in collective action after the horizon, sustained or not; P(sustained)."""
    coop = runs[runs["firms_in_joint_projects"] > 0]
    groups = [coop.loc[coop["sustained"], "trust_in_collective_action_after"]]
    groups.append(coop.loc[~coop["sustained"], "trust_in_collective_action_after"])
    kept = int(coop["sustained"].sum())
    labels = [f"sustained (n = {kept})", f"not sustained (n = {len(coop) - kept})"]
    ax.boxplot(groups, tick_labels=labels)
    lower, upper = (float(v) for v in wilson_interval(kept, len(coop)))
    ax.set_ylabel("trust in collective action, 24 months after the agency left")
    ax.set_title(
        f"(c) Sustained 24 months after the agency left: {kept}/{len(coop)}\n"
        f"runs with cooperation (P = {kept / len(coop):.2f}, 95% {lower:.2f}–{upper:.2f})"
    )


if __name__ == "__main__":
    experiment_main(HERE, analyse)
