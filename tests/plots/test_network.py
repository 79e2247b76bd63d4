"""The network drawing draws exactly the ties the model counts as strong (one rule)."""

import numpy as np

from pipsim.model import PIPModel
from pipsim.outcomes import series_row
from pipsim.parameters import Parameters
from pipsim.plots.network import model_ties, strong_ties
from pipsim.rules.measures import SERIES, STRONG_TIE


def test_drawn_edges_equal_the_models_strong_ties_count_every_month():
    p = Parameters(typology="horizontal_network", project_months=18, post_project_months=6)
    model = PIPModel(p, rng=11)
    counts = []
    while model.running:
        model.step()
        i, j, w = model_ties(model)
        counted = int(series_row(model)[SERIES.index("strong_ties")])
        assert len(i) == counted, f"month {model.steps}: drawn {len(i)}, model {counted}"
        counts.append(counted)
        members = model.participating()
        assert (members[i] & members[j]).all() and (i < j).all() and (w >= STRONG_TIE).all()
    assert max(counts) > 0  # the run has strong ties to compare


def test_a_tie_is_the_mean_of_both_directions_and_needs_both_firms_taking_part():
    trust = np.array([[0.0, 0.9, 0.9], [0.2, 0.0, 0.9], [0.9, 0.9, 0.0]])
    # 0-1: min 0.2 (the old rule left it out), mean 0.55 (the model counts it)
    i, j, w = strong_ties(trust, np.array([True, True, False]), 0.5)
    assert list(zip(i, j, strict=True)) == [(0, 1)] and w[0] == 0.55  # 1-2, 0-2: firm 2 is out
