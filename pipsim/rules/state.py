"""What the rules read and change: the state of a block of runs, and the parameters they use.

The state is a set of numpy arrays whose first axis is the run (`StateArrays`), so one set of
compiled rules advances one run or a block of runs (`advance` is called once per run, with that
run's own random generator). Firms are ``(R, n)``, pairs of firms ``(R, n, n)`` (``trust[r, i,
j]`` is how much firm i trusts firm j; the diagonal is 1), the team's posts ``(R, posts)``, the
ventures ``(R, slots)`` with each venture's members listed in ``members[r, v, :size[r, v]]``.
The rules receive them as one `State`: a numba struct holding the same arrays (one pointer to
pass, where a tuple of sixty arrays would be copied at every call and slow the compiler ten
times), which Python reads by name too.

`Rules` holds the parameter values the rules read, as plain numbers: numba compiles the rules
once for the types, not for the values.
"""

from __future__ import annotations

from typing import Any, NamedTuple, get_type_hints

import numba
import numpy as np
from numba.core import types
from numba.experimental import structref

from pipsim.parameters import Parameters
from pipsim.rules.compiled import njit

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
    "promises_kept",
    "promises_broken",
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
    PROMISES_KEPT,  # a member-month of a venture in which the member kept its word
    PROMISES_BROKEN,  # one in which it let its partners down (a slip or a breach)
) = range(len(COUNTS))
PILOT, PROJECT = 0, 1  # a venture's kind
NEVER = np.nan  # a dated event or milestone that has not happened
TRUST_DTYPE = np.float32  # firm-to-firm trust: the largest arrays; 7 digits are plenty
LOG_FIELDS = 4  # an event of the log: month, what happened (`pipsim.rules.events`), two numbers
LOG_MONTHS = 12  # the log has room for this many months of the most eventful kind
CONDUCT_FIELDS = 7  # a row of the conduct record (`pipsim.rules.probe.CONDUCT_COLUMNS`)


class StateArrays(NamedTuple):
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
    goodwill: np.ndarray  # willingness to keep its word, worn down by partners letting it down
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
    evidence: np.ndarray  # pieces of evidence each firm has had of each other firm
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
    pilots_before_first_project: np.ndarray  # pilots run when it formed (NaN until then)
    trust_at_first_project: np.ndarray  # its members' mean mutual trust as they formalised it
    log_frame_month: np.ndarray
    at_project_end: np.ndarray  # (R, measures) when the agency left; NaN before
    log: np.ndarray  # (R, room, LOG_FIELDS): the month's notable events, read by the model
    logged: np.ndarray  # events in ``log``, per run
    # an experiment's record of conduct and trust (`pipsim.rules.probe`); no room unless asked
    conduct_record: np.ndarray = np.zeros((0, 0, CONDUCT_FIELDS))
    conduct_noted: np.ndarray = np.zeros(0, dtype=np.int64)


