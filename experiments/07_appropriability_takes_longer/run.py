"""Experiment 07: do projects whose benefits are hard to appropriate take longer?

Run: ``python experiments/07_appropriability_takes_longer/run.py [--replications N]
[--workers N]`` (or ``pipsim validate --only 07``). Writes ``result.json`` and ``figure.png``
beside this file. "Takes longer" is measured as two times — months to the first collective
project, and months until the whole log frame is first met (monthly series) — and checked not
to mean "never". The verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from pipsim.parameters import Parameters
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep.results import load_timeseries
from pipsim.validation import experiment_main, logistic_trend, mann_whitney, success_by

HERE = Path(__file__).resolve().parent
LESSON = "Projects whose benefits are hard to appropriate take longer"
FIRST_WINDOW = 30  # last month a venture can start in the shortest (36-month) project
LONGEST = 84  # the project length whose monthly series give the months to the log frame
LOWEST, HIGHEST = 0.15, 0.85  # the appropriability levels at the ends of the sweep
COLOURS = {
    0.15: OKABE_ITO["vermillion"],
    0.35: OKABE_ITO["orange"],
    0.6: OKABE_ITO["bluish_green"],
    0.85: OKABE_ITO["blue"],
}


def months_to_first_project(runs: pd.DataFrame) -> pd.Series:
    """T1: months to the first collective project, censored at month 30 (none by then: 31)."""
    first = runs["months_to_first_joint_project"]
    return first.where(first <= FIRST_WINDOW, FIRST_WINDOW + 1)


def target_masks(series: pd.DataFrame) -> dict[str, pd.Series]:
    """Per row of the monthly series, whether each Annex 2 target holds (cluster preset's)."""
    p = Parameters.for_typology("cluster")
    return {
        "sales": series["sales_growth"] > p.target_sales_growth,
        "productivity": series["productivity_growth"] > p.target_productivity_growth,
        "joint_projects": series["firms_in_joint_projects"] >= p.target_firms_in_joint_projects,
        "participants": series["participants"] >= p.target_participants,
    }


def first_passage(series: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Per 84-month run: the first month each target, and all four at once, is met (else 85).

    Only months of the project itself count (the log frame is judged while the agency is there).
    """
    longest = runs.loc[runs["project_months"] == LONGEST, ["run", "appropriability"]]
    s = series[series["run"].isin(longest["run"]) & series["month"].between(1, LONGEST)]
    masks = target_masks(s)
    masks["log_frame"] = np.logical_and.reduce(list(masks.values()))
    never = LONGEST + 1
    times = {
        name: s["month"].where(mask).groupby(s["run"]).min().fillna(never)
        for name, mask in masks.items()
    }
    return longest.set_index("run").join(pd.DataFrame(times)).reset_index()


def spearman(x: pd.Series, y: pd.Series) -> dict:
    """Spearman's rank correlation (mid-ranks for ties) and its two-sided p-value."""
    rho, p = stats.spearmanr(x, y)
    return {"rho": float(rho), "p_value": float(p), "n": len(x)}


def ends_contrast(table: pd.DataFrame, column: str) -> dict:
    """Mann–Whitney of ``column`` at appropriability 0.15 against 0.85 (the effect size)."""
    low = table.loc[table["appropriability"] == LOWEST, column]
    high = table.loc[table["appropriability"] == HIGHEST, column]
    test = mann_whitney(low, high)
    keep = ("p_value", "rank_biserial", "common_language", "median_a", "median_b")
    return {k: test[k] for k in keep}


def shortest_length(table: pd.DataFrame, share: float = 0.5) -> dict[float, int | None]:
    """Per appropriability, the shortest swept length with P(success) ≥ ``share`` (None: none)."""
    out = {}
    for a, rows in table.groupby("appropriability"):
        reached = rows.loc[rows["p"] >= share, "project_months"]
        out[float(a)] = int(reached.min()) if len(reached) else None
    return out


def slopes_by_length(runs: pd.DataFrame) -> dict[int, dict]:
    """Per length: logistic slope of success on appropriability (per 0.1)."""
    out = {}
    for months, rows in runs.groupby("project_months"):
        trend = logistic_trend(rows["appropriability"] * 10, rows["success"].astype(int))
        out[int(months)] = {k: trend[k] for k in ("slope", "ci_low", "ci_high", "p_value")}
    return out


def analyse(runs, experiment):
    """T1, T2 and the 'not never' check; the verdict of the README; the figure."""
    runs = runs.assign(t1=months_to_first_project(runs))
    series = load_timeseries(experiment.runs_dir)
    passage = first_passage(series, runs)
    a_test = spearman(runs["appropriability"], runs["t1"])
    b_test = spearman(passage["appropriability"], passage["log_frame"])
    lowest = runs[runs["appropriability"] == LOWEST]
    c_test = logistic_trend(lowest["project_months"] / 12, lowest["success"].astype(int))
    a = a_test["rho"] < 0 and a_test["p_value"] < 0.01
    b = b_test["rho"] < 0 and b_test["p_value"] < 0.01
    c = bool(c_test["slope"] > 0 and c_test["p_value"] < 0.01)  # NaN (no success) is False
    rule = "holds" if a and b and c else "partly" if a or b else "does not hold"
    table = success_by(runs, ["appropriability", "project_months"])
    medians = passage.groupby("appropriability")[
        ["sales", "productivity", "joint_projects", "participants", "log_frame"]
    ].median()
    result = {
        "lesson": LESSON,
        "test": "Spearman rank correlation of appropriability with months to the first "
        "collective project (censored at 30, all runs) and with months to the whole log frame "
        "(84-month runs, censored at 84); logistic regression of success on length at "
        "appropriability 0.15",
        "statistic": {
            "rho_first_project": a_test["rho"],
            "rho_log_frame": b_test["rho"],
            "n_runs": len(runs),
            "n_runs_84_months": len(passage),
        },
        "effect_size": {
            "first_project_0.15_vs_0.85": ends_contrast(runs, "t1"),
            "log_frame_0.15_vs_0.85": ends_contrast(passage, "log_frame"),
            "success_log_odds_per_year_at_0.15": c_test["slope"],
            "success_ci95_at_0.15": [c_test["ci_low"], c_test["ci_high"]],
        },
        "p_value": max(a_test["p_value"], b_test["p_value"]),  # both times must be significant
        "p_values": {"A": a_test["p_value"], "B": b_test["p_value"], "C": c_test["p_value"]},
        "summary": summary(table, runs, a_test, b_test, c_test),
        "success_by_point": table.to_dict(orient="records"),
        "shortest_length_with_half_success": shortest_length(table),
        "success_slope_per_0.1_appropriability_by_length": slopes_by_length(runs),
        "median_first_month_84": medians.reset_index().to_dict(orient="records"),
        "median_first_project_month": runs.groupby("appropriability")["t1"].median().to_dict(),
        "criteria": {
            "A_first_project_later_p_lt_0.01": bool(a),
            "B_log_frame_later_p_lt_0.01": bool(b),
            "C_success_rises_with_length_at_0.15": c,
        },
        "verdict": rule,
    }
    return result, figure(table, runs, passage)


def summary(table, runs, a_test, b_test, c_test) -> str:
    """One line of Markdown with the key numbers."""
    at84 = table[table["project_months"] == LONGEST].set_index("appropriability")["p"]
    shares = ", ".join(f"{a:g}: {p:.2f}" for a, p in at84.items())
    t1 = runs.groupby("appropriability")["t1"].median()
    return (
        f"P(success) at 84 months by appropriability — {shares}; median months to first "
        f"project {t1[LOWEST]:.0f} (0.15) vs {t1[HIGHEST]:.0f} (0.85), ρ = {a_test['rho']:.2f} "
        f"(p = {a_test['p_value']:.1g}); months to log frame ρ = {b_test['rho']:.2f} "
        f"(p = {b_test['p_value']:.1g}); at 0.15 success slope {c_test['slope']:.2f} "
        f"log-odds/year (p = {c_test['p_value']:.1g})"
    )


def figure(table: pd.DataFrame, runs: pd.DataFrame, passage: pd.DataFrame) -> Figure:
    """P(success) by length; log frame reached by month (84 months); first project by month."""
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    for a, rows in table.groupby("appropriability"):
        p = rows["p"]
        left.errorbar(
            rows["project_months"] + (a - 0.5) * 3,
            p,
            yerr=[p - rows["lower"], rows["upper"] - p],
            marker="o",
            capsize=3,
            color=COLOURS.get(a, OKABE_ITO["black"]),
            label=f"appropriability {a:g}",
        )
    left.set_xticks(sorted(table["project_months"].unique()))
    left.set_xlabel("project length (months)")
    left.set_ylabel("P(log frame met at project end)")
    left.set_ylim(0, 1)
    left.set_title("Success by length (Wilson 95%)")
    left.legend(fontsize=8, loc="upper left")
    _cumulative(middle, passage, "log_frame", LONGEST, "all four targets met at once")
    _cumulative(right, runs, "t1", FIRST_WINDOW, "a collective project formed")
    middle.set_title(f"Months to the log frame ({LONGEST}-month projects)")
    right.set_title("Months to the first collective project (all runs)")
    fig.suptitle(
        "Lesson: projects whose benefits are hard to appropriate take longer (cluster defaults)"
    )
    return fig


def _cumulative(ax, frame: pd.DataFrame, column: str, horizon: int, what: str) -> None:
    """Share of runs for which ``column`` (a month, censored past ``horizon``) has come."""
    months = np.arange(0, horizon + 1)
    for a, rows in frame.groupby("appropriability"):
        t = rows[column].to_numpy()
        share = [(t <= m).mean() for m in months]
        ax.step(months, share, where="post", color=COLOURS.get(a, OKABE_ITO["black"]))
    ax.set_xlabel("month of the project")
    ax.set_ylabel(f"share of runs: {what}")
    ax.set_ylim(0, 1)


if __name__ == "__main__":
    experiment_main(HERE, analyse)
