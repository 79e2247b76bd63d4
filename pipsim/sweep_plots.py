"""Figures of a sweep: how likely the log frame is met along an axis, outcome distributions,
and heatmaps of success probability over two axes.

Each function takes tidy tables (`pipsim.stats.probabilities`, the run table) and returns the
Figure it drew. Like `pipsim.plots`, it uses `matplotlib.figure.Figure` (no pyplot, no GUI
backend) and the Okabe-Ito palette; titles state the question, axes carry units.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.parameters import FIELDS
from pipsim.plots import OKABE_ITO

TARGET_STYLES = {  # target flag: (label, colour, line style, width)
    "success": ("all log frame targets met", OKABE_ITO["black"], "-", 2.5),
    "met_sales": ("sales growth target", OKABE_ITO["orange"], "--", 1.2),
    "met_productivity": ("productivity target", OKABE_ITO["sky_blue"], "--", 1.2),
    "met_joint_projects": ("firms in joint projects target", OKABE_ITO["bluish_green"], "-.", 1.2),
    "met_participants": ("participants target", OKABE_ITO["reddish_purple"], ":", 1.2),
    "sustained": ("cooperation sustained after the horizon", OKABE_ITO["vermillion"], "-", 1.5),
}
KEY_OUTCOMES = {  # outcome: axis label
    "sales_growth": "sales growth at project end (share)",
    "firms_in_joint_projects": "firms in joint projects at project end",
    "mean_trust": "mean firm–firm trust at project end (0–1)",
    "participants": "participants at project end (firms)",
}


def axis_label(name: str) -> str:
    """A parameter's name and unit, for an axis: ``project_months`` -> ``project months (months)``."""
    unit = FIELDS[name].metadata.get("unit", "") if name in FIELDS else ""
    return name.replace("_", " ") + (f" ({unit})" if unit else "")


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """x positions of an axis's values: the numbers themselves, or 0..k-1 for categories."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(float), None
    labels = [str(v) for v in values]
    return np.arange(len(labels), dtype=float), labels


def success_curve(probabilities: pd.DataFrame, axis: str, title: str) -> Figure:
    """Probability of meeting the log frame (and each target) along ``axis``, with 95% bands."""
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.subplots()
    for target, (label, colour, style, width) in TARGET_STYLES.items():
        rows = probabilities[probabilities["target"] == target].sort_values(axis)
        if rows.empty:
            continue
        x, labels = _positions(rows[axis])
        ax.plot(x, rows["probability"], style, color=colour, lw=width, marker="o", ms=3,
                label=label)
        if target == "success":
            ax.fill_between(x, rows["lower"], rows["upper"], color=colour, alpha=0.15,
                            label="95% interval (Wilson)")
        if labels:
            ax.set_xticks(x, labels)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(axis_label(axis))
    ax.set_ylabel("probability over replications")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def distributions(runs: pd.DataFrame, axis: str, title: str) -> Figure:
    """Box plots of the key outcomes at each value of ``axis`` (5–95% whiskers)."""
    fig = Figure(figsize=(10, 7), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    values = sorted(runs[axis].unique(), key=lambda v: (isinstance(v, str), v))
    for ax, (outcome, label) in zip(axes, KEY_OUTCOMES.items(), strict=True):
        data = [runs.loc[runs[axis] == v, outcome].dropna().to_numpy() for v in values]
        ax.boxplot(data, whis=(5, 95), showfliers=False, widths=0.6,
                   medianprops={"color": OKABE_ITO["vermillion"]})
        ax.set_xticks(range(1, len(values) + 1), [str(v) for v in values],
                      rotation=30 if len(values) > 6 else 0)
        ax.set_xlabel(axis_label(axis))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(title)
    return fig


def success_heatmaps(probabilities: pd.DataFrame, axes: list[str], title: str) -> Figure:
    """Success probability over the first two axes; one panel per value of any further axes."""
    x, y, rest = axes[0], axes[1], axes[2:]
    table = probabilities[probabilities["target"] == "success"]
    panels = list(itertools.product(*[sorted(table[r].unique()) for r in rest])) or [()]
    panels = panels[:12]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(4.2 * cols + 1, 3.6 * rows + 0.6), layout="constrained")
    grid = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    image = None
    for ax, values in zip(grid, panels, strict=False):
        mask = np.ones(len(table), dtype=bool)
        for name, value in zip(rest, values, strict=True):
            mask &= (table[name] == value).to_numpy()
        grid_values = table[mask].pivot_table(index=y, columns=x, values="probability")
        image = ax.imshow(grid_values.to_numpy(), vmin=0, vmax=1, cmap="cividis",
                          origin="lower", aspect="auto")
        for (i, j), p in np.ndenumerate(grid_values.to_numpy()):
            ax.text(j, i, f"{p:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if p < 0.6 else "black")
        ax.set_xticks(range(grid_values.shape[1]), [str(c) for c in grid_values.columns])
        ax.set_yticks(range(grid_values.shape[0]), [str(i) for i in grid_values.index])
        ax.set_xlabel(axis_label(x))
        ax.set_ylabel(axis_label(y))
        ax.set_title(", ".join(f"{n} = {v}" for n, v in zip(rest, values, strict=True)),
                     fontsize=9)
    for ax in grid[len(panels):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=grid.tolist(), label="probability all log frame targets are met")
    fig.suptitle(title)
    return fig
