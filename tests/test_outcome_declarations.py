"""Outcomes are declared once (`pipsim.outcome_declarations.OUTCOMES`); every list derives it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipsim.analysis import report_words, stats, summary
from pipsim.outcome_declarations import KEY_OUTCOMES, OUTCOMES, outcome, target_flags
from pipsim.plots import sensitivity as sensitivity_plots
from pipsim.plots import sweep as sweep_plots
from pipsim.sweep import scenario
from pipsim.sweep.design import Run
from pipsim.sweep.runner import run_one

DECLARED = [o.name for o in OUTCOMES]


def _run_outcomes() -> dict:
    outcomes, _ = run_one(Run(0, 0, 0, 1, {"typology": "horizontal_network"}), False)
    return outcomes


def test_every_declared_outcome_is_computed_in_the_declared_order():
    computed = list(_run_outcomes())
    assert [name for name in computed if name in DECLARED] == DECLARED


def test_every_computed_outcome_is_declared():
    """Add an outcome in `pipsim.outcomes.outcomes`, then declare it in `OUTCOMES` beside it."""
    undeclared = [name for name in _run_outcomes() if name not in DECLARED]
    assert not undeclared, f"declare {undeclared} in pipsim.outcome_declarations.OUTCOMES"


def test_names_are_unique_and_kinds_known():
    assert len(set(DECLARED)) == len(DECLARED)
    assert {o.kind for o in OUTCOMES} <= {"flag", "count", "share", "level", "months"}
    assert set(KEY_OUTCOMES) <= set(DECLARED)


def test_the_lists_derive_from_the_declaration():
    assert scenario.OUTCOMES == tuple(DECLARED)
    assert stats.TARGET_FLAGS == target_flags() == report_words.TARGETS
    assert set(target_flags()) == {o.name for o in OUTCOMES if o.kind == "flag"}
    assert summary.SCREEN_OUTCOMES == KEY_OUTCOMES[:5] and report_words.KEY_OUTCOMES == KEY_OUTCOMES
    assert list(sweep_plots.TARGET_STYLES) == list(target_flags())
    assert sweep_plots.TARGET_STYLES["success"][0] == outcome("success").label
    assert sweep_plots.KEY_OUTCOMES["mean_trust"] == outcome("mean_trust").label
    assert sensitivity_plots.question("sustained").endswith(outcome("sustained").question + "?")


def test_log_frame_targets_are_the_targets_of_the_declared_outcomes():
    assert scenario.TARGETS == {
        "sales_growth": "target_sales_growth",
        "productivity_growth": "target_productivity_growth",
        "firms_in_joint_projects": "target_firms_in_joint_projects",
        "participants": "target_participants",
    }


def test_an_undeclared_outcome_is_named_by_its_key_and_breaks_nothing():
    new = outcome("a_new_measure")
    assert (new.name, new.label, new.question) == (("a_new_measure",) + ("a new measure",) * 2)
    assert sensitivity_plots.question("a_new_measure") == "Which parameters drive a new measure?"
    rng = np.random.default_rng(1)
    runs = pd.DataFrame(
        {
            "run": range(8),
            "point": [0] * 4 + [1] * 4,
            "replicate": [0, 1, 2, 3] * 2,
            "seed": range(8),
            "project_months": [22] * 4 + [36] * 4,
            "success": rng.random(8) < 0.5,
            "mean_trust": rng.random(8),
            "a_new_measure": rng.integers(0, 5, 8),  # computed, not declared
        }
    )
    dist = stats.distributions(runs, ["project_months"])
    assert "a_new_measure" in set(dist["outcome"])
    prob = stats.probabilities(runs, ["project_months"])
    assert set(prob["target"]) == {"success"}
    sweep_plots.success_curve(prob, "project_months", "a title")
