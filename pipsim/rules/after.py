"""Life after the agency: the firms carry on alone, and may form projects on their own.

Members of a collective project now pay its coordination themselves (`membership`), conflicts
arise more often with nobody to clarify expectations (`ventures`), word of mouth is all that
recruits, and now and then firms that are ready formalise a project without the agency.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules import events
from pipsim.rules.compiled import njit
from pipsim.rules.forming import start_project
from pipsim.rules.log import record
from pipsim.rules.state import Rules, State


@njit(cache=True)
def self_organise(s: State, p: Rules, r: int, rng: np.random.Generator, month: int) -> None:
    """Some months the firms try to formalise a project themselves, among the ready ones."""
    if not p.collective_projects or rng.random() >= p.self_organisation:
        return
    if start_project(s, p, r, rng, month):
        record(s, p, r, month, events.SELF_ORGANISED, 0, 0)