# Each array's element type and number of axes, in the order of `StateArrays`: the struct's type.
LAYOUT: dict[str, tuple[Any, int]] = {
    **dict.fromkeys(("is_lead",), (np.bool_, 2)),
    **dict.fromkeys(("size_class",), (np.int64, 2)),
    **dict.fromkeys(("capability", "self_confidence", "patience", "reliability"), (np.float64, 2)),
    **dict.fromkeys(("unreliability",), (np.float64, 2)),
    **dict.fromkeys(("employees",), (np.int64, 2)),
    **dict.fromkeys(("baseline_productivity", "baseline_sales"), (np.float64, 2)),
    **dict.fromkeys(("exporter_at_baseline",), (np.bool_, 2)),
    **dict.fromkeys(("status",), (np.int8, 2)),
    **dict.fromkeys(("motivation", "goodwill", "months_waiting"), (np.float64, 2)),
    **dict.fromkeys(("last_result_month", "track_record", "project_of"), (np.int64, 2)),
    **dict.fromkeys(("in_pilot",), (np.bool_, 2)),
    **dict.fromkeys(("market_index", "sales_uplift", "joint_sales_uplift"), (np.float64, 2)),
    **dict.fromkeys(("productivity_uplift",), (np.float64, 2)),
    **dict.fromkeys(("exporter",), (np.bool_, 2)),
    **dict.fromkeys(("baseline_trust", "trust", "evidence"), (TRUST_DTYPE, 3)),
    **dict.fromkeys(("joint_successes",), (np.int32, 3)),
    **dict.fromkeys(("together", "contact"), (np.bool_, 3)),
    **dict.fromkeys(("trust_collective", "trust_public", "institutional_trust"), (np.float64, 2)),
    **dict.fromkeys(("relationship",), (np.float64, 2)),
    **dict.fromkeys(("technician_of",), (np.int64, 2)),
    **dict.fromkeys(("mediator_skill", "technician_skill"), (np.float64, 2)),
    **dict.fromkeys(("vacant_until",), (np.int64, 2)),
    **dict.fromkeys(("commitment",), (np.float64, 1)),
    **dict.fromkeys(("high_level_present", "in_crisis"), (np.bool_, 1)),
    **dict.fromkeys(("crisis_month", "delegation_month"), (np.float64, 1)),
    **dict.fromkeys(("alive",), (np.bool_, 2)),
    **dict.fromkeys(("kind",), (np.int8, 2)),
    **dict.fromkeys(("label", "start", "ends"), (np.int64, 2)),
    **dict.fromkeys(("operating",), (np.bool_, 2)),
    **dict.fromkeys(("months_operating", "uid", "size"), (np.int64, 2)),
    **dict.fromkeys(("members",), (np.int64, 3)),
    **dict.fromkeys(("sales_gain",), (np.float64, 3)),
    **dict.fromkeys(("formed",), (np.int64, 1)),
    **dict.fromkeys(("counts",), (np.int64, 2)),
    **dict.fromkeys(("first_project", "pilots_before_first_project"), (np.float64, 1)),
    **dict.fromkeys(("trust_at_first_project", "log_frame_month"), (np.float64, 1)),
    **dict.fromkeys(("at_project_end",), (np.float64, 2)),
    **dict.fromkeys(("log",), (np.int64, 3)),
    **dict.fromkeys(("logged",), (np.int64, 1)),
    **dict.fromkeys(("conduct_record",), (np.float64, 3)),
    **dict.fromkeys(("conduct_noted",), (np.int64, 1)),
}
if tuple(LAYOUT) != StateArrays._fields:  # one list of arrays, in one order
    raise ImportError("pipsim.rules.state: LAYOUT and StateArrays name different arrays")


@structref.register
class StateType(types.StructRef):
    """numba's type of a `State`: a struct of the arrays of `LAYOUT`."""

    def preprocess_fields(self, fields: Any) -> tuple[Any, ...]:
        """Field types as declared (no literal types)."""
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class State(structref.StructRefProxy):
    """The state of a block as the rules receive it; Python reads its arrays by name.

    Made by `make_state`; ``state.trust`` is the same array the compiled rules change.
    """

    arrays: StateArrays

    def __getattr__(self, name: str) -> Any:
        arrays = self.__dict__.get("arrays")
        if arrays is None:
            raise AttributeError(name)
        return getattr(arrays, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return make_state, (self.arrays,)


structref.define_boxing(StateType, State)
STATE_TYPE = StateType(
    [
        (name, types.Array(numba.from_dtype(np.dtype(dtype)), ndim, "C"))
        for name, (dtype, ndim) in LAYOUT.items()
    ]
)


def make_state(arrays: StateArrays) -> State:
    """The `State` of these arrays, each in its declared type (shared by the rules, no copy)."""
    typed = StateArrays(
        *(
            np.ascontiguousarray(value, dtype=LAYOUT[name][0])
            for name, value in arrays._asdict().items()
        )
    )
    for name, value in typed._asdict().items():
        if value.ndim != LAYOUT[name][1]:
            raise ValueError(f"state array {name} has {value.ndim} axes, not {LAYOUT[name][1]}")
    if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]  # plain Python: no struct, the rules read the arrays by name
        state = object.__new__(State)
    else:
        state = _struct_of(typed)
    state.arrays = typed
    return state


