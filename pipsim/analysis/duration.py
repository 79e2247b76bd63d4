"""How long must the project be? The shortest length meeting the log frame with a given probability.

A designer asks it with a target probability (say 0.8) in mind. The answer is read from a
sweep over ``project_months`` only (any other axis single-valued): the share of runs meeting
every log frame target at each swept length, with Wilson 95% intervals, and the shortest
swept length whose estimated probability reaches the target. That length is itself uncertain
(a few runs more or less and it moves), so its 95% interval comes from a bootstrap over the
runs, in which a resample where no swept length reaches the target counts as *beyond the
range*: the interval may honestly read "48 to beyond 84 months".

Everything here is a function of the run table (`pipsim.sweep.results.load_runs`); running
the sweep, and the adaptive rounds of ``pipsim duration --adaptive``, are in
`pipsim.cli.duration`. `figure` draws the answer (Okabe-Ito, no pyplot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipsim.analysis import stats, uncertainty
from pipsim.plots.style import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pipsim.sweep.design import Scenario

AXIS = "project_months"
COMMON_LENGTHS = (22, 30, 36, 48, 60)  # what programmes commonly run, in months
DRAWS = 1000  # bootstrap resamples
TIE = 1e-9  # a probability within this of the target reaches it


class DurationError(ValueError):
    """The scenario cannot answer the question (it does not sweep project length alone)."""


def check_design(scenario: Scenario) -> None:
    """Raise `DurationError` unless ``scenario`` varies ``project_months`` and nothing else.

    Other axes must be single-valued: one answer per command is what a designer attaches to a
    project document; a factorial is `pipsim run`'s job.
    """
    where = scenario.source
    lengths = scenario.sweep.get(AXIS, ())
    if len(lengths) < 2:
        raise DurationError(
            f"{where}: sweep.{AXIS}: duration needs project_months swept over at least two "
            "lengths, e.g. [sweep] project_months = [22, 36, 48, 60]"
        )
    for key, values in scenario.sweep.items():
        if key != AXIS and len(values) > 1:
            raise DurationError(
                f"{where}: sweep.{key} has {len(values)} values: duration varies project_months "
                f"only; give {key} one value (or compare with 'pipsim run')"
            )
    if scenario.sample:
        raise DurationError(
            f"{where}: [sample]: duration varies project_months only; remove [sample] "
            "(or compare with 'pipsim run')"
        )


def success_by_length(runs: pd.DataFrame) -> pd.DataFrame:
    """Per swept length: runs, successes, probability of success and its Wilson 95% interval.

    Runs drawn across an ensemble (a ``member`` column) also get ``parameters_lower`` and
    ``parameters_upper``, the interval with what we do not know about the parameters, and
    their runs interval allows for runs of one member being alike (`uncertainty.split`).
    """
    table = (
        runs.groupby(AXIS)["success"]
        .agg(runs="count", successes="sum")
        .reset_index()
        .sort_values(AXIS, ignore_index=True)
    )
    table["successes"] = table["successes"].astype(int)
    table["probability"] = table["successes"] / table["runs"]
    table["lower"], table["upper"] = stats.wilson_interval(table["successes"], table["runs"])
    if "member" in runs.columns:
        splits = [uncertainty.split(runs[runs[AXIS] == m]) for m in table[AXIS]]
        table["lower"] = [s.runs[0] for s in splits]
        table["upper"] = [s.runs[1] for s in splits]
        table["parameters_lower"] = [s.parameters[0] if s.parameters else np.nan for s in splits]
        table["parameters_upper"] = [s.parameters[1] if s.parameters else np.nan for s in splits]
    return table


def shortest_length(lengths: np.ndarray, probabilities: np.ndarray, target: float) -> np.ndarray:
    """The shortest length whose probability reaches ``target``, per row; inf where none does.

    ``probabilities`` has one column per length (sorted ascending) and one row per estimate
    (a 1-d array is one estimate). It is the *first* length reaching the target, even if a
    longer one dips below it again (that dip is noise in a model where time only helps).
    """
    lengths = np.asarray(lengths, float)
    p = np.atleast_2d(np.asarray(probabilities, float))
    reached = p >= target - TIE
    first = np.where(reached.any(axis=1), lengths[reached.argmax(axis=1)], np.inf)
    return first if np.ndim(probabilities) > 1 else first[:1]


def bootstrap(table: pd.DataFrame, target: float, draws: int, seed: int) -> np.ndarray:
    """The shortest length in ``draws`` resamples of the runs (inf: not reached in the range).

    The runs of each length are resampled with replacement, independently per length. For a
    yes/no outcome the number of successes in such a resample is Binomial(n, successes / n),
    so that is drawn directly: the same distribution, without materialising the resamples.
    """
    rng = np.random.default_rng(seed)
    n = table["runs"].to_numpy()
    hits = rng.binomial(n, table["probability"].to_numpy(), size=(draws, len(n)))
    return shortest_length(table[AXIS].to_numpy(), hits / n, target)


def cluster_bootstrap(runs: pd.DataFrame, target: float, draws: int, seed: int) -> np.ndarray:
    """`bootstrap` for runs drawn across an ensemble: whole members resampled, not runs.

    A block of replicates (its first replicate, ``replicate - place``) holds one member at
    every length (`pipsim.sweep.design.member_of`), so blocks are resampled with replacement,
    the same blocks at every length: the shortest length moves as much as having drawn other
    members and other runs would move it.
    """
    first = runs["replicate"] - runs["place"]
    cells = runs.assign(first=first).pivot_table(
        index="first", columns=AXIS, values="success", aggfunc=["sum", "count"], fill_value=0
    )
    hits, sizes = cells["sum"].to_numpy(float), cells["count"].to_numpy(float)
    pick = np.random.default_rng(seed).integers(0, len(hits), size=(draws, len(hits)))
    n = sizes[pick].sum(axis=1)
    share = np.divide(hits[pick].sum(axis=1), n, out=np.zeros_like(n), where=n > 0)
    return shortest_length(cells["sum"].columns.to_numpy(float), share, target)


@dataclass(frozen=True)
class Duration:
    """The answer: the table per swept length, the shortest length and its bootstrap interval."""

    target: float
    table: pd.DataFrame  # per swept length (`success_by_length`)
    shortest: float  # inf: no swept length reaches the target
    interval: tuple[float, float]  # bootstrap 2.5% and 97.5% quantiles; inf: beyond the range
    not_reached: float  # share of the resamples in which no swept length reaches the target
    draws: int

    def lengths_table(self, common: tuple[int, ...] = COMMON_LENGTHS) -> pd.DataFrame:
        """The swept lengths and the common ones, for ``duration.csv``.

        A common length that was not swept is interpolated linearly between the two swept
        lengths around it (probability and interval bounds; monotone between them), and
        marked ``interpolated``; outside the swept range it is ``not swept`` (no values).
        """
        t = self.table.assign(source="swept").astype({"runs": "Int64", "successes": "Int64"})
        x = t[AXIS].to_numpy(float)
        extra = []
        for length in sorted(set(common) - set(t[AXIS])):
            inside = x[0] < length < x[-1]
            row: dict[str, object] = {AXIS: length}
            row["source"] = "interpolated" if inside else "not swept"
            for col in ("probability", "lower", "upper", "parameters_lower", "parameters_upper"):
                if col not in t.columns:
                    continue
                row[col] = np.interp(length, x, t[col].to_numpy()) if inside else np.nan
            extra.append(row)
        rows = pd.concat([t, pd.DataFrame(extra)], ignore_index=True) if extra else t
        rows = rows.sort_values(AXIS, ignore_index=True)
        rows["common"] = rows[AXIS].isin(common)
        rows["reaches_target"] = (rows["probability"] >= self.target - TIE).where(
            rows["probability"].notna()
        )
        rows["shortest"] = (rows["source"] == "swept") & (rows[AXIS] == self.shortest)
        order = [AXIS, "source", "runs", "successes", "probability", "lower", "upper"]
        order += [c for c in ("parameters_lower", "parameters_upper") if c in rows.columns]
        return rows[[*order, "reaches_target", "shortest", "common"]]

    def shortest_sentence(self) -> str:
        """The shortest length in one sentence: "... reaching 80% is 60 months (48–72)."."""
        t, want = self.table, f"{self.target:.0%}"
        if not np.isfinite(self.shortest):
            best = t.loc[t["probability"].idxmax()]
            return (
                f"No length up to {t[AXIS].iloc[-1]:g} months reaches {want}: the highest "
                f"chance is {best.probability:.0%} at {best[AXIS]:g} months."
            )
        low, high = self.interval
        if np.isinf(high):
            where = f"{low:g} to beyond {t[AXIS].iloc[-1]:g}"
        else:
            where = f"{low:g}–{high:g}"
        return (
            f"The shortest length reaching {want} is {self.shortest:g} months "
            f"(95% interval {where})."
        )

    def answer(self) -> str:
        """The answer in plain words, with its uncertainty."""
        t, target = self.table, f"{self.target:g}"
        low, high = f"{t[AXIS].iloc[0]:g}", f"{t[AXIS].iloc[-1]:g}"
        if np.isfinite(self.shortest):
            row = t[t[AXIS] == self.shortest].iloc[0]
            text = (
                f"The shortest swept length reaching P = {target} is {self.shortest:g} months: "
                f"P = {_p(row)}, {int(row.runs)} runs."
            )
        else:
            best = t.loc[t["probability"].idxmax()]
            text = (
                f"No length between {low} and {high} months reaches P = {target}; the highest "
                f"is P = {_p(best)} at {best[AXIS]:g} months."
            )
        span = _span(self.interval, t[AXIS].iloc[-1])
        share = "<1%" if 0 < self.not_reached < 0.005 else f"{self.not_reached:.0%}"
        missed = (
            f"; in {share} of them no length up to {high} months reached the target, counted "
            "as beyond the range"
            if self.not_reached
            else ""
        )
        what = "blocks of runs, one parameter set each" if self.drawn else "the runs"
        return (
            f"{text}\nBootstrap 95% interval for the shortest length: {span} "
            f"({self.draws} resamples of {what}{missed})."
        )

    @property
    def drawn(self) -> bool:
        """Whether the runs were drawn across an ensemble of parameter sets."""
        return "parameters_lower" in self.table.columns


def analyse(runs: pd.DataFrame, target: float, draws: int = DRAWS, seed: int = 0) -> Duration:
    """The answer for ``target`` from a run table with ``project_months`` and ``success``."""
    table = success_by_length(runs)
    shortest = float(shortest_length(table[AXIS].to_numpy(), table["probability"], target)[0])
    if "member" in runs.columns:
        sample = cluster_bootstrap(runs, target, draws, seed)
    else:
        sample = bootstrap(table, target, draws, seed)
    low, high = np.quantile(sample, [0.025, 0.975], method="inverted_cdf")
    return Duration(
        target, table, shortest, (float(low), float(high)), float(np.isinf(sample).mean()), draws
    )


def replications_needed(table: pd.DataFrame, tolerance: float, block: int, most: int) -> int:
    """Replications per length for every Wilson half-width ≤ ``tolerance``: whole blocks.

    From the current estimates, the smallest multiple of ``block`` at which each point's
    half-width would be within ``tolerance`` (at least one block more than now when any is
    wider), capped at ``most``; the current count when all are narrow enough.
    """
    have = int(table["runs"].min())
    if ((table["upper"] - table["lower"]) / 2).max() <= tolerance:
        return have
    cap = max(have, most // block * block)
    for n in range(have + block, cap + 1, block):
        lower, upper = stats.wilson_interval(table["probability"] * n, n)
        if ((upper - lower) / 2).max() <= tolerance:
            return n
    return cap


def figure(d: Duration, asked: float | None = None) -> Figure:
    """Probability against length with its Wilson band, the target, and the shortest length.

    ``asked``: the length the designer asked about, marked as on every figure over length.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    from pipsim.plots.sweep import mark_asked

    t = d.table
    x = t[AXIS].to_numpy(float)
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.subplots()
    black, blue = OKABE_ITO["black"], OKABE_ITO["blue"]
    ax.fill_between(
        x,
        t["lower"],
        t["upper"],
        color=black,
        alpha=0.12,
        lw=0,
        label="95% interval from the runs" if d.drawn else "95% interval (Wilson)",
    )
    if "parameters_lower" in t.columns:  # drawn across an ensemble
        ax.fill_between(
            x,
            t["parameters_lower"],
            t["parameters_upper"],
            color=OKABE_ITO["orange"],
            alpha=0.18,
            lw=0,
            label="with what we do not know about the parameters (5–95%)",
        )
    ax.plot(x, t["probability"], "-o", color=black, lw=2, ms=4, label="all log frame targets met")
    ax.axhline(
        d.target, color=OKABE_ITO["vermillion"], ls="--", lw=1.5, label=f"target: P = {d.target:g}"
    )
    low, high = d.interval
    if np.isfinite(low):  # the bootstrap interval; an arrow where it runs beyond the range
        end = min(high, x[-1] + 0.04 * (x[-1] - x[0]))
        style = "|-|" if np.isfinite(high) else "-|>"
        props = {"arrowstyle": style, "color": blue, "lw": 2, "shrinkA": 0, "shrinkB": 0}
        ax.annotate("", (end, d.target), (low, d.target), arrowprops=props)
        ax.plot([low], [d.target], "|", color=blue, ms=12, mew=2)
        label = f"shortest length, bootstrap 95% interval: {_span(d.interval, x[-1])}"
        ax.plot([], [], color=blue, lw=2, label=label)
    if np.isfinite(d.shortest):
        ax.axvline(
            d.shortest,
            color=blue,
            ls=":",
            lw=1.5,
            label=f"shortest length reaching it: {d.shortest:g} months",
        )
    else:
        ax.text(
            0.02,
            0.95,
            f"no swept length reaches P = {d.target:g}",
            transform=ax.transAxes,
            va="top",
            color=blue,
        )
    if asked is not None:
        mark_asked(ax, asked, asked)
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.set_ylim(-0.03, 1.03)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("project length (months with the executing agency)")
    ax.set_ylabel("chance of meeting every log frame target")
    n = t["runs"]
    runs = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    ax.set_title(
        f"How long must the project be to meet the log frame with {d.target:.0%} "
        f"probability?\n{runs} runs per length",
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def _p(row: pd.Series) -> str:
    """A length's chance in words; across an ensemble, with both of its uncertainties."""
    if np.isfinite(row.get("parameters_lower", np.nan)):
        both = (float(row.parameters_lower), float(row.parameters_upper))
        split = uncertainty.Split(row.probability, (row.lower, row.upper), both, 0, row.runs)
        return split.sentence().removeprefix("P = ")
    return f"{row.probability:.2f} (95% interval {row.lower:.2f}–{row.upper:.2f})"


def _span(interval: tuple[float, float], last: float) -> str:
    """A bootstrap interval in words; inf (not reached) is beyond the ``last`` swept length."""
    low, high = interval
    if np.isinf(low):
        return f"beyond {last:g} months"
    if np.isinf(high):
        return f"{low:g} months or beyond" if low == last else f"{low:g} to beyond {last:g} months"
    return f"{low:g} months" if low == high else f"{low:g}–{high:g} months"
