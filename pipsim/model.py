"""PIPModel: productive integration projects, month by month, then the years after them.

The model holds the relational state as arrays (trust among firms, in the agency, in the
public sector, in collective action; motivation; sales and productivity) and wires the pure
dynamics of `pipsim.dynamics` together. Phase changes and dated shocks (a political crisis,
a minister delegating, the agency leaving) are Mesa events; everything that happens every
month is in `step`.

A model may hold a block of ``replications`` runs of the same parameters: every array then
has a leading run axis (`pipsim.state.State`) and each rule advances all runs in one array
operation. One run is a block of one; its attributes (``model.trust``, ``model.status``...)
are run 0 of those arrays, and `run` shows any run of a block the same way.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from pipsim import outcomes as _outcomes
from pipsim import ventures
from pipsim.agents import Enterprise, ExecutingAgency, PublicAgency, Status
from pipsim.dynamics import activities, economy, motivation, trust, turnover
from pipsim.parameters import Parameters
from pipsim.state import COUNTS, OneRun, RunView, State
from pipsim.ventures import Venture, VentureBook

__all__ = ["COUNTS", "PHASES", "PIPModel", "make_parameters"]

PHASES = ("launch", "joint_work", "close_out", "post_project")
EMPLOYEES = ((1, 10), (10, 50), (50, 200), (200, 600))  # by size class: micro .. large
VALUE_ADDED_PER_WORKER = (12.0, 20.0, 30.0, 45.0)  # thousand $ a year, by size class
RETURN_FACTOR = 0.5  # a firm that dropped out is half as likely to join again as a newcomer
DELEGATED_COMMITMENT = 0.8  # share of the minister's commitment a delegate can deliver
WORD_OF_MOUTH = 0.5  # recruitment after the agency left, as a share of the rate during it
RELIABILITY_CONCENTRATION = 12.0  # Beta(a + b = 12) around the mean: a spread of about 0.1
NEVER = np.nan  # a dated event or milestone that has not happened
TRUST_DTYPE = np.float32  # firm-to-firm trust: the largest arrays; 7 digits are plenty


def make_parameters(parameters: Parameters | None, overrides: dict[str, Any]) -> Parameters:
    """Parameters from an explicit object and/or keyword overrides (typology presets apply)."""
    if parameters is None:
        return Parameters.from_overrides(overrides)
    if overrides:
        unknown = sorted(set(overrides) - set(parameters.to_dict()))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}")
        return Parameters(**{**parameters.to_dict(), **overrides})
    return parameters


class PIPModel(OneRun, mesa.Model):
    """A productive integration project: enterprises, an executing agency, a public agency.

    Args:
        parameters: a `Parameters`; if omitted, built from ``overrides`` (and the preset of
            ``typology``, default cluster).
        rng: seed or numpy Generator; the same parameters and seed give the same run(s).
        time_series: collect the monthly state in ``datacollector`` (one run) or `series`
            (off: only the final month).
        replications: runs of these parameters advanced together (a block; see `run`).
        event_log: keep each run's events in plain words (off saves time in large sweeps).
        **overrides: any `Parameters` field, e.g. ``project_months=48``.
    """

    phase: str
    state: State
    books: VentureBook  # the ventures of every run

    def __init__(
        self,
        parameters: Parameters | None = None,
        *,
        rng: Any = None,
        time_series: bool = False,
        replications: int = 1,
        event_log: bool = True,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        if replications < 1:
            raise ValueError(f"replications must be at least 1, not {replications}")
        self.p = p = make_parameters(parameters, dict(overrides))
        self.n, self.runs = p.n_enterprises, replications
        self.time_series, self.logging = time_series, event_log
        self.phase = "launch" if p.launch_months > 0 else "joint_work"
        self.agency_present = True
        self.logs: list[list[tuple[int, str]]] = [[] for _ in range(replications)]
        self.state = State(replications)
        self._init_enterprises()
        self._init_trust()
        self._init_institutions()
        self._views: dict[int, Venture] = {}
        self._rows: list[dict[str, Any]] = []
        self._scratch = np.empty_like(self.state.trust)
        if replications == 1:
            self.enterprises = [Enterprise(self, i) for i in range(self.n)]
            self.agency = ExecutingAgency(self)
            self.public = PublicAgency(self)
        self._schedule_events()
        self._check_log_frame(0)
        self.datacollector = mesa.DataCollector(model_reporters=_outcomes.REPORTERS)
        if time_series:
            self._collect()

    # --- one run of the block, under the familiar names ---------------------------------------
    def __getattr__(self, name: str) -> Any:
        state = self.__dict__.get("state")
        if state is not None and name in state.names():
            if self.runs != 1:
                raise AttributeError(
                    f"this model holds {self.runs} runs: read model.run(r).{name}, "
                    f"or model.state.{name} for all of them"
                )
            return getattr(state, name)[0]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__.get("state")
        if state is not None and name in state.names():
            getattr(state, name)[0] = value  # write through to run 0
        else:
            super().__setattr__(name, value)

    def run(self, r: int) -> RunView:
        """Run ``r`` of the block, read as one run (outcomes, series, figures)."""
        return RunView(self, r)

    @property
    def counts(self) -> dict[str, int]:
        """How many of each event the run has seen (pilots run, conflicts...)."""
        return {k: int(v[0]) for k, v in self.state.counts.items()}

    @property
    def book(self) -> ventures.RunBook:
        """The ventures of the run (of run 0 in a block)."""
        return self.books.run(0)

    @property
    def event_log(self) -> list[tuple[int, str]]:
        """The run's notable events in plain words, (month, text)."""
        return self.logs[0]

    @property
    def at_project_end(self) -> dict[str, float] | None:
        """The state measures and counts when the agency left (None before)."""
        return self.state.at_project_end[0]

    # --- set-up -----------------------------------------------------------------------------
    def _init_enterprises(self) -> None:
        s, p, rng, n, shape = self.state, self.p, self.rng, self.n, (self.runs, self.n)
        large = max(0.0, 1.0 - p.share_micro - p.share_small - p.share_medium)
        shares = np.array([p.share_micro, p.share_small, p.share_medium, large])
        s.size_class = rng.choice(4, size=shape, p=shares / shares.sum())
        self.is_lead = np.zeros(n, dtype=bool)  # the same firms lead in every run
        self.is_lead[: p.n_lead_firms] = True
        s.size_class[:, self.is_lead] = 3
        size = s.size_class
        s.capability = np.clip(rng.beta(2 + size, 3) + 0.15 * self.is_lead, 0, 1)
        s.self_confidence = rng.beta(2 + size, 3)
        s.patience = rng.gamma(4.0, p.mean_patience_months / 4.0, shape) * (1 + 0.5 * self.is_lead)
        s.motivation = np.clip(rng.normal(p.initial_motivation, 0.1, shape), 0, 1)
        s.reliability = reliability_draws(rng, p.mean_reliability, shape)
        s.unreliability = (1.0 - s.reliability) / max(1.0 - p.mean_reliability, 1e-9)
        low, high = np.array(EMPLOYEES).T
        s.employees = rng.integers(low[size], high[size])
        s.baseline_productivity = np.take(VALUE_ADDED_PER_WORKER, size) * rng.lognormal(
            0, 0.2, shape
        )
        s.baseline_sales = s.employees * s.baseline_productivity * 2.5 / 12  # a month
        s.exporter = rng.random(shape) < p.exporter_share * (0.5 + 0.5 * size)
        s.exporter_at_baseline = s.exporter.copy()
        s.status = np.full(shape, Status.OUTSIDE, dtype=np.int8)
        leads = p.n_lead_firms
        others = leads + np.argsort(rng.random((self.runs, n - leads)), axis=1)
        first = np.concatenate((np.broadcast_to(np.arange(leads), (self.runs, leads)), others), 1)
        np.put_along_axis(s.status, first[:, : p.initial_participants], Status.PARTICIPATING, 1)
        s.months_waiting = np.zeros(shape)
        s.last_result_month = np.full(shape, -99)
        s.track_record = np.zeros(shape, dtype=int)  # pilots succeeded
        s.project_of = np.full(shape, -1)  # the venture number of its collective project
        s.in_pilot = np.zeros(shape, dtype=bool)
        s.market_index = np.ones(shape)
        s.sales_uplift = np.zeros(shape)
        s.joint_sales_uplift = np.zeros(shape)
        s.productivity_uplift = np.zeros(shape)
        s.first_project = np.full(self.runs, NEVER)
        s.log_frame_month = np.full(self.runs, NEVER)
        self.books = VentureBook(self.runs, n)

    def _init_trust(self) -> None:
        s, p, rng, n, runs = self.state, self.p, self.rng, self.n, self.runs
        base = rng.normal(p.initial_trust, p.initial_trust_spread, (runs, n, n))
        ties = np.triu(rng.random((runs, n, n)) < p.prior_ties, 1)
        base += 0.2 * (ties | np.swapaxes(ties, 1, 2))
        base[:, np.arange(n), np.arange(n)] = 1.0
        s.baseline_trust = np.clip(base, 0.0, 1.0).astype(TRUST_DTYPE)
        s.trust = s.baseline_trust.copy()
        s.joint_successes = np.zeros((runs, n, n), dtype=np.int32)  # ventures succeeded together
        s.together = np.zeros((runs, n, n), dtype=bool)  # pairs ever in a venture together
        s.contact = np.zeros((runs, n, n), dtype=bool)  # pairs that met this month
        shape = (runs, n)
        s.trust_collective = np.clip(rng.normal(p.initial_trust_collective, 0.1, shape), 0, 1)
        s.trust_public = np.clip(rng.normal(p.initial_trust_public, 0.1, shape), 0, 1)
        s.institutional_trust = np.clip(rng.normal(p.agency_credibility, 0.1, shape), 0, 1)
        s.relationship = np.zeros(shape)
        s.technician_of = np.full(shape, -1)
        s.mediator_skill = np.zeros(shape)  # skill of the technician at hand (0: none)

    def _init_institutions(self) -> None:
        s, p, runs = self.state, self.p, self.runs
        team = (runs, p.n_technicians)
        s.technician_skill = np.clip(self.rng.normal(p.technician_skill, 0.15, team), 0, 1)
        s.vacant_until = np.zeros(team, dtype=np.int64)  # a post is empty while month < this
        s.commitment = np.full(runs, float(p.public_commitment))
        s.high_level_present = np.full(runs, bool(p.high_level_participation))
        s.in_crisis = np.zeros(runs, dtype=bool)

    def _schedule_events(self) -> None:
        """Phases and dated shocks as Mesa events, each at the start of its month."""
        s, p = self.state, self.p
        joint_work, close_out = p.launch_months + 1, p.project_months - p.close_out_months + 1
        if p.early_public_action:
            self.schedule_event(self._early_public_action, at=start_of(1))
        if p.launch_months > 0:
            self.schedule_event(self._open_joint_work, at=start_of(joint_work))
        if p.close_out_months > 0:
            self.schedule_event(self._begin_close_out, at=start_of(close_out))
        if p.post_project_months > 0:
            self.schedule_event(self._agency_leaves, at=start_of(p.project_months + 1))
        if p.political_crisis_month:
            s.crisis_month = np.full(self.runs, float(p.political_crisis_month))
        else:
            s.crisis_month = self._hazard_months(p.political_crisis_rate)
        s.delegation_month = self._hazard_months(p.delegation_rate)
        if not p.high_level_participation:
            s.delegation_month[:] = NEVER
        for month in np.unique(s.crisis_month[s.crisis_month <= p.total_months]):
            self.schedule_event(self._political_crisis, at=start_of(int(month)))
        for month in np.unique(s.delegation_month[s.delegation_month <= p.project_months]):
            self.schedule_event(self._delegate, at=start_of(int(month)))

    def _hazard_months(self, annual_rate: float) -> np.ndarray:
        """The month a hazard with this annual rate first strikes, per run (NaN if never)."""
        monthly = turnover.monthly_probability(annual_rate)
        if monthly <= 0:
            return np.full(self.runs, NEVER)
        return self.rng.geometric(monthly, self.runs).astype(float)

    # --- scheduled events -------------------------------------------------------------------
    def _open_joint_work(self) -> None:
        self.phase = "joint_work"
        self.log(self.steps + 1, "design validated with the firms: pilots can start")

    def _begin_close_out(self) -> None:
        self.phase = "close_out"
        self.log(
            self.steps + 1, "close-out: no new pilots; the team prepares the groups to go alone"
        )

    def _agency_leaves(self) -> None:
        self.phase = "post_project"
        self.agency_present = False
        self.state.mediator_skill[:] = 0.0
        self.log(self.steps + 1, "the project ended: the agency and its team left")

    def _early_public_action(self) -> None:
        """The quick win the document asks for 'at the very start of the project'."""
        self._public_action(self.steps + 1, np.ones(self.runs, dtype=bool))

    def _delegate(self) -> None:
        """A signal that the ministry cares less: one piece of bad evidence about its commitment."""
        s, p, month = self.state, self.p, self.steps + 1
        runs = s.delegation_month == month
        members = self.participating_all() & runs[:, None]
        s.high_level_present[runs] = False
        # A subordinate cannot commit the ministry as a minister can: fewer promises are kept.
        s.commitment[runs] *= DELEGATED_COMMITMENT
        learned = trust.learn(s.trust_public, False, p.trust_gain, p.trust_loss_ratio)
        s.trust_public = np.where(members, learned, s.trust_public)
        s.motivation = np.where(members, motivation.spend(s.motivation, 0.05), s.motivation)
        self.log(month, "the minister delegated the steering committee to a subordinate", runs)

    def _political_crisis(self) -> None:
        """Box 2: commitment falls, the agency is split from the firms, demand drops."""
        s, p, month = self.state, self.p, self.steps + 1
        runs = s.crisis_month == month
        members = self.participating_all() & runs[:, None]
        s.in_crisis[runs] = True
        s.commitment[runs] *= 1.0 - p.crisis_commitment_drop
        shock = dict(
            n_good=0.0, n_bad=2.0 * members, rate=p.trust_gain, loss_ratio=p.trust_loss_ratio
        )
        s.trust_public = trust.learn_many(s.trust_public, **shock)
        s.institutional_trust = trust.learn_many(s.institutional_trust, **shock)
        s.market_index[runs] *= 1.0 - p.demand_shock_size
        self.log(month, "political crisis: public commitment fell and demand dropped", runs)

    # --- the month --------------------------------------------------------------------------
    def step(self) -> None:
        """One month: market, team, public agency, contact, ventures, trust, membership."""
        s, p, month = self.state, self.p, self.steps
        s.contact[:] = False
        self._market(month)
        if self.agency_present:
            self._team_turnover(month)
            self._serve_firms(month)
            self._public_actions(month)
            self._trust_building()
            if self.phase in ("joint_work", "close_out"):
                self._new_ventures(month, self._free_slots(month))
            if self.phase == "close_out":
                self._consolidate()
        elif p.collective_projects:
            trying = self.rng.random(self.runs) < p.self_organisation
            if trying.any():
                formed = ventures.start_projects(self, month, trying)
                self.log(
                    month, "firms formalised a project on their own, without the agency", formed
                )
        self._spontaneous_contact()
        ventures.advance(self, month)
        self._fade(p.trust_decay)
        self._membership(month)
        self._check_log_frame(month)
        if month == p.project_months:
            for r in range(self.runs):
                view = self.run(r)
                s.at_project_end[r] = {**_outcomes.state_measures(view), **view.counts}
        if month >= p.total_months:
            self.running = False
        if self.time_series or (not self.running and self.runs == 1):
            self._collect()  # a model of one run keeps its last month, as Mesa models do

    def _market(self, month: int) -> None:
        s, p = self.state, self.p
        s.market_index *= economy.market_factor(
            self.rng, (self.runs, self.n), p.market_growth, p.sales_volatility
        )
        shocked = self.rng.random(self.runs) < turnover.monthly_probability(p.demand_shock_rate)
        s.market_index[shocked] *= 1.0 - p.demand_shock_size
        self.log(month, "a demand shock hit the sector", shocked)

    def _team_present(self, month: int) -> np.ndarray:
        """(runs, posts): the posts held this month (none once the agency has left)."""
        return (self.state.vacant_until <= month) & self.agency_present

    def _team_turnover(self, month: int) -> None:
        s, p, rng = self.state, self.p, self.rng
        if p.n_technicians == 0:
            return
        leave = self._team_present(month) & (
            rng.random(s.vacant_until.shape) < turnover.monthly_probability(p.staff_turnover)
        )
        if not leave.any():
            return
        # The caseload stays with the post: the successor takes it on, without the relationship.
        held = np.concatenate((leave, np.zeros((self.runs, 1), dtype=bool)), axis=1)
        lost = np.take_along_axis(held, s.technician_of, axis=1)  # -1: the padding column
        s.relationship = turnover.relationships_after_departure(s.relationship, lost)
        members = self.participating_all()
        departures = leave.sum(axis=1)
        # Half a piece of bad evidence about the agency for each of its people that left.
        s.institutional_trust = trust.learn_many(
            s.institutional_trust,
            0.0,
            departures[:, None] * members,
            p.trust_gain / 2,
            p.trust_loss_ratio,
        )
        vacancy = turnover.vacancy_months(rng, p.vacancy_months, leave.shape)
        s.vacant_until = np.where(leave, month + 1 + vacancy, s.vacant_until)
        fresh = np.clip(rng.normal(p.technician_skill, 0.15, leave.shape), 0, 1)
        s.technician_skill = np.where(leave, fresh, s.technician_skill)
        s.counts["technicians_left"] += departures
        if self.logging:
            for r, k in zip(*np.nonzero(leave), strict=True):
                lost_contact = int(((s.technician_of[r] == k) & members[r]).sum())
                self.log(month, f"a technician left; {lost_contact} firms lost their contact", r)

    def _serve_firms(self, month: int) -> None:
        """Assign firms without a technician; each technician's contact builds relationships."""
        s, p = self.state, self.p
        s.mediator_skill[:] = 0.0
        team = self._team_present(month)
        if p.n_technicians == 0:
            return
        members = self.participating_all()
        posts = p.n_technicians
        assigned = members & (s.technician_of >= 0)
        loads = ((s.technician_of[..., None] == np.arange(posts)) & assigned[..., None]).sum(axis=1)
        waiting = members & (s.technician_of < 0) & team.any(axis=1)[:, None]
        rows = np.arange(self.runs)
        while waiting.any():  # in firm order, each to the least loaded post held
            r = rows[waiting.any(axis=1)]
            firm = np.argmax(waiting[r], axis=1)
            post = np.argmin(np.where(team[r], loads[r], np.iinfo(np.int64).max), axis=1)
            s.technician_of[r, firm] = post
            loads[r, post] += 1
            waiting[r, firm] = False
        # Firms of a vacant post wait for its next holder: no contact, no mediation.
        held = np.concatenate((team, np.zeros((self.runs, 1), dtype=bool)), axis=1)
        served = members & np.take_along_axis(held, s.technician_of, axis=1)
        post = np.maximum(s.technician_of, 0)
        skill = np.take_along_axis(s.technician_skill, post, axis=1)
        s.mediator_skill = np.where(served, skill, 0.0)
        load = np.take_along_axis(loads, post, axis=1)
        intensity = np.minimum(1.0, p.firms_per_technician / np.maximum(load, 1))
        intensity *= 1.0 - 0.5 * p.geographic_distance
        learned = trust.learn(s.relationship, True, 0.15 * skill * intensity, p.trust_loss_ratio)
        s.relationship = np.where(served, learned, s.relationship)

    def _public_actions(self, month: int) -> None:
        """This month's actions agreed with the firms fall due (a Poisson number per run)."""
        due = self.rng.poisson(self.p.public_actions_per_year / 12, self.runs)
        for k in range(int(due.max(initial=0))):
            self._public_action(month, due > k)

    def _public_action(self, month: int, runs: np.ndarray) -> None:
        """An action falls due in each of ``runs``: the public agency keeps it or not.

        Each is a piece of evidence about the ministry's commitment, seen by every participant;
        a kept action announced by a minister in person is seen twice as clearly.
        """
        s, p = self.state, self.p
        kept = runs & (self.rng.random(self.runs) < s.commitment)
        broken = runs & ~kept
        visible = np.where(kept & s.high_level_present, 2.0, 1.0)[:, None]
        members = self.participating_all() & runs[:, None]
        learned = trust.learn(
            s.trust_public, kept[:, None], p.trust_gain * visible, p.trust_loss_ratio
        )
        s.trust_public = np.where(members, learned, s.trust_public)
        pleased = members & kept[:, None]
        s.motivation = np.where(pleased, motivation.reward(s.motivation, 0.05), s.motivation)
        s.months_waiting[pleased] *= 0.5  # a quick win is a result all can see
        s.productivity_uplift[kept] += p.public_action_effect  # a public good: every firm
        s.counts["public_actions_kept"] += kept
        s.counts["public_actions_broken"] += broken
        self.log(month, "the public agency did not carry out an agreed action", broken)

    def _free_slots(self, month: int) -> np.ndarray:
        """Ventures the present team can launch this month after supervising those under way."""
        team = self._team_present(month).sum(axis=1)
        live = self.books.alive.sum(axis=1)
        return self.p.activities_per_technician * team - 0.5 * live

    def _trust_building(self) -> None:
        """Meetings, travel, social events, visits: participants see how the others behave.

        Every pair that attends the same event gains one observation of each other's conduct,
        weighted by the kind of event; on average an observation is as good as the partner is
        reliable (fractional evidence). Events are the team's own programme: they do not take
        the slots of pilots and projects.
        """
        s, p, rng = self.state, self.p, self.rng
        if not p.trust_building_events:
            return
        planned = int(p.events_per_month) + (rng.random(self.runs) < p.events_per_month % 1)
        members = self.participating_all()
        n_members = members.sum(axis=1)
        planned = np.where(n_members >= 2, planned, 0)
        most = int(planned.max(initial=0))
        if most == 0:
            return
        held = np.arange(most) < planned[:, None]  # (runs, events)
        kinds = activities.choose_rows(
            rng, np.broadcast_to(activities.EVENT_WEIGHTS, (*held.shape, 4))
        )
        invited = np.minimum(activities.EVENT_INVITED[kinds], n_members[:, None])
        lots = np.where(members[:, None], rng.random((*held.shape, self.n)), np.inf)
        rank = np.argsort(np.argsort(lots, axis=2), axis=2)
        come = activities.attendance_probability(
            s.motivation, s.trust_collective, self.trust_in_agency_all(), p.geographic_distance
        )
        attended = (
            (rank < invited[..., None])
            & held[..., None]
            & members[:, None]
            & (rng.random(lots.shape) < come[:, None])
        )
        s.counts["events_held"] += planned
        self._observe(attended, activities.EVENT_EVIDENCE[kinds] * held)
        testimony = (activities.EVENT_TESTIMONY[kinds][..., None] * attended).sum(axis=1)
        s.trust_collective = trust.learn_many(
            s.trust_collective, testimony, 0.0, p.trust_gain, p.trust_loss_ratio
        )

    def _spontaneous_contact(self) -> None:
        """Participants who are neighbours meet informally; distant ones rarely do.

        Each pair of participants meets with the same small chance; the number of meetings is
        drawn first and the pairs after, so a month costs what its meetings cost.
        """
        s, p, rng = self.state, self.p, self.rng
        chance = activities.spontaneous_contact_probability(
            p.spontaneous_contact, p.geographic_distance
        )
        if chance <= 0:
            return
        members = self.participating_all()
        k = members.sum(axis=1)
        meetings = rng.binomial(k * (k - 1) // 2, chance)
        if meetings.sum() == 0:
            return
        run = np.repeat(np.arange(self.runs), meetings)
        order = np.argsort(~members, axis=1, kind="stable")  # each run's participants first
        a, b = order[run, (rng.random((2, len(run))) * k[run]).astype(int)]
        keep = a != b
        run, a, b = run[keep], a[keep], b[keep]
        first, second = np.concatenate((a, b)), np.concatenate((b, a))
        run = np.concatenate((run, run))
        good = s.reliability[run, second]
        s.trust[run, first, second] = trust.learn_many(
            s.trust[run, first, second], good, 1.0 - good, p.trust_gain, p.trust_loss_ratio
        )
        s.contact[run, first, second] = True

    def _consolidate(self) -> None:
        """Close-out: the team meets each collective project's group to prepare it to go alone."""
        w = self.books.width()
        projects = self.books.alive[:, :w] & (self.books.kind[:, :w] == ventures.PROJECT)
        if projects.any():
            self._observe(self.books.members[:, :w] & projects[..., None], projects.astype(float))

    def _observe(self, groups: np.ndarray, evidence: np.ndarray) -> None:
        """Firms met in ``groups`` (runs, gatherings, firms), each gathering worth ``evidence``.

        Each pair saw the other as many times as they met, weighted; on average a partner
        behaves as reliably as it is (fractional evidence).
        """
        met = groups.astype(np.float32)  # counts of meetings: exact in float32
        weight = np.swapaxes(met * evidence[..., None].astype(np.float32), 1, 2) @ met
        seen = weight > 0
        seen[:, np.arange(self.n), np.arange(self.n)] = False
        at = np.flatnonzero(seen)
        run, pair = np.divmod(at, self.n * self.n)
        weight = weight.reshape(-1)[at]
        good = weight * self.state.reliability[run, pair % self.n]
        self._learn_at(at, good, weight - good, met=True)

    def learn_about(
        self,
        run: np.ndarray,
        watcher: np.ndarray,
        seen: np.ndarray,
        good: np.ndarray,
        bad: np.ndarray,
        met: bool = False,
    ) -> None:
        """Each ``watcher`` learns about the firm it ``seen`` in ``run``: lists of evidence.

        A pair may appear several times (partners in two ventures); its evidence adds up.
        ``met`` marks the pairs as having met this month (their trust does not fade).
        """
        if len(run) == 0:
            return
        n = self.n
        key = (run * n + watcher) * n + seen
        at, which = np.unique(key, return_inverse=True)
        good = np.bincount(which, good, minlength=len(at))
        bad = np.bincount(which, bad, minlength=len(at))
        self._learn_at(at, good, bad, met)

    def _learn_at(self, at: np.ndarray, good: np.ndarray, bad: np.ndarray, met: bool) -> None:
        """Pairs at flat positions ``at`` of the trust array (each once) learn from evidence."""
        p = self.p
        flat = self.state.trust.reshape(-1)
        flat[at] = trust.learn_many(flat[at], good, bad, p.trust_gain, p.trust_loss_ratio)
        if met:
            self.state.contact.reshape(-1)[at] = True

    def _fade(self, rate: float) -> None:
        """Trust the project built fades between firms that did not meet this month."""
        if rate <= 0:
            return
        s = self.state
        faded = trust.erode(s.trust, s.baseline_trust, rate, out=self._scratch)
        np.copyto(s.trust, faded, where=~s.contact)

    def _new_ventures(self, month: int, slots: np.ndarray) -> None:
        """Formalise a collective project if a group is ready; launch pilots as planned.

        Pilots stop in the close-out; groups that are ready may still formalise a project.
        """
        p, rng = self.p, self.rng
        if p.collective_projects:
            slots = slots - ventures.start_projects(self, month, slots >= 1)
        if not p.pilots or self.phase != "joint_work":
            return
        planned = int(p.pilots_per_month) + (rng.random(self.runs) < p.pilots_per_month % 1)
        planned = np.minimum(planned, np.floor(np.maximum(slots, 0)).astype(int))
        trying = planned > 0
        for k in range(int(planned.max(initial=0))):
            trying &= planned > k
            if not trying.any():
                break
            trying = ventures.start_pilots(self, month, trying)  # a run stops at its first miss

    def _membership(self, month: int) -> None:
        """Waiting costs motivation; the impatient drop out; others join on seeing results.

        After the project, members of a collective project carry its coordination themselves,
        and word of mouth is all that recruits.
        """
        s, p, rng = self.state, self.p, self.rng
        members = self.participating_all()
        expected = motivation.expected_benefit(
            s.trust_collective, s.trust_public, p.appropriability
        )
        cost = p.participation_cost * (1.5 - expected)
        if not self.agency_present:
            cost = cost + p.coordination_cost * (s.project_of >= 0)
        s.motivation = np.where(members, motivation.spend(s.motivation, cost), s.motivation)
        waiting = members & (s.last_result_month < month)
        # Progress indicators the firms can verify make the wait for a maturing project's
        # results easier to bear (the document's advice on balancing short and long term).
        felt = np.where((s.project_of >= 0) & p.progress_indicators, 0.5, 1.0)
        s.months_waiting += np.where(waiting, felt, 0.0)
        leave = motivation.dropout_probability(s.months_waiting, s.patience, s.motivation)
        leavers = members & (rng.random(leave.shape) < leave)
        if leavers.any():
            self._drop_out(leavers)
        self._recruit(month)

    def _recruit(self, month: int) -> None:
        """Word of mouth reaches outsiders, and those who left (who are harder to win back).

        A newcomer learns the ministry's record from the participants it talks to.
        """
        s, p, rng = self.state, self.p, self.rng
        members = self.participating_all()
        outside = ~members & members.any(axis=1)[:, None]
        if not outside.any():
            return
        k = np.maximum(members.sum(axis=1), 1)
        seen = (members & (s.last_result_month >= month - 6)).sum(axis=1) / k
        rate = p.recruitment_rate * (1.0 if self.agency_present else WORD_OF_MOUTH)
        # The ministry's record is common talk: outsiders judge it as the participants do.
        reputation = (s.trust_public * members).sum(axis=1) / k
        expected = motivation.expected_benefit(
            s.trust_collective, reputation[:, None], p.appropriability
        )
        join = motivation.join_probability(rate, seen[:, None], expected)
        join = np.where(s.status == Status.DROPPED_OUT, join * RETURN_FACTOR, join)
        joiners = outside & (rng.random(join.shape) < join)
        if joiners.any():
            newcomers = joiners & (s.status == Status.OUTSIDE)  # returners remember
            s.trust_public = np.where(newcomers, reputation[:, None], s.trust_public)
            s.status[joiners] = Status.PARTICIPATING
            s.months_waiting[joiners] = 0
            s.motivation = np.where(
                joiners, np.maximum(s.motivation, p.initial_motivation), s.motivation
            )

    def _drop_out(self, leavers: np.ndarray) -> None:
        """Firms leave the project, walking out of their ventures (their partners resent it)."""
        s = self.state
        s.status[leavers] = Status.DROPPED_OUT
        s.technician_of[leavers] = -1
        s.relationship[leavers] = 0.0  # should one return, it starts afresh with a technician
        ventures.walk_out(self, leavers)

    def _check_log_frame(self, month: int) -> None:
        """Record the first month every log frame target is met (the cheap counts first)."""
        s, p = self.state, self.p
        members = self.participating_all()
        open_ = np.isnan(s.log_frame_month)
        open_ &= members.sum(axis=1) >= p.target_participants
        open_ &= (members & (s.project_of >= 0)).sum(axis=1) >= p.target_firms_in_joint_projects
        for r in np.flatnonzero(open_):
            if _outcomes.log_frame_met(self.run(int(r))):
                s.log_frame_month[r] = month

    def _collect(self) -> None:
        if self.runs == 1:
            self.datacollector.collect(self)
            return
        for r in range(self.runs):
            view = self.run(r)
            self._rows.append({"place": r, **{k: f(view) for k, f in _outcomes.REPORTERS.items()}})

    def series(self) -> pd.DataFrame:
        """The monthly state of every run (a ``place`` column numbers the runs of the block)."""
        if self.runs == 1:
            return self.datacollector.get_model_vars_dataframe().assign(place=0)
        return pd.DataFrame(self._rows)

    # --- helpers the rules share -------------------------------------------------------------
    def participating_all(self) -> np.ndarray:
        """(runs, n) mask of the firms taking part, in every run."""
        return self.state.status == Status.PARTICIPATING

    def trust_in_agency_all(self) -> np.ndarray:
        """(runs, n): each firm's trust in the executing agency, in every run."""
        s = self.state
        return trust.trust_in_agency(
            s.relationship, s.institutional_trust, self.p.relationship_weight
        )

    def worked_together(self, runs: np.ndarray, groups: np.ndarray) -> None:
        """Record that each group joined a venture (the pairs `trust_partners` covers)."""
        self.state.together[runs] |= groups[:, :, None] & groups[:, None, :]

    def tangible_result(self, firms: np.ndarray) -> None:
        """Firms (a (runs, n) mask) saw a tangible result this month: their wait is over."""
        self.state.months_waiting[firms] = 0
        self.state.last_result_month[firms] = self.steps

    def log(self, month: int, text: str, runs: Any = None) -> None:
        """Record a notable event in plain words (read by the trainers' view).

        ``runs``: the run (an index), the runs (a mask), or every run (None).
        """
        if not self.logging:
            return
        if runs is None:
            chosen: Any = range(self.runs)
        elif np.ndim(runs) == 0:
            chosen = [int(runs)]
        else:
            chosen = np.flatnonzero(runs)
        for r in chosen:
            self.logs[r].append((month, text))

    # --- views used by agents, experiments and the trainers' page ------------------------------
    @property
    def ventures(self) -> list[Venture]:
        """The ventures under way, as views (the same object for a venture while it lasts)."""
        live = np.flatnonzero(self.books.alive[0])
        self._views = {int(self.books.uid[0, v]): self.venture(int(v)) for v in live}
        return list(self._views.values())

    def venture(self, slot: int) -> Venture:
        """The view of the venture in ``slot`` (the same object while that venture lasts)."""
        uid = int(self.books.uid[0, slot])
        view = self._views.get(uid)
        if view is None:
            view = self._views[uid] = Venture(self.books, 0, slot)
        return view

    def freeze_views(self, ended: np.ndarray) -> None:
        """Views of ventures about to end keep their members (experiments read them after)."""
        if self.runs != 1 or not self._views:
            return
        for slot in np.flatnonzero(ended[0]):
            view = self._views.get(int(self.books.uid[0, slot]))
            if view is not None:
                view.freeze()

    def outcomes(self) -> dict[str, float]:
        """The log frame outcomes of this run (see `pipsim.outcomes`)."""
        return _outcomes.outcomes(self.run(0) if self.runs == 1 else self._only_one())

    def all_outcomes(self) -> list[dict[str, float]]:
        """The log frame outcomes of every run of the block, in order."""
        return [_outcomes.outcomes(self.run(r)) for r in range(self.runs)]

    def _only_one(self) -> RunView:
        raise ValueError(f"this model holds {self.runs} runs: use all_outcomes()")


def reliability_draws(rng: np.random.Generator, mean: float, shape: Any) -> np.ndarray:
    """Each firm's reliability: Beta with the given mean and a spread of about 0.1.

    How often a firm behaves well when its partners can see it; the trust its partners learn
    converges towards what this implies (`trust.equilibrium`).
    """
    if mean <= 0.0 or mean >= 1.0:
        return np.full(shape, mean)
    return rng.beta(mean * RELIABILITY_CONCENTRATION, (1 - mean) * RELIABILITY_CONCENTRATION, shape)


def start_of(month: int) -> float:
    """Model time at which an event takes effect from ``month`` on (before its step)."""
    return month - 0.5
