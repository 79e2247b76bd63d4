"""What the rules read and change: the state of a block of runs, and the parameters they use.

`State` is a named tuple of numpy arrays whose first axis is the run, so one set of compiled
rules advances one run or a block of runs (`advance` is called once per run, with that run's own
random generator). Firms are ``(R, n)``, pairs of firms ``(R, n, n)`` (``trust[r, i, j]`` is how
much firm i trusts firm j; the diagonal is 1), the team's posts ``(R, posts)``, the ventures
``(R, slots)`` with each venture's members listed in ``members[r, v, :size[r, v]]``.

`Rules` holds the parameter values the rules read, as plain numbers: numba compiles the rules
once for the types, not for the values.
"""

from __future__ import annotations

from typing import NamedTuple, get_type_hints

import numpy as np

from pipsim.parameters import Parameters

# Where a firm stands (as `pipsim.agents.Status`).
OUTSIDE, PARTICIPATING, DROPPED_OUT = 0, 1, 2
# The phases of a project, in order.
LAUNCH, JOINT_WORK, CLOSE_OUT, POST_PROJECT = 0, 1, 2, 3
PHASES = ("launch", "joint_work", "close_out", "post_project")
# What the block counts, per run: the columns of ``State.counts``.
COUNTS = (
    "events_held",
    "pilots_run",
    "pilots_succeeded",
    "pilots_failed",
    "projects_run",
    "projects_succeeded",
    "projects_failed",
    "conflicts",
    "conflicts_mediated",
    "technicians_left",
    "public_actions_kept",
    "public_actions_broken",
)
(
    EVENTS_HELD,
    PILOTS_RUN,
    PILOTS_SUCCEEDED,
    PILOTS_FAILED,
    PROJECTS_RUN,
    PROJECTS_SUCCEEDED,
    PROJECTS_FAILED,
    CONFLICTS,
    CONFLICTS_MEDIATED,
    TECHNICIANS_LEFT,
    PUBLIC_ACTIONS_KEPT,
    PUBLIC_ACTIONS_BROKEN,
) = range(len(COUNTS))
PILOT, PROJECT = 0, 1  # a venture's kind
NEVER = np.nan  # a dated event or milestone that has not happened
TRUST_DTYPE = np.float32  # firm-to-firm trust: the largest arrays; 7 digits are plenty
LOG_FIELDS = 4  # an event of the log: month, what happened (`pipsim.events`), two numbers


class State(NamedTuple):
    """Every changing quantity of R runs; the first axis of each array is the run."""

    # firms: who they are
    is_lead: np.ndarray  # lead (client) firms: the same firms in every run
    size_class: np.ndarray
    capability: np.ndarray
    self_confidence: np.ndarray
    patience: np.ndarray
    reliability: np.ndarray  # how often it keeps small commitments
    unreliability: np.ndarray  # failing a group, relative to a firm of average reliability
    employees: np.ndarray
    baseline_productivity: np.ndarray
    baseline_sales: np.ndarray
    exporter_at_baseline: np.ndarray
    # firms: where they stand
    status: np.ndarray
    motivation: np.ndarray
    months_waiting: np.ndarray
    last_result_month: np.ndarray
    track_record: np.ndarray  # pilots succeeded
    project_of: np.ndarray  # the number (uid) of its collective project, -1 if none
    in_pilot: np.ndarray
    market_index: np.ndarray
    sales_uplift: np.ndarray
    joint_sales_uplift: np.ndarray
    productivity_uplift: np.ndarray
    exporter: np.ndarray
    # trust
    baseline_trust: np.ndarray
    trust: np.ndarray
    joint_successes: np.ndarray  # ventures succeeded together
    together: np.ndarray  # pairs ever in a venture together
    contact: np.ndarray  # pairs that met this month (their trust does not fade)
    trust_collective: np.ndarray
    trust_public: np.ndarray
    institutional_trust: np.ndarray
    relationship: np.ndarray  # with the agency, through the technician
    technician_of: np.ndarray  # the post serving the firm, -1 if none
    mediator_skill: np.ndarray  # skill of the technician at hand (0: none)
    # the team and the ministry
    technician_skill: np.ndarray
    vacant_until: np.ndarray  # a post is empty while the month is below this
    commitment: np.ndarray
    high_level_present: np.ndarray
    in_crisis: np.ndarray
    crisis_month: np.ndarray
    delegation_month: np.ndarray
    # the ventures: a slot per venture under way, reused once it ends
    alive: np.ndarray
    kind: np.ndarray  # PILOT or PROJECT
    label: np.ndarray  # indexes PILOT_KINDS or PROJECT_KINDS
    start: np.ndarray
    ends: np.ndarray  # a pilot's last month of work; the month a project's maturation completes
    operating: np.ndarray
    months_operating: np.ndarray
    uid: np.ndarray  # the run's ventures numbered in the order they formed
    size: np.ndarray
    members: np.ndarray  # (R, slots, n): members[r, v, :size[r, v]] are its firms
    sales_gain: np.ndarray  # (R, slots, n): a member firm's sales uplift from the project
    formed: np.ndarray  # ventures formed so far
    # what happened
    counts: np.ndarray  # (R, len(COUNTS))
    first_project: np.ndarray  # month (NaN until reached)
    log_frame_month: np.ndarray
    at_project_end: np.ndarray  # (R, measures) when the agency left; NaN before
    log: np.ndarray  # (R, room, LOG_FIELDS): the month's notable events, read by the model
    logged: np.ndarray  # events in ``log``, per run


