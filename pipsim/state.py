"""The view of one run of a block that outcomes, agents and figures read.

A block is R replications of one parameter set; every array of `pipsim.rules.state.State` has
a leading run axis. A `PIPModel` of one run is a block with R = 1; its familiar attributes
(``model.trust``, ``model.status``...) are run 0 of these arrays. `RunView` shows any run of a
block the same way, so the outcome measures are written once, for one run, and read every run of
a block.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pipsim.rules.learning import trust_in_agency
from pipsim.rules.state import COUNTS, PARTICIPATING, PHASES, Rules, State, StateArrays

if TYPE_CHECKING:
    from pipsim.model import PIPModel
    from pipsim.parameters import Parameters
    from pipsim.ventures import RunBook

STATE_NAMES = frozenset(StateArrays._fields)


class OneRun:
    """What outcomes, agents and figures read of one run, however it is stored.

    Subclasses give per-run arrays under the `State` names (``self.status``, ``self.trust``...)
    and ``p``, ``n``, ``steps``, ``counts``, ``book``, ``event_log``, and `core` (where the run
    lives in its block, for the compiled measures).
    """

    p: Parameters
    n: int
    steps: int
    status: np.ndarray
    relationship: np.ndarray
    institutional_trust: np.ndarray
    market_index: np.ndarray
    sales_uplift: np.ndarray
    joint_sales_uplift: np.ndarray
    productivity_uplift: np.ndarray
    first_project: np.ndarray
    pilots_before_first_project: np.ndarray
    trust_at_first_project: np.ndarray
    log_frame_month: np.ndarray
    vacant_until: np.ndarray
    counts: dict[str, int]
    book: RunBook
    event_log: list[tuple[int, str]]

    def core(self) -> tuple[State, Rules, int]:
        """(the block's state, its rules, this run's place in the block)."""
        raise NotImplementedError

    @property
    def phase(self) -> str:
        """The project's phase this month: launch, joint_work, close_out or post_project."""
        from pipsim.rules.phases import phase_of

        _, rules, _ = self.core()
        return PHASES[phase_of(rules, self.steps)]

    @property
    def agency_present(self) -> bool:
        """False once the project has ended and the team has left."""
        return self.phase != "post_project"

    def participating(self) -> np.ndarray:
        """Boolean mask of the firms taking part in the project."""
        return self.status == PARTICIPATING

    def trust_in_agency(self) -> np.ndarray:
        """Each firm's trust in the executing agency (part personal, part institutional)."""
        return trust_in_agency(  # the rule's formula, over every firm at once
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
    def at_project_end(self) -> dict[str, float] | None:
        """The state measures and counts when the agency left (None before)."""
        s, _, r = self.core()
        row = s.at_project_end[r]
        if math.isnan(row[0]):
            return None
        from pipsim.rules.measures import STATE_MEASURES

        k = len(STATE_MEASURES)
        snapshot = dict(zip(STATE_MEASURES, (float(x) for x in row[:k]), strict=True))
        return {**snapshot, **{k: int(v) for k, v in zip(COUNTS, row[k:], strict=True)}}

    @property
    def first_project_month(self) -> int | None:
        """Month the first collective project formed (None if none has)."""
        return _month(self.first_project)

    @property
    def months_to_log_frame(self) -> int | None:
        """First month at which every log frame target was met (None if never)."""
        return _month(self.log_frame_month)

    def outcomes(self) -> dict[str, float]:
        """The log frame outcomes of this run (see `pipsim.outcomes`)."""
        from pipsim import outcomes  # the outcomes read views of this module

        return outcomes.outcomes(self)


def _month(value: Any) -> int | None:
    value = float(value)
    return None if math.isnan(value) else int(value)


class RunView(OneRun):
    """Run ``r`` of a block, under the names a `PIPModel` of one run uses."""

    def __init__(self, model: PIPModel, r: int) -> None:
        from pipsim.ventures import RunBook

        self._model, self._r = model, r
        self.p, self.n = model.p, model.n
        self.steps = model.steps
        self.book = RunBook(model.state, r)
        self.counts = dict(zip(COUNTS, (int(x) for x in model.state.counts[r]), strict=True))
        self.event_log = model.logs[r]

    def core(self) -> tuple[State, Rules, int]:
        """(the block's state, its rules, this run's place in the block)."""
        return self._model.state, self._model.rules, self._r

    def __getattr__(self, name: str) -> Any:
        if name in STATE_NAMES:
            return getattr(self._model.state, name)[self._r]
        raise AttributeError(name)
