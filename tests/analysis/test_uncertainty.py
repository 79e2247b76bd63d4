"""Separating the runs' uncertainty from the parameters' (`pipsim.analysis.uncertainty`)."""

import numpy as np
import pandas as pd
import pytest

from pipsim.analysis import stats, uncertainty


def ensemble_runs(chances, members, runs_each, seed=None):
    """A run table: ``members`` blocks of ``runs_each`` runs, member k's chance chances[k % len].

    Without ``seed`` each block has exactly round(chance × runs) successes (the known case).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(members):
        chance = chances[k % len(chances)]
        hits = rng.binomial(runs_each, chance) if seed is not None else round(chance * runs_each)
        rows += [
            {"seed": 1000 + k, "member": k % len(chances), "success": r < hits}
            for r in range(runs_each)
        ]
    return pd.DataFrame(rows)


def test_two_parameter_sets_at_20_and_80_percent_spread_20_to_80():
    both = uncertainty.split(ensemble_runs([0.2, 0.8], members=20, runs_each=50))
    assert both.probability == pytest.approx(0.5)
    low, high = both.parameters
    assert low == pytest.approx(0.2, abs=0.02) and high == pytest.approx(0.8, abs=0.02)
    # more runs would pin the average down; the parameters' spread would stay
    assert both.runs[0] > 0.3 and both.runs[1] < 0.7
    assert both.sentence() == (
        "P = 50% (runs: 37–63%; with what we do not know about the parameters: 21–79%)"
    )


def test_runs_of_one_member_count_for_less_than_independent_runs():
    runs = ensemble_runs([0.2, 0.8], members=20, runs_each=50)
    wilson = stats.wilson_interval(int(runs["success"].sum()), len(runs))
    both = uncertainty.split(runs)
    assert both.runs[1] - both.runs[0] > 2 * (wilson[1] - wilson[0])


def test_identical_members_add_nothing_beyond_the_runs():
    spread = []
    for seed in range(30):
        both = uncertainty.split(ensemble_runs([0.4], members=20, runs_each=10, seed=seed))
        spread.append((both.parameters[1] - both.parameters[0]) - (both.runs[1] - both.runs[0]))
    # the parameters' interval is the runs' own, or (when chance suggests a spread) a little
    # wider: the spread between 20 members of 10 runs is itself only estimated
    assert np.mean(np.array(spread) == 0) > 0.4 and np.median(spread) < 0.05


def test_without_an_ensemble_the_interval_is_todays_wilson_interval():
    runs = pd.DataFrame({"success": [True] * 7 + [False] * 13, "seed": 1})
    both = uncertainty.split(runs)
    low, high = stats.wilson_interval(7, 20)
    assert both.runs == (float(low), float(high)) and both.parameters is None
    assert both.sentence() == "P = 35% (runs: 18–57%; parameters as the scenario sets them)"


def test_too_few_members_to_tell_their_spread_is_said():
    both = uncertainty.split(ensemble_runs([0.2, 0.8], members=3, runs_each=10))
    assert both.parameters is None
    assert "3 parameter sets drawn, too few to tell their spread" in both.sentence()


def test_the_sentence_has_the_issues_words():
    both = uncertainty.Split(0.42, (0.36, 0.48), (0.25, 0.60), 20, 200)
    assert both.sentence() == (
        "P = 42% (runs: 36–48%; with what we do not know about the parameters: 25–60%)"
    )


def test_a_sweeps_probabilities_table_carries_both_intervals_across_an_ensemble():
    runs = ensemble_runs([0.2, 0.8], members=20, runs_each=50).assign(point=0, project_months=36)
    table = stats.probabilities(runs, ["project_months"])
    row = table[table["target"] == "success"].iloc[0]
    assert row.parameters_lower == pytest.approx(0.2, abs=0.02)
    assert row.parameters_upper == pytest.approx(0.8, abs=0.02)
    plain = stats.probabilities(runs.drop(columns="member"), ["project_months"])
    assert "parameters_lower" not in plain.columns
    assert row.upper - row.lower > plain.iloc[0].upper - plain.iloc[0].lower


def test_the_member_is_an_id_not_an_outcome():
    runs = ensemble_runs([0.2, 0.8], members=6, runs_each=5).assign(point=0, sales_growth=0.1)
    assert stats.outcome_columns(runs, []) == ["sales_growth"]
