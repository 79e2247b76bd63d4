"""The behaviours model v3 promises (issue 20), each checked on a block of small runs.

Each test states a behaviour of the mechanisms, stated before the mechanism was written, not a
lesson of the source document: the lessons are the validation experiments' business.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipsim import PIPModel
from pipsim.outcomes import block_outcomes

NO_PROJECT_EFFECT = dict(
    pilot_sales_effect=0.0,
    pilot_productivity_effect=0.0,
    project_sales_effect=0.0,
    project_productivity_effect=0.0,
    public_action_effect=0.0,
)


def block(runs: int = 40, seed: int = 1, **overrides) -> pd.DataFrame:
    """The outcomes of a block of ``runs`` runs."""
    model = PIPModel(replications=runs, rng=seed, event_log=False, **overrides)
    model.run_model()
    return pd.DataFrame(block_outcomes(model))


# --- 1. one counterfactual for every indicator ------------------------------------------------
@pytest.mark.parametrize("recruitment", [0.02, 0.28, 0.8])
def test_without_project_effects_growth_is_nil_at_any_recruitment(recruitment):
    runs = block(20, recruitment_rate=recruitment, **NO_PROJECT_EFFECT)
    for name in ("sales_growth", "productivity_growth", "sales_growth_after"):
        assert np.abs(runs[name]).max() < 1e-9, name
    assert np.nanmax(np.abs(runs["spillover_sales_growth"])) < 1e-9


def test_growth_does_not_follow_the_size_of_the_group_left_outside():
    # Recruitment changes who is left outside (the old comparison group) but not the yardstick.
    few = block(60, recruitment_rate=0.05, project_months=60, post_project_months=0)
    many = block(60, recruitment_rate=0.6, project_months=60, post_project_months=0)
    assert (many["participants"].mean() - few["participants"].mean()) > 15
    # each firm is measured against its own market path, so nobody's growth is
    # inflated by an empty or shrinking comparison group
    gap = abs(many["productivity_growth"].mean() - few["productivity_growth"].mean())
    assert gap < 0.5 * max(few["productivity_growth"].mean(), many["productivity_growth"].mean())


def test_spillovers_are_their_own_outcome():
    runs = block(30, appropriability=0.2)  # most of a project's benefit leaks
    with_projects = runs[runs["projects_succeeded"] > 0]
    assert len(with_projects) > 5
    assert (with_projects["spillover_productivity_growth"] > 0).mean() > 0.9
