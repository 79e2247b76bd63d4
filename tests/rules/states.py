"""Small states to test the rules on: a model's state and rules, its arrays ready to be set.

The rules take the state and the parameter values as numba structs over named tuples
(``state.arrays``, ``rules.values``); the arrays are shared, so setting ``s.trust[0]`` sets what
the rules read.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from pipsim import PIPModel
from pipsim.rules.state import (
    OUTSIDE,
    PARTICIPATING,
    Rules,
    State,
    StateArrays,
    make_rules,
    make_state,
)


def copy_state(s: State, **arrays: np.ndarray) -> State:
    """A state of copies of ``s``'s arrays, ``arrays`` (by name) in place of its own."""
    return make_state(StateArrays(*(a.copy() for a in s.arrays._replace(**arrays))))


def replace_rules(p: Rules, **values: Any) -> Rules:
    """Rules with ``values`` (by name) in place of ``p``'s."""
    return make_rules(p.values._replace(**values)) if values else p


@functools.cache
def _template(n: int, runs: int) -> tuple[State, Rules]:
    model = PIPModel(
        rng=0,
        replications=runs,
        event_log=False,
        n_enterprises=n,
        initial_participants=n,
        n_lead_firms=0,
        project_months=12,
        post_project_months=4,
        launch_months=2,
        close_out_months=3,
    )
    return model.state, model.rules


def state(n: int, runs: int = 1, **rules: Any) -> tuple[State, Rules]:
    """A fresh copy of the launch state of ``n`` firms (all participating), and its rules.

    ``rules`` overrides parameter values of the rules (e.g. ``staff_turnover=1.0``).
    """
    template, p = _template(n, runs)
    return copy_state(template), replace_rules(p, **rules)


def with_trust(matrix: np.ndarray, participants: Any = None) -> State:
    """A one-run state whose trust is ``matrix``; only ``participants`` (default all) take part."""
    n = len(matrix)
    s, _ = state(n)
    s.trust[0] = matrix
    s.baseline_trust[0] = matrix
    s.status[0] = OUTSIDE
    chosen = np.arange(n) if participants is None else np.asarray(participants, dtype=np.int64)
    s.status[0, chosen] = PARTICIPATING
    return s


def add_venture(s: State, r: int, members: Any, kind: int = 1) -> int:
    """Open a venture of ``members`` in run ``r`` by hand; returns its slot."""
    v = int(np.flatnonzero(~s.alive[r])[0])
    members = np.asarray(members, dtype=np.int64)
    s.alive[r, v] = True
    s.kind[r, v] = kind
    s.size[r, v] = len(members)
    s.members[r, v, : len(members)] = members
    return v
