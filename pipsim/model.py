"""PIPModel: one productive integration project, month by month, then the years after it.

The model holds the relational state as arrays (trust among firms, in the agency, in the
public sector, in collective action; motivation; sales and productivity) and wires the pure
dynamics of `pipsim.dynamics` together. Phase changes and dated shocks (a political crisis,
a minister delegating, the agency leaving) are Mesa events; everything that happens every
month is in `step`.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from pipsim import outcomes as _outcomes
from pipsim import ventures
from pipsim.agents import Enterprise, ExecutingAgency, PublicAgency, Status, Technician
from pipsim.dynamics import activities, economy, motivation, trust, turnover
from pipsim.parameters import Parameters

PHASES = ("launch", "joint_work", "close_out", "post_project")
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
EMPLOYEES = ((1, 10), (10, 50), (50, 200), (200, 600))  # by size class: micro .. large
VALUE_ADDED_PER_WORKER = (12.0, 20.0, 30.0, 45.0)  # thousand $ a year, by size class
RETURN_FACTOR = 0.5  # a firm that dropped out is half as likely to join again as a newcomer


def make_parameters(parameters: Parameters | None, overrides: dict[str, Any]) -> Parameters:
    """Parameters from an explicit object and/or keyword overrides (typology presets apply)."""
    if parameters is None:
        return Parameters.for_typology(overrides.pop("typology", "cluster"), **overrides)
    if overrides:
        unknown = sorted(set(overrides) - set(parameters.to_dict()))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}")
        return Parameters(**{**parameters.to_dict(), **overrides})
    return parameters


class PIPModel(mesa.Model):
    """A productive integration project: enterprises, an executing agency, a public agency.

    Args:
        parameters: a `Parameters`; if omitted, built from ``overrides`` (and the preset of
            ``typology``, default cluster).
        rng: seed or numpy Generator; the same parameters and seed give the same run.
        time_series: collect the monthly state in ``datacollector`` (off: only the final month).
        **overrides: any `Parameters` field, e.g. ``project_months=48``.
    """

    def __init__(
        self,
        parameters: Parameters | None = None,
        *,
        rng: Any = None,
        time_series: bool = False,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        self.p = p = make_parameters(parameters, dict(overrides))
        self.n = p.n_enterprises
        self.time_series = time_series
        self.phase = "launch" if p.launch_months > 0 else "joint_work"
        self.counts = dict.fromkeys(COUNTS, 0)
        self.event_log: list[tuple[int, str]] = []
        self.ventures: list[ventures.Venture] = []
        self.next_project_id = 0
        self.first_project_month: int | None = None
        self.at_project_end: dict[str, float] | None = None
        self._init_enterprises()
        self._init_trust()
        self._init_institutions()
        self.enterprises = [Enterprise(self, i) for i in range(self.n)]
        self._schedule_events()
        self.datacollector = mesa.DataCollector(model_reporters=_outcomes.REPORTERS)
        if time_series:
            self.datacollector.collect(self)

    # --- set-up -----------------------------------------------------------------------------
    def _init_enterprises(self) -> None:
        p, rng, n = self.p, self.rng, self.n
        large = max(0.0, 1.0 - p.share_micro - p.share_small - p.share_medium)
        shares = np.array([p.share_micro, p.share_small, p.share_medium, large])
        self.size_class = rng.choice(4, size=n, p=shares / shares.sum())
        self.is_lead = np.zeros(n, dtype=bool)
        self.is_lead[: p.n_lead_firms] = True
        self.size_class[self.is_lead] = 3
        s = self.size_class
        self.capability = np.clip(rng.beta(2 + s, 3) + 0.15 * self.is_lead, 0, 1)
        self.self_confidence = rng.beta(2 + s, 3)
        self.patience = rng.gamma(4.0, p.mean_patience_months / 4.0, n) * (1 + 0.5 * self.is_lead)
        self.motivation = np.clip(rng.normal(p.initial_motivation, 0.1, n), 0, 1)
        low, high = np.array(EMPLOYEES).T
        self.employees = rng.integers(low[s], high[s])
        self.baseline_productivity = np.take(VALUE_ADDED_PER_WORKER, s) * rng.lognormal(0, 0.2, n)
        self.baseline_sales = self.employees * self.baseline_productivity * 2.5 / 12  # a month
        self.exporter = rng.random(n) < p.exporter_share * (0.5 + 0.5 * s)
        self.exporter_at_baseline = self.exporter.copy()
        self.status = np.full(n, Status.OUTSIDE, dtype=np.int8)
        others = rng.permutation(np.arange(p.n_lead_firms, n))
        first = np.concatenate((np.arange(p.n_lead_firms), others))[: p.initial_participants]
        self.status[first] = Status.PARTICIPATING
        self.months_waiting = np.zeros(n)
        self.last_result_month = np.full(n, -99)
        self.track_record = np.zeros(n, dtype=int)
        self.project_of = np.full(n, -1)
        self.in_pilot = np.zeros(n, dtype=bool)
        self.market_index = np.ones(n)
        self.sales_uplift = np.zeros(n)
        self.joint_sales_uplift = np.zeros(n)
        self.productivity_uplift = np.zeros(n)

    def _init_trust(self) -> None:
        p, rng, n = self.p, self.rng, self.n
        base = rng.normal(p.initial_trust, p.initial_trust_spread, (n, n))
        ties = np.triu(rng.random((n, n)) < p.prior_ties, 1)
        base += 0.2 * (ties | ties.T)
        np.fill_diagonal(base, 1.0)
        self.baseline_trust = np.clip(base, 0.0, 1.0)
        self.trust = self.baseline_trust.copy()
        self.trust_collective = np.clip(rng.normal(p.initial_trust_collective, 0.1, n), 0, 1)
        self.trust_public = np.clip(rng.normal(p.initial_trust_public, 0.1, n), 0, 1)
        self.institutional_trust = np.clip(rng.normal(p.agency_credibility, 0.1, n), 0, 1)
        self.relationship = np.zeros(n)
        self.technician_of = np.full(n, -1)
        self.contact = np.zeros((n, n), dtype=bool)  # pairs that met this month

    def _init_institutions(self) -> None:
        p = self.p
        skills = np.clip(self.rng.normal(p.technician_skill, 0.15, p.n_technicians), 0, 1)
        self.agency = ExecutingAgency(self, p.agency_credibility, [Technician(s) for s in skills])
        self.public = PublicAgency(self, p.public_commitment, p.high_level_participation)

    def _schedule_events(self) -> None:
        """Phases and dated shocks as Mesa events, each at the start of its month."""
        p = self.p
        joint_work, close_out = p.launch_months + 1, p.project_months - p.close_out_months + 1
        if p.early_public_action:
            self.schedule_event(self._early_public_action, at=start_of(1))
        if p.launch_months > 0:
            self.schedule_event(self._open_joint_work, at=start_of(joint_work))
        if p.close_out_months > 0:
            self.schedule_event(self._begin_close_out, at=start_of(close_out))
        if p.post_project_months > 0:
            self.schedule_event(self._agency_leaves, at=start_of(p.project_months + 1))
        crisis = p.political_crisis_month or self._hazard_month(p.political_crisis_rate)
        if crisis is not None and crisis <= p.total_months:
            self.schedule_event(self._political_crisis, at=start_of(crisis))
        if p.high_level_participation:
            delegation = self._hazard_month(p.delegation_rate)
            if delegation is not None and delegation <= p.project_months:
                self.schedule_event(self._delegate, at=start_of(delegation))

    def _hazard_month(self, annual_rate: float) -> int | None:
        """The month a hazard with this annual rate first strikes (None if never)."""
        monthly = turnover.monthly_probability(annual_rate)
        if monthly <= 0:
            return None
        return int(self.rng.geometric(monthly))

    # --- scheduled events -------------------------------------------------------------------
    def _open_joint_work(self) -> None:
        self.phase = "joint_work"
        self.log(self.steps + 1, "design validated with the firms: pilots can start")

    def _begin_close_out(self) -> None:
        self.phase = "close_out"
        self.log(self.steps + 1, "close-out: the team works on sustainability, no new ventures")

    def _agency_leaves(self) -> None:
        self.phase = "post_project"
        self.agency.present_in_territory = False
        self.log(self.steps + 1, "the project ended: the agency and its team left")

    def _early_public_action(self) -> None:
        """The quick win the document asks for 'at the very start of the project'."""
        self._public_action(self.steps + 1)

    def _delegate(self) -> None:
        p, members = self.p, self.participating()
        self.public.high_level_present = False
        self.trust_public[members] = trust.undermine(
            self.trust_public[members], p.trust_gain, p.trust_loss_ratio
        )
        self.motivation[members] = motivation.spend(self.motivation[members], 0.05)
        self.log(self.steps + 1, "the minister delegated the steering committee to a subordinate")

    def _political_crisis(self) -> None:
        """Box 2: commitment falls, the agency is split from the firms, demand drops."""
        p, members = self.p, self.participating()
        self.public.in_crisis = True
        self.public.commitment *= 1.0 - p.crisis_commitment_drop
        self.trust_public[members] = trust.undermine(
            self.trust_public[members], 2 * p.trust_gain, p.trust_loss_ratio
        )
        self.institutional_trust[members] = trust.undermine(
            self.institutional_trust[members], 2 * p.trust_gain, p.trust_loss_ratio
        )
        self.market_index *= 1.0 - p.demand_shock_size
        self.log(self.steps + 1, "political crisis: public commitment fell and demand dropped")

    # --- the month --------------------------------------------------------------------------
    def step(self) -> None:
        """One month: market, team, public agency, activities, ventures, trust, membership."""
        month, p = self.steps, self.p
        self.contact[:] = False
        self._market(month)
        if self.agency.present_in_territory:
            self._team_turnover(month)
            self._serve_firms(month)
            for _ in range(self.rng.poisson(p.public_actions_per_year / 12)):
                self._public_action(month)
            slots = self._trust_building(month, self._free_slots(month))
            if self.phase == "joint_work":
                self._new_ventures(month, slots)
        self.ventures = [v for v in self.ventures if ventures.advance(self, v, month)]
        # Trust built by the project fades between firms that did not meet this month.
        faded = trust.erode(self.trust, self.baseline_trust, p.trust_decay)
        np.copyto(self.trust, faded, where=~self.contact)
        if self.phase != "post_project":
            self._membership(month)
        if month == p.project_months:
            self.at_project_end = {**_outcomes.state_measures(self), **self.counts}
        if month >= p.total_months:
            self.running = False
        if self.time_series or not self.running:
            self.datacollector.collect(self)

    def _market(self, month: int) -> None:
        p = self.p
        self.market_index *= economy.market_factor(
            self.rng, self.n, p.market_growth, p.sales_volatility
        )
        if self.rng.random() < turnover.monthly_probability(p.demand_shock_rate):
            self.market_index *= 1.0 - p.demand_shock_size
            self.log(month, "a demand shock hit the sector")

    def _team_turnover(self, month: int) -> None:
        p, rng = self.p, self.rng
        leave = turnover.monthly_probability(p.staff_turnover)
        for k in self.agency.team_present(month):
            if rng.random() >= leave:
                continue
            caseload = self.technician_of == k  # stays with the post: the successor takes it on
            self.relationship = turnover.relationships_after_departure(self.relationship, caseload)
            members = self.participating()
            self.institutional_trust[members] = trust.undermine(
                self.institutional_trust[members], p.trust_gain / 2, p.trust_loss_ratio
            )
            tech = self.agency.technicians[k]
            tech.vacant_until = month + 1 + turnover.vacancy_months(rng, p.vacancy_months)
            tech.skill = float(np.clip(rng.normal(p.technician_skill, 0.15), 0, 1))
            self.counts["technicians_left"] += 1
            self.log(
                month,
                f"a technician left; {int((caseload & members).sum())} firms lost their contact",
            )

    def _serve_firms(self, month: int) -> None:
        """Assign firms without a technician; each technician's contact builds relationships."""
        p = self.p
        team = self.agency.team_present(month)
        if not team:
            return
        members = self.participating()
        posts = len(self.agency.technicians)
        loads = np.bincount(
            self.technician_of[members & (self.technician_of >= 0)], minlength=posts
        )
        for i in np.flatnonzero(members & (self.technician_of < 0)):
            k = min(team, key=lambda t: loads[t])
            self.technician_of[i], loads[k] = k, loads[k] + 1
        # Firms of a vacant post wait for its next holder: no contact, no mediation.
        held = np.zeros(posts + 1, dtype=bool)  # the extra slot stands for "no technician"
        held[team] = True
        served = members & held[self.technician_of]
        tech = self.technician_of[served]
        skill = np.array([t.skill for t in self.agency.technicians])[tech]
        intensity = np.minimum(1.0, p.firms_per_technician / np.maximum(loads[tech], 1))
        intensity *= 1.0 - 0.5 * p.geographic_distance
        self.relationship[served] = trust.reinforce(
            self.relationship[served], 0.15 * skill * intensity
        )

    def _public_action(self, month: int) -> None:
        """An action agreed with the firms falls due: the public agency keeps it or not."""
        p, members = self.p, self.participating()
        if self.rng.random() < self.public.commitment:
            # A visible action agreed with the firms weighs double; less so once delegated.
            weight = 2.0 if self.public.high_level_present else 1.0
            self.trust_public[members] = trust.reinforce(
                self.trust_public[members], p.trust_gain * weight
            )
            self.motivation[members] = motivation.reward(self.motivation[members], 0.05)
            self.months_waiting[members] *= 0.5  # a quick win is a result all can see
            self.productivity_uplift += p.public_action_effect  # a public good: every firm
            self.counts["public_actions_kept"] += 1
            self.public.actions_kept += 1
        else:
            self.trust_public[members] = trust.undermine(
                self.trust_public[members], p.trust_gain, p.trust_loss_ratio
            )
            self.counts["public_actions_broken"] += 1
            self.public.actions_broken += 1
            self.log(month, "the public agency did not carry out an agreed action")

    def _free_slots(self, month: int) -> float:
        """Activities the present team can run this month after supervising ventures."""
        team = len(self.agency.team_present(month))
        return self.p.activities_per_technician * team - 0.5 * len(self.ventures)

    def _trust_building(self, month: int, slots: float) -> float:
        """Meetings, travel, social events, visits, as many as planned and the team can run."""
        p, rng = self.p, self.rng
        if self.phase == "close_out":  # Box 3: the last months prepare the groups to go alone
            slots = self._consolidate(slots)
        if not p.trust_building_events:
            return slots
        planned = int(p.events_per_month) + int(rng.random() < p.events_per_month % 1)
        kinds = activities.EVENT_KINDS
        members = np.flatnonzero(self.participating())
        agency_trust = self.trust_in_agency()
        for _ in range(min(planned, int(slots))):
            kind = kinds[activities.weighted_choice(rng, activities.EVENT_WEIGHTS)]
            invited = members[rng.random(len(members)) < kind.invited_share]
            come = activities.attendance_probability(
                self.motivation[invited],
                self.trust_collective[invited],
                agency_trust[invited],
                p.geographic_distance,
            )
            attendees = invited[rng.random(len(invited)) < come]
            slots -= 1
            self.counts["events_held"] += 1
            if len(attendees) < 2:
                continue
            gain = p.trust_gain * kind.trust_gain_factor * (1.0 - 0.5 * p.geographic_distance)
            trust.reinforce_group(self.trust, attendees, gain)
            self.met(attendees)
            self.trust_collective[attendees] = trust.reinforce(
                self.trust_collective[attendees], kind.collective_action_gain
            )
        return slots

    def _consolidate(self, slots: float) -> float:
        """Close-out: the team meets each collective project's group to prepare it.

        A trust-building meeting among its members, for life without the agency.
        """
        p = self.p
        for v in self.ventures:
            if v.kind != "project" or slots < 1:
                continue
            trust.reinforce_group(self.trust, v.members, p.trust_gain)
            self.trust_collective[v.members] = trust.reinforce(
                self.trust_collective[v.members], p.trust_gain
            )
            self.met(v.members)
            slots -= 1
        return slots

    def _new_ventures(self, month: int, slots: float) -> None:
        """Formalise a collective project if a group is ready; launch pilots as planned."""
        p, rng = self.p, self.rng
        if p.collective_projects and slots >= 1:
            project = ventures.start_project(self, month)
            if project is not None:
                self.ventures.append(project)
                slots -= 1
        if not p.pilots:
            return
        planned = int(p.pilots_per_month) + int(rng.random() < p.pilots_per_month % 1)
        for _ in range(min(planned, int(slots))):
            pilot = ventures.start_pilot(self, month)
            if pilot is None:
                break
            self.ventures.append(pilot)

    def _membership(self, month: int) -> None:
        """Waiting costs motivation; the impatient drop out; others join on seeing results."""
        p, rng = self.p, self.rng
        members = self.participating()
        expected = motivation.expected_benefit(
            self.trust_collective[members], self.trust_public[members], p.appropriability
        )
        self.motivation[members] = motivation.spend(
            self.motivation[members], p.participation_cost * (1.5 - expected)
        )
        waiting = members & (self.last_result_month < month)
        # Progress indicators the firms can verify make the wait for a maturing project's
        # results easier to bear (the document's advice on balancing short and long term).
        in_project = self.project_of >= 0
        felt = np.where(in_project & p.progress_indicators, 0.5, 1.0)
        self.months_waiting[waiting] += felt[waiting]
        leave = motivation.dropout_probability(self.months_waiting, self.patience, self.motivation)
        for firm in np.flatnonzero(members & (rng.random(self.n) < leave)):
            self._drop_out(int(firm), month)
        # Word of mouth reaches outsiders, and those who left (who are harder to win back).
        outside = np.flatnonzero(self.status != Status.PARTICIPATING)
        members = self.participating()
        if len(outside) and members.any():
            seen = float((self.last_result_month[members] >= month - 6).mean())
            join = motivation.join_probability(
                p.recruitment_rate, seen, self.trust_collective[outside]
            )
            join[self.status[outside] == Status.DROPPED_OUT] *= RETURN_FACTOR
            joiners = outside[rng.random(len(outside)) < join]
            self.status[joiners] = Status.PARTICIPATING
            self.months_waiting[joiners] = 0
            self.motivation[joiners] = np.maximum(self.motivation[joiners], p.initial_motivation)

    def _drop_out(self, firm: int, month: int) -> None:
        """A firm leaves the project, walking out of its ventures (its partners resent it)."""
        self.status[firm] = Status.DROPPED_OUT
        self.technician_of[firm] = -1
        self.relationship[firm] = 0.0  # should it return, it starts afresh with a technician
        for v in self.ventures:
            if firm in v.members:
                others = v.members[v.members != firm]
                trust.undermine_towards(
                    self.trust, others, firm, self.p.trust_gain, self.p.trust_loss_ratio
                )
                if v.kind == "project":
                    ventures.leave_project(self, v, firm)
                else:
                    v.members = others
                    self.in_pilot[firm] = False

    # --- views used by agents, ventures and outcomes -----------------------------------------
    def participating(self) -> np.ndarray:
        """Boolean mask of the firms taking part in the project."""
        return self.status == Status.PARTICIPATING

    def met(self, firms: np.ndarray) -> None:
        """Record that ``firms`` worked or met together this month (their trust does not fade)."""
        self.contact[firms[:, None], firms] = True

    def tangible_result(self, firms: np.ndarray) -> None:
        """Firms saw a tangible result this month: their wait is over."""
        self.months_waiting[firms] = 0
        self.last_result_month[firms] = self.steps

    def technician_for(self, firms: np.ndarray, month: int) -> int | None:
        """A present technician serving one of ``firms`` (the one serving most of them)."""
        team = set(self.agency.team_present(month))
        techs = [t for t in self.technician_of[firms] if t in team]
        return max(set(techs), key=techs.count) if techs else None

    def trust_in_agency(self) -> np.ndarray:
        """Each firm's trust in the executing agency."""
        return trust.trust_in_agency(
            self.relationship, self.institutional_trust, self.p.relationship_weight
        )

    def sales_index(self) -> np.ndarray:
        """Each firm's sales relative to its baseline, in real terms."""
        return self.market_index * (1.0 + self.sales_uplift + self.joint_sales_uplift)

    def productivity_index(self) -> np.ndarray:
        """Each firm's value added per worker relative to its baseline."""
        return (1.0 + self.productivity_uplift) * np.sqrt(self.market_index)

    def log(self, month: int, text: str) -> None:
        """Record a notable event in plain words (read by the trainers' view)."""
        self.event_log.append((month, text))

    def outcomes(self) -> dict[str, float]:
        """The log frame outcomes of this run (see `pipsim.outcomes`)."""
        return _outcomes.outcomes(self)


def start_of(month: int) -> float:
    """Model time at which an event takes effect from ``month`` on (before its step)."""
    return month - 0.5
