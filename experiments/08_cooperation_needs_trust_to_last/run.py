"""Experiment 08: does cooperation without enough trust fail to outlast the project?

Run: ``python experiments/08_cooperation_needs_trust_to_last/run.py [--replications N]
[--workers N]``. The sweep gives each run's outcomes (`sustained` among them); a probe re-steps
every run that has firms in collective projects at project end (same seeds) to read the trust
*within* those projects then, and which of them are still under way when the horizon ends, since
the run table's trust measures average over all participants. Writes ``result.json`` and
``figure.png`` beside this file; the verdict rule is the README's, fixed before the first run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.analysis.stats import wilson_interval
from pipsim.model import PIPModel
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import design
from pipsim.validation import experiment_main, logistic_trend, mann_whitney, probe_runs, success_by

HERE = Path(__file__).resolve().parent
LESSON = "Cooperation without enough trust does not survive the end of the project"
REAL_TRUST = 0.4  # the model's default project_trust_threshold: its line for "real trust"
MIN_LOW_RUNS = 20  # criterion (c) needs at least this many low-trust runs
BINS = np.arange(0.0, 1.01, 0.1)  # group trust bins of the figure


def mean_mutual_trust(matrix: np.ndarray, group: np.ndarray) -> float:
    """Mean trust over the ordered pairs of distinct members of ``group`` (NaN below two)."""
    if len(group) < 2:
        return float("nan")
    block = matrix[np.ix_(group, group)].astype(float)
    return float((block.sum() - np.trace(block)) / (len(group) * (len(group) - 1)))


def probe(run: design.Run) -> list[dict]:
    """Step one run; every collective project under way at project end, and whether it lasts.

    For each project: its mean mutual trust, size and state (operating or still maturing) at the
    end of the project's last month, and whether it is still under way at the horizon's end.
    The same Venture objects are followed, so a project is recognised without touching the model.
    """
    model = PIPModel(rng=run.seed, **run.overrides)
    while model.running and model.steps < model.p.project_months:
        model.step()
    at_end = [
        (v, bool(v.operating), len(v.members), mean_mutual_trust(model.trust, v.members))
        for v in model.ventures
        if v.kind == "project"
    ]
    while model.running:
        model.step()
    alive = {id(v) for v in model.ventures}
    return [
        {
            "run": run.index,
            "operating": operating,
            "size": size,
            "group_trust": mutual,
            "survived": id(v) in alive,
        }
        for v, operating, size, mutual in at_end
    ]


def probe_projects(runs: pd.DataFrame, experiment) -> pd.DataFrame:
    """The probe over the runs with firms in collective projects at project end, in parallel."""
    wanted = set(runs.loc[runs["firms_in_joint_projects"] > 0, "run"])
    found = probe_runs(experiment, probe, lambda run: run.index in wanted)
    return pd.DataFrame([row for rows in found for row in rows])


def with_group_trust(runs: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Runs with cooperation at project end, with their member-weighted group trust then.

    A project left with one member at the month's end (a partner dropped out; it dissolves next
    month) has no mutual trust: it counts among the members, not in the weighted mean.
    """
    members = projects.groupby("run")["size"].sum().rename("members_in_projects")
    pairs = projects[projects["size"] >= 2]
    weighted = pairs.assign(w=pairs["size"] * pairs["group_trust"]).groupby("run")
    per_run = (weighted["w"].sum() / weighted["size"].sum()).rename("group_trust")
    coop = runs[runs["firms_in_joint_projects"] > 0].merge(
        pd.concat([per_run, members], axis=1), left_on="run", right_index=True
    )
    mismatch = (coop["members_in_projects"] != coop["firms_in_joint_projects"]).sum()
    if mismatch:  # the probe must see the very state the run table reports
        raise RuntimeError(f"{mismatch} runs: probe and run table disagree on project members")
    return coop


def per_tenth(trend: dict) -> dict:
    """A logistic trend on a 0-1 measure scaled per 0.1, as recorded in result.json."""
    return {k: trend[k] for k in ("slope", "ci_low", "ci_high", "z", "p_value", "n", "separated")}


def low_trust_runs(coop: pd.DataFrame) -> dict:
    """Criterion (c)'s numbers: P(sustained) among runs whose group trust is below REAL_TRUST."""
    low = coop[coop["group_trust"] < REAL_TRUST]
    n, met = len(low), int(low["sustained"].sum())
    lower, upper = (float(v) for v in wilson_interval(met, n)) if n else (math.nan, math.nan)
    p = met / n if n else math.nan
    return {"n": n, "sustained": met, "p": p, "lower": lower, "upper": upper}


