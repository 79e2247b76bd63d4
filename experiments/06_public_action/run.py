"""Experiment 06: does visible early public action help, and do delegation and crisis hurt?

Run: ``python experiments/06_public_action/run.py [--replications N] [--workers N]``
(or ``pipsim validate --only 06``). A 2 x 2 x 2 sweep (early action, delegation, crisis); a probe
then rebuilds each run with an early action and runs it to just before month 1 to read whether
that action was kept. Writes ``result.json`` and ``figure.png`` beside this file; the verdict
rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.analysis.stats import wilson_interval
from pipsim.model import PIPModel
from pipsim.plots.style import OKABE_ITO
from pipsim.rules import public
from pipsim.sweep.results import load_timeseries
from pipsim.validation import experiment_main, logistic_trend, mann_whitney

HERE = Path(__file__).resolve().parent
LESSON = "Visible early public action helps; delegation and political crisis hurt"
FACTORS = ("early_public_action", "delegation_rate", "political_crisis_month")
NO_CRISIS = 480  # the scenario's stand-in for "no crisis": beyond the simulated months
RESULTS = ("firms_in_joint_projects", "sales_growth")
ALPHA = 0.01
# contrast: (treatment label, reference label, predicted sign of treatment - reference)
CONTRASTS = {
    "early_action": ("early action kept", "no early action", +1),
    "delegation": ("minister delegates (0.5/yr)", "never delegates", -1),
    "crisis": ("crisis at month 24", "no crisis", -1),
}
COLOURS = {"early_action": "bluish_green", "delegation": "orange", "crisis": "vermillion"}


def early_action_kept(args: tuple[int, dict]) -> bool:
    """Whether this run's early public action was kept.

    The early action is the first thing month 1 does (`pipsim.rules.month.dated_events`), before
    anything else draws a random number; so the rule that carries out an action, applied to the
    run's model as set up, draws what the run drew.
    """
    seed, overrides = args
    model = PIPModel(rng=seed, **overrides)
    public.action(model.state, model.rules, 0, model.rngs[0], 1)
    return model.public.actions_kept == 1


def probe(runs: pd.DataFrame, base: dict, workers: int) -> pd.Series:
    """For every run with an early action, whether it was kept (NaN where there was none)."""
    early = runs[runs["early_public_action"].astype(bool)]
    jobs = [
        (int(row.seed), {**base, **{f: getattr(row, f) for f in FACTORS}})
        for row in early.itertuples()
    ]
    if workers <= 1:  # in-process: also where the module was not imported by its name
        kept = [early_action_kept(job) for job in jobs]
    else:
        with cf.ProcessPoolExecutor(workers) as pool:
            kept = list(pool.map(early_action_kept, jobs, chunksize=50))
    return pd.Series(kept, index=early.index, dtype=float).reindex(runs.index)


def arms(runs: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Treatment and reference masks of each contrast, over the whole factorial."""
    early = runs["early_public_action"].astype(bool)
    delegates = runs["delegation_rate"] > 0
    crisis = runs["political_crisis_month"] != NO_CRISIS
    return {
        "early_action": (early & (runs["early_kept"] == 1), ~early),
        "delegation": (delegates, ~delegates),
        "crisis": (crisis, ~crisis),
    }


def significant(test: dict, sign: int) -> tuple[bool, bool]:
    """(in the predicted direction, in the opposite one), each at p < ALPHA."""
    if not np.isfinite(test["p_value"]) or test["p_value"] >= ALPHA:
        return False, False
    return test["effect"] * sign > 0, test["effect"] * sign < 0


def compare(runs: pd.DataFrame, treat: pd.Series, ref: pd.Series, sign: int) -> dict:
    """Trust in the public sector and the three result measures, treatment against reference."""
    a, b = runs[treat], runs[ref]
    tests = {}
    for outcome in ("trust_in_public", *RESULTS):
        mw = mann_whitney(a[outcome], b[outcome])
        tests[outcome] = {**mw, "effect": mw["rank_biserial"]}
    tests["success"] = success_contrast(a["success"], b["success"])
    t_met = significant(tests["trust_in_public"], sign)[0]
    flags = [significant(tests[k], sign) for k in ("success", *RESULTS)]
    r_met = any(f[0] for f in flags) and not any(f[1] for f in flags)
    return {
        "tests": tests,
        "levels": levels(a, b),
        "T_trust_met": bool(t_met),
        "R_results_met": bool(r_met),
    }


