"""Figures of a sweep: the odds of meeting the log frame, outcome spreads, success heatmaps.

The odds are drawn along an axis, outcome distributions at each of its values, and heatmaps
of success probability over two axes. Each function takes tidy tables
(`pipsim.analysis.stats.probabilities`, the run table) and returns the Figure it drew. Like
`pipsim.plots.run`, it uses `matplotlib.figure.Figure` (no pyplot, no GUI backend) and the
Okabe-Ito palette; titles state the question, axes carry units. Outcomes are named as
`pipsim.outcome_declarations.OUTCOMES` declares them.
"""

from __future__ import annotations

import itertools
import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from pipsim.outcome_declarations import outcome, target_flags
from pipsim.plots.style import OKABE_ITO, axis_label, value_label

# The target flags' lines, in declared order: success bold, then each target, then sustained.
LINE_STYLES = (  # (colour, line style, width)
    (OKABE_ITO["black"], "-", 2.5),
    (OKABE_ITO["orange"], "--", 1.2),
    (OKABE_ITO["sky_blue"], "--", 1.2),
    (OKABE_ITO["bluish_green"], "-.", 1.2),
    (OKABE_ITO["reddish_purple"], ":", 1.2),
    (OKABE_ITO["vermillion"], "-", 1.5),
)
TARGET_STYLES = {  # target flag: (label, colour, line style, width)
    flag: (outcome(flag).label, *LINE_STYLES[i % len(LINE_STYLES)])
    for i, flag in enumerate(target_flags())
}
MAX_PANELS = 12  # heatmap panels drawn at most (one per combination of the further axes)
# The outcomes of the box plots' 2 × 3 grid, row by row; labels as declared. The four log
# frame indicators come first: the one that blocks success is among them.
PANELS = (
    "sales_growth",
    "productivity_growth",
    "firms_in_joint_projects",
    "participants",
    "mean_trust",
    "strong_ties",
)
KEY_OUTCOMES = {name: outcome(name).label for name in PANELS}  # outcome: axis label
TARGET_GID, MARK_GID = "target", "asked"  # artists' ids: tests and restyling find them by these
# the asked length in grey, dash-dot: every Okabe-Ito colour already names a target or a line
TARGET_COLOUR, MARK_COLOUR = OKABE_ITO["vermillion"], "#555555"


def mark_asked(ax: Axes, x: float, months: float) -> None:
    """Mark the length the designer asked about on a figure over project length.

    Every figure over length carries it, so the asked length is never read off by eye.
    """
    line = ax.axvline(x, color=MARK_COLOUR, ls="-.", lw=2.2, label=f"asked: {months:g} months")
    line.set_gid(MARK_GID)
    text = ax.annotate(
        f"{months:g} months",
        (x, 1.0),
        xycoords=ax.get_xaxis_transform(),
        xytext=(3, -3),
        textcoords="offset points",
        va="top",
        fontsize=9,
        color=MARK_COLOUR,
        bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
    )
    text.set_gid(MARK_GID)


def is_numeric(values: pd.Series) -> bool:
    """Whether an axis's values are numbers (drawn to scale) rather than categories."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _positions(values: pd.Series, order: list) -> np.ndarray:
    """The x positions of an axis's values: the numbers themselves, or their index in ``order``."""
    if is_numeric(values):
        return values.to_numpy(float)
    return np.array([order.index(v) for v in values], dtype=float)