def verdict(run_trend, project_trend, low):
    """The README's rule: (a), (b) slopes > 0 with p < 0.01; (c) ≥ 20 runs, upper < 0.5."""
    a = bool(run_trend["slope"] > 0 and run_trend["p_value"] < 0.01)
    b = bool(project_trend["slope"] > 0 and project_trend["p_value"] < 0.01)
    c = bool(low["n"] >= MIN_LOW_RUNS and low["upper"] < 0.5)
    met = a + b + c
    return ("holds" if met == 3 else "partly" if met else "does not hold"), a, b, c


def secondary(coop: pd.DataFrame, projects: pd.DataFrame) -> dict:
    """Reported beside the verdict: run-table trust measures, maturing projects, points."""
    sustained = coop["sustained"].astype(int)
    maturing = projects[~projects["operating"]]
    after = mann_whitney(
        coop.loc[coop["sustained"], "trust_in_collective_action_after"],
        coop.loc[~coop["sustained"], "trust_in_collective_action_after"],
    )
    by_point = success_by(coop, ["project_trust_threshold", "initial_trust"], "sustained")
    by_threshold = success_by(coop, "project_trust_threshold", "sustained")
    return {
        "network_cohesion_trend_per_0.1": per_tenth(
            logistic_trend(coop["network_cohesion"] * 10, sustained)
        ),
        "trust_in_collective_action_trend_per_0.1": per_tenth(
            logistic_trend(coop["trust_in_collective_action"] * 10, sustained)
        ),
        "maturing_projects_trend_per_0.1": per_tenth(
            logistic_trend(maturing["group_trust"] * 10, maturing["survived"].astype(int))
        ),
        "project_survival_by_state": success_by(
            projects.assign(state=np.where(projects["operating"], "operating", "maturing")),
            "state",
            "survived",
        ).to_dict(orient="records"),
        "trust_in_collective_action_after_sustained_vs_not": after,
        "sustained_by_threshold": by_threshold.to_dict(orient="records"),
        "post_hoc_project_survival_by_trust_band": success_by(
            projects.assign(
                state=np.where(projects["operating"], "operating", "maturing"),
                band=np.where(projects["group_trust"] < REAL_TRUST, "below 0.4", "0.4 or more"),
            ),
            ["state", "band"],
            "survived",
        ).to_dict(orient="records"),
        "sustained_by_point": by_point.to_dict(orient="records"),
    }


def analyse(runs, experiment):
    """Group trust at project end against survival: runs, operating projects, low-trust runs."""
    found = probe_projects(runs, experiment)
    every = with_group_trust(runs, found)
    coop = every.dropna(subset=["group_trust"])  # runs whose only "project" is one firm: out
    projects = found[found["size"] >= 2]  # groups: a lone member has no mutual trust
    found.to_parquet(experiment.runs_dir.parent / "projects.parquet")  # for inspection (ignored)
    run_trend = logistic_trend(coop["group_trust"] * 10, coop["sustained"].astype(int))
    operating = projects[projects["operating"]]
    project_trend = logistic_trend(operating["group_trust"] * 10, operating["survived"].astype(int))
    low = low_trust_runs(coop)
    rule, a, b, c = verdict(run_trend, project_trend, low)
    share = coop["sustained"].mean()
    result = {
        "lesson": LESSON,
        "test": "logistic regressions (IRLS, Wald) of survival after the 24-month horizon on "
        "the mutual trust within collective projects at project end (per 0.1): runs "
        "(`sustained`) and projects already operating; Wilson interval of P(sustained) for "
        f"runs with group trust < {REAL_TRUST}",
        "statistic": {
            "z_runs": run_trend["z"],
            "z_operating_projects": project_trend["z"],
            "n_runs": len(runs),
            "n_runs_with_cooperation": len(coop),
            "n_runs_left_out_lone_member_only": len(every) - len(coop),
            "n_projects_at_end": len(projects),
            "n_operating_projects": len(operating),
        },
        "effect_size": {
            "runs_log_odds_per_0.1_trust": run_trend["slope"],
            "runs_ci95": [run_trend["ci_low"], run_trend["ci_high"]],
            "projects_log_odds_per_0.1_trust": project_trend["slope"],
            "projects_ci95": [project_trend["ci_low"], project_trend["ci_high"]],
            "p_sustained_low_trust": low["p"],
            "p_sustained_all_cooperating": float(share),
        },
        "p_value": run_trend["p_value"],
        "p_value_operating_projects": project_trend["p_value"],
        "low_trust_runs": low,
        "runs_trend": per_tenth(run_trend),
        "operating_projects_trend": per_tenth(project_trend),
        "group_trust_quantiles": quantiles(coop["group_trust"]),
        "secondary": secondary(coop, projects),
        "summary": summary(coop, run_trend, project_trend, low),
        "criteria": {
            "a_runs_slope_gt_0_p_lt_0.01": a,
            "b_operating_projects_slope_gt_0_p_lt_0.01": b,
            "c_low_trust_n_ge_20_upper_lt_0.5": c,
        },
        "verdict": rule,
    }
    return result, figure(coop, projects, run_trend)


