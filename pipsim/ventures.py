"""Joint ventures as the trainers' view and the experiments read them: pilots and projects.

The ventures of a run live in the book arrays of `pipsim.rules.state.State` (a slot per
venture under way, its members as a list of firms); their rules are `pipsim.rules.forming` and
`pipsim.rules.ventures`. This module gives a read-only `Venture` view of one venture and the
`RunBook` of one run, with the kinds' names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipsim.rules.forming import MIN_PROJECT_FIRMS
from pipsim.rules.kinds import (
    JOINT_MARKETING,
    KIND_NAMES,
    PILOT_KINDS,
    PROJECT_KINDS,
    ProjectKind,
    label_name,
)
from pipsim.rules.measures import JOINTLY_MARKETED_SHARE
from pipsim.rules.state import PILOT, PROJECT, State

__all__ = [
    "JOINTLY_MARKETED_SHARE",
    "JOINT_MARKETING",
    "KIND_NAMES",
    "MIN_PROJECT_FIRMS",
    "PILOT",
    "PILOT_KINDS",
    "PROJECT",
    "PROJECT_KINDS",
    "ProjectKind",
    "RunBook",
    "Venture",
    "label_name",
]

_BOOK: tuple[str, ...] = (
    "alive",
    "kind",
    "label",
    "start",
    "ends",
    "operating",
    "months_operating",
    "uid",
)
_BOOK += ("size", "members", "sales_gain")


class RunBook:
    """The ventures of one run of a block, under the book's names (``alive``, ``kind``...)."""

    __slots__ = ("_r", "_state")

    def __init__(self, state: State, r: int) -> None:
        self._state, self._r = state, r

    def __getattr__(self, name: str) -> np.ndarray:
        if name in _BOOK:
            return getattr(self._state, name)[self._r]
        raise AttributeError(name)

    def live(self) -> np.ndarray:
        """Slots of the ventures under way."""
        return np.flatnonzero(self._state.alive[self._r])

    def count(self, kind: int) -> int:
        """Ventures of ``kind`` under way."""
        r = self._r
        return int((self._state.alive[r] & (self._state.kind[r] == kind)).sum())

    def members_of(self, slot: int) -> np.ndarray:
        """The firms of the venture in ``slot``, in the order they joined."""
        return self._state.members[self._r, slot, : self._state.size[self._r, slot]].copy()

    @property
    def member_mask(self) -> np.ndarray:
        """(slots, n) mask of each slot's members."""
        s, r = self._state, self._r
        mask = np.zeros((s.alive.shape[1], s.status.shape[1]), dtype=bool)
        for v in self.live():
            mask[v, s.members[r, v, : s.size[r, v]]] = True
        return mask


class Venture:
    """A read-only view of one venture of one run (for the trainers' view and experiments)."""

    __slots__ = ("_book", "_final", "slot", "uid")

    def __init__(self, book: RunBook, slot: int) -> None:
        self._book, self.slot = book, slot
        self.uid = int(book.uid[slot])
        self._final = book.members_of(slot)  # its members, kept for after it ends

    def _get(self, name: str) -> Any:
        return getattr(self._book, name)[self.slot]

    def remember(self) -> None:
        """Keep the members it has now: the venture may end this month and its slot be reused."""
        if not self.ended:
            self._final = self._book.members_of(self.slot)

    @property
    def kind(self) -> str:
        """``"pilot"`` or ``"project"``."""
        return KIND_NAMES[self._get("kind")]

    @property
    def label(self) -> str:
        """What the venture does, in plain words."""
        return label_name(int(self._get("kind")), int(self._get("label")))

    @property
    def ended(self) -> bool:
        """Whether the venture has ended (its slot is free or holds a later venture)."""
        return not (self._get("alive") and self._get("uid") == self.uid)

    @property
    def members(self) -> np.ndarray:
        """Indices of its members, sorted (once it has ended, those it had in its last month)."""
        members = self._final if self.ended else self._book.members_of(self.slot)
        return np.sort(members)

    @property
    def sales_gain(self) -> np.ndarray:
        """Each member's sales uplift from this project so far (in the order of ``members``)."""
        return self._book.sales_gain[self.slot, self.members]

    @property
    def start(self) -> int:
        """Month it formed."""
        return int(self._get("start"))

    @property
    def ends(self) -> int:
        """A pilot's last month of work; the month a project's maturation completes."""
        return int(self._get("ends"))

    @property
    def operating(self) -> bool:
        """Whether a collective project has matured and pays off."""
        return bool(self._get("operating"))
