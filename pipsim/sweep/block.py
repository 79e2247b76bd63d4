"""A block of replications of one design point: the engine's unit of work.

Sweeps, sensitivity analysis, duration search and calibration all ask the same question of
the model: "run these parameters R times from this seed and give me each run's outcomes".
`run_block` answers it. A run is identified by its block's seed and its place in the block,
so any single run can be reproduced from a results row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipsim.model import PIPModel


def replicate_seed(block_seed: int, place: int) -> int:
    """The seed of the run at ``place`` in the block seeded ``block_seed``."""
    state = np.random.SeedSequence(block_seed, spawn_key=(place,)).generate_state(2)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def run_block(
    overrides: dict[str, Any], seed: int, replications: int, *, time_series: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run ``replications`` runs of one parameter set; one outcomes row per run.

    Returns (runs, series): ``runs`` has a ``place`` column (0 .. replications-1) and one
    column per outcome (`pipsim.outcomes.OUTCOMES`); ``series`` the monthly state of every
    run (with ``place``) if ``time_series``, else None.
    """
    rows, monthly = [], []
    for place in range(replications):
        model = PIPModel(rng=replicate_seed(seed, place), time_series=time_series, **overrides)
        while model.running:
            model.step()
        rows.append({"place": place, **model.outcomes()})
        if time_series:
            monthly.append(model.datacollector.get_model_vars_dataframe().assign(place=place))
    series = pd.concat(monthly, ignore_index=True) if monthly else None
    return pd.DataFrame(rows), series