@njit(cache=True)
def _struct_of(a: StateArrays) -> State:
    s = structref.new(STATE_TYPE)  # type: ignore[call-arg,var-annotated]  # numba typed
    s.is_lead = a.is_lead
    s.size_class = a.size_class
    s.capability = a.capability
    s.self_confidence = a.self_confidence
    s.patience = a.patience
    s.reliability = a.reliability
    s.unreliability = a.unreliability
    s.employees = a.employees
    s.baseline_productivity = a.baseline_productivity
    s.baseline_sales = a.baseline_sales
    s.exporter_at_baseline = a.exporter_at_baseline
    s.status = a.status
    s.motivation = a.motivation
    s.goodwill = a.goodwill
    s.months_waiting = a.months_waiting
    s.last_result_month = a.last_result_month
    s.track_record = a.track_record
    s.project_of = a.project_of
    s.in_pilot = a.in_pilot
    s.market_index = a.market_index
    s.sales_uplift = a.sales_uplift
    s.joint_sales_uplift = a.joint_sales_uplift
    s.productivity_uplift = a.productivity_uplift
    s.exporter = a.exporter
    s.baseline_trust = a.baseline_trust
    s.trust = a.trust
    s.evidence = a.evidence
    s.joint_successes = a.joint_successes
    s.together = a.together
    s.contact = a.contact
    s.trust_collective = a.trust_collective
    s.trust_public = a.trust_public
    s.institutional_trust = a.institutional_trust
    s.relationship = a.relationship
    s.technician_of = a.technician_of
    s.mediator_skill = a.mediator_skill
    s.technician_skill = a.technician_skill
    s.vacant_until = a.vacant_until
    s.commitment = a.commitment
    s.high_level_present = a.high_level_present
    s.in_crisis = a.in_crisis
    s.crisis_month = a.crisis_month
    s.delegation_month = a.delegation_month
    s.alive = a.alive
    s.kind = a.kind
    s.label = a.label
    s.start = a.start
    s.ends = a.ends
    s.operating = a.operating
    s.months_operating = a.months_operating
    s.uid = a.uid
    s.size = a.size
    s.members = a.members
    s.sales_gain = a.sales_gain
    s.formed = a.formed
    s.counts = a.counts
    s.first_project = a.first_project
    s.pilots_before_first_project = a.pilots_before_first_project
    s.trust_at_first_project = a.trust_at_first_project
    s.log_frame_month = a.log_frame_month
    s.at_project_end = a.at_project_end
    s.log = a.log
    s.logged = a.logged
    s.conduct_record = a.conduct_record
    s.conduct_noted = a.conduct_noted
    return s


class RuleValues(NamedTuple):
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
    trust_prior_weight: float
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


@structref.register
class RulesType(types.StructRef):
    """numba's type of `Rules`: a struct of the values of `RuleValues`."""

    def preprocess_fields(self, fields: Any) -> tuple[Any, ...]:
        """Field types as declared (no literal types)."""
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class Rules(structref.StructRefProxy):
    """The parameter values as the rules receive them; Python reads them by name."""

    values: RuleValues

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if values is None:
            raise AttributeError(name)
        return getattr(values, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return make_rules, (self.values,)


structref.define_boxing(RulesType, Rules)
_NUMBA_SCALARS = {int: types.int64, float: types.float64, bool: types.boolean}
_RULE_KINDS = get_type_hints(RuleValues)
RULES_TYPE = RulesType([(name, _NUMBA_SCALARS[kind]) for name, kind in _RULE_KINDS.items()])


def make_rules(values: RuleValues) -> Rules:
    """The `Rules` of these values."""
    if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]  # plain Python: no struct, the rules read the values by name
        rules = object.__new__(Rules)
    else:
        rules = _rules_struct_of(values)
    rules.values = values
    return rules


