"""Figures of a calibration: screening, posterior marginals and pairs, the predictive check.

They take the tidy tables a calibration writes (`pipsim.calibration.outputs`): the screening
table, the posterior particles with their weights, the posterior table (prior ranges,
defaults) and the check table with the predictive draws. Drawn on `matplotlib.figure.Figure`
(no pyplot) in the Okabe-Ito palette, parameters named with their units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipsim.plots.sensitivity import parameter_label
from pipsim.plots.style import OKABE_ITO


def screening_bars(ranking: pd.DataFrame) -> Figure:
    """Each candidate's importance for the calibration targets (Morris), kept ones marked."""
    table = ranking.sort_values("importance", ascending=True)
    fig = Figure(figsize=(9, 1.5 + 0.38 * len(table)), layout="constrained")
    ax = fig.subplots()
    colours = [OKABE_ITO["blue"] if k else OKABE_ITO["sky_blue"] for k in table["kept"]]
    ax.barh(np.arange(len(table)), table["importance"], color=colours)
    ax.set_yticks(np.arange(len(table)), [parameter_label(p) for p in table["parameter"]])
    ax.set_xlabel("mean μ* over the calibration targets (in each target's scale)")
    ax.set_title("Morris screening: dark bars go on to the ABC-SMC")
    return fig


def marginals(posterior: pd.DataFrame, table: pd.DataFrame, what: str = "Posterior") -> Figure:
    """One weighted histogram per parameter over its prior range; median, 90% interval, default."""
    names = list(table["parameter"])
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, row in zip(axes, table.itertuples(), strict=False):
        values, weights = posterior[row.parameter], posterior["weight"]
        bins = np.linspace(row.prior_low, row.prior_high, 16)
        ax.hist(values, bins=bins, weights=weights, color=OKABE_ITO["sky_blue"], density=True)
        ax.axvspan(row.q05, row.q95, color=OKABE_ITO["orange"], alpha=0.15, label="90% interval")
        ax.axvline(row.median, color=OKABE_ITO["orange"], label="posterior median")
        ax.axvline(float(row.default), color=OKABE_ITO["black"], ls="--", label="current default")
        ax.set_xlim(row.prior_low, row.prior_high)
        ax.set_xlabel(parameter_label(row.parameter))
        ax.set_yticks([])
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="upper right")
    fig.suptitle(f"{what} marginals (x axis: the prior range)")
    return fig


def pairs(posterior: pd.DataFrame, table: pd.DataFrame, what: str = "Posterior") -> Figure:
    """The particles of every pair of parameters, sized by weight, on the prior box."""
    names = list(table["parameter"])
    k = len(names)
    fig = Figure(figsize=(2.2 * k + 1, 2.2 * k + 1), layout="constrained")
    axes = np.asarray(fig.subplots(k, k, squeeze=False))
    size = 8 + 120 * posterior["weight"] / posterior["weight"].max()
    bounds = {r.parameter: (r.prior_low, r.prior_high) for r in table.itertuples()}
    for i, y in enumerate(names):
        for j, x in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(
                    posterior[x],
                    bins=12,
                    range=bounds[x],
                    weights=posterior["weight"],
                    color=OKABE_ITO["sky_blue"],
                )
                ax.set_yticks([])
            else:
                ax.scatter(posterior[x], posterior[y], s=size, alpha=0.5, color=OKABE_ITO["blue"])
                ax.set_ylim(*bounds[y])
            ax.set_xlim(*bounds[x])
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(x.replace("_", " "), fontsize=7)
            if j == 0:
                ax.set_ylabel(y.replace("_", " "), fontsize=7)
    fig.suptitle(f"{what} pairs (points sized by weight; axes span the priors)")
    return fig


def predictive_check(check: pd.DataFrame, predicted: pd.DataFrame, held_out: bool) -> Figure:
    """Each target's accepted range against the posterior predictive draws and the defaults.

    One panel per target (calibration set, or the held-out set with ``held_out``): the range
    shaded, one dot per posterior draw, the current defaults as a cross.
    """
    rows = check[check["set"] == ("validation" if held_out else "calibration")]
    fig = Figure(figsize=(10, 1.2 + 0.9 * max(len(rows), 1)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(max(len(rows), 1), 1, squeeze=False)).ravel()
    draws = predicted[predicted["draw"] >= 0]
    defaults = predicted[predicted["draw"] < 0]
    rng = np.random.default_rng(0)
    for ax, row in zip(axes, rows.itertuples(), strict=False):
        values = draws[row.target].astype(float).to_numpy()
        finite = values[np.isfinite(values)]
        lo, hi = _view(row.low, row.high, [*finite, *defaults[row.target].astype(float)])
        ax.axvspan(max(row.low, lo), min(row.high, hi), color=OKABE_ITO["bluish_green"], alpha=0.2)
        ax.scatter(finite, rng.uniform(-0.3, 0.3, finite.size), s=14, color=OKABE_ITO["blue"])
        if len(defaults):
            ax.scatter([defaults[row.target].iloc[0]], [0], marker="x", s=60, color="black")
        pad = 0.05 * (hi - lo) or 0.05
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-0.6, 0.6)
        ax.set_yticks([])
        ax.set_title(
            f"{row.target}: {row.statistic}  [{row.verdict}, "
            f"{row.share_inside:.0%} of draws inside]",
            fontsize=8,
            loc="left",
        )
    which = "held-out (validation) targets" if held_out else "calibration targets"
    fig.suptitle(
        f"Posterior predictive check, {which}: green = accepted range, dots = posterior "
        "draws, × = current defaults",
        fontsize=9,
    )
    return fig


def _view(low: float, high: float, data: list[float]) -> tuple[float, float]:
    """The x range of a target's panel: the data and the range, an open-ended range cut short.

    A range such as [0.2, 10] ("at least 0.2") is drawn up to a little beyond the data, not to
    10; a bounded one such as [0, 0.5] is drawn whole.
    """
    values = [v for v in data if np.isfinite(v)] or [low]
    d_lo, d_hi = min(values), max(values)
    bounds = [abs(b) for b in (low, high) if b != 0]
    width = max(d_hi - d_lo, min(bounds) if bounds else 0.1)
    left = min(d_lo, max(low, min(d_lo, high) - width))
    return left, max(d_hi, min(high, max(d_hi, low) + width))
