"""Experiment 01b: trust in a partner after it complied, lapsed or defected, by trust before.

Run: ``python experiments/01b_trust_after_conduct/run.py [--replications N] [--workers N]``.
A probe steps each run of the scenario month by month (same seeds as the sweep) with the rules'
conduct record on (`pipsim.rules.probe`): for every venture-month and ordered pair of members,
the watcher's trust in the partner just before and just after it learns from the month's
conduct, and what the partner did. Writes ``result.json`` and ``figure.png`` beside this file;
the verdict rule is the README's.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.model import PIPModel
from pipsim.plots.style import OKABE_ITO
from pipsim.rules.probe import (
    COMPLIED,
    CONDUCT,
    CONDUCT_COLUMNS,
    DEFECTED,
    LAPSED,
    take_conduct,
    with_conduct_record,
)
from pipsim.sweep import design
from pipsim.validation import experiment_main, mann_whitney, probe_runs

HERE = Path(__file__).resolve().parent
LESSON = (
    "Trust among firms rises gradually with repeated joint experience; failures set it back "
    "sharply — asked of single pieces of a partner's conduct, by trust level"
)
EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # bins of the watcher's trust before
BINS = tuple(f"{a:.1f}-{b:.1f}" for a, b in zip(EDGES[:-1], EDGES[1:], strict=True))
MIN_OBSERVATIONS = 30  # a bin is judged with this many compliances and defections
SHARP = 2.0  # "sharply": one defection undoes at least this many months of kept word
RESAMPLES = 2000  # bootstrap over runs
COLOURS = {COMPLIED: "bluish_green", LAPSED: "orange", DEFECTED: "vermillion"}


def probe(run: design.Run) -> np.ndarray:
    """Step one run with the conduct record on; every row it noted (`CONDUCT_COLUMNS`)."""
    model = PIPModel(rng=run.seed, event_log=False, **run.overrides)
    model.state = with_conduct_record(model.state, model.n)
    months = []
    while model.running:
        model.step()
        months.append(take_conduct(model.state, 0))
    return np.concatenate(months)


def observations(records: list[np.ndarray]) -> pd.DataFrame:
    """One row per venture-month and pair: the run, the record's columns, change and bin."""
    frames = []
    for run, rows in enumerate(records):
        frame = pd.DataFrame(rows, columns=list(CONDUCT_COLUMNS))
        frames.append(frame.assign(run=run))
    table = pd.concat(frames, ignore_index=True)
    table["conduct"] = table["conduct"].astype(int)
    table["change"] = table["after"] - table["before"]
    table["bin"] = np.digitize(table["before"], EDGES[1:-1])  # 0 .. len(BINS) - 1
    return table


