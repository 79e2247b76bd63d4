"""Statistics of outcome distributions: quantiles, and the odds of meeting each target.

Quantiles per design point, and probabilities of meeting each log frame target with Wilson
95% intervals.

Everything here takes the tidy run table (one row per run) and returns tidy tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipsim.analysis import uncertainty
from pipsim.analysis.intervals import wilson_interval
from pipsim.outcome_declarations import target_flags
from pipsim.parameters import FIELDS

TARGET_FLAGS = target_flags()  # yes/no outcomes: their probability, not their distribution
ID_COLUMNS = ("run", "point", "replicate", "seed", "place", "block_runs")
QUANTILES = (0.05, 0.5, 0.95)
DRAWN = "member"  # runs drawn across an ensemble: the member's row, an id and no outcome


def outcome_columns(runs: pd.DataFrame, design_keys: list[str]) -> list[str]:
    """The numeric outcome columns of a run table (not ids, parameters or target flags)."""
    skip = set(ID_COLUMNS) | {DRAWN} | set(design_keys) | set(TARGET_FLAGS) | set(FIELDS)
    return [
        c
        for c in runs.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def distributions(runs: pd.DataFrame, design_keys: list[str]) -> pd.DataFrame:
    """Per design point and outcome: n, mean, median and the 5% and 95% quantiles."""
    keys = ["point", *design_keys]
    long = runs.melt(
        id_vars=keys, value_vars=outcome_columns(runs, design_keys), var_name="outcome"
    )
    grouped = long.groupby([*keys, "outcome"], sort=False, dropna=False)["value"]
    table = grouped.agg(n="count", mean="mean").reset_index()
    q = grouped.quantile(list(QUANTILES)).unstack()
    q.columns = ["q05", "median", "q95"]
    return table.merge(q.reset_index(), on=[*keys, "outcome"])


def probabilities(runs: pd.DataFrame, design_keys: list[str]) -> pd.DataFrame:
    """Per design point and target: the probability of meeting it, with a Wilson 95% interval.

    Runs drawn across an ensemble (a ``member`` column) get the runs' interval and the one
    with what we do not know about the parameters (`pipsim.analysis.uncertainty`).
    """
    keys = ["point", *design_keys]
    flags = [f for f in TARGET_FLAGS if f in runs.columns]
    long = runs.melt(id_vars=keys, value_vars=flags, var_name="target")
    table = (
        long.assign(value=long["value"].astype(float))
        .groupby([*keys, "target"], sort=False, dropna=False)["value"]
        .agg(n="count", met="sum")
        .reset_index()
    )
    table["probability"] = table["met"] / table["n"]
    table["lower"], table["upper"] = wilson_interval(table["met"], table["n"])
    if "member" in runs.columns:  # drawn across an ensemble: both uncertainties
        splits = {
            (point, flag): uncertainty.split(
                group[["seed", "member"]].assign(success=group[flag].astype(bool))
            )
            for point, group in runs.groupby("point", sort=False)
            for flag in flags
        }
        both = [splits[key] for key in zip(table["point"], table["target"], strict=True)]
        table["lower"] = [b.runs[0] for b in both]
        table["upper"] = [b.runs[1] for b in both]
        table["parameters_lower"] = [b.parameters[0] if b.parameters else np.nan for b in both]
        table["parameters_upper"] = [b.parameters[1] if b.parameters else np.nan for b in both]
    return table
