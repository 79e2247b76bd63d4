"""Experiment 04: do pilots start at low trust and open the way to collective projects?

Run: ``python experiments/04_pilots_open_the_way/run.py [--replications N] [--workers N]``
(or ``pipsim validate --only 04``). Writes ``result.json`` and ``figure.png`` beside this file.
Besides the sweep's run table, a probe replays every pilots-on run (same seed, same run) month
by month until its first collective project forms, recording which pairs of firms succeeded
in a pilot together. The verdict rule is the one stated in README.md, fixed before the first run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from pipsim.model import PIPModel
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import design
from pipsim.validation import experiment_main, mann_whitney, probe_runs, success_by

HERE = Path(__file__).resolve().parent
LESSON = "Pilots can start at low trust and open the way to riskier collective projects"
LOW, DEFAULT = 0.05, 0.2  # initial trust levels of the sweep
SHORT, LONG = 36, 60  # project lengths of the sweep


def upper_pairs(mask: np.ndarray, members: np.ndarray) -> float:
    """Share of the unordered pairs of ``members`` for which ``mask`` is True (nan if < 2)."""
    if len(members) < 2:
        return float("nan")
    block = mask[np.ix_(members, members)]
    return float(block[np.triu_indices(len(members), 1)].mean())


def pilots_that_succeeded(model: PIPModel, pilots: list, record: np.ndarray) -> list[np.ndarray]:
    """Members of the pilots in ``pilots`` that ended this month with success.

    A firm is in at most one pilot at a time and only a pilot's success raises its members'
    track record, so a pilot that left the model while its members' record rose succeeded.
    """
    alive = {id(v) for v in model.ventures}
    return [
        v.members
        for v in pilots
        if id(v) not in alive
        and len(v.members) > 1
        and model.track_record[v.members[0]] > record[v.members[0]]
    ]


def probe(run: design.Run) -> dict:
    """Step one run until its first collective project: who in it had piloted together?

    Compares the first project's member pairs with every pair of firms eligible for a project
    that month (participating, not in a project, with a successful pilot): the share of pairs
    that had succeeded in a pilot together, in each. The model is only read, never changed.
    """
    model = PIPModel(rng=run.seed, **run.overrides)
    shared = np.zeros((model.n, model.n), dtype=bool)
    row = {"seed": run.seed, **run.overrides, "formed": False}
    while model.running and model.steps < model.p.project_months:
        pilots = [v for v in model.ventures if v.kind == "pilot"]
        record = model.track_record.copy()
        eligible = np.flatnonzero(
            model.participating() & (model.project_of < 0) & (model.track_record > 0)
        )
        model.step()
        if model.first_project_month is not None:
            return {**row, **first_project(model, shared, eligible)}
        for members in pilots_that_succeeded(model, pilots, record):
            shared[np.ix_(members, members)] = True
    return row


def first_project(model: PIPModel, shared: np.ndarray, eligible: np.ndarray) -> dict:
    """The first project's shared-pilot share, the eligible pairs' share and its members' trust."""
    formed = [v for v in model.ventures if v.kind == "project" and v.start == model.steps]
    members = formed[0].members if formed else np.array([], dtype=int)
    block = model.trust[np.ix_(members, members)]
    k = len(members)
    return {
        "formed": True,
        "month": model.steps,
        "size": k,
        "share_project": upper_pairs(shared, members),
        "share_eligible": upper_pairs(shared, eligible),
        "member_trust": float((block.sum() - np.trace(block)) / (k * (k - 1))) if k > 1 else np.nan,
    }


def run_probes(experiment) -> pd.DataFrame:
    """The probe over every pilots-on run of the experiment, on its workers."""
    return pd.DataFrame(probe_runs(experiment, probe, lambda run: run.overrides["pilots"]))


def censored_months(runs: pd.DataFrame) -> pd.Series:
    """Months to the first joint project; a run without one gets project_months + 1."""
    return runs["months_to_first_joint_project"].fillna(runs["project_months"] + 1)


