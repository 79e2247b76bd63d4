"""Figures of a sensitivity analysis: Sobol' index bars, S2 heatmaps, the Morris μ*–σ plane.

One figure per outcome, titled with the question it answers ("Which parameters drive the
chance of meeting the log frame?"), parameters named in words with their units, ranked by
importance. An index the analysis flags (`pipsim.analysis.sensitivity.flag_indices`) is drawn
hatched and marked "(!)", and the figure says why under its title. Like
`pipsim.plots.sweep` it draws on `matplotlib.figure.Figure` (no pyplot, no GUI backend) in the
Okabe-Ito palette, and takes the tidy tables of `pipsim.analysis.sensitivity`. What an
outcome measures is its declared question (`pipsim.outcome_declarations.OUTCOMES`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from pipsim.outcome_declarations import outcome
from pipsim.plots.style import OKABE_ITO, axis_label

PARAMETER_WORDS = {  # names that do not read as words
    "n_enterprises": "group size",
    "n_technicians": "technicians in the team",
    "n_lead_firms": "lead firms",
    "share_micro": "share of microenterprises",
    "share_small": "share of small firms",
    "share_medium": "share of medium firms",
}


def question(name: str) -> str:
    """The question a figure about outcome ``name`` answers."""
    return f"Which parameters drive {outcome(name).question}?"


def parameter_label(name: str) -> str:
    """A parameter in words, with its unit: ``n_enterprises`` -> ``group size (firms)``."""
    label = axis_label(name)
    words = name.replace("_", " ")
    return label.replace(words, PARAMETER_WORDS[name], 1) if name in PARAMETER_WORDS else label


WARNING = "#D55E00"  # Okabe-Ito vermillion: what the warnings are written in


def flagged(table: pd.DataFrame) -> np.ndarray:
    """Which rows carry a warning (a non-empty ``flag``; none if the column is absent)."""
    if "flag" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table["flag"].fillna("").astype(str).ne("").to_numpy()


def warning_line(table: pd.DataFrame, noise_flag: str = "") -> str:
    """What the figure's warning says: how many indices are unreliable, and the noise."""
    marked = flagged(table)
    parts = []
    if marked.any():
        most = int(table.loc[marked, "samples_needed"].max())
        parts.append(
            f"(!) {marked.sum()} of {len(table)} parameters' indices are unreliable "
            f"(outside [0, 1] or intervals wider than the index): a sample of about {most:,}"
        )
    if noise_flag:
        parts.append(f"(!) {noise_flag}")
    return "\n".join(parts)


def _title(ax: Axes, table: pd.DataFrame, subtitle: str, noise_flag: str) -> None:
    note = table.attrs.get("note", "")
    ax.set_title(f"{question(table['outcome'].iloc[0])}\n{note or subtitle}", fontsize=11)
    warning = "" if note else warning_line(table, noise_flag)
    if warning:  # above everything, in the warning colour
        ax.figure.suptitle(warning, color=WARNING, fontsize=9)


def _labels(table: pd.DataFrame) -> list[str]:
    marks = flagged(table)
    return [
        parameter_label(p) + (" (!)" if m else "")
        for p, m in zip(table["parameter"], marks, strict=True)
    ]


def sobol_bars(
    table: pd.DataFrame, subtitle: str, noise_floor: float = math.nan, noise_flag: str = ""
) -> Figure:
    """First-order and total Sobol' indices of one outcome as horizontal bars with 95% intervals.

    Parameters are sorted by their total index, the most influential on top. ``noise_floor``
    (the share of the point means' variance that is noise) is drawn as a dashed line: a
    parameter whose total index does not clear it cannot be told apart from an inert one.
    Flagged indices are hatched; ``noise_flag`` is the noise table's warning, if any.
    """
    table = table.sort_values("ST", ascending=True, na_position="first")
    fig = Figure(figsize=(9, 2 + 0.55 * len(table)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(table))
    bars = [("S1", "first order S1: the parameter alone", OKABE_ITO["sky_blue"], 0.2)]
    bars += [("ST", "total ST: with its interactions", OKABE_ITO["orange"], -0.2)]
    hatches = ["///" if m else "" for m in flagged(table)]
    for key, label, colour, shift in bars:
        ax.barh(
            y + shift,
            table[key].fillna(0),
            height=0.38,
            xerr=table[f"{key}_conf"].fillna(0),
            color=colour,
            edgecolor=OKABE_ITO["black"],
            linewidth=0.5,
            error_kw={"capsize": 3, "lw": 1},
            label=label,
            hatch=hatches,
        )
    if math.isfinite(noise_floor):
        ax.axvline(
            noise_floor,
            color=OKABE_ITO["vermillion"],
            ls="--",
            lw=1.2,
            label=f"noise floor of ST ({noise_floor:.2f}): the seeds' share of the means",
        )
    ax.axvline(0, color=OKABE_ITO["black"], lw=0.8)
    ax.set_yticks(y, _labels(table))
    ax.set_xlabel(
        "share of the outcome's variance (Sobol' index); bars: 95% intervals; "
        "hatched (!): not to be trusted"
    )
    ax.grid(alpha=0.3, axis="x")
    fig.legend(fontsize=8, loc="outside lower center", ncols=3)
    _title(ax, table, subtitle, noise_flag)
    return fig


def second_order_heatmap(second: pd.DataFrame, subtitle: str) -> Figure:
    """Sobol's second-order indices S2 of one outcome: a heatmap over pairs of parameters.

    Each cell is the share of variance the pair explains together, beyond each alone, with
    its interval; a flagged cell is marked "(!)".
    """
    names = list(dict.fromkeys([*second["parameter_1"], *second["parameter_2"]]))
    index = {n: i for i, n in enumerate(names)}
    grid = np.full((len(names), len(names)), np.nan)
    fig = Figure(figsize=(6 + 0.9 * len(names), 3 + 0.8 * len(names)), layout="constrained")
    ax = fig.subplots()
    marks = flagged(second)
    top = max(0.05, float(np.nanmax(second["S2"].to_numpy(float), initial=0.0)))
    for row, mark in zip(second.itertuples(), marks, strict=True):
        i, j = index[row.parameter_1], index[row.parameter_2]
        grid[j, i] = row.S2
        text = f"{row.S2:.2f}\n±{row.S2_conf:.2f}" + ("\n(!)" if mark else "")
        colour = "white" if row.S2 < 0.6 * top else "black"
        ax.text(i, j, text, ha="center", va="center", fontsize=8, color=colour)
    image = ax.imshow(grid, cmap="cividis", vmin=0, vmax=top)
    labels = [parameter_label(n) for n in names]
    ax.set_xticks(range(len(names)), labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), labels, fontsize=8)
    fig.colorbar(image, ax=ax, label="S2: share of variance due to the pair's interaction")
    outcome_name = second["outcome"].iloc[0]
    ax.set_title(
        f"Which pairs of parameters interact on\n{outcome(outcome_name).question}?\n{subtitle}",
        fontsize=10,
    )
    if marks.any():
        fig.suptitle(
            f"(!) {marks.sum()} of {len(second)} pairs' S2 outside [0, 1] or with an interval "
            "wider than S2:\nnot to be trusted",
            color=WARNING,
            fontsize=9,
        )
    return fig


