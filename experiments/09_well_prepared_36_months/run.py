"""Experiment 09: does a well-prepared 36-month project meet the log frame often, but not always?

Run: ``python experiments/09_well_prepared_36_months/run.py [--replications N] [--workers N]``
(or ``pipsim validate --only 09``). Writes ``result.json`` and ``figure.png`` beside this file.
The verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from pipsim.plots.style import OKABE_ITO
from pipsim.validation import experiment_main, logistic_trend, plot_success, success_by

HERE = Path(__file__).resolve().parent
LESSON = (
    "A well-prepared 36-month project (moderate initial trust, committed ministry, stable team) "
    "meets the log frame in a sizeable share of runs but not all"
)
MODERATE = 0.4
TARGETS = ("met_sales", "met_productivity", "met_joint_projects", "met_participants")


def in_range(p: float) -> bool:
    """The README's 'sizeable share but not all': 0.25 ≤ P(success) ≤ 0.95."""
    return 0.25 <= p <= 0.95


def verdict(table) -> str:
    """The README's rule, on P(success) at moderate trust and the band around it."""
    p = table.set_index("initial_trust")["p"]
    if in_range(p[MODERATE]):
        return "holds"
    if 0.05 <= p[MODERATE] < 0.25 or any(in_range(v) for v in p):
        return "partly"
    return "does not hold"


def analyse(runs, experiment):
    """P(success) per trust level, the targets met, the trend on trust and the verdict."""
    table = success_by(runs, "initial_trust")
    targets = runs.groupby("initial_trust")[list(TARGETS)].mean()
    trend = logistic_trend(runs["initial_trust"] / 0.1, runs["success"].astype(int))
    rule = verdict(table)
    row = table.set_index("initial_trust").loc[MODERATE]
    shares = "; ".join(
        f"trust {t:.1f}: {p:.2f} [{lo:.2f}, {hi:.2f}]"
        for t, p, lo, hi in table[["initial_trust", "p", "lower", "upper"]].itertuples(index=False)
    )
    worst = targets.loc[MODERATE].idxmin().removeprefix("met_")
    result = {
        "lesson": LESSON,
        "test": "P(success) at 36 months with Wilson 95% intervals per initial trust; logistic "
        "regression of success on initial trust (per 0.1), Wald test",
        "statistic": {"z": trend["z"], "n_runs": len(runs)},
        "effect_size": {
            "p_success_at_moderate_trust": float(row["p"]),
            "wilson95_at_moderate_trust": [float(row["lower"]), float(row["upper"])],
            "log_odds_per_0.1_trust": trend["slope"],
            "ci95": [trend["ci_low"], trend["ci_high"]],
        },
        "p_value": trend["p_value"],
        "summary": f"P(success) at 36 months — {shares}; the target met least often at 0.4: "
        f"{worst} ({targets.loc[MODERATE].min():.2f})",
        "success_by_trust": table.to_dict(orient="records"),
        "targets_met_by_trust": targets.reset_index().to_dict(orient="records"),
        "verdict": rule,
    }
    return result, figure(table, targets)


def figure(table, targets):
    """Left: P(success) per initial trust; right: how often each target is met."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    x = table["initial_trust"]
    plot_success(left, table, x)
    left.axhspan(
        0.25, 0.95, color=OKABE_ITO["bluish_green"], alpha=0.12, label="'sizeable, not all'"
    )
    left.set_xlabel("initial firm-to-firm trust")
    left.set_ylabel("probability of meeting the log frame at 36 months")
    left.set_ylim(0, 1)
    left.set_xticks(x)
    left.set_title("Every Annex 2 target met")
    left.legend(fontsize=8, loc="upper left")
    width = 0.8 / len(TARGETS)
    colours = ("orange", "sky_blue", "vermillion", "bluish_green")
    for k, (target, colour) in enumerate(zip(TARGETS, colours, strict=True)):
        positions = np.arange(len(targets)) + (k - 1.5) * width
        label = target.removeprefix("met_").replace("_", " ")
        right.bar(positions, targets[target], width, color=OKABE_ITO[colour], label=label)
    right.set_xticks(np.arange(len(targets)), [f"trust {t:.1f}" for t in targets.index])
    right.set_ylabel("share of runs meeting the target")
    right.set_ylim(0, 1)
    right.set_title("Which targets are met")
    right.legend(fontsize=8, loc="upper left")
    fig.suptitle(
        "Case: a well-prepared 36-month cluster project "
        "(commitment 0.9, no delegation, stable team)"
    )
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