def success_contrast(a: pd.Series, b: pd.Series) -> dict:
    """Logistic regression of success on the arm (1 treatment, 0 reference): the log odds ratio."""
    arm = np.r_[np.ones(len(a)), np.zeros(len(b))]
    trend = logistic_trend(arm, np.r_[a.astype(int), b.astype(int)])
    return {
        "log_odds_ratio": trend["slope"],
        "ci95": [trend["ci_low"], trend["ci_high"]],
        "p_value": trend["p_value"],
        "effect": trend["slope"],
        "p_treatment": float(a.mean()),
        "p_reference": float(b.mean()),
        "n_treatment": len(a),
        "n_reference": len(b),
    }


def levels(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    """[treatment, reference] means of trust in the public sector, medians of the results."""
    return {
        "mean_trust_in_public": [
            float(a["trust_in_public"].mean()),
            float(b["trust_in_public"].mean()),
        ],
        **{f"median_{k}": [float(a[k].median()), float(b[k].median())] for k in RESULTS},
    }


def verdict(contrasts: dict) -> str:
    """The README's rule: all six criteria met holds; none does not hold; else partly."""
    met = [c[k] for c in contrasts.values() for k in ("T_trust_met", "R_results_met")]
    return "holds" if all(met) else "does not hold" if not any(met) else "partly"


def descriptive(runs: pd.DataFrame) -> dict:
    """Not judged: the early switch itself (kept or broken) and success per design cell."""
    early = runs["early_public_action"].astype(bool)
    broken = early & (runs["early_kept"] == 0)
    out = {}
    for name, treat in (("switch_on", early), ("early_action_broken", broken)):
        res = compare(runs, treat, ~early, +1)
        out[f"{name}_vs_off"] = {
            "n": int(treat.sum()),
            "trust_in_public": {
                k: res["tests"]["trust_in_public"][k] for k in ("rank_biserial", "p_value")
            },
            "mean_trust_in_public": res["levels"]["mean_trust_in_public"],
            "success": [res["tests"]["success"][k] for k in ("p_treatment", "p_reference")],
            "success_p_value": res["tests"]["success"]["p_value"],
        }
    out["share_early_action_kept"] = float(runs.loc[early, "early_kept"].mean())
    cells = runs.groupby(list(FACTORS))["success"].agg(n="count", met="sum").reset_index()
    cells["p"] = cells["met"] / cells["n"]
    out["success_by_cell"] = cells.to_dict(orient="records")
    return out


def analyse(runs, experiment):
    """Probe the early action, test the three contrasts, apply the verdict rule, draw."""
    runs = runs.copy()
    runs["early_kept"] = probe(runs, dict(experiment.scenario.base), experiment.workers)
    contrasts = {
        name: compare(runs, *masks, CONTRASTS[name][2]) for name, masks in arms(runs).items()
    }
    rule = verdict(contrasts)
    p_values = {
        f"{name}_{k}": c["tests"][k]["p_value"]
        for name, c in contrasts.items()
        for k in ("trust_in_public", "success", *RESULTS)
    }
    result = {
        "lesson": LESSON,
        "test": "per contrast (early action kept vs none; delegation 0.5/yr vs never; crisis at "
        "month 24 vs none; each over the other two factors of a 2x2x2 design): Mann-Whitney U "
        "of trust in the public sector, of firms in joint projects and of sales growth; "
        "logistic regression of success on the arm (Wald)",
        "statistic": {
            f"{name}_u_trust_in_public": c["tests"]["trust_in_public"]["u"]
            for name, c in contrasts.items()
        }
        | {"n_runs": len(runs)},
        "effect_size": effect_sizes(contrasts),
        "p_value": min(p_values.values()),  # the strongest test; every one is in p_values
        "p_values": p_values,
        "summary": summary(contrasts),
        "contrasts": contrasts,
        "criteria": {
            f"{name}_{k}": c[k]
            for name, c in contrasts.items()
            for k in ("T_trust_met", "R_results_met")
        },
        "not_judged": descriptive(runs),
        "verdict": rule,
    }
    series = load_timeseries(experiment.runs_dir)
    return result, figure(runs, series, contrasts)


def effect_sizes(contrasts: dict) -> dict[str, float]:
    """Per contrast: rank-biserial r of each continuous outcome, log odds ratio of success."""
    sizes = {}
    for name, c in contrasts.items():
        for outcome in ("trust_in_public", *RESULTS):
            sizes[f"{name}_rank_biserial_{outcome}"] = c["tests"][outcome]["rank_biserial"]
        sizes[f"{name}_log_odds_ratio_success"] = c["tests"]["success"]["log_odds_ratio"]
    return sizes


def summary(contrasts: dict) -> str:
    """One Markdown line: per contrast, trust in the public sector and P(success), both arms."""
    parts = []
    for name, c in contrasts.items():
        t, s = c["tests"], c["tests"]["success"]
        mean_a, mean_b = c["levels"]["mean_trust_in_public"]
        parts.append(
            f"{CONTRASTS[name][0]} vs {CONTRASTS[name][1]}: trust in public "
            f"{mean_a:.2f} vs {mean_b:.2f} (r = {t['trust_in_public']['rank_biserial']:+.2f}, "
            f"p = {t['trust_in_public']['p_value']:.1g}), P(success) {s['p_treatment']:.2f} vs "
            f"{s['p_reference']:.2f} (p = {s['p_value']:.1g})"
        )
    return "; ".join(parts)


def figure(runs, series, contrasts):
    """Monthly trust in the public sector per arm; P(success) per arm with Wilson intervals."""
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    masks = arms(runs)
    for name, (treat, ref) in masks.items():
        colour = OKABE_ITO[COLOURS[name]]
        for mask, style, label in ((treat, "-", 0), (ref, ":", 1)):
            ids = runs.loc[mask, "run"]
            mean = series[series["run"].isin(ids)].groupby("month")["trust_in_public"].mean()
            left.plot(mean.index, mean, style, color=colour, label=CONTRASTS[name][label])
    left.axvline(60, color=OKABE_ITO["black"], linewidth=0.8, label="project ends")
    left.set_xlabel("month")
    left.set_ylabel("mean trust in the public sector (participants, 0–1)")
    left.set_title("Trust in the public sector, mean over runs")
    left.legend(fontsize=7, ncol=2)
    for k, (name, (treat, ref)) in enumerate(masks.items()):
        colour = OKABE_ITO[COLOURS[name]]
        for j, mask in enumerate((treat, ref)):
            met, n = int(runs.loc[mask, "success"].sum()), int(mask.sum())
            lo, hi = wilson_interval(np.array([met]), np.array([n]))
            p = met / n
            right.errorbar(
                [2.5 * k + j],
                [p],
                yerr=[[p - lo[0]], [hi[0] - p]],
                marker="o" if j == 0 else "s",
                mfc=colour if j == 0 else "white",
                color=colour,
                capsize=3,
            )
    right.set_xticks([2.5 * k + j for k in range(3) for j in range(2)])
    right.set_xticklabels(
        [CONTRASTS[n][j].replace(" (", "\n(") for n in CONTRASTS for j in (0, 1)],
        rotation=35,
        ha="right",
        fontsize=7,
    )
    right.set_ylim(0, 1)
    right.set_ylabel("probability of meeting the log frame (Wilson 95%)")
    right.set_title("Log frame met at month 60")
    fig.suptitle(
        "Lesson: visible early public action helps; delegation and crisis hurt "
        "(cluster, 60 months, initial trust 0.3)"
    )
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
