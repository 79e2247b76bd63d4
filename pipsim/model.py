"""PIPModel: productive integration projects, month by month, then the years after them.

The model holds the state of one run, or of a block of ``replications`` runs of the same
parameters, as arrays with a leading run axis (`pipsim.rules.state.State`), and advances it
with the compiled rules of `pipsim.rules`: `step` is one month of every run (the schedule is
`pipsim.rules.month.advance`'s), each run with its own random generator, so a run's results do not
depend on the other runs of its block. A model of one run is a block of one; its attributes
(``model.trust``, ``model.status``...) are run 0 of the arrays, and `run` shows any run of a
block the same way. The Mesa agents are views of run 0.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from pipsim import outcomes as _outcomes
from pipsim.agents import Enterprise, ExecutingAgency, PublicAgency
from pipsim.parameters import Parameters
from pipsim.rules import events
from pipsim.rules.draws import trust_among_firms
from pipsim.rules.market import monthly_probability
from pipsim.rules.measures import SERIES, STATE_MEASURES, log_frame_met
from pipsim.rules.month import advance
from pipsim.rules.state import (
    COUNTS,
    LOG_FIELDS,
    NEVER,
    OUTSIDE,
    PARTICIPATING,
    PHASES,
    TRUST_DTYPE,
    Rules,
    State,
    StateArrays,
    log_room,
    make_state,
    rules,
    venture_slots,
)
from pipsim.state import STATE_NAMES, OneRun, RunView
from pipsim.ventures import RunBook, Venture

__all__ = ["COUNTS", "PHASES", "PIPModel", "make_parameters"]

EMPLOYEES = ((1, 10), (10, 50), (50, 200), (200, 600))  # by size class: micro .. large
VALUE_ADDED_PER_WORKER = (12.0, 20.0, 30.0, 45.0)  # thousand $ a year, by size class
RELIABILITY_CONCENTRATION = 12.0  # Beta(a + b = 12) around the mean: a spread of about 0.1
NO_SERIES = np.zeros((0, 0, 0))


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
        rng: seed or numpy Generator; the same parameters and seed give the same run(s). Run
            ``r`` of a block draws from the ``r``-th generator spawned from it, so it is the same
            run in a block of any size.
        time_series: collect the monthly state in ``datacollector`` (one run) and `series`
            (off: only the final month).
        replications: runs of these parameters advanced together (a block; see `run`).
        event_log: keep each run's events in plain words (off saves time in large sweeps).
        **overrides: any `Parameters` field, e.g. ``project_months=48``.
    """

    state: State
    rules: Rules

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
        self.rules = rules(p, event_log)
        self.rngs = self.rng.spawn(replications)
        self.logs: list[list[tuple[int, str]]] = [[] for _ in range(replications)]
        self.state = set_up(p, self.rngs, event_log)
        for r in range(replications):  # a log frame met at launch is met in month 0
            if log_frame_met(self.state, self.rules, r):
                self.state.log_frame_month[r] = 0
        months = p.total_months + 1 if time_series else 1
        self._series = np.full((replications, months, len(SERIES)), np.nan)
        self._views: dict[int, Venture] = {}
        self.collecting: np.ndarray | None = None
        self.collecting_outcomes: dict[str, float] | None = None
        if replications == 1:
            self.enterprises = [Enterprise(self, i) for i in range(self.n)]
            self.agency = ExecutingAgency(self)
            self.public = PublicAgency(self)
        self.datacollector = mesa.DataCollector(model_reporters=_outcomes.reporters())
        self._collect()

    # --- one run of the block, under the familiar names ---------------------------------------
    def __getattr__(self, name: str) -> Any:
        state = self.__dict__.get("state")
        if state is not None and name in STATE_NAMES:
            if self.runs != 1:
                raise AttributeError(
                    f"this model holds {self.runs} runs: read model.run(r).{name}, "
                    f"or model.state.{name} for all of them"
                )
            return getattr(state, name)[0]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__.get("state")
        if state is not None and name in STATE_NAMES:
            getattr(state, name)[0] = value  # write through to run 0
        else:
            super().__setattr__(name, value)

    def core(self) -> tuple[State, Rules, int]:
        """(the block's state, its rules, run 0): where a model of one run lives."""
        return self.state, self.rules, 0

    def run(self, r: int) -> RunView:
        """Run ``r`` of the block, read as one run (outcomes, series, figures)."""
        return RunView(self, r)

    @property
    def is_lead(self) -> np.ndarray:
        """Lead (client) firms: the same firms in every run."""
        return self.state.is_lead[0]

    @property
    def counts(self) -> dict[str, int]:  # type: ignore[override]
        """How many of each event the run has seen (pilots run, conflicts...)."""
        return dict(zip(COUNTS, (int(x) for x in self.state.counts[0]), strict=True))

    @property
    def book(self) -> RunBook:  # type: ignore[override]
        """The ventures of the run (of run 0 in a block)."""
        return RunBook(self.state, 0)

    @property
    def event_log(self) -> list[tuple[int, str]]:  # type: ignore[override]
        """The run's notable events in plain words, (month, text)."""
        return self.logs[0]

    # --- the month ----------------------------------------------------------------------------
    def step(self) -> None:
        """One month of every run of the block (`pipsim.rules.month.advance` by one month)."""
        month = self.steps
        views = list(self._views.values())
        for view in views:
            view.remember()
        for r, rng in enumerate(self.rngs):
            advance(self.state, self.rules, r, rng, month, month, NO_SERIES)
        self._read_log()
        if month >= self.p.total_months:
            self.running = False
        self._collect()

    def run_model(self) -> None:
        """Run to the end of the horizon: each run's remaining months in one compiled call.

        (A run that keeps an event log pauses when its log fills, to have it read.)
        """
        first, last = self.steps + 1, self.p.total_months
        series = self._series if self.time_series else NO_SERIES
        for r, rng in enumerate(self.rngs):
            month = first
            while month <= last:
                month = advance(self.state, self.rules, r, rng, month, last, series) + 1
                self._read_log()
        if last >= first:
            self.steps, self.time = last, float(last)
        self.running = False
        self._collect()

    def _read_log(self) -> None:
        """Turn the month's events, written by the rules as numbers, into plain words."""
        s = self.state
        for r in np.flatnonzero(s.logged):
            rows = s.log[r, : s.logged[r]].tolist()
            self.logs[r].extend((month, events.text(what, a, b)) for month, what, a, b in rows)
        s.logged[:] = 0

    def _collect(self) -> None:
        """This month's row of the monthly series (every month with ``time_series``).

        A model of one run also keeps its last month in ``datacollector``, as Mesa models do.
        """
        if self.time_series:
            _outcomes.series_rows(self, self._series, self.steps)
        if self.runs == 1 and (self.time_series or not self.running):
            self.collecting = _outcomes.series_row(self)  # measured once for every reporter
            self.collecting_outcomes = _outcomes.outcomes(self)
            self.datacollector.collect(self)
            self.collecting, self.collecting_outcomes = None, None

    def series(self) -> pd.DataFrame:
        """The monthly state of every run (a ``place`` column numbers the runs of the block)."""
        if self.runs == 1 and not self.time_series:
            return self.datacollector.get_model_vars_dataframe().assign(place=0)
        return _outcomes.series_frame(self._series[:, : self.steps + 1])

    # --- views used by agents, experiments and the trainers' page ------------------------------
    @property
    def ventures(self) -> list[Venture]:
        """The ventures under way, as views (the same object for a venture while it lasts)."""
        book = self.book
        live = {int(book.uid[v]): int(v) for v in book.live()}
        self._views = {
            uid: self._views.get(uid) or Venture(book, slot) for uid, slot in live.items()
        }
        return list(self._views.values())

    def outcomes(self) -> dict[str, float]:
        """The log frame outcomes of this run (see `pipsim.outcomes`)."""
        if self.runs != 1:
            raise ValueError(f"this model holds {self.runs} runs: use all_outcomes()")
        return _outcomes.outcomes(self)

    def all_outcomes(self) -> list[dict[str, float]]:
        """The log frame outcomes of every run of the block, in order."""
        return _outcomes.block_outcomes(self)