class Rules(NamedTuple):
    """The parameter values the rules read (`Parameters` fields, and what follows from them)."""

    n: int
    project_months: int
    total_months: int
    launch_months: int
    close_out_months: int
    post_project_months: int
    appropriability: float
    initial_motivation: float
    participation_cost: float
    progress_indicators: bool
    recruitment_rate: float
    coordination_cost: float
    self_organisation: float
    geographic_distance: float
    trust_gain: float
    trust_loss_ratio: float
    trust_decay: float
    mean_reliability: float
    spontaneous_contact: float
    trust_building_events: bool
    events_per_month: float
    pilots: bool
    pilots_per_month: float
    pilot_group_size: int
    pilot_months: int
    pilot_success_rate: float
    pilot_sales_effect: float
    pilot_productivity_effect: float
    collective_projects: bool
    project_group_size: int
    project_trust_threshold: float
    project_maturation_months: int
    successes_before_project: int
    project_success_rate: float
    project_sales_effect: float
    project_productivity_effect: float
    noncompliance_risk: float
    monitoring_effect: float
    operating_failure_rate: float
    conflict_rate: float
    mediation: bool
    mediation_effectiveness: float
    n_technicians: int
    technician_skill: float
    firms_per_technician: int
    activities_per_technician: float
    staff_turnover: float
    vacancy_months: float
    relationship_weight: float
    early_public_action: bool
    public_actions_per_year: float
    public_action_effect: float
    high_level_participation: bool
    crisis_commitment_drop: float
    market_growth: float
    sales_volatility: float
    demand_shock_rate: float
    demand_shock_size: float
    target_sales_growth: float
    target_productivity_growth: float
    target_firms_in_joint_projects: int
    target_participants: int
    logging: bool  # keep the notable events (the trainers' view) or not (sweeps)


def rules(p: Parameters, logging: bool) -> Rules:
    """The values of ``p`` the rules read, typed as numba compiles them."""
    values = {}
    for name, kind in get_type_hints(Rules).items():
        if name not in ("n", "total_months", "logging"):
            values[name] = kind(getattr(p, name))
    return Rules(n=p.n_enterprises, total_months=p.total_months, logging=bool(logging), **values)


def venture_slots(n: int) -> int:
    """Room for the ventures a run can have under way at once.

    A firm is in at most one pilot and one project, a pilot forms with two firms at least and a
    project with three, so ``n / 2 + n / 3`` ventures hold every firm; the rest is headroom for
    groups emptied this month and closed at the next.
    """
    return n // 2 + n // 3 + 8


def log_room(n: int, posts: int) -> int:
    """Events one month of one run can log: every venture ending, every post, the shocks."""
    return venture_slots(n) + n + posts + 32
