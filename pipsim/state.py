"""The state of a block of runs, and the view of one run that outcomes, agents and figures read.

A block is R replications of one parameter set advanced together: every array of `State` has
a leading run axis (firms ``(R, n)``, pairs ``(R, n, n)``, the team ``(R, posts)``), so one
array operation advances every run at once and the per-run cost of Python disappears. A
`PIPModel` of one run is a block with R = 1; its familiar attributes (``model.trust``,
``model.status``...) are run 0 of these arrays. `RunView` shows any run of a block the same way,
so the outcome measures are written once, for one run, and read every run of a block.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pipsim.agents import Status
from pipsim.dynamics import trust

if TYPE_CHECKING:
    from pipsim.model import PIPModel
    from pipsim.parameters import Parameters

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


class State:
    """Every changing quantity of R runs; the leading axis of each array is the run.

    Filled by `PIPModel`'s set-up. Firm arrays are ``(R, n)``, firm pairs ``(R, n, n)`` (trust is
    directed, ``trust[r, i, j]`` is how much firm i trusts firm j, diagonal 1), the team's posts
    ``(R, posts)``, and the institutions and dated shocks ``(R,)``.
    """

    # firms: who they are
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
    track_record: np.ndarray
    project_of: np.ndarray
    in_pilot: np.ndarray
    market_index: np.ndarray
    sales_uplift: np.ndarray
    joint_sales_uplift: np.ndarray
    productivity_uplift: np.ndarray
    exporter: np.ndarray
    # trust
    baseline_trust: np.ndarray
    trust: np.ndarray
    joint_successes: np.ndarray
    together: np.ndarray
    contact: np.ndarray
    trust_collective: np.ndarray
    trust_public: np.ndarray
    institutional_trust: np.ndarray
    relationship: np.ndarray
    technician_of: np.ndarray
    mediator_skill: np.ndarray
    # the team and the ministry
    technician_skill: np.ndarray
    vacant_until: np.ndarray
    commitment: np.ndarray
    high_level_present: np.ndarray
    in_crisis: np.ndarray
    crisis_month: np.ndarray
    delegation_month: np.ndarray
    # milestones (NaN until reached)
    first_project: np.ndarray
    log_frame_month: np.ndarray

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.counts = {name: np.zeros(runs, dtype=np.int64) for name in COUNTS}
        self.at_project_end: list[dict[str, float] | None] = [None] * runs

    def names(self) -> frozenset[str]:
        """The per-run arrays (what a run's view shows under the same names)."""
        return STATE_NAMES


STATE_NAMES = frozenset(State.__annotations__)


class OneRun:
    """What outcomes, agents and figures read of one run, however it is stored.

    Subclasses give per-run arrays under the `State` names (``self.status``, ``self.trust``...)
    and ``p``, ``n``, ``steps``, ``phase``, ``counts``, ``book``, ``event_log``.
    """

    p: Parameters
    n: int
    steps: int
    phase: str
    status: np.ndarray
    relationship: np.ndarray
    institutional_trust: np.ndarray
    market_index: np.ndarray
    sales_uplift: np.ndarray
    joint_sales_uplift: np.ndarray
    productivity_uplift: np.ndarray
    first_project: np.ndarray
    log_frame_month: np.ndarray
    vacant_until: np.ndarray
    agency_present: bool

    def participating(self) -> np.ndarray:
        """Boolean mask of the firms taking part in the project."""
        return self.status == Status.PARTICIPATING

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

    def technicians_present(self) -> int:
        """Posts of the team held this month (none once the agency has left)."""
        if not self.agency_present:
            return 0
        return int((self.vacant_until <= self.steps).sum())

    @property
    def first_project_month(self) -> int | None:
        """Month the first collective project formed (None if none has)."""
        return _month(self.first_project)

    @property
    def months_to_log_frame(self) -> int | None:
        """First month at which every log frame target was met (None if never)."""
        return _month(self.log_frame_month)


def _month(value: Any) -> int | None:
    value = float(value)
    return None if math.isnan(value) else int(value)


class RunView(OneRun):
    """Run ``r`` of a block, under the names a `PIPModel` of one run uses."""

    def __init__(self, model: PIPModel, r: int) -> None:
        self._model, self._r = model, r
        self.p, self.n = model.p, model.n
        self.steps, self.phase = model.steps, model.phase
        self.agency_present = model.agency_present
        self.book = model.books.run(r)
        self.counts = {k: int(v[r]) for k, v in model.state.counts.items()}
        self.event_log = model.logs[r]
        self.at_project_end = model.state.at_project_end[r]

    def outcomes(self) -> dict[str, float]:
        """The log frame outcomes of this run (see `pipsim.outcomes`)."""
        from pipsim import outcomes  # the outcomes read views of this module

        return outcomes.outcomes(self)

    def __getattr__(self, name: str) -> Any:
        state = self._model.state
        if name in state.names():
            return getattr(state, name)[self._r]
        raise AttributeError(name)
