"""Figures of one run's monthly series: trust and participation over the months.

This module owns how pipsim draws a run. Every function takes data (the monthly series, a
DataFrame as ``model.datacollector.get_model_vars_dataframe()`` returns it) and an optional
matplotlib Axes to draw on, and returns the Axes or Figure it drew, in the shared look of
`pipsim.plots.style` (no pyplot, the Okabe-Ito palette).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from pipsim.plots.style import MONTHS_LABEL, OKABE_ITO
from pipsim.rules.measures import STRONG_TIE

# (column of the monthly series, legend label, colour, line style)
# Trust among partners first: the all-pairs mean dilutes trust where it forms (kept to compare).
TRUST_LINES = (
    ("trust_partners", "trust among partners (pairs who worked together)", OKABE_ITO["blue"], "-"),
    ("mean_trust", "firm–firm trust, all pairs (mean)", OKABE_ITO["sky_blue"], "-"),
    ("trust_in_agency", "trust in the executing agency", OKABE_ITO["orange"], "--"),
    ("trust_in_public", "trust in the public sector", OKABE_ITO["bluish_green"], "-."),
    ("trust_in_collective_action", "trust in collective action", OKABE_ITO["reddish_purple"], ":"),
)
STRONG_TIES = (
    "strong_ties",
    f"strong ties (pairs at mutual trust ≥ {STRONG_TIE:g}, right axis)",
    "#bbbbbb",
)
PARTICIPATION_LINES = (
    ("participants", "participants", OKABE_ITO["blue"], "-"),
    ("firms_in_joint_projects", "firms in joint projects", OKABE_ITO["bluish_green"], "--"),
    ("dropouts", "firms out of the project now (some return)", OKABE_ITO["vermillion"], ":"),
)


def plot_trust(series: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Draw the four kinds of trust over the months, among the participating firms.

    Args:
        series: the monthly series of one run (columns as in `pipsim.outcomes.REPORTERS`).
        ax: the Axes to draw on; a new Figure is made if omitted.

    Returns:
        The Axes drawn on.
    """
    ax = _draw_lines(series, TRUST_LINES, ax)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("trust (0–1)")
    ax.set_title("Does trust grow during the project, and does it last after it?")
    if STRONG_TIES[0] in series:
        draw_strong_ties(ax, series)
    return ax


def draw_strong_ties(ax: Axes, series: pd.DataFrame, right_axis: bool = True) -> Axes:
    """Shade the number of strong ties behind ``ax``'s curves, scaled to the panel's height.

    How many pairs trust each other strongly is where a room sees trust form: it starts near 0
    and grows with joint work, while the means move slowly. The shading sits above the phase
    shading and below the curves; with ``right_axis`` a second axis at the right reads it in
    pairs. Returns ``ax``.
    """
    column, label, colour = STRONG_TIES
    months = series["month"] if "month" in series else series.index
    bottom, top = ax.get_ylim()
    scale = max(1.0, float(series[column].max())) * 1.1 / (top - bottom)
    ax.fill_between(
        months,
        bottom + series[column] / scale,
        bottom,
        step="mid",
        color=colour,
        alpha=0.45,
        linewidth=0,
        zorder=0.5,
        label=label,
    )
    if right_axis:

        def to_pairs(y: ArrayLike) -> ArrayLike:
            return (np.asarray(y) - bottom) * scale

        def to_trust(t: ArrayLike) -> ArrayLike:
            return bottom + np.asarray(t) / scale

        pairs = ax.secondary_yaxis("right", functions=(to_pairs, to_trust))
        pairs.set_ylabel("strong ties (pairs)", color="#777777")
        pairs.tick_params(axis="y", colors="#777777")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
    return ax


def plot_participation(series: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Draw participants, firms in joint projects and dropouts over the months.

    Args:
        series: the monthly series of one run (columns as in `pipsim.outcomes.REPORTERS`).
        ax: the Axes to draw on; a new Figure is made if omitted.

    Returns:
        The Axes drawn on.
    """
    ax = _draw_lines(series, PARTICIPATION_LINES, ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("firms")
    ax.set_title("Do firms stay in the project and work together?")
    return ax


def mark_project_end(ax: Axes, project_months: int, label: str = "agency leaves") -> Axes:
    """Draw a dashed vertical line at the end of the project, labelled; shade the months after.

    Args:
        ax: the Axes to mark.
        project_months: the month the project ends (the agency leaves after it).
        label: the text written next to the line.

    Returns:
        The Axes marked.
    """
    ax.axvline(project_months, color=OKABE_ITO["black"], linestyle="--", linewidth=1.0)
    ax.axvspan(
        project_months,
        max(ax.get_xlim()[1], project_months),
        color="#f2f2f2",
        zorder=0,
        linewidth=0,
    )
    ax.annotate(
        label,
        xy=(project_months, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=9,
    )
    return ax


def plot_run(series: pd.DataFrame, project_months: int, title: str) -> Figure:
    """Draw one run: trust (top panel) and participation (bottom panel) over the months.

    Args:
        series: the monthly series of one run (columns as in `pipsim.outcomes.REPORTERS`).
        project_months: the month the project ends; marked with a dashed line in both panels.
        title: the figure's title, best phrased as the question the run answers.

    Returns:
        The Figure, ready for ``savefig``.
    """
    fig = Figure(figsize=(10, 7.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    plot_trust(series, top)
    plot_participation(series, bottom)
    for ax in (top, bottom):
        mark_project_end(ax, project_months)
    top.set_xlabel("")
    fig.suptitle(title, fontsize=13)
    return fig


def _draw_lines(
    series: pd.DataFrame, lines: Sequence[tuple[str, str, str, str]], ax: Axes | None
) -> Axes:
    """Draw one line per (column, label, colour, style) against the month; legend outside."""
    _require(series, [column for column, *_ in lines])
    ax = ax if ax is not None else Figure(layout="constrained").subplots()
    months = series["month"] if "month" in series else series.index
    for column, label, colour, style in lines:
        values = shown(series, column)
        ax.plot(months, values, label=label, color=colour, linestyle=style, linewidth=2)
    ax.set_xlabel(MONTHS_LABEL)
    first, last = float(min(months)), float(max(months))
    if last > first:
        ax.set_xlim(first, last)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def shown(series: pd.DataFrame, column: str) -> pd.Series:
    """The column as drawn: trust among partners only once some pair has worked together.

    Before the first venture there are no partners, and the series reads 0; a curve starting
    at 0 would tell the room that partners distrusted each other.
    """
    values = series[column]
    if column != "trust_partners":
        return values
    return values.where((values > 0).cummax())


def _require(series: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise `ValueError` naming the columns ``series`` lacks."""
    missing = [c for c in columns if c not in series.columns]
    if missing:
        raise ValueError(
            f"the monthly series lacks column(s) {missing}; run the model with time_series=True"
        )