# --- set-up -------------------------------------------------------------------------------------
def set_up(p: Parameters, rngs: list[np.random.Generator], event_log: bool) -> State:
    """The state of a block at launch: each run's firms, trust and institutions, its own draws."""
    runs, n, posts = len(rngs), p.n_enterprises, p.n_technicians
    slots = venture_slots(n)
    drawn: dict[str, np.ndarray] = {}
    for r, rng in enumerate(rngs):
        one = {
            **enterprises(p, rng),
            **trust_at_launch(p, rng),
            **institutions(p, rng),
        }
        for name, value in one.items():
            if name not in drawn:
                drawn[name] = np.empty((runs, *np.shape(value)), dtype=np.asarray(value).dtype)
            drawn[name][r] = value
    shape, pairs = (runs, n), (runs, n, n)
    arrays = StateArrays(
        **drawn,
        goodwill=np.ones(shape),  # firms join meaning to keep their word
        months_waiting=np.zeros(shape),
        last_result_month=np.full(shape, -99, dtype=np.int64),
        track_record=np.zeros(shape, dtype=np.int64),
        project_of=np.full(shape, -1, dtype=np.int64),
        in_pilot=np.zeros(shape, dtype=bool),
        market_index=np.ones(shape),
        sales_uplift=np.zeros(shape),
        joint_sales_uplift=np.zeros(shape),
        productivity_uplift=np.zeros(shape),
        evidence=np.zeros(pairs, dtype=TRUST_DTYPE),  # no pair has seen the other at work yet
        joint_successes=np.zeros(pairs, dtype=np.int32),
        together=np.zeros(pairs, dtype=bool),
        contact=np.zeros(pairs, dtype=bool),
        relationship=np.zeros(shape),
        technician_of=np.full(shape, -1, dtype=np.int64),
        mediator_skill=np.zeros(shape),
        vacant_until=np.zeros((runs, posts), dtype=np.int64),
        commitment=np.full(runs, float(p.public_commitment)),
        high_level_present=np.full(runs, bool(p.high_level_participation)),
        in_crisis=np.zeros(runs, dtype=bool),
        alive=np.zeros((runs, slots), dtype=bool),
        kind=np.zeros((runs, slots), dtype=np.int8),
        label=np.zeros((runs, slots), dtype=np.int64),
        start=np.zeros((runs, slots), dtype=np.int64),
        ends=np.zeros((runs, slots), dtype=np.int64),
        operating=np.zeros((runs, slots), dtype=bool),
        months_operating=np.zeros((runs, slots), dtype=np.int64),
        uid=np.full((runs, slots), -1, dtype=np.int64),
        size=np.zeros((runs, slots), dtype=np.int64),
        members=np.zeros((runs, slots, n), dtype=np.int64),
        sales_gain=np.zeros((runs, slots, n)),
        formed=np.zeros(runs, dtype=np.int64),
        counts=np.zeros((runs, len(COUNTS)), dtype=np.int64),
        first_project=np.full(runs, NEVER),
        pilots_before_first_project=np.full(runs, NEVER),
        trust_at_first_project=np.full(runs, NEVER),
        log_frame_month=np.full(runs, NEVER),
        at_project_end=np.full((runs, len(STATE_MEASURES) + len(COUNTS)), NEVER),
        log=np.zeros((runs, log_room(n, posts) if event_log else 0, LOG_FIELDS), dtype=np.int64),
        logged=np.zeros(runs, dtype=np.int64),
    )
    return make_state(arrays)


