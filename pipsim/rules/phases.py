"""The project's calendar: launch, joint work, close-out, and the years after the agency left.

A phase begins at the start of its month: joint work after ``launch_months``, the close-out in
the last ``close_out_months`` of the project, life after the project once it has ended.
"""

from __future__ import annotations

from pipsim.rules.compiled import njit
from pipsim.rules.state import CLOSE_OUT, JOINT_WORK, LAUNCH, POST_PROJECT, Rules


@njit(cache=True)
def joint_work_begins(p: Rules) -> int:
    """The first month of joint work (pilots and projects may form)."""
    return p.launch_months + 1


@njit(cache=True)
def close_out_begins(p: Rules) -> int:
    """The first month of the close-out (0: the project has none)."""
    return p.project_months - p.close_out_months + 1 if p.close_out_months > 0 else 0


@njit(cache=True)
def phase_of(p: Rules, month: int) -> int:
    """The phase of ``month``: the last of the phases begun by then (month 0 is set-up)."""
    if p.post_project_months > 0 and month > p.project_months:
        return POST_PROJECT
    close_out = close_out_begins(p)
    if 0 < close_out <= month and close_out >= joint_work_begins(p) - (p.launch_months == 0):
        return CLOSE_OUT
    if p.launch_months == 0 or month >= joint_work_begins(p):
        return JOINT_WORK
    return LAUNCH


@njit(cache=True)
def agency_present(p: Rules, month: int) -> bool:
    """Whether the agency and its team are still in the territory in ``month``."""
    return phase_of(p, month) != POST_PROJECT
