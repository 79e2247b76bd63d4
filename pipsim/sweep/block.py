"""A block of replications of one design point: the engine's unit of work.

Sweeps, sensitivity analysis, duration search and calibration all ask the same question of
the model: "run these parameters R times from this seed and give me each run's outcomes".
`run_block` answers it with one `PIPModel` holding the R runs, each advanced to its end in one
compiled call with its own random generator. A run is its block's seed and its place in the
block: `reproduce` runs the block again and hands back that one run, its monthly series and
event log included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipsim.model import PIPModel
from pipsim.state import RunView


def simulate(
    overrides: dict[str, Any],
    seed: int,
    replications: int,
    *,
    time_series: bool = False,
    event_log: bool = False,
) -> PIPModel:
    """The block of ``replications`` runs of these parameters from ``seed``, run to its end."""
    model = PIPModel(
        rng=seed,
        replications=replications,
        time_series=time_series,
        event_log=event_log,
        **overrides,
    )
    model.run_model()
    return model


def block_bytes(overrides: dict[str, Any], replications: int) -> int:
    """Memory the state of a block of ``replications`` runs of these parameters takes.

    Measured, not guessed: the state of one run is set up (without its months) and its arrays
    counted, times the runs; pairs of firms dominate (about 14 bytes a pair and run).
    """
    from pipsim.model import make_parameters, set_up

    p = make_parameters(None, {k: v for k, v in overrides.items() if k != "event_log"})
    one = set_up(p, [np.random.default_rng(0)], event_log=False)
    return replications * sum(a.nbytes for a in one.arrays)


def run_block(
    overrides: dict[str, Any], seed: int, replications: int, *, time_series: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run ``replications`` runs of one parameter set; one outcomes row per run.

    Returns (runs, series): ``runs`` has a ``place`` column (0 .. replications-1) and one
    column per outcome (`pipsim.outcome_declarations.OUTCOMES`); ``series`` the monthly state
    of every run (with ``place``) if ``time_series``, else None.
    """
    model = simulate(overrides, seed, replications, time_series=time_series)
    rows = [{"place": r, **o} for r, o in enumerate(model.all_outcomes())]
    return pd.DataFrame(rows), model.series() if time_series else None


def reproduce(
    overrides: dict[str, Any], seed: int, replications: int, place: int
) -> tuple[RunView, pd.DataFrame]:
    """Run ``place`` of the block again: (the run at its end, its monthly series).

    The view reads like a model of one run (``outcomes``, ``event_log``...); its series has
    the columns of ``pipsim run-once --series``.
    """
    if not 0 <= place < replications:
        raise ValueError(f"place {place} is not in a block of {replications} runs")
    model = simulate(overrides, seed, replications, time_series=True, event_log=True)
    series = model.series()
    one = series[series["place"] == place].drop(columns="place").reset_index(drop=True)
    return model.run(place), one
