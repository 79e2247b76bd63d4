"""Today's model draws the outcomes of its reference commit (a guard on the rules, reduced).

``tests/data/reference_runs.parquet`` holds 300 runs of each of three small settings made by
the model of the commit recorded in its ``commit`` column, written by ``benchmarks/equivalence.py
--against COMMIT --reference-only --reference tests/data/reference_runs.parquet``. Today's model
makes 300 runs of each from unrelated seeds; a two-sample Kolmogorov-Smirnov test per outcome
must stay above the Bonferroni line. A change that was not meant to change the rules (a faster
loop, a new layout) must pass; a model version that changes them on purpose makes the reference
anew from the commit that holds its rules, and says so in its changelog. Issue 19's compiled
core passed this against the model before it (commit 19292cd); model v3 (issue 20) changed the
rules and made the reference anew, and again with its first impressions (item 6) and with
calibration v2's defaults (the settings run at the defaults). The full
comparison (4 typologies x 3 settings, 2,000 runs each way) is the benchmark's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from benchmarks.equivalence import OUTCOMES, REDUCED, REDUCED_RUNS
from pipsim.sweep.block import run_block

REFERENCE = Path(__file__).parent / "data" / "reference_runs.parquet"
LINE = 0.05 / (len(REDUCED) * len(OUTCOMES))  # Bonferroni over every test of this file


@pytest.mark.parametrize("setting", list(REDUCED))
def test_the_model_draws_the_distributions_of_its_reference_commit(setting):
    old = pd.read_parquet(REFERENCE)
    old = old[old["setting"] == setting]
    assert len(old) == REDUCED_RUNS
    commit = old["commit"].iloc[0]
    new = pd.concat(
        run_block(REDUCED[setting], 90_000 + b, 50)[0] for b in range(REDUCED_RUNS // 50)
    )
    for key in OUTCOMES:
        p = stats.ks_2samp(old[key].dropna(), new[key].dropna()).pvalue
        assert p > LINE, (
            f"{setting}, {key}: mean {old[key].mean():.3g} at {commit}, {new[key].mean():.3g} "
            "today (a rule changed: if on purpose, make the reference anew, see the docstring)"
        )
