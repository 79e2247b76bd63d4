"""Experiment 11: does a Box 5 project (22 months, distant partners, low trust) mostly fail?

And does it do better with more time and more contact? Run:
``python experiments/11_box5_distant_chain/run.py [--replications N] [--workers N]`` (or
``pipsim validate --only 11``). Writes ``result.json`` and ``figure.png`` beside this file. The
verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from pipsim.plots.style import OKABE_ITO
from pipsim.validation import (
    experiment_main,
    logistic_trend,
    mann_whitney,
    plot_success,
    success_by,
)

HERE = Path(__file__).resolve().parent
LESSON = (
    "A Box 5 case (22-month vertical chain, distant partners, low initial trust) mostly fails, "
    "and does better with more time and more contact"
)
DEFAULT_EVENTS = 1.5


def verdict(upper_22: float, time: dict, contact: dict, trust: dict) -> tuple[str, dict]:
    """The README's rule: (a) mostly fails; (b) more time helps; (c) more contact helps."""
    a = upper_22 < 0.5
    b = time["slope"] > 0 and time["p_value"] < 0.01
    c = contact["slope"] > 0 and contact["p_value"] < 0.05
    c_trust = trust["rank_biserial"] > 0 and trust["p_value"] < 0.01
    rule = "holds" if a and b and c else "partly" if a and (b or c or c_trust) else "does not hold"
    criteria = {
        "a_upper_at_22_months_lt_0.5": a,
        "b_time_slope_gt_0_p_lt_0.01": b,
        "c_contact_slope_gt_0_p_lt_0.05": c,
        "c_prime_trust_higher_with_contact_p_lt_0.01": c_trust,
    }
    return rule, criteria


def analyse(runs, experiment):
    """Success by length and contact, the three tests and the verdict."""
    runs = runs.assign(more_contact=(runs["events_per_month"] > DEFAULT_EVENTS).astype(int))
    table = success_by(runs, ["project_months", "more_contact"])
    base = runs[runs["more_contact"] == 0]
    time = logistic_trend(base["project_months"] / 12, base["success"].astype(int))
    contact = logistic_trend(runs["more_contact"], runs["success"].astype(int))
    more, less = (runs.loc[runs["more_contact"] == k, "mean_trust"] for k in (1, 0))
    trust = mann_whitney(more, less)
    at_22 = table[(table["project_months"] == 22) & (table["more_contact"] == 0)].iloc[0]
    rule, criteria = verdict(float(at_22["upper"]), time, contact, trust)
    cells = "; ".join(
        f"{m:.0f} mo {'more' if k else 'default'} contact {p:.2f}"
        for m, k, p in table[["project_months", "more_contact", "p"]].itertuples(index=False)
    )
    result = {
        "lesson": LESSON,
        "test": "Wilson interval of P(success) at 22 months; logistic regression of success on "
        "length (years) and on more contact (0/1), Wald tests; Mann-Whitney of mean trust at "
        "project end, more vs default contact",
        "statistic": {"z_time": time["z"], "z_contact": contact["z"], "u_trust": trust["u"]},
        "effect_size": {
            "p_success_22_months": float(at_22["p"]),
            "wilson95_22_months": [float(at_22["lower"]), float(at_22["upper"])],
            "log_odds_per_year": time["slope"],
            "log_odds_per_year_ci95": [time["ci_low"], time["ci_high"]],
            "log_odds_more_contact": contact["slope"],
            "log_odds_more_contact_ci95": [contact["ci_low"], contact["ci_high"]],
            "trust_rank_biserial_more_contact": trust["rank_biserial"],
            "median_trust_more_vs_default": [trust["median_a"], trust["median_b"]],
        },
        "p_value": {
            "time": time["p_value"],
            "contact": contact["p_value"],
            "trust": trust["p_value"],
        },
        "summary": f"P(success): {cells}; more time {time['slope']:+.2f} log-odds/year "
        f"(p = {time['p_value']:.1g}); more contact {contact['slope']:+.2f} log-odds "
        f"(p = {contact['p_value']:.1g}); trust at end, median {trust['median_a']:.3f} vs "
        f"{trust['median_b']:.3f} (MW p = {trust['p_value']:.1g})",
        "success_by_point": table.to_dict(orient="records"),
        "criteria": criteria,
        "verdict": rule,
    }
    return result, figure(table, runs)


def figure(table, runs):
    """Left: P(success) by length, default vs more contact; right: trust at project end."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    styles = {
        0: ("default contact (1.5 events/month)", "vermillion", "o"),
        1: ("more contact (3 events/month)", "blue", "s"),
    }
    for k, (label, colour, marker) in styles.items():
        t = table[table["more_contact"] == k]
        x = t["project_months"] + (k - 0.5) * 0.8
        plot_success(left, t, x, marker=marker, color=OKABE_ITO[colour], label=label)
    left.axvline(22, color=OKABE_ITO["black"], linestyle=":", linewidth=1)
    left.set_xticks(sorted(table["project_months"].unique()))
    left.set_xlabel("project length (months; Box 5: 22)")
    left.set_ylabel("probability of meeting the log frame")
    left.set_ylim(0, 1)
    left.set_title("Log frame met (Wilson 95%)")
    left.legend(fontsize=8, loc="upper left")
    lengths = sorted(runs["project_months"].unique())
    for k, (_, colour, _) in styles.items():
        data = [
            runs.loc[(runs["project_months"] == m) & (runs["more_contact"] == k), "mean_trust"]
            for m in lengths
        ]
        positions = [i * 3 + k for i in range(len(lengths))]
        parts = right.boxplot(data, positions=positions, widths=0.8, patch_artist=True)
        for box in parts["boxes"]:
            box.set_facecolor(OKABE_ITO[colour])
            box.set_alpha(0.5)
    right.set_xticks([i * 3 + 0.5 for i in range(len(lengths))], [f"{m} months" for m in lengths])
    right.set_ylabel("mean firm-to-firm trust at project end")
    right.set_title("Trust at project end (left box default, right box more contact)")
    fig.suptitle("Case: Box 5 — a vertical chain between distant partners, initial trust 0.1")
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
