"""The compiled core draws the outcomes the model before it drew (issue 19, reduced).

``tests/data/pre_issue_19.parquet`` holds 300 runs of each of three small settings made by the
model of commit 19292cd (before the rules were compiled), written by
``benchmarks/equivalence.py --reference``. Today's model makes 300 runs of each from unrelated
seeds; a two-sample Kolmogorov-Smirnov test per outcome must stay above the Bonferroni line.
The full comparison (4 typologies x 3 settings, 2,000 runs each way) is the benchmark's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from benchmarks.equivalence import OUTCOMES, REDUCED, REDUCED_RUNS
from pipsim.sweep.block import run_block

REFERENCE = Path(__file__).parent / "data" / "pre_issue_19.parquet"
LINE = 0.05 / (len(REDUCED) * len(OUTCOMES))  # Bonferroni over every test of this file


@pytest.mark.parametrize("setting", list(REDUCED))
def test_the_compiled_core_draws_the_distributions_of_the_model_before_it(setting):
    old = pd.read_parquet(REFERENCE)
    old = old[old["setting"] == setting]
    assert len(old) == REDUCED_RUNS
    new = pd.concat(
        run_block(REDUCED[setting], 90_000 + b, 50)[0] for b in range(REDUCED_RUNS // 50)
    )
    for key in OUTCOMES:
        p = stats.ks_2samp(old[key].dropna(), new[key].dropna()).pvalue
        assert p > LINE, (
            f"{setting}, {key}: old mean {old[key].mean():.3g}, new {new[key].mean():.3g}"
        )
