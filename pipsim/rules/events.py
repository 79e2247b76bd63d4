"""What the log can tell, as numbers the compiled rules write and `text` turns into words."""

from __future__ import annotations

from collections.abc import Callable

from pipsim.rules.kinds import PILOT_KINDS, PROJECT_KINDS

JOINT_WORK_OPENS = 1
CLOSE_OUT_BEGINS = 2
AGENCY_LEFT = 3
DEMAND_SHOCK = 4
TECHNICIAN_LEFT = 5  # a: firms that lost their contact
PUBLIC_ACTION_BROKEN = 6
DELEGATED = 7
POLITICAL_CRISIS = 8
PROJECT_FORMED = 9  # a: its firms, b: its label
SELF_ORGANISED = 10
PILOT_SUCCEEDED = 11  # a: its firms, b: its label
PILOT_FAILED = 12  # a: why (WHY_*), b: its label
PROJECT_PAYS_OFF = 13  # b: its label
PROJECT_MARKET_LOST = 14  # b: its label
PROJECT_DISSOLVED = 15  # a: 1 if the members fell out, b: its label (it was operating)
PROJECT_COLLAPSED = 16  # a: 1 if the members fell out, b: its label (before paying off)
PROJECT_FAILED = 17  # b: its label

# Why a pilot failed.
WHY_PARTNERS_LEFT, WHY_NOT_DELIVERED, WHY_FELL_OUT, WHY_NO_MARKET = range(4)
PILOT_FAILURES = (
    "partners dropped out",
    "a firm did not deliver",
    "the group fell out",
    "the market did not respond",
)


def _project(b: int) -> str:
    return PROJECT_KINDS[b].name


def _why(a: int) -> str:
    return "the members fell out" if a else "too few members left"


_WORDS: dict[int, Callable[[int, int], str]] = {
    JOINT_WORK_OPENS: lambda a, b: "design validated with the firms: pilots can start",
    CLOSE_OUT_BEGINS: lambda a, b: (
        "close-out: no new pilots; the team prepares the groups to go alone"
    ),
    AGENCY_LEFT: lambda a, b: "the project ended: the agency and its team left",
    DEMAND_SHOCK: lambda a, b: "a demand shock hit the sector",
    TECHNICIAN_LEFT: lambda a, b: f"a technician left; {a} firms lost their contact",
    PUBLIC_ACTION_BROKEN: lambda a, b: "the public agency did not carry out an agreed action",
    DELEGATED: lambda a, b: "the minister delegated the steering committee to a subordinate",
    POLITICAL_CRISIS: lambda a, b: "political crisis: public commitment fell and demand dropped",
    PROJECT_FORMED: lambda a, b: f"{a} firms formed a collective project: {_project(b)}",
    SELF_ORGANISED: lambda a, b: "firms formalised a project on their own, without the agency",
    PILOT_SUCCEEDED: lambda a, b: f"{PILOT_KINDS[b]} pilot succeeded ({a} firms)",
    PILOT_FAILED: lambda a, b: f"{PILOT_KINDS[b]} pilot failed: {PILOT_FAILURES[a]}",
    PROJECT_PAYS_OFF: lambda a, b: f"collective project ({_project(b)}) started paying off",
    PROJECT_MARKET_LOST: lambda a, b: (
        f"collective project ({_project(b)}) closed: its market fell away"
    ),
    PROJECT_DISSOLVED: lambda a, b: f"collective project ({_project(b)}) dissolved: {_why(a)}",
    PROJECT_COLLAPSED: lambda a, b: (
        f"collective project ({_project(b)}) collapsed before paying off: {_why(a)}"
    ),
    PROJECT_FAILED: lambda a, b: (
        f"collective project ({_project(b)}) failed: the business case did not hold"
    ),
}


def text(what: int, a: int, b: int) -> str:
    """An event of the log in plain words."""
    return _WORDS[what](a, b)
