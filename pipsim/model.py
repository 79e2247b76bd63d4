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
from pipsim.ventures import Venture, VentureBook

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
DELEGATED_COMMITMENT = 0.8  # share of the minister's commitment a delegate can deliver
WORD_OF_MOUTH = 0.5  # recruitment after the agency left, as a share of the rate during it
RELIABILITY_CONCENTRATION = 12.0  # Beta(a + b = 12) around the mean: a spread of about 0.1


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


class PIPModel(mesa.Model):
    """A productive integration project: enterprises, an executing agency, a public agency.

    Args:
        parameters: a `Parameters`; if omitted, built from ``overrides`` (and the preset of
            ``typology``, default cluster).
        rng: seed or numpy Generator; the same parameters and seed give the same run.
        time_series: collect the monthly state in ``datacollector`` (off: only the final month).
        **overrides: any `Parameters` field, e.g. ``project_months=48``.
    """

    # The state the dynamics read and write (set up in the _init_* methods).
    phase: str
    status: np.ndarray  # Status of each firm
    trust: np.ndarray  # firm -> firm, directed, diagonal 1
    trust_public: np.ndarray
    trust_collective: np.ndarray
    institutional_trust: np.ndarray
    motivation: np.ndarray
    book: VentureBook
    agency: ExecutingAgency
    public: PublicAgency

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
        self.first_project_month: int | None = None
        self.months_to_log_frame: int | None = None  # first month every target is met
        self.at_project_end: dict[str, float] | None = None
        self._init_enterprises()
        self._init_trust()
        self._init_institutions()
        self.enterprises = [Enterprise(self, i) for i in range(self.n)]
        self._schedule_events()
        self.months_to_log_frame = 0 if _outcomes.log_frame_met(self) else None
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
        self.reliability = reliability_draws(rng, p.mean_reliability, n)
        # Monthly risk of failing a group relative to a firm of average reliability.
        self.unreliability = (1.0 - self.reliability) / max(1.0 - p.mean_reliability, 1e-9)
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
        self.track_record = np.zeros(n, dtype=int)  # pilots succeeded
        self.project_of = np.full(n, -1)  # the venture number of its collective project
        self.in_pilot = np.zeros(n, dtype=bool)
        self.market_index = np.ones(n)
        self.sales_uplift = np.zeros(n)
        self.joint_sales_uplift = np.zeros(n)
        self.productivity_uplift = np.zeros(n)
        self.book = VentureBook(n)
        self._views: dict[int, Venture] = {}

    def _init_trust(self) -> None:
        p, rng, n = self.p, self.rng, self.n
        base = rng.normal(p.initial_trust, p.initial_trust_spread, (n, n))
        ties = np.triu(rng.random((n, n)) < p.prior_ties, 1)
        base += 0.2 * (ties | ties.T)
        np.fill_diagonal(base, 1.0)
        self.baseline_trust = np.clip(base, 0.0, 1.0)
        self.trust = self.baseline_trust.copy()
        self.joint_successes = np.zeros((n, n), dtype=np.int32)  # ventures succeeded together
        self.together = np.zeros((n, n), dtype=bool)  # pairs ever in a venture together
        self.trust_collective = np.clip(rng.normal(p.initial_trust_collective, 0.1, n), 0, 1)
        self.trust_public = np.clip(rng.normal(p.initial_trust_public, 0.1, n), 0, 1)
        self.institutional_trust = np.clip(rng.normal(p.agency_credibility, 0.1, n), 0, 1)
        self.relationship = np.zeros(n)
        self.technician_of = np.full(n, -1)
        self.mediator_skill = np.zeros(n)  # skill of the technician at hand (0: none)
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
        self.log(
            self.steps + 1, "close-out: no new pilots; the team prepares the groups to go alone"
        )

    def _agency_leaves(self) -> None:
        self.phase = "post_project"
        self.agency.present_in_territory = False
        self.mediator_skill[:] = 0.0
        self.log(self.steps + 1, "the project ended: the agency and its team left")

    def _early_public_action(self) -> None:
        """The quick win the document asks for 'at the very start of the project'."""
        self._public_action(self.steps + 1)

    def _delegate(self) -> None:
        """A signal that the ministry cares less: one piece of bad evidence about its commitment."""
        p, members = self.p, self.participating()
        self.public.high_level_present = False
        # A subordinate cannot commit the ministry as a minister can: fewer promises are kept.
        self.public.commitment *= DELEGATED_COMMITMENT
        self.trust_public[members] = trust.learn(
            self.trust_public[members], False, p.trust_gain, p.trust_loss_ratio
        )
        self.motivation[members] = motivation.spend(self.motivation[members], 0.05)
        self.log(self.steps + 1, "the minister delegated the steering committee to a subordinate")

    def _political_crisis(self) -> None:
        """Box 2: commitment falls, the agency is split from the firms, demand drops."""
        p, members = self.p, self.participating()
        self.public.in_crisis = True
        self.public.commitment *= 1.0 - p.crisis_commitment_drop
        shock = dict(n_good=0.0, n_bad=2.0, rate=p.trust_gain, loss_ratio=p.trust_loss_ratio)
        self.trust_public[members] = trust.learn_many(self.trust_public[members], **shock)
        self.institutional_trust[members] = trust.learn_many(
            self.institutional_trust[members], **shock
        )
        self.market_index *= 1.0 - p.demand_shock_size
        self.log(self.steps + 1, "political crisis: public commitment fell and demand dropped")

    # --- the month --------------------------------------------------------------------------
    def step(self) -> None:
        """One month: market, team, public agency, contact, ventures, trust, membership."""
        month, p = self.steps, self.p
        self.contact[:] = False
        self._market(month)
        if self.agency.present_in_territory:
            self._team_turnover(month)
            self._serve_firms(month)
            for _ in range(self.rng.poisson(p.public_actions_per_year / 12)):
                self._public_action(month)
            self._trust_building()
            if self.phase in ("joint_work", "close_out"):
                self._new_ventures(month, self._free_slots(month))
            if self.phase == "close_out":
                self._consolidate()
        elif p.collective_projects and self.rng.random() < p.self_organisation:
            if ventures.start_project(self, month) is not None:
                self.log(month, "firms formalised a project on their own, without the agency")
        self._spontaneous_contact()
        ventures.advance(self, month)
        # Trust the project built fades between firms that did not meet this month.
        faded = trust.erode(self.trust, self.baseline_trust, p.trust_decay)
        np.copyto(self.trust, faded, where=~self.contact)
        self._membership(month)
        if self.months_to_log_frame is None and _outcomes.log_frame_met(self):
            self.months_to_log_frame = month
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
            # Half a piece of bad evidence about the agency: it could not keep its own people.
            self.institutional_trust[members] = trust.learn(
                self.institutional_trust[members], False, p.trust_gain / 2, p.trust_loss_ratio
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
        self.mediator_skill[:] = 0.0
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
        self.mediator_skill[served] = skill
        intensity = np.minimum(1.0, p.firms_per_technician / np.maximum(loads[tech], 1))
        intensity *= 1.0 - 0.5 * p.geographic_distance
        self.relationship[served] = trust.learn(
            self.relationship[served], True, 0.15 * skill * intensity, p.trust_loss_ratio
        )

    def _public_action(self, month: int) -> None:
        """An action agreed with the firms falls due: the public agency keeps it or not.

        Each is a piece of evidence about the ministry's commitment, seen by every participant;
        a kept action announced by a minister in person is seen twice as clearly.
        """
        p, members = self.p, self.participating()
        kept = bool(self.rng.random() < self.public.commitment)
        visible = 2.0 if (kept and self.public.high_level_present) else 1.0
        self.trust_public[members] = trust.learn(
            self.trust_public[members], kept, p.trust_gain * visible, p.trust_loss_ratio
        )
        if kept:
            self.motivation[members] = motivation.reward(self.motivation[members], 0.05)
            self.months_waiting[members] *= 0.5  # a quick win is a result all can see
            self.productivity_uplift += p.public_action_effect  # a public good: every firm
            self.counts["public_actions_kept"] += 1
            self.public.actions_kept += 1
        else:
            self.counts["public_actions_broken"] += 1
            self.public.actions_broken += 1
            self.log(month, "the public agency did not carry out an agreed action")

    def _free_slots(self, month: int) -> float:
        """Ventures the present team can launch this month after supervising those under way."""
        team = len(self.agency.team_present(month))
        return self.p.activities_per_technician * team - 0.5 * len(self.book.live())

    def _trust_building(self) -> None:
        """Meetings, travel, social events, visits: participants see how the others behave.

        Every pair that attends the same event gains one observation of each other's conduct,
        weighted by the kind of event; on average an observation is as good as the partner is
        reliable (fractional evidence). Events are the team's own programme: they do not take
        the slots of pilots and projects.
        """
        p, rng = self.p, self.rng
        if not p.trust_building_events:
            return
        planned = int(p.events_per_month) + int(rng.random() < p.events_per_month % 1)
        members = np.flatnonzero(self.participating())
        if planned == 0 or len(members) < 2:
            return
        kinds = [
            activities.EVENT_KINDS[activities.weighted_choice(rng, activities.EVENT_WEIGHTS)]
            for _ in range(planned)
        ]
        size = np.array([min(k.invited, len(members)) for k in kinds])
        rank = np.argsort(rng.random((planned, len(members))), axis=1).argsort(axis=1)
        invited = rank < size[:, None]
        come = activities.attendance_probability(
            self.motivation[members],
            self.trust_collective[members],
            self.trust_in_agency()[members],
            p.geographic_distance,
        )
        attended = np.zeros((planned, self.n), dtype=bool)
        attended[:, members] = invited & (rng.random(invited.shape) < come)
        self.counts["events_held"] += planned
        evidence = np.array([k.evidence for k in kinds])
        self._observe(attended, evidence)
        testimony = np.array([k.collective_action_gain for k in kinds]) @ attended
        self.trust_collective = trust.learn_many(
            self.trust_collective, testimony, 0.0, p.trust_gain, p.trust_loss_ratio
        )

    def _spontaneous_contact(self) -> None:
        """Participants who are neighbours meet informally; distant ones rarely do.

        Each pair of participants meets with the same small chance; the number of meetings is
        drawn first and the pairs after, so a month costs what its meetings cost.
        """
        p, rng = self.p, self.rng
        chance = activities.spontaneous_contact_probability(
            p.spontaneous_contact, p.geographic_distance
        )
        members = np.flatnonzero(self.participating())
        pairs = len(members) * (len(members) - 1) // 2
        meetings = int(rng.binomial(pairs, chance)) if chance > 0 and pairs else 0
        if meetings == 0:
            return
        a, b = members[rng.integers(len(members), size=(2, meetings))]
        a, b = a[a != b], b[a != b]
        first, second = np.concatenate((a, b)), np.concatenate((b, a))
        good = self.reliability[second]
        self.trust[first, second] = trust.learn_many(
            self.trust[first, second], good, 1.0 - good, p.trust_gain, p.trust_loss_ratio
        )
        self.contact[first, second] = True

    def _consolidate(self) -> None:
        """Close-out: the team meets each collective project's group to prepare it to go alone."""
        slots = self.book.live()
        projects = self.book.members[slots[self.book.kind[slots] == ventures.PROJECT]]
        if len(projects):
            self._observe(projects, np.ones(len(projects)))

    def _observe(self, groups: np.ndarray, evidence: np.ndarray) -> None:
        """Firms met in ``groups`` (a mask per gathering), each gathering worth ``evidence``.

        Each pair saw the other as many times as they met, weighted; on average a partner
        behaves as reliably as it is (fractional evidence). Only the block of firms who met is
        touched.
        """
        p = self.p
        firms = np.flatnonzero(groups.any(axis=0))
        together = groups[:, firms].astype(float)
        weight = (together * evidence[:, None]).T @ together
        good = weight * self.reliability[firms][None, :]
        block = np.ix_(firms, firms)
        self.trust[block] = trust.learn_many(
            self.trust[block], good, weight - good, p.trust_gain, p.trust_loss_ratio
        )
        self.trust[firms, firms] = 1.0
        self.contact[block] |= weight > 0

    def _new_ventures(self, month: int, slots: float) -> None:
        """Formalise a collective project if a group is ready; launch pilots as planned.

        Pilots stop in the close-out; groups that are ready may still formalise a project.
        """
        p, rng = self.p, self.rng
        if p.collective_projects and slots >= 1:
            if ventures.start_project(self, month) is not None:
                slots -= 1
        if not p.pilots or self.phase != "joint_work":
            return
        planned = int(p.pilots_per_month) + int(rng.random() < p.pilots_per_month % 1)
        for _ in range(min(planned, int(slots))):
            if ventures.start_pilot(self, month) is None:
                break

    def _membership(self, month: int) -> None:
        """Waiting costs motivation; the impatient drop out; others join on seeing results.

        After the project, members of a collective project carry its coordination themselves,
        and word of mouth is all that recruits.
        """
        p, rng = self.p, self.rng
        members = self.participating()
        expected = motivation.expected_benefit(
            self.trust_collective[members], self.trust_public[members], p.appropriability
        )
        cost = p.participation_cost * (1.5 - expected)
        if not self.agency.present_in_territory:
            cost = cost + p.coordination_cost * (self.project_of[members] >= 0)
        self.motivation[members] = motivation.spend(self.motivation[members], cost)
        waiting = members & (self.last_result_month < month)
        # Progress indicators the firms can verify make the wait for a maturing project's
        # results easier to bear (the document's advice on balancing short and long term).
        in_project = self.project_of >= 0
        felt = np.where(in_project & p.progress_indicators, 0.5, 1.0)
        self.months_waiting[waiting] += felt[waiting]
        leave = motivation.dropout_probability(self.months_waiting, self.patience, self.motivation)
        leavers = members & (rng.random(self.n) < leave)
        if leavers.any():
            self._drop_out(leavers)
        self._recruit(month)

    def _recruit(self, month: int) -> None:
        """Word of mouth reaches outsiders, and those who left (who are harder to win back).

        A newcomer learns the ministry's record from the participants it talks to.
        """
        p, rng = self.p, self.rng
        outside = np.flatnonzero(self.status != Status.PARTICIPATING)
        members = self.participating()
        if not len(outside) or not members.any():
            return
        seen = float((self.last_result_month[members] >= month - 6).mean())
        rate = p.recruitment_rate * (1.0 if self.agency.present_in_territory else WORD_OF_MOUTH)
        # The ministry's record is common talk: outsiders judge it as the participants do.
        reputation = self.trust_public[members].mean()
        expected = motivation.expected_benefit(
            self.trust_collective[outside], reputation, p.appropriability
        )
        join = motivation.join_probability(rate, seen, expected)
        join[self.status[outside] == Status.DROPPED_OUT] *= RETURN_FACTOR
        joiners = outside[rng.random(len(outside)) < join]
        if len(joiners):
            newcomers = joiners[self.status[joiners] == Status.OUTSIDE]  # returners remember
            self.trust_public[newcomers] = reputation
            self.status[joiners] = Status.PARTICIPATING
            self.months_waiting[joiners] = 0
            self.motivation[joiners] = np.maximum(self.motivation[joiners], p.initial_motivation)

    def _drop_out(self, leavers: np.ndarray) -> None:
        """Firms leave the project, walking out of their ventures (their partners resent it)."""
        self.status[leavers] = Status.DROPPED_OUT
        self.technician_of[leavers] = -1
        self.relationship[leavers] = 0.0  # should one return, it starts afresh with a technician
        ventures.walk_out(self, leavers)

    # --- views used by agents, ventures and outcomes -----------------------------------------
    @property
    def ventures(self) -> list[Venture]:
        """The ventures under way, as views (the same object for a venture while it lasts)."""
        live = self.book.live()
        self._views = {int(self.book.uid[v]): self.venture(int(v)) for v in live}
        return list(self._views.values())

    def venture(self, slot: int) -> Venture:
        """The view of the venture in ``slot`` (the same object while that venture lasts)."""
        uid = int(self.book.uid[slot])
        view = self._views.get(uid)
        if view is None:
            view = self._views[uid] = Venture(self.book, slot)
        return view

    def freeze_views(self, slots: np.ndarray) -> None:
        """Views of ventures about to end keep their members (experiments read them after)."""
        for slot in slots:
            view = self._views.get(int(self.book.uid[slot]))
            if view is not None:
                view.freeze()

    def participating(self) -> np.ndarray:
        """Boolean mask of the firms taking part in the project."""
        return self.status == Status.PARTICIPATING

    def worked_together(self, firms: np.ndarray) -> None:
        """Record that ``firms`` joined a venture together (the pairs `trust_partners` covers)."""
        self.together[np.ix_(firms, firms)] = True  # its diagonal: firms ever in a venture

    def tangible_result(self, firms: np.ndarray) -> None:
        """Firms saw a tangible result this month: their wait is over."""
        self.months_waiting[firms] = 0
        self.last_result_month[firms] = self.steps

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


def reliability_draws(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Each firm's reliability: Beta with the given mean and a spread of about 0.1.

    How often a firm behaves well when its partners can see it; the trust its partners learn
    converges towards what this implies (`trust.equilibrium`).
    """
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, mean)
    return rng.beta(mean * RELIABILITY_CONCENTRATION, (1 - mean) * RELIABILITY_CONCENTRATION, n)


def start_of(month: int) -> float:
    """Model time at which an event takes effect from ``month`` on (before its step)."""
    return month - 0.5