def morris_plane(table: pd.DataFrame, subtitle: str, noise_flag: str = "") -> Figure:
    """Morris μ* ranked (left), and μ* against σ for one outcome, each parameter labelled.

    Far right: influential. Above the line σ = μ*: its effect depends on where the other
    parameters are (interactions) or on its own level (non-linearity); below: nearly additive.
    Error bars stay within the axes; flagged parameters are marked "(!)".
    """
    fig = Figure(figsize=(15, 6.5), layout="constrained")
    ranked_ax, ax = fig.subplots(1, 2, width_ratios=[1, 1.6])
    _morris_ranking(ranked_ax, table)
    x, y = table["mu_star"].fillna(0), table["sigma"].fillna(0)
    conf = table["mu_star_conf"].fillna(0)
    ax.errorbar(
        x,
        y,
        xerr=conf,
        fmt="o",
        color=OKABE_ITO["blue"],
        ecolor=OKABE_ITO["sky_blue"],
        ms=7,
        capsize=3,
        label="parameter (bar: 95% interval of μ*)",
    )
    top = max(float((x + conf).max()), float(y.max()), 1e-12) * 1.1  # bars within the axes
    ax.plot([0, top], [0, top], "--", color=OKABE_ITO["vermillion"], lw=1, label="σ = μ*")
    names = _labels(table)
    for i, height in zip(np.argsort(y.to_numpy(), kind="stable"), _slots(y / top), strict=True):
        # in a column beside the plot, joined to the point: labels never overlap (axes are
        # [0, top] both ways, so a point's axes fraction is its value / top)
        ax.plot(
            [x.iloc[i] / top, 1.025],
            [y.iloc[i] / top, height],
            transform=ax.transAxes,
            clip_on=False,
            color=OKABE_ITO["black"],
            lw=0.4,
            alpha=0.5,
        )
        ax.text(1.03, height, names[i], transform=ax.transAxes, va="center", fontsize=8)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("μ*: mean absolute elementary effect (change across the parameter's range)")
    ax.set_ylabel("σ: spread of the elementary effects (interactions, non-linearity)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    _title(ax, table, subtitle, noise_flag)
    return fig


def _morris_ranking(ax: Axes, table: pd.DataFrame) -> None:
    """The parameters ranked by μ*, with their 95% intervals, the most influential on top."""
    table = table.sort_values("mu_star", ascending=True, na_position="first")
    value, conf = table["mu_star"].fillna(0), table["mu_star_conf"].fillna(0)
    y = np.arange(len(table))
    hatches = ["///" if m else "" for m in flagged(table)]
    ax.barh(
        y,
        value,
        xerr=conf,
        color=OKABE_ITO["sky_blue"],
        edgecolor=OKABE_ITO["black"],
        linewidth=0.5,
        hatch=hatches,
        error_kw={"capsize": 3, "lw": 1},
        height=0.6,
    )
    ax.set_yticks(y, _labels(table), fontsize=8)
    ax.set_xlim(0, max(float((value + conf).max()), 1e-12) * 1.05)
    ax.set_xlabel("μ* (bars: 95% interval)")
    ax.grid(alpha=0.3, axis="x")
    ax.set_title("ranked by μ*", fontsize=10)


def _slots(heights: pd.Series) -> np.ndarray:
    """Label heights (axes fraction) near each point's, in order, at least a line apart."""
    wanted = np.sort(np.clip(heights.to_numpy(float), 0, 1))
    gap = min(0.05, 1 / max(len(wanted), 1))
    slots = np.maximum.accumulate(wanted - gap * np.arange(len(wanted))) + gap * np.arange(
        len(wanted)
    )
    return slots - max(0.0, slots[-1] - 1) if len(slots) else slots
