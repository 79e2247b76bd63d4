"""Blocks of runs: R replications advanced as one array pass are R ordinary runs.

A model of one run is a block of one, so the two must agree exactly for a seed; the runs of a
larger block must be independent draws of the same distribution (runs that leaked into each
other would not be), and any of them must come back the same when its block is run again.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipsim import PIPModel
from pipsim.sweep import block
from tests.strategies import SMALL, run_to_end

SETTING = {**SMALL, "typology": "cluster", "project_months": 18, "post_project_months": 6}
SETTING |= {"n_enterprises": 30, "initial_participants": 12}
COMPARED = ("participants", "mean_trust", "pilots_run", "trust_in_public", "dropouts")


def same(a: dict, b: dict) -> bool:
    """Two outcome dicts equal, NaN equal to NaN."""
    assert a.keys() == b.keys()
    return all(
        (isinstance(x, float) and math.isnan(x) and math.isnan(y)) or x == pytest.approx(y)
        for x, y in ((a[k], b[k]) for k in a)
    )


@pytest.mark.parametrize("seed", [1, 7])
def test_a_block_of_one_is_the_model_of_one_run(seed):
    single = run_to_end(PIPModel(rng=seed, **SETTING))
    runs, _ = block.run_block(SETTING, seed, 1)
    assert same(runs.drop(columns="place").iloc[0].to_dict(), single.outcomes())


def test_a_model_of_one_run_and_its_block_keep_the_same_event_log():
    single = run_to_end(PIPModel(rng=3, **SETTING))
    model = block.simulate(SETTING, 3, 1, event_log=True)
    assert model.run(0).event_log == single.event_log and single.event_log


def test_any_run_of_a_block_comes_back_with_its_months_and_events():
    runs, series = block.run_block(SETTING, 11, 5, time_series=True)
    view, months = block.reproduce(SETTING, 11, 5, place=3)
    assert same(view.outcomes(), runs.drop(columns="place").iloc[3].to_dict())
    assert len(months) == SETTING["project_months"] + SETTING["post_project_months"] + 1
    pd.testing.assert_frame_equal(
        months, series[series["place"] == 3].drop(columns="place").reset_index(drop=True)
    )
    assert any("pilot" in text for _, text in view.event_log)
    with pytest.raises(ValueError, match="not in a block of 5"):
        block.reproduce(SETTING, 11, 5, place=5)


def test_a_run_does_not_depend_on_its_block_mates():
    """Run r draws from its own generator: the same run in a block of 3 and of 8."""
    small, large = (block.run_block(SETTING, 21, size)[0] for size in (3, 8))
    for r in range(3):
        assert same(small.iloc[r].to_dict(), large.iloc[r].to_dict())


def test_month_by_month_and_a_whole_horizon_at_once_are_the_same_run():
    stepped = run_to_end(PIPModel(rng=4, event_log=True, **SETTING))
    at_once = PIPModel(rng=4, event_log=False, **SETTING)
    at_once.run_model()
    assert at_once.steps == stepped.steps == SETTING["project_months"] + 6
    assert same(at_once.outcomes(), stepped.outcomes())
    np.testing.assert_array_equal(at_once.trust, stepped.trust)


def test_the_runs_of_a_block_differ_from_each_other():
    runs, _ = block.run_block(SETTING, 2, 8)
    assert runs["mean_trust"].nunique() == 8


def test_blocks_and_single_runs_draw_the_same_distribution():
    """150 runs each way; a run coupled to its neighbours in the block would shift these."""
    singles = pd.DataFrame(
        [run_to_end(PIPModel(rng=1000 + s, **SETTING)).outcomes() for s in range(150)]
    )
    blocks = pd.concat([block.run_block(SETTING, b, 50)[0] for b in range(3)])
    for key in COMPARED:
        p = stats.mannwhitneyu(singles[key], blocks[key]).pvalue
        assert p > 0.001, f"{key}: single runs and blocks differ (p = {p:.2g})"


def test_a_block_reads_run_by_run_not_as_one_run():
    model = PIPModel(rng=1, replications=3, **SETTING)
    assert model.state.trust.shape == (3, 30, 30)
    with pytest.raises(AttributeError, match="holds 3 runs"):
        _ = model.trust
    np.testing.assert_array_equal(model.run(2).trust, model.state.trust[2])
    with pytest.raises(ValueError, match="all_outcomes"):
        model.outcomes()
