"""What the log can tell, as numbers the compiled rules write and `text` turns into words."""

from __future__ import annotations

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


def text(what: int, a: int, b: int) -> str:
    """An event of the log in plain words."""
    project = PROJECT_KINDS[b].name if what >= PROJECT_PAYS_OFF else ""
    fell_out = "the members fell out" if a else "too few members left"
    words = {
        JOINT_WORK_OPENS: lambda: "design validated with the firms: pilots can start",
        CLOSE_OUT_BEGINS: lambda: (
            "close-out: no new pilots; the team prepares the groups to go alone"
        ),
        AGENCY_LEFT: lambda: "the project ended: the agency and its team left",
        DEMAND_SHOCK: lambda: "a demand shock hit the sector",
        TECHNICIAN_LEFT: lambda: f"a technician left; {a} firms lost their contact",
        PUBLIC_ACTION_BROKEN: lambda: "the public agency did not carry out an agreed action",
        DELEGATED: lambda: "the minister delegated the steering committee to a subordinate",
        POLITICAL_CRISIS: lambda: "political crisis: public commitment fell and demand dropped",
        PROJECT_FORMED: lambda: f"{a} firms formed a collective project: {PROJECT_KINDS[b].name}",
        SELF_ORGANISED: lambda: "firms formalised a project on their own, without the agency",
        PILOT_SUCCEEDED: lambda: f"{PILOT_KINDS[b]} pilot succeeded ({a} firms)",
        PILOT_FAILED: lambda: f"{PILOT_KINDS[b]} pilot failed: {PILOT_FAILURES[a]}",
        PROJECT_PAYS_OFF: lambda: f"collective project ({project}) started paying off",
        PROJECT_MARKET_LOST: lambda: f"collective project ({project}) closed: its market fell away",
        PROJECT_DISSOLVED: lambda: f"collective project ({project}) dissolved: {fell_out}",
        PROJECT_COLLAPSED: lambda: (
            f"collective project ({project}) collapsed before paying off: {fell_out}"
        ),
        PROJECT_FAILED: lambda: (
            f"collective project ({project}) failed: the business case did not hold"
        ),
    }
    return words[what]()
