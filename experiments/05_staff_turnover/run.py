"""Experiment 05: does staff turnover lower trust in the agency and the project's results?

Run: ``python experiments/05_staff_turnover/run.py [--replications N] [--workers N]``
(or ``pipsim validate --only 05``). Writes ``result.json`` and ``figure.png`` beside this file.
The verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from pipsim.plots.style import OKABE_ITO
from pipsim.validation import (
    experiment_main,
    logistic_trend,
    mann_whitney,
    plot_success,
    success_by,
)

HERE = Path(__file__).resolve().parent
LESSON = "Staff turnover in the technical team lowers trust in the agency and the project's results"
FACTOR = "staff_turnover"
RESULTS = ("firms_in_joint_projects", "sales_growth")


def spearman(runs, outcome):
    """Spearman rank correlation of ``outcome`` with the turnover rate over all runs."""
    rho, p = stats.spearmanr(runs[FACTOR], runs[outcome])
    return {"rho": float(rho), "p_value": float(p)}


def fmt_p(p):
    """A p-value for the summary line; one below the smallest double reads as < 1e-300."""
    return f"= {p:.1g}" if p > 0 else "< 1e-300"


def falls(test):
    """A correlation that is negative and significant at the README's 1% level."""
    return bool(test["rho"] < 0 and test["p_value"] < 0.01)


def verdict(trust, trend, results):
    """The README's rule: (a) trust falls, (b) success falls, (c) both results measures fall."""
    a = falls(trust)
    b = bool(trend["slope"] < 0 and trend["p_value"] < 0.01)
    c = all(falls(t) for t in results.values())
    met = a + b + c
    return ("holds" if met == 3 else "partly" if met else "does not hold"), a, b, c


def medians(runs):
    """Median (and quartiles) of each outcome of interest per turnover rate."""
    columns = ["trust_in_agency", *RESULTS, "technicians_left"]
    q = runs.groupby(FACTOR)[columns].quantile([0.25, 0.5, 0.75]).unstack()
    return {
        col: {
            f"{rate:g}": [float(q.loc[rate, (col, k)]) for k in (0.25, 0.5, 0.75)]
            for rate in q.index
        }
        for col in columns
    }


def analyse(runs, experiment):
    """Spearman and logistic trends on the turnover rate, effect sizes, the verdict."""
    table = success_by(runs, FACTOR)
    trust = spearman(runs, "trust_in_agency")
    trend = logistic_trend(runs[FACTOR] * 10, runs["success"].astype(int))
    results = {outcome: spearman(runs, outcome) for outcome in RESULTS}
    rule, a, b, c = verdict(trust, trend, results)
    p_values = {
        "trust_in_agency": trust["p_value"],
        "success": trend["p_value"],
        **{k: v["p_value"] for k, v in results.items()},
    }
    low, high = runs[runs[FACTOR] == 0.0], runs[runs[FACTOR] == runs[FACTOR].max()]
    contrasts = {
        outcome: mann_whitney(low[outcome], high[outcome])
        for outcome in ("trust_in_agency", *RESULTS)
    }
    result = {
        "lesson": LESSON,
        "test": "Spearman correlation of trust in the agency, firms in joint projects and sales "
        "growth with the annual turnover rate; logistic regression of success on the rate "
        "(per 0.1 a year; Wald)",
        "statistic": {
            "rho_trust_in_agency": trust["rho"],
            "z_success": trend["z"],
            **{f"rho_{k}": v["rho"] for k, v in results.items()},
            "n_runs": len(runs),
        },
        "effect_size": {
            "success_log_odds_per_0.1": trend["slope"],
            "success_ci95": [trend["ci_low"], trend["ci_high"]],
            "success_odds_ratio_per_0.1": float(np.exp(trend["slope"])),
            **{
                f"rank_biserial_{k}_none_vs_{high[FACTOR].iloc[0]:g}": v["rank_biserial"]
                for k, v in contrasts.items()
            },
        },
        "p_value": max(p_values.values()),  # the weakest of the criteria's tests
        "p_values": p_values,
        "summary": summary(table, trust, trend, results, medians(runs)),
        "success_by_turnover": table.to_dict(orient="records"),
        "quartiles_by_turnover": medians(runs),
        "contrast_none_vs_highest": contrasts,
        "criteria": {
            "a_trust_in_agency_falls_p_lt_0.01": a,
            "b_success_falls_p_lt_0.01": b,
            "c_joint_projects_and_sales_fall_p_lt_0.01": c,
        },
        "verdict": rule,
    }
    return result, figure(runs, table)


def summary(table, trust, trend, results, quartiles):
    """One Markdown line: trust in the agency, P(success) and the results at 0 and 0.8."""
    ends = [f"{r:g}" for r in (table[FACTOR].min(), table[FACTOR].max())]
    agency = quartiles["trust_in_agency"]
    shares = ", ".join(f"{r:g}: {p:.2f}" for r, p in zip(table[FACTOR], table["p"], strict=True))
    return (
        f"median trust in agency {agency[ends[0]][1]:.2f} → {agency[ends[1]][1]:.2f} "
        f"(turnover {ends[0]} → {ends[1]}/yr; ρ = {trust['rho']:.2f}, "
        f"p {fmt_p(trust['p_value'])}); "
        f"P(success) by turnover — {shares}; slope {trend['slope']:.2f} log-odds per 0.1/yr "
        f"[{trend['ci_low']:.2f}, {trend['ci_high']:.2f}], p {fmt_p(trend['p_value'])}; "
        f"ρ firms in joint projects {results['firms_in_joint_projects']['rho']:.2f} "
        f"(p {fmt_p(results['firms_in_joint_projects']['p_value'])}), "
        f"sales growth {results['sales_growth']['rho']:.2f} "
        f"(p {fmt_p(results['sales_growth']['p_value'])})"
    )


def figure(runs, table):
    """Trust in the agency, P(success) and firms in joint projects against the turnover rate."""
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    rates = sorted(runs[FACTOR].unique())
    boxes = dict(tick_labels=[f"{r:g}" for r in rates], showfliers=False)
    left.boxplot([runs.loc[runs[FACTOR] == r, "trust_in_agency"] for r in rates], **boxes)
    left.set_ylabel("trust in the agency at project end (0–1)")
    left.set_title("Trust in the executing agency")
    plot_success(middle, table, table[FACTOR])
    middle.set_ylim(0, 1)
    middle.set_xlabel("staff turnover (departures per technician per year)")
    middle.set_ylabel("probability of meeting the log frame")
    middle.set_title("Log frame met at month 60")
    middle.legend(fontsize=8)
    right.boxplot([runs.loc[runs[FACTOR] == r, "firms_in_joint_projects"] for r in rates], **boxes)
    right.axhline(30, color=OKABE_ITO["vermillion"], linestyle="--", label="target: 30 firms")
    right.set_ylabel("firms in joint projects at project end")
    right.set_title("Firms in joint projects")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.set_xlabel("staff turnover (departures per technician per year)")
    fig.suptitle(
        "Lesson: staff turnover lowers trust in the agency and the results "
        "(cluster, 60 months, initial trust 0.3)"
    )
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
