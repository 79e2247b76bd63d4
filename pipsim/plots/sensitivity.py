"""Figures of a sensitivity analysis: Sobol' index bars and the Morris μ*–σ plane.

One figure per outcome, titled with the question it answers ("Which parameters drive the
chance of meeting the log frame?"), parameters named in words with their units. Like
`pipsim.plots.sweep` it draws on `matplotlib.figure.Figure` (no pyplot, no GUI backend) in the
Okabe-Ito palette, and takes the tidy tables of `pipsim.analysis.sensitivity`. What an
outcome measures is its declared question (`pipsim.outcomes.OUTCOMES`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.outcomes import outcome
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


def sobol_bars(table: pd.DataFrame, subtitle: str, noise_floor: float = math.nan) -> Figure:
    """First-order and total Sobol' indices of one outcome as horizontal bars with 95% intervals.

    Parameters are sorted by their total index, the most influential on top. ``noise_floor``
    (the share of the point means' variance that is noise) is drawn as a dashed line: a
    parameter whose total index does not clear it cannot be told apart from an inert one.
    """
    table = table.sort_values("ST", ascending=True, na_position="first")
    fig = Figure(figsize=(9, 2 + 0.55 * len(table)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(table))
    bars = [("S1", "first order S1: the parameter alone", OKABE_ITO["sky_blue"], 0.2)]
    bars += [("ST", "total ST: with its interactions", OKABE_ITO["orange"], -0.2)]
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
    ax.set_yticks(y, [parameter_label(p) for p in table["parameter"]])
    ax.set_xlabel("share of the outcome's variance (Sobol' index); bars: 95% intervals")
    ax.grid(alpha=0.3, axis="x")
    fig.legend(fontsize=8, loc="outside lower center", ncols=3)
    note = table.attrs.get("note", "")
    ax.set_title(f"{question(table['outcome'].iloc[0])}\n{note or subtitle}", fontsize=11)
    return fig


def morris_plane(table: pd.DataFrame, subtitle: str) -> Figure:
    """Morris μ* against σ for one outcome, each parameter labelled.

    Far right: influential. Above the line σ = μ*: its effect depends on where the other
    parameters are (interactions) or on its own level (non-linearity); below: nearly additive.
    """
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    ax = fig.subplots()
    x, y = table["mu_star"].fillna(0), table["sigma"].fillna(0)
    ax.errorbar(
        x,
        y,
        xerr=table["mu_star_conf"].fillna(0),
        fmt="o",
        color=OKABE_ITO["blue"],
        ecolor=OKABE_ITO["sky_blue"],
        ms=7,
        capsize=3,
        label="parameter (bar: 95% interval of μ*)",
    )
    top = max(float(x.max()), float(y.max()), 1e-12) * 1.15
    ax.plot([0, top], [0, top], "--", color=OKABE_ITO["vermillion"], lw=1, label="σ = μ*")
    names = table["parameter"].tolist()
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
        ax.text(
            1.03, height, parameter_label(names[i]), transform=ax.transAxes, va="center", fontsize=8
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("μ*: mean absolute elementary effect (change across the parameter's range)")
    ax.set_ylabel("σ: spread of the elementary effects (interactions, non-linearity)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    note = table.attrs.get("note", "")
    ax.set_title(f"{question(table['outcome'].iloc[0])}\n{note or subtitle}", fontsize=11)
    return fig


def _slots(heights: pd.Series) -> np.ndarray:
    """Label heights (axes fraction) near each point's, in order, at least a line apart."""
    wanted = np.sort(np.clip(heights.to_numpy(float), 0, 1))
    gap = min(0.05, 1 / max(len(wanted), 1))
    slots = np.maximum.accumulate(wanted - gap * np.arange(len(wanted))) + gap * np.arange(
        len(wanted)
    )
    return slots - max(0.0, slots[-1] - 1) if len(slots) else slots
