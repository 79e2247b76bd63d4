"""The model's agents: enterprises, the executing agency with its technical team, the public agency.

Relational state (trust, motivation, sales) lives in arrays on the model so that a month of
dynamics is a handful of vectorised operations; an `Enterprise` is a named view into row
``index`` of those arrays. The institutions hold their own small state directly.
"""

from __future__ import annotations

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


class Technician:
    """One post of the technical team: its holder's skill and whether the post is empty."""

    __slots__ = ("_model", "post")

    def __init__(self, model: PIPModel, post: int) -> None:
        self._model, self.post = model, post

    @property
    def skill(self) -> float:
        """The present holder's skill (0-1): how well they mediate and build relationships."""
        return float(self._model.technician_skill[self.post])

    @property
    def vacant_until(self) -> int:
        """The post is empty while the month is below this."""
        return int(self._model.vacant_until[self.post])

    def present(self, month: int) -> bool:
        """Whether someone holds the post this month."""
        return month >= self.vacant_until


class ExecutingAgency(mesa.Agent):
    """The agency whose technical team runs the project and mediates conflicts (a view)."""

    model: PIPModel

    def __init__(self, model: PIPModel) -> None:
        super().__init__(model)
        self.technicians = [Technician(model, k) for k in range(model.p.n_technicians)]

    @property
    def credibility(self) -> float:
        """Its standing with the firms before the project (the parameter)."""
        return self.model.p.agency_credibility

    @property
    def present_in_territory(self) -> bool:
        """False once the project has ended and the team has left."""
        return self.model.agency_present

    def team_present(self, month: int) -> list[int]:
        """Indices of the posts held this month (none once the agency has left)."""
        if not self.present_in_territory:
            return []
        return [k for k, t in enumerate(self.technicians) if t.present(month)]


class PublicAgency(mesa.Agent):
    """The ministry or public body whose commitment, delegation and crises the firms watch."""

    model: PIPModel

    @property
    def commitment(self) -> float:
        """Chance it keeps an agreed action (falls with delegation and crises)."""
        return float(self.model.commitment)

    @property
    def high_level_present(self) -> bool:
        """A high-level official sits in, not delegated."""
        return bool(self.model.high_level_present)

    @property
    def in_crisis(self) -> bool:
        """Whether a political crisis has struck."""
        return bool(self.model.in_crisis)

    @property
    def actions_kept(self) -> int:
        """Agreed actions it carried out."""
        return self.model.counts["public_actions_kept"]

    @property
    def actions_broken(self) -> int:
        """Agreed actions it did not carry out."""
        return self.model.counts["public_actions_broken"]