def enterprises(p: Parameters, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The firms of one run: size, capability, patience, reliability, sales; who starts."""
    n = p.n_enterprises
    large = max(0.0, 1.0 - p.share_micro - p.share_small - p.share_medium)
    shares = np.array([p.share_micro, p.share_small, p.share_medium, large])
    is_lead = np.zeros(n, dtype=bool)  # the same firms lead in every run
    is_lead[: p.n_lead_firms] = True
    size = rng.choice(4, size=n, p=shares / shares.sum())
    size[is_lead] = 3
    reliability = reliability_draws(rng, p.mean_reliability, n)
    low, high = np.array(EMPLOYEES).T
    employees = rng.integers(low[size], high[size])
    productivity = np.take(VALUE_ADDED_PER_WORKER, size) * rng.lognormal(0, 0.2, n)
    exporter = rng.random(n) < p.exporter_share * (0.5 + 0.5 * size)
    status = np.full(n, OUTSIDE, dtype=np.int8)
    leads = p.n_lead_firms  # the lead firms, then others at random, start the project
    others = leads + np.argsort(rng.random(n - leads))
    status[np.concatenate((np.arange(leads), others))[: p.initial_participants]] = PARTICIPATING
    return {
        "is_lead": is_lead,
        "size_class": size,
        "capability": np.clip(rng.beta(2 + size, 3) + 0.15 * is_lead, 0, 1),
        "self_confidence": rng.beta(2 + size, 3),
        "patience": rng.gamma(4.0, p.mean_patience_months / 4.0, n) * (1 + 0.5 * is_lead),
        "motivation": np.clip(rng.normal(p.initial_motivation, 0.1, n), 0, 1),
        "reliability": reliability,
        "unreliability": (1.0 - reliability) / max(1.0 - p.mean_reliability, 1e-9),
        "employees": employees,
        "baseline_productivity": productivity,
        "baseline_sales": employees * productivity * 2.5 / 12,  # a month
        "exporter": exporter,
        "exporter_at_baseline": exporter.copy(),
        "status": status,
    }


def trust_at_launch(p: Parameters, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Trust at launch: among firms (higher where they worked together before), in institutions."""
    n = p.n_enterprises
    baseline = np.empty((n, n), dtype=TRUST_DTYPE)
    trust_among_firms(
        rng, baseline, float(p.initial_trust), float(p.initial_trust_spread), float(p.prior_ties)
    )
    return {
        "baseline_trust": baseline,
        "trust": baseline.copy(),
        "trust_collective": np.clip(rng.normal(p.initial_trust_collective, 0.1, n), 0, 1),
        "trust_public": np.clip(rng.normal(p.initial_trust_public, 0.1, n), 0, 1),
        "institutional_trust": np.clip(rng.normal(p.agency_credibility, 0.1, n), 0, 1),
    }


def institutions(p: Parameters, rng: np.random.Generator) -> dict[str, Any]:
    """The team's skills; the months a crisis and a minister's delegation strike (NaN: never)."""
    skill = np.clip(rng.normal(p.technician_skill, 0.15, p.n_technicians), 0, 1)
    if p.political_crisis_month:
        crisis = float(p.political_crisis_month)
    else:
        crisis = hazard_month(rng, p.political_crisis_rate)
    delegation = hazard_month(rng, p.delegation_rate)
    if not p.high_level_participation:
        delegation = NEVER
    return {"technician_skill": skill, "crisis_month": crisis, "delegation_month": delegation}


def hazard_month(rng: np.random.Generator, annual_rate: float) -> float:
    """The month a hazard with this annual rate first strikes (NaN if never)."""
    monthly = monthly_probability(annual_rate)
    return float(rng.geometric(monthly)) if monthly > 0 else NEVER


def reliability_draws(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Each firm's reliability: Beta with the given mean and a spread of about 0.1.

    How often a firm behaves well when its partners can see it; the trust its partners learn
    converges towards what this implies (`pipsim.rules.learning.equilibrium`).
    """
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, mean)
    return rng.beta(mean * RELIABILITY_CONCENTRATION, (1 - mean) * RELIABILITY_CONCENTRATION, n)