def point_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per point: pilots paying, projects forming (Wilson), months to the first, P(success)."""
    runs = runs.assign(
        piloted=runs["pilots_succeeded"] > 0,
        formed=runs["projects_run"] > 0,
        pilot_share=runs["pilots_succeeded"] / (runs["pilots_succeeded"] + runs["pilots_failed"]),
        first=censored_months(runs),
    )
    keys = ["pilots", "initial_trust", "project_months"]
    formed = success_by(runs, keys, "formed")
    rest = runs.groupby(keys).agg(
        p_piloted=("piloted", "mean"),
        median_pilot_share=("pilot_share", "median"),
        median_first=("first", "median"),
        mean_firms_in_projects=("firms_in_joint_projects", "mean"),
        p_success=("success", "mean"),
    )
    table = formed.rename(columns={"p": "p_formed", "met": "formed"}).merge(
        rest.reset_index(), on=keys
    )
    late = table["median_first"] > table["project_months"]
    table["median_first"] = table["median_first"].where(~late)  # NaN: more than half censored
    return table


def contrasts(runs: pd.DataFrame) -> list[dict]:
    """Mann–Whitney tests: pilots on vs off, and trust 0.05 vs 0.2 with pilots on, per length."""
    rows = []
    for months in (SHORT, LONG):
        at = runs[runs["project_months"] == months]
        for trust in (LOW, DEFAULT):
            arm = at[at["initial_trust"] == trust]
            on, off = arm[arm["pilots"]], arm[~arm["pilots"]]
            for outcome in ("firms_in_joint_projects", "projects_run"):
                test = _test(f"on vs off, {outcome}", trust, months, on[outcome], off[outcome])
                rows.append(test)
            rows.append(
                _test("on vs off, months to first", trust, months, *map(censored_months, (on, off)))
            )
        on = at[at["pilots"]]
        low, high = (censored_months(on[on["initial_trust"] == t]) for t in (LOW, DEFAULT))
        rows.append(_test("0.05 vs 0.2 (pilots on), months to first", None, months, low, high))
    return rows


def _test(name: str, trust, months: int, a: pd.Series, b: pd.Series) -> dict:
    """One Mann–Whitney row: what was compared, p, effect size, medians and sizes."""
    test = mann_whitney(a, b)
    keep = ("p_value", "rank_biserial", "median_a", "median_b", "n_a", "n_b")
    return {"test": name, "initial_trust": trust, "project_months": months} | {
        k: test[k] for k in keep
    }


def riskier(runs: pd.DataFrame) -> dict:
    """Failure shares of pilots and of collective projects, pilots-on runs pooled."""
    on = runs[runs["pilots"]]
    pilots = on["pilots_failed"].sum() / (on["pilots_failed"] + on["pilots_succeeded"]).sum()
    ended = (on["projects_failed"] + on["projects_succeeded"]).sum()
    return {
        "pilot_failure_share": float(pilots),
        "project_failure_share": float(on["projects_failed"].sum() / ended) if ended else None,
    }


def ties_test(probes: pd.DataFrame) -> dict:
    """Wilcoxon signed-rank of (project pairs − eligible pairs) that had piloted together."""
    formed = probes[probes["formed"]].dropna(subset=["share_project", "share_eligible"])
    diff = formed["share_project"] - formed["share_eligible"]
    test = stats.wilcoxon(diff) if (diff != 0).any() else None
    return {
        "n_runs": len(diff),
        "median_share_project": float(formed["share_project"].median()),
        "median_share_eligible": float(formed["share_eligible"].median()),
        "median_difference": float(diff.median()),
        "mean_difference": float(diff.mean()),
        "w": float(test.statistic) if test else np.nan,
        "p_value": float(test.pvalue) if test else np.nan,
        "median_member_trust_at_formation": float(formed["member_trust"].median()),
        "median_first_project_size": float(formed["size"].median()),
        "median_first_project_month": float(formed["month"].median()),
    }


def verdict(table: pd.DataFrame, ties: dict) -> tuple[str, dict]:
    """The README's rule: (a) pilots pay at 0.05, (b) projects form by 60 months, (c) ties."""
    on = table[table["pilots"]]
    low = on[(on["initial_trust"] == LOW) & (on["project_months"] == SHORT)].iloc[0]
    a = bool(low["p_piloted"] >= 0.9 and low["median_pilot_share"] >= 0.5)
    b = bool((on.loc[on["project_months"] == LONG, "p_formed"] >= 0.5).all())
    c = bool(ties["median_difference"] > 0 and ties["p_value"] < 0.01)
    met = a + b + c
    rule = "holds" if met == 3 else "partly" if met == 2 else "does not hold"
    return rule, {
        "a_pilots_pay_at_0.05": a,
        "b_projects_form_by_60_months_in_half": b,
        "c_projects_along_pilot_ties": c,
    }


def analyse(runs, experiment):
    """Tables, tests, the probe of the pilots' ties, the verdict and the figure."""
    table = point_table(runs)
    probes = run_probes(experiment)
    ties = ties_test(probes)
    rule, criteria = verdict(table, ties)
    tests = contrasts(runs)
    result = {
        "lesson": LESSON,
        "test": "share of runs with a successful pilot and a collective project (Wilson); "
        "Mann–Whitney pilots on vs off and 0.05 vs 0.2 (months to first project censored at "
        "project end + 1); Wilcoxon signed-rank of the first project's pairs that had piloted "
        "together minus the eligible pairs' share",
        "statistic": {"wilcoxon_w": ties["w"], "n_runs_with_project": ties["n_runs"]},
        "effect_size": {
            "median_share_of_project_pairs_that_piloted_together": ties["median_share_project"],
            "median_share_of_eligible_pairs_that_piloted_together": ties["median_share_eligible"],
            "median_difference": ties["median_difference"],
            **riskier(runs),
        },
        "p_value": ties["p_value"],
        "summary": summary(table, ties),
        "points": table.to_dict(orient="records"),
        "mann_whitney": tests,
        "pilot_ties": ties,
        "criteria": criteria,
        "verdict": rule,
    }
    return result, figure(runs, table, probes)


