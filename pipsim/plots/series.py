"""Figures of a sweep's monthly series: envelopes (median and 5–95% band) per group of runs.

A sweep that keeps monthly series holds hundreds of runs per design point; a line each would
be a tangle. An envelope per group says what a typical run does (the median) and how far runs
stray (5% to 95% of runs, month by month). It takes the series table with a ``group`` column
(`pipsim.analysis.summary.envelope_groups` makes it) and returns the Figure it drew, on
`matplotlib.figure.Figure` (no pyplot), in the Okabe-Ito palette.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from pipsim.outcome_declarations import outcome
from pipsim.plots.style import MONTHS_LABEL, OKABE_ITO

# What the envelopes show: trust where it forms, its strong ties, who takes part, who works.
SERIES = ("trust_partners", "strong_ties", "participants", "firms_in_joint_projects")
COLOURS = tuple(OKABE_ITO[c] for c in ("blue", "orange", "bluish_green", "vermillion"))
COLOURS += tuple(OKABE_ITO[c] for c in ("reddish_purple", "sky_blue", "black", "yellow"))


def envelope(series: pd.DataFrame, name: str) -> pd.DataFrame:
    """Per group and month: the median of ``name`` and its 5% and 95% quantiles over runs."""
    grouped = series.groupby(["group", "month"], sort=False)[name]
    table = grouped.quantile([0.05, 0.5, 0.95]).unstack()
    table.columns = ["q05", "median", "q95"]
    return table.reset_index()


def envelopes(series: pd.DataFrame, title: str) -> Figure:
    """The four key series as envelopes, one colour per group, in a 2 × 2 grid."""
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    groups = list(dict.fromkeys(series["group"]))
    for ax, name in zip(axes, SERIES, strict=True):
        if name not in series.columns:
            ax.set_visible(False)
            continue
        table = envelope(series, name)
        for k, group in enumerate(groups):
            rows = table[table["group"] == group].sort_values("month")
            colour = COLOURS[k % len(COLOURS)]
            ax.fill_between(rows["month"], rows["q05"], rows["q95"], color=colour, alpha=0.15)
            ax.plot(rows["month"], rows["median"], color=colour, lw=1.8, label=str(group))
        ax.set_ylabel(outcome(name).label.replace(" at project end", ""))
        ax.grid(alpha=0.3)
    for ax in axes[2:]:
        ax.set_xlabel(MONTHS_LABEL)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize=8)
    runs = series.groupby("group")["run"].nunique()
    count = f"{runs.min()}" if runs.min() == runs.max() else f"{runs.min()}–{runs.max()}"
    fig.suptitle(
        f"{title}\nline: median run; band: 5% to 95% of runs, month by month; "
        f"{count} runs per group",
        fontsize=11,
    )
    return fig
