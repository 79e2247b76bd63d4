"""The conduct record (`pipsim.rules.probe`): what it notes, and that it changes no run."""

from __future__ import annotations

import numpy as np
import pytest

from pipsim import PIPModel
from pipsim.rules import learning, probe, ventures
from pipsim.rules.state import CONDUCT_FIELDS, make_state
from tests.rules.states import add_venture, copy_state, replace_rules, state, with_trust


def a_partner_who_defects():
    """Three members: firm 0 distrusts the others and fails the group; 1 and 2 trust fully.

    Firm 0's hazard is clipped to 1 (an enormous unreliability); firms 1 and 2 cannot fail the
    group (no unreliability) and cannot let a commitment slip (full trust in their partners,
    full good will and reliability). No conflict arises from other sources, so what each
    watcher learns is the partner's conduct alone.
    """
    matrix = np.ones((3, 3))
    matrix[0, 1:] = 0.5
    s = with_trust(matrix)
    s.unreliability[0] = [1e9, 0.0, 0.0]
    s.reliability[0] = 1.0
    s.goodwill[0] = 1.0
    add_venture(s, 0, [0, 1, 2], kind=ventures.PILOT)
    _, p = state(3)
    return s, replace_rules(p, conflict_rate=0.0, monitoring_effect=0.0)


def test_a_defection_is_recorded_with_the_trust_it_cost():
    s, p = a_partner_who_defects()
    s = probe.with_conduct_record(s, 3)
    before = copy_state(s)
    ventures.month_of_ventures(s, p, 0, np.random.default_rng(1), 5)
    rows = probe.take_conduct(s, 0)
    assert len(rows) == 6 and s.conduct_noted[0] == 0  # every ordered pair; the record emptied
    record = {(int(w), int(q)): (int(c), b, a) for _, _, w, q, c, b, a in rows}
    for watcher in (1, 2):
        conduct, was, now = record[watcher, 0]
        assert conduct == probe.DEFECTED and was == 1.0
        expected = copy_state(before)
        learning.learn_about(expected, p, 0, watcher, 0, 0.0, ventures.DEFECTION_EVIDENCE)
        assert now == expected.trust[0, watcher, 0] and now < was
        assert now == s.trust[0, watcher, 0]
    conduct, was, now = record[0, 1]
    assert conduct == probe.COMPLIED and was == pytest.approx(0.5) and now > was


def test_the_record_changes_nothing_the_rules_do():
    """A run with the record on is the same run as without it, array for array."""
    settings = dict(
        rng=7,
        n_enterprises=20,
        initial_participants=20,
        project_months=18,
        post_project_months=6,
        event_log=False,
    )
    plain, watched = PIPModel(**settings), PIPModel(**settings)
    watched.state = probe.with_conduct_record(watched.state, watched.n)
    rows = []
    while plain.running:
        plain.step()
        watched.step()
        rows.append(probe.take_conduct(watched.state, 0))
    rows = np.concatenate(rows)
    assert len(rows) > 0 and not np.isnan(rows).any()
    assert set(rows[:, 4].astype(int)) <= {probe.COMPLIED, probe.LAPSED, probe.DEFECTED}
    for name, value in plain.state.arrays._asdict().items():
        if not name.startswith("conduct"):
            assert np.array_equal(value, getattr(watched.state, name), equal_nan=True), name


def test_a_record_without_room_for_the_month_is_refused():
    s, p = a_partner_who_defects()
    s = make_state(
        s.arrays._replace(
            conduct_record=np.zeros((1, 2, CONDUCT_FIELDS)),
            conduct_noted=np.zeros(1, dtype=np.int64),
        )
    )
    ventures.month_of_ventures(s, p, 0, np.random.default_rng(1), 5)
    assert s.conduct_noted[0] == 6
    with pytest.raises(RuntimeError, match="lost 4 rows"):
        probe.take_conduct(s, 0)


def test_no_record_is_kept_unless_asked():
    s, p = a_partner_who_defects()
    ventures.month_of_ventures(s, p, 0, np.random.default_rng(1), 5)
    assert s.conduct_record.size == 0 and s.conduct_noted.size == 0