def success_curve(
    probabilities: pd.DataFrame, axis: str, title: str, asked: float | None = None
) -> Figure:
    """Probability of meeting the log frame (and each target) along ``axis``, with 95% bands.

    A numeric axis is drawn to scale with lines; a categorical one (e.g. typology) as points
    with error bars, nudged apart so that targets with equal odds stay visible. ``asked``: a
    value of a numeric axis to mark (the project length the designer asked about).
    """
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    numeric = is_numeric(probabilities[axis])
    order = sorted(probabilities[axis].unique(), key=lambda v: (isinstance(v, str), v))
    drawn = [t for t in TARGET_STYLES if (probabilities["target"] == t).any()]
    for k, target in enumerate(drawn):
        label, colour, style, width = TARGET_STYLES[target]
        rows = probabilities[probabilities["target"] == target].sort_values(axis)
        x = _positions(rows[axis], order)
        if numeric:
            ax.plot(
                x,
                rows["probability"],
                style,
                color=colour,
                lw=width,
                marker="o",
                ms=3,
                label=label,
                zorder=1.5 if target == "success" else 2,
            )
            if target == "success":
                ax.fill_between(
                    x,
                    rows["lower"],
                    rows["upper"],
                    color=colour,
                    alpha=0.12,
                    lw=0,
                    label="95% interval, all targets met (Wilson)",
                )
        else:
            nudge = (k - (len(drawn) - 1) / 2) * 0.06
            errors = [rows["probability"] - rows["lower"], rows["upper"] - rows["probability"]]
            ax.errorbar(
                x + nudge,
                rows["probability"],
                yerr=errors,
                fmt="o",
                color=colour,
                ms=7 if target == "success" else 5,
                capsize=3,
                lw=1,
                label=label,
            )
    if numeric and len(order) <= 12:
        ax.set_xticks(np.asarray(order, float), [value_label(v) for v in order])
    elif not numeric:
        ax.set_xticks(range(len(order)), [value_label(v) for v in order])
        ax.set_xlim(-0.5, len(order) - 0.5)
    if asked is not None and numeric:
        mark_asked(ax, asked, asked)
    ax.set_ylim(-0.03, 1.03)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(axis_label(axis))
    ax.set_ylabel("chance (share of runs)")
    n = probabilities["n"]
    runs = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    error_bars = "" if numeric else "; bars: 95% Wilson intervals"
    ax.set_title(f"{title}\n{runs} runs per point{error_bars}", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def distributions(runs: pd.DataFrame, axis: str, title: str, asked: float | None = None) -> Figure:
    """Box plots of the key outcomes at each value of ``axis`` (5–95% whiskers).

    An outcome with a log frame target carries it as a line (its value at each point: a
    swept target steps), so the box that falls short shows at a glance; shares read as
    percentages. ``asked``: a value of a numeric axis to mark (between boxes when not swept).
    """
    fig = Figure(figsize=(13, 7.5), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    values = sorted(runs[axis].unique(), key=lambda v: (isinstance(v, str), v))
    labels = [value_label(v) for v in values]
    crowded = len(values) > 5 or sum(map(len, labels)) > 30
    positions = np.arange(1, len(values) + 1)
    for ax, (name, label) in zip(axes, KEY_OUTCOMES.items(), strict=True):
        if name not in runs:
            ax.set_visible(False)
            continue
        data = [runs.loc[runs[axis] == v, name].dropna().to_numpy() for v in values]
        ax.boxplot(
            data,
            whis=(5, 95),
            showfliers=False,
            widths=0.6,
            medianprops={"color": OKABE_ITO["black"], "lw": 2},
        )
        _target_line(ax, runs, axis, values, name)
        if asked is not None and is_numeric(runs[axis]):
            mark_asked(ax, box_position(asked, np.asarray(values, float)), asked)
        ax.set_xticks(
            positions,
            labels,
            rotation=30 if crowded else 0,
            ha="right" if crowded else "center",
        )
        if outcome(name).kind == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(axis_label(axis))
        ax.set_ylabel(textwrap.fill(label, 28))
        ax.grid(alpha=0.3, axis="y")
    keys: dict[str, Artist] = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        keys.update(zip(labels, handles, strict=True))
    if keys:  # once for the figure, below the panels: no panel's data hidden under it
        fig.legend(
            handles=list(keys.values()), labels=list(keys), loc="outside lower center", ncols=2
        )
    fig.suptitle(
        f"{title}\nboxes: middle half of the runs; black line: median; whiskers: 5%–95%; "
        "dashed: the log frame target",
        fontsize=11,
    )
    return fig


def box_position(value: float, values: np.ndarray) -> float:
    """Where ``value`` falls among boxes drawn at 1, 2, ... for sorted ``values``.

    Between two boxes in proportion; beyond the first or last, extended along the nearest
    pair, so an asked length outside the sweep is still marked where it would stand.
    """
    positions = np.arange(1, len(values) + 1, dtype=float)
    if len(values) < 2:
        return 1.0
    if values[0] <= value <= values[-1]:
        return float(np.interp(value, values, positions))
    k = 0 if value < values[0] else len(values) - 2
    slope = 1.0 / (values[k + 1] - values[k])
    return float(positions[k] + (value - values[k]) * slope)


def _target_line(ax: Axes, runs: pd.DataFrame, axis: str, values: list, name: str) -> None:
    """Draw the log frame target of outcome ``name`` across the boxes, if it has one."""
    column = outcome(name).target
    if column is None or column not in runs:
        return
    at = [runs.loc[runs[axis] == v, column].median() for v in values]
    x = np.arange(len(values) + 1) + 0.5  # a step per box
    (line,) = ax.step(
        x, [*at, at[-1]], where="post", color=TARGET_COLOUR, ls="--", lw=1.8, label="target"
    )
    line.set_gid(f"{TARGET_GID}:{name}")


def success_heatmaps(probabilities: pd.DataFrame, axes: list[str], title: str) -> Figure:
    """Success probability over the first two axes; one panel per value of any further axes."""
    x, y, rest = axes[0], axes[1], axes[2:]
    table = probabilities[probabilities["target"] == "success"]
    values = [sorted(table[r].unique()) for r in rest]
    count = math.prod(len(v) for v in values)  # never listed: many axes make billions
    shown = f" (the first {MAX_PANELS} of {count:,} panels)" if count > MAX_PANELS else ""
    panels = list(itertools.islice(itertools.product(*values), MAX_PANELS))
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(max(6.5, 4.2 * cols + 1), 3.6 * rows + 0.9), layout="constrained")
    grid = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    image = None
    for ax, panel in zip(grid, panels, strict=False):
        mask = np.ones(len(table), dtype=bool)
        for name, value in zip(rest, panel, strict=True):
            mask &= (table[name] == value).to_numpy()
        grid_values = table[mask].pivot_table(index=y, columns=x, values="probability")
        image = ax.imshow(
            grid_values.to_numpy(), vmin=0, vmax=1, cmap="cividis", origin="lower", aspect="auto"
        )
        for (i, j), p in np.ndenumerate(grid_values.to_numpy()):
            if not np.isnan(p):  # a cell without runs yet (a partly finished sweep)
                ax.text(
                    j,
                    i,
                    f"{p:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if p < 0.6 else "black",
                )
        ax.set_xticks(range(grid_values.shape[1]), [value_label(c) for c in grid_values.columns])
        ax.set_yticks(range(grid_values.shape[0]), [value_label(i) for i in grid_values.index])
        ax.set_xlabel(axis_label(x))
        ax.set_ylabel(axis_label(y))
        ax.set_title(
            ", ".join(
                f"{n.replace('_', ' ')} = {value_label(v)}"
                for n, v in zip(rest, panel, strict=True)
            ),
            fontsize=9,
        )
    for ax in grid[len(panels) :]:
        ax.set_visible(False)
    assert image is not None  # there is at least one panel
    fig.colorbar(image, ax=grid.tolist(), label="probability all log frame targets are met")
    n = table["n"]
    runs = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    fig.suptitle(
        f"{title}\nshare of runs meeting all its targets; {runs} runs per cell{shown}", fontsize=11
    )
    return fig
