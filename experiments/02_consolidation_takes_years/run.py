"""Experiment 02: does the chance of meeting the log frame rise with project length?

Run: ``python experiments/02_consolidation_takes_years/run.py [--replications N] [--workers N]``
(or ``pipsim validate --only 02``). Writes ``result.json`` and ``figure.png`` beside this file.
The verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from pipsim.plots.style import OKABE_ITO
from pipsim.validation import experiment_main, logistic_trend, plot_success, success_by

HERE = Path(__file__).resolve().parent
LESSON = "Consolidation takes years: the chance of success rises with project length"


def verdict(trend, table):
    """The README's rule: (a) slope > 0, p < 0.01; (b) Wilson upper bound at 22 months < 0.25."""
    a = trend["slope"] > 0 and trend["p_value"] < 0.01
    b = float(table.loc[table["project_months"] == 22, "upper"].iloc[0]) < 0.25
    return ("holds" if a and b else "partly" if a or b else "does not hold"), a, b


def analyse(runs, experiment):
    """Logistic trend of success on length in years, P(success) per length, the verdict."""
    table = success_by(runs, "project_months")
    trend = logistic_trend(runs["project_months"] / 12, runs["success"].astype(int))
    rule, a, b = verdict(trend, table)
    shares = ", ".join(
        f"{m:.0f}: {p:.2f}" for m, p in zip(table["project_months"], table["p"], strict=True)
    )
    result = {
        "lesson": LESSON,
        "test": "logistic regression of success on project length (years); Wald test",
        "statistic": {"z": trend["z"], "n_runs": len(runs)},
        "effect_size": {
            "log_odds_per_year": trend["slope"],
            "ci95": [trend["ci_low"], trend["ci_high"]],
            "odds_ratio_per_year": float(np.exp(trend["slope"])),
        },
        "p_value": trend["p_value"],
        "summary": f"P(success) by months — {shares}; slope {trend['slope']:.2f} log-odds/year "
        f"[{trend['ci_low']:.2f}, {trend['ci_high']:.2f}], p = {trend['p_value']:.1g}",
        "success_by_length": table.to_dict(orient="records"),
        "criteria": {"a_positive_trend_p_lt_0.01": a, "b_upper_at_22_months_lt_0.25": b},
        "verdict": rule,
    }
    return result, figure(table)


def figure(table):
    """P(success) with Wilson intervals against project length."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    plot_success(ax, table, table["project_months"])
    ax.axvspan(
        36, 60, color=OKABE_ITO["sky_blue"], alpha=0.15, label="document: 3–5 years to consolidate"
    )
    ax.axvline(22, color=OKABE_ITO["vermillion"], linestyle="--", label="Box 5: 22 months")
    ax.set_xlabel("project length (months)")
    ax.set_ylabel("probability of meeting the log frame")
    ax.set_ylim(0, 1)
    ax.set_title(
        "Lesson: consolidation takes years — success rises with project length\n"
        "(cluster, initial trust 0.2)"
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