def summary(table: pd.DataFrame, ties: dict) -> str:
    """One line of Markdown with the key numbers."""
    on = table[table["pilots"]].set_index(["initial_trust", "project_months"])
    off = table[~table["pilots"]]["p_formed"].max()
    formed = ", ".join(
        f"{t:g}: {on.loc[(t, SHORT), 'p_formed']:.2f} / {on.loc[(t, LONG), 'p_formed']:.2f}"
        for t in (LOW, DEFAULT)
    )
    low = on.loc[(LOW, SHORT)]
    return (
        f"at trust 0.05 a pilot paid in {low['p_piloted']:.0%} of runs (median success share "
        f"{low['median_pilot_share']:.2f}); P(a project by 36 / 60 months), pilots on — "
        f"{formed}; off: {off:.2f}; first-project pairs that had piloted together "
        f"{ties['median_share_project']:.2f} vs {ties['median_share_eligible']:.2f} of eligible "
        f"pairs (Wilcoxon p = {ties['p_value']:.1g})"
    )


def figure(runs: pd.DataFrame, table: pd.DataFrame, probes: pd.DataFrame) -> Figure:
    """Pilots' pay-off, the way to projects month by month, and the pilots' ties in projects."""
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    _formed_panel(left, table)
    _first_project_panel(middle, runs)
    _ties_panel(right, probes)
    fig.suptitle(
        "Lesson: pilots can start at low trust and open the way to collective projects "
        "(cluster defaults)"
    )
    return fig


STYLES = {
    (LOW, SHORT): (OKABE_ITO["vermillion"], "--"),
    (LOW, LONG): (OKABE_ITO["vermillion"], "-"),
    (DEFAULT, SHORT): (OKABE_ITO["blue"], "--"),
    (DEFAULT, LONG): (OKABE_ITO["blue"], "-"),
}


def _formed_panel(ax, table: pd.DataFrame) -> None:
    labels, x = [], 0
    for (trust, months), (colour, _) in STYLES.items():
        for pilots, hatch in ((False, "//"), (True, "")):
            row = table[
                (table["pilots"] == pilots)
                & (table["initial_trust"] == trust)
                & (table["project_months"] == months)
            ].iloc[0]
            err = [[row["p_formed"] - row["lower"]], [row["upper"] - row["p_formed"]]]
            ax.bar(x, row["p_formed"], color=colour, alpha=0.35 if not pilots else 0.85)
            ax.bar(x, row["p_formed"], fill=False, hatch=hatch, edgecolor=colour)
            ax.errorbar(x, row["p_formed"], yerr=err, color=OKABE_ITO["black"], capsize=3)
            labels.append(f"{'on' if pilots else 'off'}\n{trust:g}\n{months} m")
            x += 1
    ax.set_xticks(range(x), labels, fontsize=7)
    ax.set_xlabel("pilots, initial trust, project length")
    ax.axhline(0.5, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of runs forming a collective project")
    ax.set_title("Pilots off / on × initial trust × length\n(Wilson 95%; off: no track record)")


def _first_project_panel(ax, runs: pd.DataFrame) -> None:
    on = runs[runs["pilots"]]
    for (trust, months), (colour, style) in STYLES.items():
        arm = on[(on["initial_trust"] == trust) & (on["project_months"] == months)]
        t = np.arange(0, months + 1)
        first = arm["months_to_first_joint_project"].to_numpy()
        share = [(first <= m).mean() for m in t]  # NaN (none) compares False: not yet
        ax.step(
            t,
            share,
            where="post",
            color=colour,
            linestyle=style,
            label=f"trust {trust:g}, {months} months",
        )
    ax.set_xlabel("month of the project")
    ax.set_ylabel("share of runs with a collective project so far")
    ax.set_ylim(0, 1)
    ax.set_title("Pilots on: first collective project\n(pilots off: none, ever)")
    ax.legend(fontsize=8, loc="lower right")


def _ties_panel(ax, probes: pd.DataFrame) -> None:
    formed = probes[probes["formed"]].dropna(subset=["share_project", "share_eligible"])
    ax.boxplot(
        [formed["share_eligible"], formed["share_project"]],
        tick_labels=["all eligible pairs", "first project's pairs"],
    )
    ax.set_ylabel("share of pairs that had succeeded in a pilot together")
    ax.set_ylim(0, 1)
    ax.set_title(f"Do projects form along pilot ties?\n({len(formed)} runs with a project)")


if __name__ == "__main__":
    experiment_main(HERE, analyse)
