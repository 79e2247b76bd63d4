"""Every tunable of a PIP model run, validated and frozen, with the typology presets.

`Parameters` is the single place a parameter is declared: its default, its unit, its allowed
range and what it means. Each field carries that in its metadata, so validation, the command
line and scenario files all read the same declaration instead of repeating it. Defaults are
justified in ``docs/ODD.md``; the numbers the source document gives (Dini, Guaipatín & Rivas
2005) are cited there. The ten parameters calibration v2 fitted take the representative member of
the shipped ensemble (``pipsim/data/ensemble.csv``), rounded to two significant figures
(``docs/calibration.md`` §6.8); a test keeps the two in step.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TYPOLOGIES = ("horizontal_network", "vertical_network", "cluster", "local_environment")


def _p(default: Any, low: float | None, high: float | None, unit: str, doc: str) -> Any:
    """Declare a parameter: default, inclusive bounds (None = unbounded), unit and meaning."""
    return field(default=default, metadata={"low": low, "high": high, "unit": unit, "doc": doc})


def _choice(default: str, choices: tuple[str, ...], doc: str) -> Any:
    return field(default=default, metadata={"choices": choices, "unit": "", "doc": doc})


@dataclass(frozen=True, slots=True)
class Parameters:
    """The parameters of one PIP model run (months, rates and shares; see each field's unit).

    Build one with `Parameters.for_typology` to start from a typology preset of the document's
    Table 1; plain ``Parameters()`` is the cluster preset. Invalid values raise `ValueError`
    naming the field, the value and what is allowed.
    """

    # --- the project -------------------------------------------------------------------------
    typology: str = _choice("cluster", TYPOLOGIES, "PIP type of the document's Table 1")
    project_months: int = _p(36, 1, 240, "months", "life of the project (agency present)")
    post_project_months: int = _p(24, 0, 240, "months", "horizon after the agency leaves")
    launch_months: int = _p(3, 0, 24, "months", "validation of the design and baseline")
    close_out_months: int = _p(6, 0, 24, "months", "final months aimed at sustainability")
    n_enterprises: int = _p(120, 2, 2000, "firms", "firms that could take part (territory/chain)")
    initial_participants: int = _p(20, 1, 2000, "firms", "firms in the project at launch")
    appropriability: float = _p(0.35, 0.0, 1.0, "share", "share of a joint benefit kept by members")
    n_lead_firms: int = _p(3, 0, 2000, "firms", "lead firms (large, capable, targeted first)")
    # --- enterprises -------------------------------------------------------------------------
    share_micro: float = _p(0.5, 0.0, 1.0, "share", "share of microenterprises")
    share_small: float = _p(0.3, 0.0, 1.0, "share", "share of small enterprises")
    share_medium: float = _p(0.15, 0.0, 1.0, "share", "share of medium (rest: large)")
    exporter_share: float = _p(0.15, 0.0, 1.0, "share", "firms exporting at baseline")
    initial_motivation: float = _p(0.6, 0.0, 1.0, "0-1", "mean motivation at launch")
    mean_patience_months: float = _p(12.0, 1.0, 120.0, "months", "months without results tolerated")
    participation_cost: float = _p(0.031, 0.0, 0.5, "per month", "motivation spent by taking part")
    progress_indicators: bool = _p(True, None, None, "switch", "verifiable progress halves waits")
    recruitment_rate: float = _p(0.2, 0.0, 1.0, "per month", "joining chance by word of mouth")
    coordination_cost: float = _p(
        0.02, 0.0, 0.5, "per month", "motivation: running a project alone"
    )
    self_organisation: float = _p(0.1, 0.0, 1.0, "per month", "firms start a project on their own")
    # --- trust -------------------------------------------------------------------------------
    initial_trust: float = _p(0.2, 0.0, 1.0, "0-1", "mean firm-to-firm trust at launch")
    initial_trust_spread: float = _p(0.1, 0.0, 0.5, "0-1", "spread of firm-to-firm trust")
    prior_ties: float = _p(0.1, 0.0, 1.0, "share", "pairs with a prior working relationship")
    initial_trust_collective: float = _p(0.3, 0.0, 1.0, "0-1", "trust in collective action")
    initial_trust_public: float = _p(0.3, 0.0, 1.0, "0-1", "trust in the public sector")
    geographic_distance: float = _p(0.0, 0.0, 1.0, "0-1", "0 concentrated .. 1 far apart")
    trust_gain: float = _p(0.18, 0.0, 0.3, "share", "way to the evidence one good piece closes")
    trust_loss_ratio: float = _p(3.0, 1.0, 10.0, "ratio", "weight of bad evidence / good evidence")
    trust_prior_weight: float = _p(
        17.0, 0.0, 200.0, "pieces", "evidence initial trust is worth: first impressions count"
    )
    trust_decay: float = _p(0.01, 0.0, 0.5, "per month", "built trust fading between firms apart")
    mean_reliability: float = _p(0.85, 0.0, 1.0, "share", "how often an average firm behaves well")
    spontaneous_contact: float = _p(0.05, 0.0, 1.0, "per month", "two neighbours meet informally")
    # --- activities --------------------------------------------------------------------------
    trust_building_events: bool = _p(True, None, None, "switch", "meetings, travel, visits")
    events_per_month: float = _p(1.5, 0.0, 20.0, "per month", "trust-building events planned")
    pilots: bool = _p(True, None, None, "switch", "low-risk pilot activities")
    pilots_per_month: float = _p(2.0, 0.0, 20.0, "per month", "pilots the team can launch")
    pilot_group_size: int = _p(4, 2, 50, "firms", "firms in one pilot")
    pilot_months: int = _p(3, 1, 24, "months", "duration of a pilot")
    pilot_success_rate: float = _p(0.9, 0.0, 1.0, "probability", "pilot works if all comply")
    pilot_sales_effect: float = _p(0.23, 0.0, 1.0, "share", "sales uplift of a good pilot")
    pilot_productivity_effect: float = _p(0.02, 0.0, 1.0, "share", "productivity uplift")
    collective_projects: bool = _p(True, None, None, "switch", "riskier collective projects")
    project_group_size: int = _p(6, 2, 200, "firms", "firms in one collective project")
    project_trust_threshold: float = _p(0.32, 0.0, 1.0, "0-1", "group trust needed to formalise")
    project_maturation_months: int = _p(18, 1, 120, "months", "until a project pays off")
    successes_before_project: int = _p(1, 0, 20, "ventures", "joint successes before a project")
    project_success_rate: float = _p(0.85, 0.0, 1.0, "probability", "case holds: capable, trusting")
    project_sales_effect: float = _p(1.2, 0.0, 5.0, "share", "sales uplift, fully appropriated")
    project_productivity_effect: float = _p(0.4, 0.0, 5.0, "share", "productivity uplift")
    noncompliance_risk: float = _p(0.017, 0.0, 1.0, "probability", "a member fails the group")
    monitoring_effect: float = _p(0.5, 0.0, 1.0, "share", "free riding the team's monitoring stops")
    operating_failure_rate: float = _p(0.1, 0.0, 1.0, "per year", "operating project loses market")
    conflict_rate: float = _p(0.05, 0.0, 1.0, "per month", "conflicts per joint activity")
    mediation: bool = _p(True, None, None, "switch", "technicians mediate conflicts")
    mediation_effectiveness: float = _p(0.7, 0.0, 1.0, "share", "damage a mediation avoids")
    # --- executing agency and its technical team ---------------------------------------------
    n_technicians: int = _p(3, 0, 100, "people", "technicians in the team")
    technician_skill: float = _p(0.6, 0.0, 1.0, "0-1", "mean mediation/communication skill")
    firms_per_technician: int = _p(15, 1, 500, "firms", "caseload one technician can serve")
    activities_per_technician: float = _p(3.0, 0.0, 20.0, "per month", "activities run")
    staff_turnover: float = _p(0.15, 0.0, 1.0, "per year", "annual rate of technician departures")
    vacancy_months: float = _p(3.0, 0.0, 36.0, "months", "mean time a post stays empty")
    agency_credibility: float = _p(0.6, 0.0, 1.0, "0-1", "credibility of the executing agency")
    relationship_weight: float = _p(0.6, 0.0, 1.0, "share", "trust in agency held by technician")
    # --- public agency -----------------------------------------------------------------------
    public_commitment: float = _p(0.7, 0.0, 1.0, "probability", "an agreed action is carried out")
    early_public_action: bool = _p(True, None, None, "switch", "an agreed action falls due at once")
    public_actions_per_year: float = _p(4.0, 0.0, 24.0, "per year", "actions agreed with firms")
    public_action_effect: float = _p(0.004, 0.0, 1.0, "share", "productivity gain of one action")
    high_level_participation: bool = _p(True, None, None, "switch", "a minister sits in")
    delegation_rate: float = _p(0.25, 0.0, 1.0, "per year", "hazard the official delegates")
    political_crisis_month: int | None = _p(None, 1, 480, "month", "month of a political crisis")
    political_crisis_rate: float = _p(0.0, 0.0, 1.0, "per year", "hazard of a political crisis")
    crisis_commitment_drop: float = _p(0.6, 0.0, 1.0, "share", "commitment lost in a crisis")
    # --- economy -----------------------------------------------------------------------------
    market_growth: float = _p(0.0, -0.5, 0.5, "per year", "real sales growth without project")
    sales_volatility: float = _p(0.01, 0.0, 0.5, "per month", "idiosyncratic sales noise (sd)")
    demand_shock_rate: float = _p(0.05, 0.0, 1.0, "per year", "hazard of a demand shock")
    demand_shock_size: float = _p(0.1, 0.0, 0.9, "share", "sales lost in a demand shock")
    # --- log frame targets (Annex 2, 36-month example) ---------------------------------------
    target_sales_growth: float = _p(0.20, -1.0, 10.0, "share", "mean real sales growth above")
    target_productivity_growth: float = _p(0.10, -1.0, 10.0, "share", "productivity growth")
    target_firms_in_joint_projects: int = _p(30, 0, 2000, "firms", "firms in joint projects")
    target_participants: int = _p(60, 0, 2000, "firms", "participants at project end")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = _plain(getattr(self, f.name))
            check_field(f, value)
            object.__setattr__(self, f.name, value)  # numpy scalars become Python ones
        if self.initial_participants > self.n_enterprises:
            raise ValueError(
                f"initial_participants={self.initial_participants} is out of range: "
                f"allowed 1 ≤ initial_participants ≤ n_enterprises ({self.n_enterprises})"
            )
        if self.n_lead_firms > self.n_enterprises:
            raise ValueError(
                f"n_lead_firms={self.n_lead_firms} is out of range: "
                f"allowed 0 ≤ n_lead_firms ≤ n_enterprises ({self.n_enterprises})"
            )
        shares = self.share_micro + self.share_small + self.share_medium
        if shares > 1.0 + 1e-9:
            raise ValueError(
                f"share_micro + share_small + share_medium = {shares:g} is out of range: "
                "allowed at most 1 (the rest are large firms)"
            )
        if self.trust_gain * self.trust_loss_ratio >= 1.0:
            raise ValueError(
                f"trust_gain x trust_loss_ratio = {self.trust_gain * self.trust_loss_ratio:g} is "
                "out of range: allowed below 1 (one bad piece of evidence may not erase all "
                "trust, or the loss ratio stops meaning what it says)"
            )
        busy = self.launch_months + self.close_out_months
        if busy > self.project_months:
            raise ValueError(
                f"launch_months + close_out_months = {busy} is out of range: allowed at most "
                f"project_months ({self.project_months})"
            )

    @property
    def total_months(self) -> int:
        """Months simulated: the project plus the post-project horizon."""
        return self.project_months + self.post_project_months

    @classmethod
    def for_typology(cls, typology: str = "cluster", **overrides: Any) -> Parameters:
        """Start from the preset of ``typology`` and apply ``overrides`` on top."""
        if typology not in TYPOLOGY_PRESETS:
            raise ValueError(f"typology={typology!r} is not allowed: choose one of {TYPOLOGIES}")
        unknown = sorted(set(overrides) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}: allowed are {sorted(FIELDS)}")
        return cls(**{**TYPOLOGY_PRESETS[typology], "typology": typology, **overrides})

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any]) -> Parameters:
        """The preset of ``overrides["typology"]`` (default cluster), the other values on top.

        What a scenario's point, a command line or a page gives: a flat dict of fields.
        """
        rest = dict(overrides)
        return cls.for_typology(rest.pop("typology", "cluster"), **rest)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a plain dict, in declaration order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _plain(value: Any) -> Any:
    """A numpy scalar (as sweeps and `mesa.batch_run` pass) as the Python value it stands for."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def check_field(f: dataclasses.Field, value: Any) -> None:
    """Raise `ValueError` if ``value`` does not fit field ``f``'s type and declared range."""
    meta, name = f.metadata, f.name
    if "choices" in meta:
        if value not in meta["choices"]:
            raise ValueError(f"{name}={value!r} is not allowed: choose one of {meta['choices']}")
        return
    kind = type(f.default) if f.default is not None else int
    if value is None:
        if f.default is None:
            return
        raise ValueError(f"{name}=None is not allowed: give a {kind.__name__}")
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name}={value!r} is not allowed: give true or false")
        return
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ValueError(f"{name}={value!r} is not allowed: give a whole number")
    if kind is float and not numeric:
        raise ValueError(f"{name}={value!r} is not allowed: give a number")
    if not math.isfinite(value):
        raise ValueError(f"{name}={value!r} is not allowed: give a finite number")
    low, high = meta["low"], meta["high"]
    if (low is not None and value < low) or (high is not None and value > high):
        unit = f" ({meta['unit']})" if meta["unit"] else ""
        raise ValueError(f"{name}={value!r} is out of range: allowed {low} ≤ {name} ≤ {high}{unit}")


FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(Parameters)}

# Table 1 of the source document. Group sizes from its text: horizontal networks of 5-20 firms;
# vertical networks from 4-5 (manufacturing) to several dozen; clusters and local environments
# span a territory, with the log frame's 20 -> 60 participants and >= 30 in joint projects.
# Targets are scaled to the group where the document's absolute numbers cannot apply.
TYPOLOGY_PRESETS: dict[str, dict[str, Any]] = {
    "horizontal_network": dict(
        n_enterprises=20,
        initial_participants=12,
        appropriability=0.85,
        n_lead_firms=1,
        prior_ties=0.3,
        share_micro=0.3,
        share_small=0.5,
        share_medium=0.2,
        n_technicians=1,
        project_group_size=5,
        target_participants=12,
        target_firms_in_joint_projects=8,
        project_sales_effect=0.5,
        project_productivity_effect=0.25,
        delegation_rate=0.1,
        public_actions_per_year=2.0,
    ),
    "vertical_network": dict(
        n_enterprises=30,
        initial_participants=12,
        appropriability=0.75,
        n_lead_firms=1,
        share_micro=0.4,
        share_small=0.4,
        share_medium=0.15,
        n_technicians=2,
        project_group_size=6,
        target_participants=20,
        target_firms_in_joint_projects=10,
        project_sales_effect=0.6,
        project_productivity_effect=0.3,
        delegation_rate=0.1,
        public_actions_per_year=2.0,
    ),
    "cluster": dict(
        n_enterprises=120,
        initial_participants=20,
        appropriability=0.35,
        n_lead_firms=3,
        share_micro=0.5,
        share_small=0.3,
        share_medium=0.15,
        n_technicians=3,
        project_group_size=6,
        target_participants=60,
        target_firms_in_joint_projects=30,
    ),
    "local_environment": dict(
        n_enterprises=150,
        initial_participants=20,
        appropriability=0.15,
        n_lead_firms=2,
        share_micro=0.6,
        share_small=0.25,
        share_medium=0.1,
        n_technicians=3,
        project_group_size=8,
        target_participants=60,
        target_firms_in_joint_projects=30,
        public_actions_per_year=6.0,
    ),
}


def markdown_table() -> str:
    """Every parameter as a Markdown table (name, default, range, unit, meaning) for the docs."""
    rows = ["| parameter | default | allowed | unit | meaning |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(Parameters):
        meta = f.metadata
        if "choices" in meta:
            allowed = ", ".join(meta["choices"])
        elif meta["low"] is None:
            allowed = "true, false"
        else:
            allowed = f"{meta['low']} – {meta['high']}"
        rows.append(f"| `{f.name}` | {f.default} | {allowed} | {meta['unit']} | {meta['doc']} |")
    return "\n".join(rows)
