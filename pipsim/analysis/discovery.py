"""Scenario discovery: under which conditions does an outcome happen, and which inputs matter?

A researcher who sweeps a design asks "when does the project succeed?". Three views answer it
from the run table (one row per run; the design values that vary are the inputs):

- **PRIM boxes** (EMA Workbench's `analysis.prim`, the field's reference implementation):
  a box of input ranges where the outcome is frequent (its *density*), holding a large share
  of all the runs where it happened (its *coverage*), each limit with its quasi-p value
  (Bryant & Lempert 2010: could the limit be chance?). PRIM peels the box step by step; the
  steps are the *peeling trajectory*, and one of them is chosen (`choose`).
- **A CART tree** (scikit-learn): the same question as a few yes/no splits, a second view
  that shows interactions PRIM's one box may hide (`pipsim.analysis.trees`).
- **Feature scores** (scikit-learn's extra trees): how much each input helps to tell the
  runs where the outcome happened from the others; a ranking, not a condition (`trees`).

EMA Workbench is imported by the function that uses it (it takes seconds to import), and its
warnings and log messages are kept from the terminal (`trees.quietly`).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipsim.analysis.trees import Tree, cart_tree, feature_scores, quietly, ranking_words

log = logging.getLogger(__name__)

MASS_MIN = 0.05  # PRIM stops peeling a box holding fewer than this share of the runs
SIGNIFICANT = 0.05  # a limit whose quasi-p value is above this may be chance


@dataclass(frozen=True, slots=True)
class Case:
    """What is of interest: an outcome, and (for a number) the side of a threshold."""

    outcome: str
    threshold: float | None = None
    below: bool = False

    def words(self) -> str:
        """``success``, or ``trust partners ≥ 0.4``: the case in words."""
        name = self.outcome.replace("_", " ")
        if self.threshold is None:
            return name
        return f"{name} {'<' if self.below else '≥'} {self.threshold:.3g}"

    def of(self, runs: pd.DataFrame) -> np.ndarray:
        """Which runs are of interest (a boolean array).

        Raises:
            ValueError: the outcome is not a column, or is a number without a threshold.
        """
        if self.outcome not in runs.columns:
            raise ValueError(f"no outcome {self.outcome!r} in the runs")
        values = runs[self.outcome]
        if self.threshold is None:
            if not pd.api.types.is_bool_dtype(values):
                raise ValueError(
                    f"{self.outcome} is a number, not yes/no: give --threshold (the runs "
                    "at or above it are of interest; --below for those under it)"
                )
            return values.to_numpy(bool)
        numbers = values.to_numpy(float)
        return numbers < self.threshold if self.below else numbers >= self.threshold


@dataclass
class Box:
    """A PRIM box: its limits, how good it is, and the trajectory it was chosen from.

    ``limits`` has one row per restricted input: ``parameter``, ``low``, ``high`` (numbers;
    NaN for a category), ``values`` (a category's kept values, else ""), ``low_restricted``,
    ``high_restricted``, ``qp`` (the smaller quasi-p value of its limits) and the input's
    range over all runs (``range_low``, ``range_high``).
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    trajectory: pd.DataFrame
    chosen: int


@dataclass
class Discovery:
    """Everything `discover` found about one case."""

    case: Case
    runs: int
    of_interest: int
    box: Box | None
    tree: Tree | None
    scores: pd.DataFrame
    answer: str


def inputs(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The design values that vary across the runs, as PRIM and the trees take them.

    Numbers become floats (EMA Workbench 3.0's pasting of a whole-number input fails on
    pandas 2: it writes a half-way limit into an integer column); anything else (a typology)
    becomes a category. Inputs with one value say nothing and are left out.
    """
    columns = {}
    for key in keys:
        if key not in runs.columns or runs[key].nunique(dropna=False) < 2:
            continue
        values = runs[key]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            columns[key] = values.astype(str).astype("category")
        else:
            columns[key] = values.astype(np.float64)
    return pd.DataFrame(columns, index=runs.index).reset_index(drop=True)


# --- PRIM ------------------------------------------------------------------------------------
def prim_box(x: pd.DataFrame, y: np.ndarray, mass_min: float = MASS_MIN) -> Box:
    """The first PRIM box of ``y`` (booleans) over inputs ``x``, at its chosen trajectory step.

    Uses EMA Workbench's `Prim` (peeling and pasting, lenient objective); the step is chosen
    by `choose`.
    """
    with quietly():
        from ema_workbench.analysis import prim

        found = prim.Prim(x, np.asarray(y, dtype=int), mass_min=mass_min).find_box()
    if found is None:
        raise ValueError("PRIM found no box: no runs left to peel")
    trajectory = found.peeling_trajectory[
        ["id", "n", "k", "coverage", "density", "mass", "res_dim"]
    ].astype({"id": int, "n": int, "k": int, "res_dim": int})
    chosen = choose(trajectory)
    limits = snapped(
        box_limits(found.box_lims[chosen], found.box_lims[0], found.p_values[chosen]), x
    )
    row = trajectory.iloc[chosen]
    return Box(
        limits=limits,
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        n=int(row["n"]),
        k=int(row["k"]),
        trajectory=trajectory,
        chosen=chosen,
    )


def choose(trajectory: pd.DataFrame) -> int:
    """The step of the peeling trajectory to report: the best coverage × density.

    The first box covers every case at the overall rate; the last is dense but small. Their
    product rewards a box that is both (as an F-score would), and it is a rule anyone can
    apply again to the trajectory in the CSV; a researcher may well prefer another step.
    """
    score = trajectory["coverage"].to_numpy(float) * trajectory["density"].to_numpy(float)
    restricted = trajectory["res_dim"].to_numpy() > 0
    if not restricted.any():
        return 0
    return int(np.argmax(np.where(restricted, score, -1.0)))


def box_limits(
    box: pd.DataFrame, initial: pd.DataFrame, qp: dict[str, list[float]]
) -> pd.DataFrame:
    """The restricted inputs of a box (EMA's two-row limits) as one row each."""
    rows = []
    for key in box.columns:
        low, high = box[key].iloc[0], box[key].iloc[1]
        first_low, first_high = initial[key].iloc[0], initial[key].iloc[1]
        if isinstance(low, set):
            if low == first_low:
                continue
            values = ", ".join(sorted(map(str, low)))
            row = {"low": math.nan, "high": math.nan, "values": values}
            row |= {"low_restricted": True, "high_restricted": True}
        else:
            lows, highs = bool(low > first_low), bool(high < first_high)
            if not (lows or highs):
                continue
            row = {"low": float(low), "high": float(high), "values": ""}
            row |= {"low_restricted": lows, "high_restricted": highs}
            row |= {"range_low": float(first_low), "range_high": float(first_high)}
        ps = [p for p in qp.get(key, []) if p is not None and p >= 0]
        rows.append({"parameter": key, **row, "qp": min(ps) if ps else math.nan})
    columns = ["parameter", "low", "high", "values", "low_restricted", "high_restricted", "qp"]
    columns += ["range_low", "range_high"]
    return pd.DataFrame(rows, columns=columns)


def snapped(limits: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """The limits moved onto the values run: PRIM cuts half-way between design values.

    A box ``project months ≥ 54`` over lengths 48 and 60 holds the 60s only: say so.
    """
    limits = limits.copy()
    for i, row in limits.iterrows():
        if row["values"]:
            continue
        values = x[row["parameter"]].to_numpy(float)
        inside = values[(values >= row["low"]) & (values <= row["high"])]
        if inside.size:
            limits.loc[i, ["low", "high"]] = [inside.min(), inside.max()]
    return limits


def condition_words(limit: pd.Series) -> str:
    """One limit in words: ``project months ≥ 48``, ``typology is cluster``."""
    name = str(limit["parameter"]).replace("_", " ")
    if limit["values"]:
        return f"{name} is {str(limit['values']).replace('_', ' ').replace(', ', ' or ')}"
    low, high = f"{limit['low']:.3g}", f"{limit['high']:.3g}"
    if limit["low_restricted"] and limit["high_restricted"]:
        return f"{name} is between {low} and {high}"
    return f"{name} ≥ {low}" if limit["low_restricted"] else f"{name} ≤ {high}"


def box_words(box: Box, case: Case, base_rate: float) -> str:
    """The box in words: how often the case happens inside it, and what share it covers."""
    if box.limits.empty:
        return f"PRIM found no conditions that make {case.words()} more frequent than overall."
    conditions = " and ".join(condition_words(r) for _, r in box.limits.iterrows())
    text = (
        f"{case.words()} happens in {box.density:.0%} of runs ({box.k} of {box.n}) when "
        f"{conditions}; these conditions hold for {box.coverage:.0%} of all runs where it "
        f"happens, and take in {box.mass:.0%} of all runs (overall: {base_rate:.0%})."
    )
    weak = box.limits[box.limits["qp"] > SIGNIFICANT]
    if not weak.empty:
        names = ", ".join(str(p).replace("_", " ") for p in weak["parameter"])
        text += f" The limit on {names} may be chance (quasi-p > {SIGNIFICANT:g})."
    return text


# --- the three together ----------------------------------------------------------------------
def discover(
    runs: pd.DataFrame, keys: list[str], case: Case | str = "success", seed: int = 0
) -> Discovery:
    """PRIM box, CART tree and feature scores of ``case`` over the design values ``keys``.

    ``case`` is a `Case`, or the name of a yes/no outcome (``"success"``); for a number use
    ``Case("trust_partners", threshold=0.4)``. ``keys``: the inputs to explain it by (a
    sweep's design keys; those that do not vary are left out).

    Raises:
        ValueError: no design value varies, or the case's outcome cannot be read.
    """
    case = Case(case) if isinstance(case, str) else case
    x = inputs(runs, keys)
    if x.empty:
        raise ValueError("no design value varies across these runs: nothing to discover")
    y = case.of(runs)
    k, n = int(y.sum()), len(y)
    scores = feature_scores(x, y, seed) if 0 < k < n else _no_scores(x)
    if k == 0 or k == n:
        which = "none" if k == 0 else "all"
        answer = f"{case.words()} happens in {which} of the {n:,} runs: nothing to tell apart."
        return Discovery(case, n, k, None, None, scores, answer)
    box = prim_box(x, y)
    tree = cart_tree(x, y, seed=seed)
    log.info("discovery of %s: box %s", case.words(), box.limits["parameter"].tolist())
    return Discovery(case, n, k, box, tree, scores, box_words(box, case, k / n))


def _no_scores(x: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"parameter": list(x.columns), "score": math.nan, "rank": 0})


def words(d: Discovery) -> str:
    """What a discovery found, for the terminal: the answer, the ranking, the tree's best leaf."""
    parts = [d.answer]
    if d.scores["score"].notna().any():
        parts.append(f"Which inputs matter (extra-trees scores):\n{ranking_words(d.scores)}")
    if d.tree is not None and not d.tree.leaves.empty:
        best = d.tree.leaves.iloc[0]
        parts.append(
            f"CART's best leaf: {d.case.words()} in {best.density:.0%} of runs "
            f"({best.of_interest} of {best.runs}) when {best.conditions} "
            f"({best.coverage:.0%} of all such runs)."
        )
    return "\n\n".join(parts)


def write_discovery(out: Path, d: Discovery) -> list[Path]:
    """Write the discovery's tables (``discovery_*.csv``, ``discovery.json``) and figures.

    Every file goes through `pipsim.sweep.files` (no link followed, recorded), so
    ``--overwrite`` and ``pipsim report`` know them as pipsim's.
    """
    from pipsim.plots import discovery as plots  # loads matplotlib
    from pipsim.sweep import files as safe

    stem = d.case.outcome
    files = [out / f"discovery_{stem}_scores.csv"]
    safe.save_csv(out, files[0], d.scores)
    figures: dict[str, Any] = {f"discovery_{stem}_scores.png": plots.scores(d.scores, d.case)}
    if d.box is not None and d.tree is not None:
        steps = d.box.trajectory
        tables = {
            f"discovery_{stem}_box.csv": d.box.limits,
            f"discovery_{stem}_trajectory.csv": steps.assign(chosen=steps.index == d.box.chosen),
            f"discovery_{stem}_tree.csv": d.tree.leaves,
        }
        for name, table in tables.items():
            files.append(out / name)
            safe.save_csv(out, files[-1], table)
        figures[f"discovery_{stem}_trajectory.png"] = plots.trajectory(d.box, d.case)
        figures[f"discovery_{stem}_box.png"] = plots.box(d.box, d.case)
        figures[f"discovery_{stem}_tree.png"] = plots.tree(d.tree, d.case)
    files.append(out / f"discovery_{stem}.json")
    safe.write_bytes(out, files[-1], json.dumps(facts(d), indent=2).encode("utf-8"))
    folder = out / "figures"
    for name, fig in figures.items():
        files.append(folder / name)
        safe.save_figure(out, files[-1], fig, dpi=120)
    return files


def facts(d: Discovery) -> dict[str, Any]:
    """The discovery as plain JSON values (what the report reads)."""
    found: dict[str, Any] = {
        "question": f"Under which conditions does {d.case.words()} happen?",
        "case": d.case.words(),
        "runs": d.runs,
        "of_interest": d.of_interest,
        "answer": d.answer,
        "ranking": d.scores["parameter"].tolist(),
    }
    if d.box is not None:
        found |= {"coverage": d.box.coverage, "density": d.box.density, "mass": d.box.mass}
    return found
