"""A record, for experiments, of what each partner did in a venture and what it did to trust.

Experiment 01b asks how far a firm's trust in a partner moves in a month the partner kept its
word, let a small commitment slip or failed the group, by the trust the firm had before. What a
partner did is drawn inside the month (`ventures.conduct`) and learned from at once
(`ventures.learn_from_conduct`), so nothing read between months can tell it. The record is kept
where it happens: `month_of_ventures` notes each ordered pair of members (watcher, partner), the
partner's conduct and the watcher's trust just before it learns from the month's conduct
(`note_before`), then the trust just after (`note_after`).

Why this design. The record is two arrays of the `State` (``conduct_record``, rows of
`CONDUCT_COLUMNS`, and ``conduct_noted``, rows used per run) that have no room unless an
experiment gives them some (`with_conduct_record`); with no room `month_of_ventures` skips both
calls on one test of a length per month, so the rules, their random draws and their speed are
those of a model without it. The alternatives were worse: a copy of the month's schedule with a
recording `month_of_ventures` would have to follow every change of the rules by hand, and
reading the month's counts or trust from outside cannot tell which partner did what. The notes
read the state and write only the record: a run with the record is the same run as without.

Read the record after every month (`take_conduct`): a month has room for every pair of every
venture (a firm is in at most one pilot and one project), not for more.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules.compiled import njit
from pipsim.rules.state import CONDUCT_FIELDS, State, make_state

CONDUCT_COLUMNS = ("month", "kind", "watcher", "partner", "conduct", "before", "after")
COMPLIED, LAPSED, DEFECTED = 0, 1, 2  # a partner's conduct in a month, as the record codes it
CONDUCT = ("complied", "lapsed", "defected")
if len(CONDUCT_COLUMNS) != CONDUCT_FIELDS:
    raise ImportError("pipsim.rules.probe: CONDUCT_COLUMNS and state.CONDUCT_FIELDS disagree")


@njit(cache=True)
def note_before(
    s: State, r: int, month: int, v: int, defected: np.ndarray, lapsed: np.ndarray
) -> int:
    """Note venture ``v``'s pairs, their conduct and trust before learning; the first row's index.

    Rows beyond the record's room are counted in ``conduct_noted`` but not written, so a reader
    can tell that some were lost (`take_conduct` refuses such a record).
    """
    first = s.conduct_noted[r]
    room = s.conduct_record.shape[1]
    size = s.size[r, v]
    k = first
    for b in range(size):
        partner = s.members[r, v, b]
        what = DEFECTED if defected[b] else LAPSED if lapsed[b] else COMPLIED
        for a in range(size):
            if a == b:
                continue
            if k < room:
                watcher = s.members[r, v, a]
                row = s.conduct_record[r, k]
                row[0] = month
                row[1] = s.kind[r, v]
                row[2] = watcher
                row[3] = partner
                row[4] = what
                row[5] = s.trust[r, watcher, partner]
                row[6] = np.nan
            k += 1
    s.conduct_noted[r] = k
    return first


@njit(cache=True)
def note_after(s: State, r: int, first: int) -> None:
    """Fill in the trust after learning of the rows `note_before` wrote from ``first`` on."""
    last = min(s.conduct_noted[r], s.conduct_record.shape[1])
    for k in range(first, last):
        row = s.conduct_record[r, k]
        row[6] = s.trust[r, int(row[2]), int(row[3])]


def conduct_room(n: int) -> int:
    """Rows a month can need: each firm in at most two ventures, each seen by its partners."""
    return 2 * n * max(n - 1, 1)


def with_conduct_record(state: State, n: int) -> State:
    """``state`` with room in its conduct record for a month of every run (same other arrays).

    The returned `State` shares every other array with ``state``: give it to the rules (a
    model's ``state``) in place of the old one.
    """
    runs = state.trust.shape[0]
    return make_state(
        state.arrays._replace(
            conduct_record=np.zeros((runs, conduct_room(n), CONDUCT_FIELDS)),
            conduct_noted=np.zeros(runs, dtype=np.int64),
        )
    )


def take_conduct(state: State, r: int) -> np.ndarray:
    """Run ``r``'s rows noted since the last call (a copy), and an emptied record.

    Raises:
        RuntimeError: the record ran out of room (it must be read after every month).
    """
    noted = int(state.conduct_noted[r])
    if noted > state.conduct_record.shape[1]:
        raise RuntimeError(
            f"the conduct record of run {r} lost {noted - state.conduct_record.shape[1]} rows: "
            "read it after every month"
        )
    rows = state.conduct_record[r, :noted].copy()
    state.conduct_noted[r] = 0
    return rows
