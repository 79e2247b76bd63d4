"""Experiment 01: does trust rise gradually with joint experience and fall sharply on failure?

Run: ``python experiments/01_trust_builds_gradually/run.py [--replications N] [--workers N]``.
Two measurements on the same runs (same seeds): the sweep's monthly series of mean firm-to-firm
trust, and a probe that steps each run month by month and reads the mean pairwise trust among
the partners of every pilot that ends, in the month before and the month it ends. Writes
``result.json`` and ``figure.png`` beside this file; the verdict rule is the README's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.model import PIPModel, make_parameters
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import design
from pipsim.sweep.results import load_timeseries
from pipsim.validation import experiment_main, mann_whitney, probe_runs

HERE = Path(__file__).resolve().parent
LESSON = (
    "Trust among firms rises gradually with repeated joint experience; failures set it back sharply"
)


def pair_mean(trust: np.ndarray, members: np.ndarray) -> float:
    """Mean trust over ordered pairs of distinct members."""
    block = trust[np.ix_(members, members)]
    k = len(members)
    return float((block.sum() - np.trace(block)) / (k * (k - 1)))


def probe(run: design.Run) -> list[dict]:
    """Step one run; for each month in which pilots end, their partners' trust before and after.

    A month counts only when every pilot ending in it had the same outcome (read from the
    model's counters), so each change is attributed to a success or a failure without touching
    the model. The change includes whatever else happened to those pairs that month.
    """
    model = PIPModel(rng=run.seed, **run.overrides)
    rows = []
    while model.running:
        pilots = [v for v in model.ventures if v.kind == "pilot" and len(v.members) > 1]
        before = model.trust.copy()
        ok0, bad0 = model.counts["pilots_succeeded"], model.counts["pilots_failed"]
        model.step()
        alive = {id(v) for v in model.ventures}
        ended = [v for v in pilots if id(v) not in alive]
        ok = model.counts["pilots_succeeded"] - ok0
        bad = model.counts["pilots_failed"] - bad0
        if not ended or (ok and bad) or ok + bad != len(ended):
            continue
        for v in ended:
            rows.append(
                {
                    "seed": run.seed,
                    "month": model.steps,
                    "outcome": "success" if ok else "failure",
                    "before": pair_mean(before, v.members),
                    "after": pair_mean(model.trust, v.members),
                }
            )
    return rows


def largest_month_share(series: pd.DataFrame, months: int) -> pd.Series:
    """Per run: the largest one-month rise of mean trust as a share of its rise over the project."""
    shares = {}
    for run, s in series[series["month"] <= months].groupby("run"):
        trust = s.sort_values("month")["mean_trust"].to_numpy()
        rise = trust.max() - trust[0]
        if rise > 0:
            shares[run] = float(np.diff(trust).max() / rise)
    return pd.Series(shares)


def analyse(runs, experiment):
    """Both measurements on the same runs, the README's rule, the result and its figure."""
    series = load_timeseries(experiment.runs_dir)
    events = pd.DataFrame([r for rows in probe_runs(experiment, probe) for r in rows])
    events["change"] = events["after"] - events["before"]
    won = events.loc[events["outcome"] == "success", "change"]
    lost = events.loc[events["outcome"] == "failure", "change"]
    test = mann_whitney(won, lost)
    rng = np.random.default_rng(0)  # bootstrap of the asymmetry: |median loss| / median gain
    boot = [
        abs(np.median(rng.choice(lost, len(lost))))
        / max(np.median(rng.choice(won, len(won))), 1e-12)
        for _ in range(2000)
    ]
    ratio = abs(np.median(lost)) / max(np.median(won), 1e-12)
    ratio_ci = [float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))]
    months = make_parameters(None, experiment.scenario.base).project_months
    shares = largest_month_share(series, months)
    # The README's rule, fixed before the first run:
    a = bool(np.median(won) > 0 > np.median(lost) and test["p_value"] < 0.01)
    b = bool(ratio_ci[0] > 1)
    c = bool(shares.median() < 0.25)
    rule = "holds" if a and b and c else "partly" if a and (b or c) else "does not hold"
    result = {
        "lesson": LESSON,
        "test": "Mann-Whitney U of the one-month change in partners' mutual trust when a pilot "
        "ends, success vs failure; bootstrap of |median loss| / median gain; largest "
        "one-month rise of mean trust as a share of its rise over the project",
        "statistic": {"u": test["u"], "n_success": test["n_a"], "n_failure": test["n_b"]},
        "effect_size": {
            "rank_biserial_success_vs_failure": test["rank_biserial"],
            "common_language": test["common_language"],
            "median_change_success": float(np.median(won)),
            "median_change_failure": float(np.median(lost)),
            "loss_to_gain_ratio": float(ratio),
            "loss_to_gain_ratio_ci95": ratio_ci,
            "largest_month_share_median": float(shares.median()),
            "largest_month_share_q05_q95": [
                float(shares.quantile(0.05)),
                float(shares.quantile(0.95)),
            ],
        },
        "p_value": test["p_value"],
        "summary": f"partners' trust when a pilot ends: {np.median(won):+.3f} after success "
        f"(n={len(won)}), {np.median(lost):+.3f} after failure (n={len(lost)}), MW p = "
        f"{test['p_value']:.1g}; loss/gain {ratio:.2f} [{ratio_ci[0]:.2f}, {ratio_ci[1]:.2f}]; "
        f"largest month = {shares.median():.0%} of the rise (rule: < 25%)",
        "criteria": {
            "a_success_up_failure_down_p_lt_0.01": a,
            "b_loss_gain_ratio_ci_above_1": b,
            "c_largest_month_share_median_lt_0.25": c,
        },
        "verdict": rule,
    }
    return result, figure(series, won, lost, months)


def figure(series, won, lost, months):
    """Left: monthly mean trust (median and 5–95% band); right: change at pilot endings."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    q = series.groupby("month")["mean_trust"].quantile([0.05, 0.5, 0.95]).unstack()
    left.fill_between(
        q.index, q[0.05], q[0.95], color=OKABE_ITO["sky_blue"], alpha=0.3, label="5–95% of runs"
    )
    left.plot(q.index, q[0.5], color=OKABE_ITO["blue"], label="median run")
    left.axvline(
        months, color=OKABE_ITO["black"], linestyle="--", linewidth=1, label="agency leaves"
    )
    left.set_xlabel("months since launch")
    left.set_ylabel("mean firm-to-firm trust (0–1)")
    left.set_title("Mean trust month by month")
    left.legend(fontsize=8)
    right.boxplot([won, lost], tick_labels=["pilot succeeded", "pilot failed"])
    right.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    right.set_ylabel("change in partners' mutual trust that month (0–1)")
    right.set_title("Partners' trust when a pilot ends")
    fig.suptitle(
        "Lesson: trust rises gradually with joint experience; failures set it back sharply"
    )
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