def by_run(table: pd.DataFrame, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of the change and counts, per (run, bin, conduct): what the bootstrap resamples."""
    sums = np.zeros((runs, len(BINS), len(CONDUCT)))
    counts = np.zeros_like(sums)
    keys = (table["run"].to_numpy(), table["bin"].to_numpy(), table["conduct"].to_numpy())
    np.add.at(sums, keys, table["change"].to_numpy())
    np.add.at(counts, keys, 1)
    return sums, counts


def bootstrap(sums: np.ndarray, counts: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Means per (bin, conduct) and the ratio per bin, each with a 95% interval over runs."""
    runs = sums.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a bin no resample saw: NaN, said so
        mean = sums.sum(0) / counts.sum(0)
        ratio = -mean[:, DEFECTED] / mean[:, COMPLIED]
        pick = np.random.default_rng(seed).integers(0, runs, (RESAMPLES, runs))
        means = sums[pick].sum(1) / counts[pick].sum(1)
        ratios = -means[..., DEFECTED] / means[..., COMPLIED]
        return {
            "mean": mean,
            "mean_ci": np.nanquantile(means, [0.025, 0.975], axis=0),
            "ratio": ratio,
            "ratio_ci": np.nanquantile(ratios, [0.025, 0.975], axis=0),
        }


def judge(n: np.ndarray, est: dict[str, np.ndarray]) -> dict:
    """The README's rule, fixed before the first run: criteria a, b, c and the verdict."""
    judged = [
        k for k in range(len(BINS)) if min(n[k, COMPLIED], n[k, DEFECTED]) >= MIN_OBSERVATIONS
    ]
    low, high = est["mean_ci"]
    ratio_low = est["ratio_ci"][0]

    def direction(k: int) -> bool:
        lapses = n[k, LAPSED] < MIN_OBSERVATIONS or high[k, LAPSED] < 0
        return bool(low[k, COMPLIED] > 0 and high[k, DEFECTED] < 0 and lapses)

    a = all(direction(k) for k in judged)
    b = all(ratio_low[k] >= SHARP for k in judged)
    c = len(judged) >= 3
    above_one = sum(bool(ratio_low[k] > 1) for k in judged)
    partly = a and c and 2 * above_one >= len(judged)
    verdict = "holds" if a and b and c else "partly" if partly else "does not hold"
    return {
        "judged_bins": [BINS[k] for k in judged],
        "a_direction_in_every_judged_bin": a,
        f"b_ratio_ci_at_least_{SHARP:g}_in_every_judged_bin": b,
        "c_at_least_3_bins_judged": c,
        "judged_bins_with_ratio_ci_above_1": above_one,
        "verdict": verdict,
    }


def analyse(runs, experiment):
    """The probe on the experiment's runs, the README's rule, the result and its figure."""
    records = probe_runs(experiment, probe)
    table = observations(records)
    sums, counts = by_run(table, len(records))
    n = counts.sum(0).astype(int)
    est = bootstrap(sums, counts)
    rule = judge(n, est)
    kept = table.loc[table["conduct"] == COMPLIED, "change"]
    failed = table.loc[table["conduct"] == DEFECTED, "change"]
    test = mann_whitney(failed, kept)

    def cell(k: int, c: int) -> dict:
        low, high = est["mean_ci"][:, k, c]
        return {"n": int(n[k, c]), "mean": est["mean"][k, c], "ci95": [low, high]}

    effect = {
        BINS[k]: {
            **{CONDUCT[c]: cell(k, c) for c in range(len(CONDUCT))},
            "defection_to_compliance_ratio": est["ratio"][k],
            "ratio_ci95": list(est["ratio_ci"][:, k]),
        }
        for k in range(len(BINS))
    }
    result = {
        "lesson": LESSON,
        "test": "mean one-month change of a firm's trust in a partner when it learns what the "
        "partner did (complied, lapsed, defected), by the firm's trust before, 95% intervals by "
        f"bootstrap over runs ({RESAMPLES}); ratio -(change after defection) / (change after "
        "compliance) per bin; Mann-Whitney of defection vs compliance pooled (descriptive)",
        "statistic": {
            "u_defected_vs_complied": test["u"],
            "n_by_bin": {
                BINS[k]: {CONDUCT[c]: int(n[k, c]) for c in range(len(CONDUCT))}
                for k in range(len(BINS))
            },
        },
        "effect_size": effect,
        "p_value": test["p_value"],
        "summary": summary(n, est, rule),
        "criteria": {key: value for key, value in rule.items() if key != "verdict"},
        "verdict": rule["verdict"],
    }
    return result, figure(n, est)


def summary(n: np.ndarray, est: dict[str, np.ndarray], rule: dict) -> str:
    """The numbers in one line: mean changes by bin, the ratio and its interval, bins judged."""

    def means(c: int) -> str:
        return " / ".join(f"{est['mean'][k, c]:+.3f}" if n[k, c] else "–" for k in range(len(BINS)))

    ratios = " / ".join(
        f"{est['ratio'][k]:.1f} [{est['ratio_ci'][0, k]:.1f}, {est['ratio_ci'][1, k]:.1f}]"
        if min(n[k, COMPLIED], n[k, DEFECTED]) >= MIN_OBSERVATIONS
        else "not judged"
        for k in range(len(BINS))
    )
    return (
        f"mean change of trust in a partner, trust before {' / '.join(BINS)}: complied "
        f"{means(COMPLIED)} (n={n[:, COMPLIED].sum()}); lapsed {means(LAPSED)} "
        f"(n={n[:, LAPSED].sum()}); defected {means(DEFECTED)} (n={n[:, DEFECTED].sum()}); "
        f"defection / compliance {ratios} (rule: ≥ {SHARP:g}); judged bins "
        f"{', '.join(rule['judged_bins']) or 'none'}"
    )


def figure(n: np.ndarray, est: dict[str, np.ndarray]) -> Figure:
    """Left: mean change by trust bin, a line per conduct; right: the defection/compliance ratio."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    centres = np.array([(a + b) / 2 for a, b in zip(EDGES[:-1], EDGES[1:], strict=True)])
    for c, name in enumerate(CONDUCT):
        seen = n[:, c] > 0
        mean, (low, high) = est["mean"][:, c], est["mean_ci"][:, :, c]
        offset = (c - 1) * 0.012
        left.errorbar(
            centres[seen] + offset,
            mean[seen],
            yerr=[mean[seen] - low[seen], high[seen] - mean[seen]],
            marker="o",
            capsize=3,
            color=OKABE_ITO[COLOURS[c]],
            label=f"partner {name} (n={n[:, c].sum()})",
        )
    left.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    left.set_xticks(centres, BINS)
    left.set_xlabel("watcher's trust in the partner before (bin)")
    left.set_ylabel("change of that trust when it learns (0–1)")
    left.set_title("Trust after a partner's conduct (mean, 95% bootstrap)")
    left.legend(fontsize=8)
    judged = np.minimum(n[:, COMPLIED], n[:, DEFECTED]) >= MIN_OBSERVATIONS
    ratio, (low, high) = est["ratio"], est["ratio_ci"]
    if judged.any():  # an unjudged bin's ratio can be anything: it is not drawn
        right.errorbar(
            centres[judged],
            ratio[judged],
            yerr=[ratio[judged] - low[judged], high[judged] - ratio[judged]],
            marker="o",
            linestyle="none",
            capsize=3,
            color=OKABE_ITO["blue"],
            label=f"judged bins (≥ {MIN_OBSERVATIONS} compliances and defections)",
        )
    right.set_yscale("log")
    right.axhline(1, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":")
    right.axhline(SHARP, color=OKABE_ITO["black"], linewidth=1, linestyle="--", label="rule: ≥ 2")
    right.set_xticks(centres, BINS)
    right.set_xlim(left.get_xlim())
    right.set_xlabel("watcher's trust in the partner before (bin)")
    right.set_ylabel("−(change after defection) / (change after compliance)")
    right.set_title("Months of kept word one defection undoes")
    right.legend(fontsize=8)
    fig.suptitle(
        "Lesson: trust rises gradually with joint experience; failures set it back sharply"
    )
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
