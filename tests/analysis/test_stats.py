"""Wilson intervals: the uncertainty every success probability in pipsim is reported with."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from pipsim.analysis.stats import wilson_interval


@pytest.mark.parametrize("n", [1, 6, 7, 40, 125, 1000])
def test_interval_holds_its_estimate_and_stays_in_the_unit_range(n):
    k = np.arange(n + 1)
    lower, upper = wilson_interval(k, np.full(n + 1, n))
    p = k / n
    assert np.all((0 <= lower) & (lower <= p) & (p <= upper) & (upper <= 1))
    assert lower[0] == 0 and upper[-1] == 1  # no error bar ever points the wrong way


def test_matches_the_textbook_formula_and_an_independent_implementation():
    lower, upper = wilson_interval(18, 200)
    # Wilson (1927): centre (p + z²/2n)/(1 + z²/n) ± z√(p(1-p)/n + z²/4n²)/(1 + z²/n)
    assert (float(lower), float(upper)) == pytest.approx((0.0577, 0.1378), abs=1e-4)
    ci = scipy_stats.binomtest(18, 200).proportion_ci(confidence_level=0.95, method="wilson")
    assert (float(lower), float(upper)) == pytest.approx((ci.low, ci.high), abs=1e-3)


def test_no_runs_means_no_knowledge():
    lower, upper = wilson_interval(np.array([0]), np.array([0]))
    assert (lower[0], upper[0]) == (0.0, 1.0)
