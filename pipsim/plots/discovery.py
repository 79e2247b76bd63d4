"""Figures of scenario discovery: the inputs ranked, PRIM's trajectory and box, the CART tree.

Each takes what `pipsim.analysis.discovery` found and returns the Figure it drew, on
`matplotlib.figure.Figure` (no pyplot) in the Okabe-Ito palette, titled with the question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.plots.style import OKABE_ITO, axis_label

if TYPE_CHECKING:
    from pipsim.analysis.discovery import Box, Case, Tree


def scores(table: pd.DataFrame, case: Case) -> Figure:
    """The inputs ranked by their extra-trees score, the most important on top."""
    table = table.iloc[::-1]
    fig = Figure(figsize=(8, 1.6 + 0.45 * len(table)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(table))
    ax.barh(y, table["score"].fillna(0), color=OKABE_ITO["blue"], height=0.6)
    for i, value in enumerate(table["score"]):
        if np.isfinite(value):
            ax.text(value, i, f" {value:.2f}", va="center", fontsize=8)
    ax.set_yticks(y, [axis_label(str(p)) for p in table["parameter"]])
    ax.set_xlim(0, max(1e-9, float(table["score"].max(skipna=True) or 0)) * 1.2)
    ax.set_xlabel("feature score (extra trees; scores add up to 1)")
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(f"Which inputs tell apart the runs where {case.words()}?", fontsize=11)
    return fig


def trajectory(box: Box, case: Case) -> Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by restricted inputs."""
    t = box.trajectory
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.subplots()
    dims = t["res_dim"].to_numpy()
    points = ax.scatter(
        t["coverage"], t["density"], c=dims, cmap="viridis", s=28, vmin=0, vmax=max(1, dims.max())
    )
    ax.plot(t["coverage"], t["density"], color=OKABE_ITO["black"], lw=0.6, alpha=0.4)
    chosen = t.iloc[box.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=180,
        facecolors="none",
        edgecolors=OKABE_ITO["vermillion"],
        lw=2,
        label=f"chosen box (step {box.chosen}): coverage {box.coverage:.0%}, "
        f"density {box.density:.0%}",
    )
    fig.colorbar(points, ax=ax, label="inputs restricted", ticks=range(int(dims.max()) + 1))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage: share of all such runs inside the box")
    ax.set_ylabel("density: share of the box's runs where it happens")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(
        f"PRIM's peeling trajectory: where does {case.words()} happen?\n"
        "each point a box, peeled from all runs (right) to a small, dense box (left)",
        fontsize=11,
    )
    return fig


def box(box: Box, case: Case) -> Figure:
    """The chosen box's limits on each restricted input, as a share of the input's range."""
    limits = box.limits
    fig = Figure(figsize=(8, 1.8 + 0.6 * max(1, len(limits))), layout="constrained")
    ax = fig.subplots()
    for i, row in enumerate(limits.itertuples()):
        if row.values:
            ax.text(0.5, i, f"{row.values}", ha="center", va="center", fontsize=9)
            ax.barh(i, 1, color=OKABE_ITO["sky_blue"], alpha=0.25, height=0.5)
            continue
        span = max(row.range_high - row.range_low, 1e-12)
        low, high = (row.low - row.range_low) / span, (row.high - row.range_low) / span
        ax.barh(i, 1, color="#dddddd", height=0.5)
        ax.barh(i, max(high - low, 0.01), left=low, color=OKABE_ITO["sky_blue"], height=0.5)
        ax.text(0, i - 0.4, f"{row.range_low:.3g}", ha="left", fontsize=7, color="#555555")
        ax.text(1, i - 0.4, f"{row.range_high:.3g}", ha="right", fontsize=7, color="#555555")
        ax.text(low, i + 0.32, f"{row.low:.3g}", ha="left", fontsize=8)
        if high - low > 0.15:
            ax.text(high, i + 0.32, f"{row.high:.3g}", ha="right", fontsize=8)
    labels = [f"{axis_label(str(r.parameter))}\nquasi-p {r.qp:.2g}" for r in limits.itertuples()]
    ax.set_yticks(range(len(limits)), labels)
    ax.set_xticks([0, 1], ["lowest value run", "highest value run"])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.7, len(limits) - 0.3)
    ax.set_title(
        f"PRIM box: {case.words()} in {box.density:.0%} of its runs, "
        f"{box.coverage:.0%} of all such runs\n(blue: the box's part of each input's range; "
        "grey: the rest)",
        fontsize=11,
    )
    return fig


def tree(found: Tree, case: Case) -> Figure:
    """The CART tree as scikit-learn draws it, each node with its share of the case."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sklearn.tree import plot_tree

    fig = Figure(figsize=(13, 6.5), layout="constrained")
    FigureCanvasAgg(fig)  # scikit-learn measures the text with the canvas's renderer
    ax = fig.subplots()
    plot_tree(
        found.model,
        feature_names=found.features,
        class_names=["no", "yes"],
        filled=True,
        proportion=True,
        impurity=False,
        rounded=True,
        fontsize=8,
        ax=ax,
    )
    ax.set_title(
        f"A CART tree: when does {case.words()} happen? (value: share of no / yes in each node)",
        fontsize=11,
    )
    return fig
