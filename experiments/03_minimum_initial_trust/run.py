"""Experiment 03: without a minimum of initial trust, is the log frame out of reach?

Run: ``python experiments/03_minimum_initial_trust/run.py [--replications N] [--workers N]``.
Writes ``result.json`` beside this file and ``out/figure.png``. The verdict rule is the one
stated in README.md, fixed before the first run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from matplotlib.figure import Figure

from pipsim.plots import OKABE_ITO
from pipsim.stats import wilson_interval
from pipsim.validation import logistic_trend, run_experiment, write_result

HERE = Path(__file__).resolve().parent
LESSON = (
    "Without a minimum of initial trust, the objectives are out of reach within the project's life"
)
LENGTHS = (36, 60)


def by_level(runs):
    """P(success) per (length, initial trust) with Wilson 95% intervals."""
    keys = ["project_months", "initial_trust"]
    table = runs.groupby(keys)["success"].agg(n="count", met="sum").reset_index()
    table["p"] = table["met"] / table["n"]
    table["lower"], table["upper"] = wilson_interval(table["met"], table["n"])
    return table


def main(argv=None):
    """Run the experiment, test the lesson, write result.json and the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    runs = run_experiment(HERE, args.workers, args.replications)
    table = by_level(runs)
    trends = {}
    for months in LENGTHS:
        sub = runs[runs["project_months"] == months]
        trends[months] = logistic_trend(sub["initial_trust"] / 0.1, sub["success"].astype(int))
    # The README's rule, fixed before the first run:
    a = all(t["slope"] > 0 and t["p_value"] < 0.01 for t in trends.values())
    at_zero = table[table["initial_trust"] == 0.0]
    b = bool((at_zero["upper"] < 0.10).all())
    c = bool((table.loc[table["project_months"] == 60, "p"] >= 0.5).any())
    rule = "holds" if a and b and c else "partly" if a and (b or c) else "does not hold"
    seconds = time.perf_counter() - start
    result = {
        "lesson": LESSON,
        "test": "logistic regression of success on initial trust (per 0.1), separately at "
        "36 and 60 months; Wald test",
        "statistic": {f"z_{m}": trends[m]["z"] for m in LENGTHS} | {"n_runs": len(runs)},
        "effect_size": {
            f"log_odds_per_0.1_trust_{m}_months": {
                "slope": trends[m]["slope"],
                "ci95": [trends[m]["ci_low"], trends[m]["ci_high"]],
                "separated": trends[m]["separated"],
            }
            for m in LENGTHS
        },
        "p_value": {str(m): trends[m]["p_value"] for m in LENGTHS},
        "success_by_point": table.to_dict(orient="records"),
        "criteria": {
            "a_positive_trend_p_lt_0.01_both_lengths": a,
            "b_upper_at_zero_trust_lt_0.10_both_lengths": b,
            "c_some_trust_level_reaches_0.5_at_60_months": c,
        },
        "verdict": rule,
        "replications": int(runs.groupby(["project_months", "initial_trust"]).size().iloc[0]),
        "seconds": round(seconds, 1),
    }
    write_result(HERE, result)
    figure(table, HERE / "out" / "figure.png")
    print(table.to_string(index=False))
    for m in LENGTHS:
        t = trends[m]
        print(
            f"{m} months: slope {t['slope']:.3f} log-odds per 0.1 trust "
            f"[{t['ci_low']:.3f}, {t['ci_high']:.3f}], p = {t['p_value']:.2g}"
        )
    print(f"criteria a={a} b={b} c={c}; verdict: {rule}; {seconds:.0f} s")


def figure(table, path):
    """P(success) with Wilson intervals against initial trust, one line per length."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for months, colour, shift in (
        (36, OKABE_ITO["orange"], -0.004),
        (60, OKABE_ITO["blue"], 0.004),
    ):
        t = table[table["project_months"] == months]
        ax.errorbar(
            t["initial_trust"] + shift,
            t["p"],
            yerr=[t["p"] - t["lower"], t["upper"] - t["p"]],
            marker="o",
            capsize=3,
            color=colour,
            label=f"{months} months (Wilson 95% interval)",
        )
    ax.set_xlabel("initial firm-to-firm trust (0–1 scale)")
    ax.set_ylabel("probability of meeting the log frame")
    ax.set_ylim(0, 1)
    ax.set_title(
        "Lesson: without a minimum of initial trust the objectives are out of reach\n"
        "(cluster, default log frame)"
    )
    ax.legend(loc="upper left", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
