"""The notable events of a month, as numbers the model turns into plain words.

Compiled rules cannot build text cheaply, so each event is a row of ``State.log``: its month,
what happened (`pipsim.rules.events`) and two numbers (a group's size, a venture's label...).
`PIPModel` reads the rows after each month and writes the words (`events.text`).
"""

from __future__ import annotations

from pipsim.rules.compiled import njit
from pipsim.rules.state import Rules, State


@njit(cache=True)
def record(s: State, p: Rules, r: int, month: int, what: int, a: int, b: int) -> None:
    """Note an event of run ``r`` (nothing when the block keeps no log, as in sweeps)."""
    if not p.logging:
        return
    k = s.logged[r]
    if k >= s.log.shape[1]:
        return  # the month's room is full: the rules go on, the log misses the rest
    s.log[r, k, 0] = month
    s.log[r, k, 1] = what
    s.log[r, k, 2] = a
    s.log[r, k, 3] = b
    s.logged[r] = k + 1
