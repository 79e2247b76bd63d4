"""Hypothesis strategies and small shared helpers for the pipsim test suite."""

from __future__ import annotations

import concurrent.futures as cf
import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim import TYPOLOGIES, PIPModel

# --- scalars -----------------------------------------------------------------------------------
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=False)
# Gain steps are bounded away from 0 so that float rounding of t + g(1 - t) cannot hide them.
gains = st.floats(min_value=1e-6, max_value=0.3, allow_nan=False, allow_subnormal=False)
loss_ratios = st.floats(min_value=1.0, max_value=10.0, allow_nan=False)
rates = unit  # per-month or per-year shares
# Learning rates of one piece of evidence, small enough that even with the largest loss ratio a
# bad piece never erases all trust at once (rate x loss_ratio < 1).
learning_rates = st.floats(min_value=1e-4, max_value=0.09, allow_nan=False)
evidence_counts = st.floats(min_value=0.0, max_value=40.0, allow_nan=False)
seeds = st.integers(min_value=0, max_value=2**32 - 1)

# A small, quick model: a year's project and four months after it. Tests that need other
# sizes override it ({**SMALL, ...}) rather than declare their own.
SMALL = dict(
    project_months=12,
    post_project_months=4,
    launch_months=2,
    close_out_months=3,
    n_enterprises=25,
    initial_participants=10,
    n_lead_firms=1,
)
# Trust that builds slowly: model v3's trust gain and first impressions before calibration v2
# (the calibrated defaults, gain 0.18 and 17 pieces, let a group's trust reach the formalising
# threshold within a pilot or two: docs/calibration.md §6.8). Tests of how trust *gates* when
# projects form and whether they last need trust that takes time to build, so they say so.
SLOW_TRUST = dict(trust_gain=0.05, trust_prior_weight=10.0)
# Firms that trust each other readily form collective projects, which work and pay off soon.
EASY_PROJECTS = dict(
    initial_trust=0.7,
    initial_trust_spread=0.05,
    project_trust_threshold=0.3,
    pilot_success_rate=1.0,
    noncompliance_risk=0.0,
    project_success_rate=1.0,
    project_maturation_months=4,
    successes_before_project=0,  # no ladder to climb first
)


def unit_arrays(n: int | st.SearchStrategy[int]) -> st.SearchStrategy[np.ndarray]:
    """1-d float arrays with values in [0, 1]."""
    return hnp.arrays(np.float64, n, elements=unit)


@st.composite
def trust_matrices(draw: st.DrawFn, min_n: int = 2, max_n: int = 10) -> np.ndarray:
    """A square trust matrix with entries in [0, 1] (diagonal arbitrary as well)."""
    n = draw(st.integers(min_n, max_n))
    return draw(hnp.arrays(np.float64, (n, n), elements=unit))


@st.composite
def matrix_and_group(
    draw: st.DrawFn, min_n: int = 2, max_n: int = 10, min_group: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """A trust matrix and a group of distinct firm indices into it."""
    trust = draw(trust_matrices(min_n=max(min_n, min_group), max_n=max_n))
    n = trust.shape[0]
    members = draw(st.lists(st.integers(0, n - 1), min_size=min_group, max_size=n, unique=True))
    return trust, np.array(members, dtype=int)


@st.composite
def trust_and_groups(
    draw: st.DrawFn, max_n: int = 8, max_groups: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """A trust matrix with a diagonal of 1 and a boolean ``(groups, firms)`` membership mask."""
    matrix = draw(trust_matrices(min_n=2, max_n=max_n))
    np.fill_diagonal(matrix, 1.0)
    n_groups = draw(st.integers(1, max_groups))
    members = draw(hnp.arrays(np.bool_, (n_groups, matrix.shape[0])))
    return matrix, members


@st.composite
def small_model_parameters(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments for a small, valid `PIPModel` (any typology preset)."""
    pm = draw(st.integers(1, 30))
    n = draw(st.integers(5, 40))
    return dict(
        typology=draw(st.sampled_from(TYPOLOGIES)),
        project_months=pm,
        post_project_months=draw(st.integers(0, 12)),
        launch_months=min(3, pm // 3),
        close_out_months=min(6, pm // 3),
        n_enterprises=n,
        initial_participants=draw(st.integers(1, n)),
        n_lead_firms=draw(st.integers(0, min(3, n))),
        initial_trust=draw(unit),
        staff_turnover=draw(unit),
        public_commitment=draw(unit),
        appropriability=draw(unit),
    )


# --- helpers -----------------------------------------------------------------------------------
def run_to_end(model: PIPModel, limit: int = 10_000) -> PIPModel:
    """Step ``model`` until it stops running (guarding against a model that never stops)."""
    for _ in range(limit):
        if not model.running:
            return model
        model.step()
    raise AssertionError(f"model still running after {limit} steps")


def same_value(a: Any, b: Any) -> bool:
    """Equality that treats two NaNs as equal."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def same_outcomes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """NaN-aware equality of two outcome dicts (same keys, same values)."""
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


@st.composite
def busy_project_parameters(draw: st.DrawFn) -> dict[str, Any]:
    """A small model whose firms readily form, run and break collective projects."""
    kwargs = draw(small_model_parameters())
    pm = draw(st.integers(12, 30))
    n = kwargs["n_enterprises"]
    kwargs.update(
        project_months=pm,
        launch_months=1,
        close_out_months=min(3, pm // 3),
        initial_participants=max(kwargs["initial_participants"], min(n, 8)),
        initial_trust=draw(st.floats(0.5, 0.9)),
        initial_trust_spread=0.05,
        project_trust_threshold=draw(st.floats(0.2, 0.4)),
        pilot_success_rate=1.0,
        project_success_rate=draw(st.floats(0.5, 1.0)),
        project_maturation_months=draw(st.integers(1, 4)),
        noncompliance_risk=draw(st.floats(0.0, 0.3)),
        conflict_rate=draw(st.floats(0.0, 0.6)),
        mediation=draw(st.booleans()),
    )
    return kwargs


class InterruptedAfter(cf.Executor):
    """Runs tasks in this process, then raises KeyboardInterrupt as Ctrl-C would."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed

    def submit(self, fn, /, *args, **kwargs):
        if self.allowed == 0:
            raise KeyboardInterrupt
        self.allowed -= 1
        future = cf.Future()
        future.set_result(fn(*args, **kwargs))
        return future
