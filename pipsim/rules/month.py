"""The month's story: the schedule every run follows, and a run advanced over many months.

A month begins with what its date brings (joint work opens, the close-out begins, the agency
leaves, a political crisis, a minister delegating), then the market moves; while the agency is
there, its team turns over and, unless a political crisis has split it from the firms, serves
them: the ministry's actions fall due, the team's events bring firms together and new ventures
form (in a crisis, the divisions wear the firms' trust in it instead); then neighbours meet,
every venture lives its month, trust that was not renewed fades, and firms stay, leave or join.
"""

from __future__ import annotations

import math

import numpy as np

from pipsim.rules import contact, events, forming, learning, market, public, team
from pipsim.rules.after import self_organise
from pipsim.rules.compiled import njit
from pipsim.rules.log import record
from pipsim.rules.measures import STATE_MEASURES, log_frame_met, series_row, state_measures
from pipsim.rules.membership import month_of_membership
from pipsim.rules.phases import agency_present, close_out_begins, joint_work_begins, phase_of
from pipsim.rules.state import CLOSE_OUT, JOINT_WORK, LOG_MONTHS, Rules, State
from pipsim.rules.ventures import month_of_ventures


@njit(cache=True)
def snapshot_at_project_end(s: State, p: Rules, r: int) -> None:
    """The state measures and counts when the agency leaves (the log frame is judged on them)."""
    row = s.at_project_end[r]
    state_measures(s, p, r, row)
    for k in range(s.counts.shape[1]):
        row[len(STATE_MEASURES) + k] = s.counts[r, k]


@njit(cache=True)
def dated_events(s: State, p: Rules, r: int, rng: np.random.Generator, m: int) -> None:
    """What the calendar brings at the start of month ``m``, before the month's rules."""
    if m == 1 and p.early_public_action:
        public.action(s, p, r, rng, m)  # the quick win the document asks for at the very start
    if p.launch_months > 0 and m == joint_work_begins(p):
        record(s, p, r, m, events.JOINT_WORK_OPENS, 0, 0)
    if phase_of(p, m) == CLOSE_OUT and m == close_out_begins(p):
        record(s, p, r, m, events.CLOSE_OUT_BEGINS, 0, 0)
    if p.post_project_months > 0 and m == p.project_months + 1:
        s.mediator_skill[r, :] = 0.0
        record(s, p, r, m, events.AGENCY_LEFT, 0, 0)
    if s.crisis_month[r] == m and m <= p.total_months:
        public.political_crisis(s, p, r, m)
    public.crisis_passes(s, r, m)
    if s.delegation_month[r] == m and m <= p.project_months:
        public.delegate(s, p, r, m)


@njit(cache=True)
def advance(
    s: State,
    p: Rules,
    r: int,
    rng: np.random.Generator,
    first: int,
    last: int,
    series: np.ndarray,
) -> int:
    """Months ``first`` to ``last`` of run ``r``, in one compiled call; the last month done.

    Each month follows the schedule told above (written out here, not a function of its own:
    one compiled function less to build on a fresh machine, issue 19); a model's single
    ``step`` is ``advance`` from a month to the same month.

    With a ``series`` array (runs, months + 1, columns), each month's row of the monthly series
    (`measures.SERIES`) is filled too; an empty one keeps none. A run that keeps a log stops
    early when the log has room for less than a month more (the model reads it, then goes on).
    """
    room = s.log.shape[1] // LOG_MONTHS
    for m in range(first, last + 1):
        s.contact[r, :, :] = False
        dated_events(s, p, r, rng, m)
        market.month_of_market(s, p, r, rng, m)
        phase = phase_of(p, m)
        if agency_present(p, m):
            team.turnover(s, p, r, rng, m)
        if public.agency_at_work(s, p, r, m):
            team.serve_firms(s, p, r, m)
            public.actions_fall_due(s, p, r, rng, m)
            contact.trust_building(s, p, r, rng)
            if phase == JOINT_WORK or phase == CLOSE_OUT:
                forming.new_ventures(s, p, r, rng, m, phase)
            if phase == CLOSE_OUT:
                contact.consolidate(s, p, r)
        elif agency_present(p, m):
            public.divisions(s, p, r)  # a crisis has split the agency from the firms
        else:
            self_organise(s, p, r, rng, m)
        contact.chance_meetings(s, p, r, rng)
        month_of_ventures(s, p, r, rng, m)
        learning.fade(s, r, p.trust_decay)
        month_of_membership(s, p, r, rng, m)
        if math.isnan(s.log_frame_month[r]) and log_frame_met(s, p, r):
            s.log_frame_month[r] = m
        if m == p.project_months:
            snapshot_at_project_end(s, p, r)
        if series.shape[1] > m:
            series_row(s, p, r, m, series[r, m])
        if p.logging and s.logged[r] + room > s.log.shape[1]:
            return m
    return last
