"""The model's agents: enterprises, the executing agency with its technical team, the public agency.

Relational state (trust, motivation, sales) lives in arrays on the model so that a month of
dynamics is a handful of vectorised operations; an `Enterprise` is a named view into row
``index`` of those arrays. The institutions hold their own small state directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from pipsim.model import PIPModel


class Status(IntEnum):
    """Where an enterprise stands with respect to the project."""

    OUTSIDE = 0
    PARTICIPATING = 1
    DROPPED_OUT = 2


SIZE_CLASSES = ("micro", "small", "medium", "large")


class Enterprise(mesa.Agent):
    """A firm of the territory or chain: a view into row ``index`` of the model's arrays."""

    model: PIPModel

    def __init__(self, model: PIPModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def trust_in(self, other: Enterprise) -> float:
        """How much this firm trusts ``other`` (0-1)."""
        return float(self.model.trust[self.index, other.index])

    @property
    def size_class(self) -> str:
        """Micro, small, medium or large."""
        return SIZE_CLASSES[self.model.size_class[self.index]]

    @property
    def is_lead_firm(self) -> bool:
        """Lead (client) firm: large, capable, and the agency's first counterpart."""
        return bool(self.model.is_lead[self.index])

    @property
    def role(self) -> str:
        """Its role: lead (client) firm, or, in a vertical network, a supplier of the lead."""
        if self.is_lead_firm:
            return "lead firm"
        return "supplier" if self.model.p.typology == "vertical_network" else "member"

    @property
    def status(self) -> Status:
        """Outside, participating, or dropped out."""
        return Status(int(self.model.status[self.index]))

    @property
    def capability(self) -> float:
        """Technical and managerial capability (0-1)."""
        return float(self.model.capability[self.index])

    @property
    def self_confidence(self) -> float:
        """Trust in its own abilities (0-1); microentrepreneurs often lack it (Box 4)."""
        return float(self.model.self_confidence[self.index])

    @property
    def motivation(self) -> float:
        """Motivation to take part (0-1)."""
        return float(self.model.motivation[self.index])

    @property
    def patience(self) -> float:
        """Months it tolerates without a tangible result before it drops out."""
        return float(self.model.patience[self.index])

    @property
    def trust_in_agency(self) -> float:
        """Trust in the executing agency (0-1), largely held through its technician."""
        return float(self.model.trust_in_agency()[self.index])

    @property
    def trust_in_public(self) -> float:
        """Trust in the public sector (0-1)."""
        return float(self.model.trust_public[self.index])

    @property
    def trust_in_collective_action(self) -> float:
        """Trust that collective action pays (0-1): the document's Figure 1 loop."""
        return float(self.model.trust_collective[self.index])

    @property
    def sales(self) -> float:
        """Current monthly sales (baseline currency units, real terms)."""
        return float(self.model.baseline_sales[self.index] * self.model.sales_index()[self.index])

    @property
    def employees(self) -> int:
        """Employees (held constant over the run)."""
        return int(self.model.employees[self.index])

    @property
    def productivity(self) -> float:
        """Value added per employee (baseline units)."""
        i = self.index
        return float(self.model.baseline_productivity[i] * self.model.productivity_index()[i])

    @property
    def exporter(self) -> bool:
        """Whether it exports, directly or indirectly."""
        return bool(self.model.exporter[self.index])


@dataclass(slots=True)
class Technician:
    """One post of the technical team: its holder's skill and whether the post is empty."""

    skill: float
    vacant_until: int = 0  # the post is empty while the month is below this

    def present(self, month: int) -> bool:
        """Whether someone holds the post this month."""
        return month >= self.vacant_until


class ExecutingAgency(mesa.Agent):
    """The agency whose technical team runs the project and mediates conflicts."""

    def __init__(self, model: PIPModel, credibility: float, technicians: list[Technician]) -> None:
        super().__init__(model)
        self.credibility = credibility
        self.technicians = technicians
        self.present_in_territory = True  # False once the project has ended

    def team_present(self, month: int) -> list[int]:
        """Indices of the posts held this month (none once the agency has left)."""
        if not self.present_in_territory:
            return []
        return [k for k, t in enumerate(self.technicians) if t.present(month)]


class PublicAgency(mesa.Agent):
    """The ministry or public body whose commitment, delegation and crises the firms watch."""

    def __init__(self, model: PIPModel, commitment: float, high_level: bool) -> None:
        super().__init__(model)
        self.commitment = commitment
        self.high_level_present = high_level  # a high-level official sits in, not delegated
        self.in_crisis = False
        self.actions_kept = 0
        self.actions_broken = 0