def quantiles(values: pd.Series) -> dict[str, float]:
    """The 5, 25, 50, 75 and 95% quantiles, keyed for JSON."""
    return {f"q{q:.2f}": float(values.quantile(q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}


def summary(coop, run_trend, project_trend, low) -> str:
    """One line of Markdown with the key numbers, for docs/validation.md."""
    return (
        f"P(sustained) {coop['sustained'].mean():.2f} of {len(coop)} runs with cooperation; "
        f"per 0.1 of group trust at end: runs {fmt(run_trend)}, operating projects "
        f"{fmt(project_trend)}; group trust < {REAL_TRUST}: {low['sustained']}/{low['n']} "
        f"sustained (upper {low['upper']:.2f})"
    )


def fmt(trend: dict) -> str:
    """A slope with its interval and p-value, short."""
    return (
        f"{trend['slope']:+.2f} log-odds [{trend['ci_low']:.2f}, {trend['ci_high']:.2f}], "
        f"p = {trend['p_value']:.1g}"
    )


def binned(x: pd.Series, y: pd.Series) -> pd.DataFrame:
    """P(y) with Wilson intervals in bins of x (bins with at least 5 values)."""
    table = pd.DataFrame({"bin": pd.cut(x, BINS), "y": y.astype(int)})
    table = table.groupby("bin", observed=True)["y"].agg(n="count", met="sum").reset_index()
    table = table[table["n"] >= 5].copy()
    table["x"] = [b.mid for b in table["bin"]]
    table["p"] = table["met"] / table["n"]
    table["lower"], table["upper"] = wilson_interval(table["met"], table["n"])
    return table


def draw_binned(ax, table: pd.DataFrame, colour: str, label: str, offset: float = 0.0) -> None:
    """Binned probabilities with Wilson bars."""
    p = table["p"]
    ax.errorbar(
        table["x"] + offset,
        p,
        yerr=[p - table["lower"], table["upper"] - p],
        marker="o",
        capsize=3,
        color=colour,
        label=label,
    )


def figure(coop: pd.DataFrame, projects: pd.DataFrame, run_trend: dict):
    """Left: runs' P(sustained) by group trust; right: projects' survival by trust and state."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    draw_binned(left, binned(coop["group_trust"], coop["sustained"]), OKABE_ITO["blue"], "runs")
    if math.isfinite(run_trend["slope"]):
        x = np.linspace(coop["group_trust"].min(), coop["group_trust"].max(), 100)
        fit = 1 / (1 + np.exp(-(run_trend["intercept"] + run_trend["slope"] * 10 * x)))
        left.plot(x, fit, color=OKABE_ITO["sky_blue"], label="logistic fit")
    left.axvline(REAL_TRUST, color=OKABE_ITO["vermillion"], linestyle="--", label="trust 0.4")
    left.set_xlabel("mutual trust within collective projects at project end")
    left.set_ylabel("share surviving the 24 months after the agency leaves")
    left.set_title("Runs: cooperation sustained (Wilson 95%)")
    left.set_ylim(0, 1.02)
    left.legend(fontsize=8)
    for state, colour, offset in (("operating", "bluish_green", -0.01), ("maturing", "orange", 0)):
        subset = projects[projects["operating"] == (state == "operating")]
        table = binned(subset["group_trust"], subset["survived"])
        draw_binned(right, table, OKABE_ITO[colour], f"{state} at project end", offset)
    right.axvline(REAL_TRUST, color=OKABE_ITO["vermillion"], linestyle="--")
    right.set_xlabel("the project's mutual trust at project end")
    right.set_title("Projects: still under way at the horizon's end")
    right.legend(fontsize=8)
    fig.suptitle("Lesson: cooperation without enough trust does not survive the end of the project")
    return fig


if __name__ == "__main__":
    experiment_main(HERE, analyse)
