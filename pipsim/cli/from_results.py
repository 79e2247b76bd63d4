"""``pipsim run-once --from RESULTS --run K``: any run of a sweep, made again in full.

A sweep keeps each run's outcomes, not its months. Its row names the run's block (seed and
size) and its place in the block, and the folder's manifest holds the scenario's parameters,
so the block can be run again and that one run handed back with its monthly series and event
log, exactly as it went in the sweep.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from pipsim.cli.common import UsageError
from pipsim.parameters import Parameters
from pipsim.state import RunView
from pipsim.sweep import block, results
from pipsim.sweep.scenario import MAX_BLOCK_SIZE, MAX_SEED

KEPT = ("seed", "place", "block_runs")  # what a row needs to be made again


def sweep_run(folder: Path, run: int) -> tuple[dict[str, Any], pd.Series]:
    """(the parameters of run ``run`` of the sweep in ``folder``, its results row).

    Raises:
        UsageError: the folder holds no sweep, the run is not in it, or the results were
            written by a pipsim that did not record blocks.
    """
    if not folder.is_dir():
        raise UsageError(f"--from {folder}: no such folder; give the --out folder of a sweep")
    manifest = results.read_manifest(folder)
    if manifest is None or "design" not in manifest:
        raise UsageError(f"--from {folder}: no pipsim results here (no readable manifest.json)")
    design, keys = manifest["design"], manifest.get("design_keys") or []
    base = design.get("base") if isinstance(design, dict) else None
    if (
        not isinstance(design, dict)
        or not isinstance(base or {}, dict)
        or not (isinstance(keys, list) and all(isinstance(k, str) for k in keys))
    ):
        raise UsageError(f"--from {folder}: its manifest.json is damaged (its design): {EDITED}")
    try:
        runs = results.load_runs(folder)
    except results.ResultsError as error:
        raise UsageError(str(error)) from error
    missing = [c for c in KEPT if c not in runs.columns]
    if missing:
        raise UsageError(
            f"--from {folder}: these results do not record {', '.join(missing)} (an older "
            "pipsim wrote them); run the sweep again to reproduce its runs"
        )
    row = runs[runs["run"] == run]
    if row.empty:
        raise UsageError(
            f"--run {run}: not in {folder}, which holds runs {int(runs['run'].min())}–"
            f"{int(runs['run'].max())} ({len(runs)} runs)"
        )
    found = row.iloc[0]
    if unknown := [k for k in keys if k not in runs.columns]:
        raise UsageError(f"--from {folder}: no column {unknown[0]!r} in its runs: {EDITED}")
    # runs drawn across an ensemble record their member's values: the lowest layer
    drawn = design.get("ensemble") if isinstance(design, dict) else None
    drawn = drawn if isinstance(drawn, dict) else {}
    names = [k for k in drawn.get("parameters") or [] if isinstance(k, str) and k in found]
    overrides = {k: _plain(found[k]) for k in names} | dict(base or {})
    for key in keys:
        overrides[key] = _plain(found[key])
    try:
        Parameters.from_overrides(overrides)
    except (TypeError, ValueError) as error:
        raise UsageError(
            f"--from {folder}: run {run}'s parameters are not valid ({error})"
        ) from None
    _check_block(found, design.get("block_size"), run)
    return overrides, found


EDITED = "the folder was edited or damaged; run its sweep again (--overwrite) to remake it"


def _check_block(row: pd.Series, block_size: Any, run: int) -> None:
    """Refuse a row whose seed, block size or place could not have come from its sweep."""
    try:
        seed, place, size = (int(row[k]) for k in KEPT)
    except (TypeError, ValueError):  # a missing (NaN) or non-numeric value
        raise UsageError(
            f"--run {run}: its seed, place or block size is missing: {EDITED}"
        ) from None
    largest = block_size if isinstance(block_size, int) and block_size >= 1 else MAX_BLOCK_SIZE
    problem = (
        f"seed {seed} is outside 0 to {MAX_SEED:,}"
        if not 0 <= seed <= MAX_SEED
        else f"block_runs {size} is outside 1 to {largest:,} (the sweep's block size)"
        if not 1 <= size <= largest
        else f"place {place} is not in a block of {size} runs"
        if not 0 <= place < size
        else None
    )
    if problem is not None:
        raise UsageError(f"--run {run}: its row is not a sweep's ({problem}): {EDITED}")


def remake(overrides: dict[str, Any], row: pd.Series) -> tuple[RunView, pd.DataFrame]:
    """The run of ``row`` made again: its block is run once more, the run picked out."""
    return block.reproduce(overrides, int(row["seed"]), int(row["block_runs"]), int(row["place"]))


def differences(view: RunView, row: pd.Series, parameters: Parameters) -> list[str]:
    """Outcomes of the remade run that differ from the row (none, unless pipsim changed)."""
    remade = view.outcomes()
    changed = []
    for key, value in remade.items():
        if key not in row.index:
            continue
        old = row[key]
        same = (
            (isinstance(value, float) and math.isnan(value) and pd.isna(old))
            or old == value
            or (isinstance(value, float) and math.isclose(float(old), value, abs_tol=1e-9))
        )
        if not same:
            changed.append(key)
    return changed


def _plain(value: Any) -> Any:
    """A numpy scalar from a Parquet row as the Python value a parameter takes."""
    return value.item() if hasattr(value, "item") else value