@njit(cache=True)
def _rules_struct_of(v: RuleValues) -> Rules:
    p = structref.new(RULES_TYPE)  # type: ignore[call-arg,var-annotated]  # numba typed
    p.n = v.n
    p.project_months = v.project_months
    p.total_months = v.total_months
    p.launch_months = v.launch_months
    p.close_out_months = v.close_out_months
    p.post_project_months = v.post_project_months
    p.appropriability = v.appropriability
    p.initial_motivation = v.initial_motivation
    p.participation_cost = v.participation_cost
    p.progress_indicators = v.progress_indicators
    p.recruitment_rate = v.recruitment_rate
    p.coordination_cost = v.coordination_cost
    p.self_organisation = v.self_organisation
    p.geographic_distance = v.geographic_distance
    p.trust_gain = v.trust_gain
    p.trust_loss_ratio = v.trust_loss_ratio
    p.trust_prior_weight = v.trust_prior_weight
    p.trust_decay = v.trust_decay
    p.mean_reliability = v.mean_reliability
    p.spontaneous_contact = v.spontaneous_contact
    p.trust_building_events = v.trust_building_events
    p.events_per_month = v.events_per_month
    p.pilots = v.pilots
    p.pilots_per_month = v.pilots_per_month
    p.pilot_group_size = v.pilot_group_size
    p.pilot_months = v.pilot_months
    p.pilot_success_rate = v.pilot_success_rate
    p.pilot_sales_effect = v.pilot_sales_effect
    p.pilot_productivity_effect = v.pilot_productivity_effect
    p.collective_projects = v.collective_projects
    p.project_group_size = v.project_group_size
    p.project_trust_threshold = v.project_trust_threshold
    p.project_maturation_months = v.project_maturation_months
    p.successes_before_project = v.successes_before_project
    p.project_success_rate = v.project_success_rate
    p.project_sales_effect = v.project_sales_effect
    p.project_productivity_effect = v.project_productivity_effect
    p.noncompliance_risk = v.noncompliance_risk
    p.monitoring_effect = v.monitoring_effect
    p.operating_failure_rate = v.operating_failure_rate
    p.conflict_rate = v.conflict_rate
    p.mediation = v.mediation
    p.mediation_effectiveness = v.mediation_effectiveness
    p.n_technicians = v.n_technicians
    p.technician_skill = v.technician_skill
    p.firms_per_technician = v.firms_per_technician
    p.activities_per_technician = v.activities_per_technician
    p.staff_turnover = v.staff_turnover
    p.vacancy_months = v.vacancy_months
    p.relationship_weight = v.relationship_weight
    p.early_public_action = v.early_public_action
    p.public_actions_per_year = v.public_actions_per_year
    p.public_action_effect = v.public_action_effect
    p.high_level_participation = v.high_level_participation
    p.crisis_commitment_drop = v.crisis_commitment_drop
    p.market_growth = v.market_growth
    p.sales_volatility = v.sales_volatility
    p.demand_shock_rate = v.demand_shock_rate
    p.demand_shock_size = v.demand_shock_size
    p.target_sales_growth = v.target_sales_growth
    p.target_productivity_growth = v.target_productivity_growth
    p.target_firms_in_joint_projects = v.target_firms_in_joint_projects
    p.target_participants = v.target_participants
    p.logging = v.logging
    return p


def rules(p: Parameters, logging: bool) -> Rules:
    """The values of ``p`` the rules read, typed as numba compiles them."""
    values = {}
    for name, kind in _RULE_KINDS.items():
        if name not in ("n", "total_months", "logging"):
            values[name] = kind(getattr(p, name))
    return make_rules(
        RuleValues(n=p.n_enterprises, total_months=p.total_months, logging=bool(logging), **values)
    )


def venture_slots(n: int) -> int:
    """Room for the ventures a run can have under way at once.

    A firm is in at most one pilot and one project, a pilot forms with two firms at least and a
    project with three, so ``n / 2 + n / 3`` ventures hold every firm; the rest is headroom for
    groups emptied this month and closed at the next.
    """
    return n // 2 + n // 3 + 8


def log_room(n: int, posts: int) -> int:
    """Room in a run's log: `LOG_MONTHS` months of every venture ending, every post, shocks."""
    return LOG_MONTHS * (venture_slots(n) + n + posts + 32)
