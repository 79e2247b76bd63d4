"""Experiment 02: does the chance of meeting the log frame rise with project length?

Run: ``python experiments/02_consolidation_takes_years/run.py [--replications N] [--workers N]``.
Writes ``result.json`` beside this file and ``out/figure.png``. The verdict rule is the one
stated in README.md, fixed before the first run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from pipsim.plots import OKABE_ITO
from pipsim.stats import wilson_interval
from pipsim.validation import logistic_trend, run_experiment, write_result

HERE = Path(__file__).resolve().parent
LESSON = "Consolidation takes years: the chance of success rises with project length"


def by_level(runs, factor):
    """P(success) per level of ``factor`` with Wilson 95% intervals."""
    table = runs.groupby(factor)["success"].agg(n="count", met="sum").reset_index()
    table["p"] = table["met"] / table["n"]
    table["lower"], table["upper"] = wilson_interval(table["met"], table["n"])
    return table


def verdict(trend, table):
    """The README's rule: (a) slope > 0, p < 0.01; (b) Wilson upper bound at 22 months < 0.25."""
    a = trend["slope"] > 0 and trend["p_value"] < 0.01
    b = float(table.loc[table["project_months"] == 22, "upper"].iloc[0]) < 0.25
    return ("holds" if a and b else "partly" if a or b else "does not hold"), a, b


def main(argv=None):
    """Run the experiment, test the lesson, write result.json and the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    runs = run_experiment(HERE, args.workers, args.replications)
    table = by_level(runs, "project_months")
    trend = logistic_trend(runs["project_months"] / 12, runs["success"].astype(int))
    rule, a, b = verdict(trend, table)
    seconds = time.perf_counter() - start
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
        "success_by_length": table.to_dict(orient="records"),
        "criteria": {"a_positive_trend_p_lt_0.01": a, "b_upper_at_22_months_lt_0.25": b},
        "verdict": rule,
        "replications": int(runs.groupby("project_months").size().iloc[0]),
        "seconds": round(seconds, 1),
    }
    write_result(HERE, result)
    figure(table, HERE / "out" / "figure.png")
    print(table.to_string(index=False))
    print(
        f"slope {trend['slope']:.3f} log-odds/year [{trend['ci_low']:.3f}, "
        f"{trend['ci_high']:.3f}], p = {trend['p_value']:.2g}; verdict: {rule}; {seconds:.0f} s"
    )


def figure(table, path):
    """P(success) with Wilson intervals against project length."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    x, p = table["project_months"], table["p"]
    ax.errorbar(
        x,
        p,
        yerr=[p - table["lower"], table["upper"] - p],
        marker="o",
        capsize=3,
        color=OKABE_ITO["blue"],
        label="P(log frame met), Wilson 95% interval",
    )
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
