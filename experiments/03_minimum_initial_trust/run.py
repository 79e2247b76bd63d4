"""Experiment 03: without a minimum of initial trust, is the log frame out of reach?

Run: ``python experiments/03_minimum_initial_trust/run.py [--replications N] [--workers N]``.
Writes ``result.json`` and ``figure.png`` beside this file. The verdict rule is the one
stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from pipsim.plots.style import OKABE_ITO
from pipsim.validation import experiment_main, logistic_trend, plot_success, success_by

HERE = Path(__file__).resolve().parent
LESSON = (
    "Without a minimum of initial trust, the objectives are out of reach within the project's life"
)
LENGTHS = (36, 60)


def analyse(runs, experiment):
    """Logistic trend of success on initial trust at each length, the README's rule."""
    table = success_by(runs, ["project_months", "initial_trust"])
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
    at_60 = table[table["project_months"] == 60]
    levels = ", ".join(
        f"{t:g}: {p:.2f}" for t, p in zip(at_60["initial_trust"], at_60["p"], strict=True)
    )
    slopes = "; ".join(
        f"{m} mo {trends[m]['slope']:.2f} (p = {trends[m]['p_value']:.1g})" for m in LENGTHS
    )
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
        "summary": f"P(success) at 60 months by initial trust — {levels}; at 36 months at most "
        f"{table.loc[table['project_months'] == 36, 'p'].max():.2f}; log-odds per 0.1 trust: "
        f"{slopes}",
        "success_by_point": table.to_dict(orient="records"),
        "criteria": {
            "a_positive_trend_p_lt_0.01_both_lengths": a,
            "b_upper_at_zero_trust_lt_0.10_both_lengths": b,
            "c_some_trust_level_reaches_0.5_at_60_months": c,
        },
        "verdict": rule,
    }
    return result, figure(table)


def figure(table):
    """P(success) with Wilson intervals against initial trust, one line per length."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for months, colour, shift in (
        (36, OKABE_ITO["orange"], -0.004),
        (60, OKABE_ITO["blue"], 0.004),
    ):
        t = table[table["project_months"] == months]
        plot_success(
            ax, t, t["initial_trust"] + shift, color=colour, label=f"{months} months (Wilson 95%)"
        )
    ax.set_xlabel("initial firm-to-firm trust (0–1 scale)")
    ax.set_ylabel("probability of meeting the log frame")
    ax.set_ylim(0, 1)
    ax.set_title(
        "Lesson: without a minimum of initial trust the objectives are out of reach\n"
        "(cluster, default log frame)"
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
