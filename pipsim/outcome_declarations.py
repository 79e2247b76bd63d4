"""The declaration of every outcome of a run: its name, kind, label, question and target.

Declared once here; tables, figures and scenario checks derive from it. Kept apart from
`pipsim.outcomes` (which computes the outcomes with the compiled rules, and imports numba and
pandas) so that reading a scenario (`pipsim check`) needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KEY_OUTCOMES", "OUTCOMES", "Outcome", "outcome", "target_flags"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome of a run, declared once; tables, figures and scenario checks derive from it.

    Attributes:
        name: its key in `outcomes` (a column of the run table).
        kind: ``flag`` (met or not), ``count`` (firms or events), ``share`` (growth, a share),
            ``level`` (trust, cohesion: 0–1) or ``months``.
        label: how a figure's axis or legend names it, with its unit.
        question: what it tells, as a phrase ("Which parameters drive <question>?").
        target: the `Parameters` field holding its log frame target, if it has one.
    """

    name: str
    kind: str
    label: str = ""
    question: str = ""
    target: str | None = None

    def __post_init__(self) -> None:
        words = self.name.replace("_", " ")
        object.__setattr__(self, "label", self.label or words)
        object.__setattr__(self, "question", self.question or words)


def _o(
    name: str, kind: str, label: str = "", question: str = "", target: str | None = None
) -> Outcome:
    return Outcome(name, kind, label, question, target)


# In the order `pipsim.outcomes.outcomes` returns them. An outcome a run returns but nobody
# declared here still works everywhere (`outcome` makes it a plain declaration); a test asks for
# one all the same.
OUTCOMES: tuple[Outcome, ...] = (
    _o("success", "flag", "all log frame targets met", "the chance of meeting the log frame"),
    _o(
        "met_sales",
        "flag",
        "sales growth target",
        "the chance of meeting the sales target",
    ),
    _o(
        "met_productivity",
        "flag",
        "productivity target",
        "the chance of meeting the productivity target",
    ),
    _o(
        "met_joint_projects",
        "flag",
        "firms in joint projects target",
        "the chance of meeting the joint projects target",
    ),
    _o(
        "met_participants",
        "flag",
        "participants target",
        "the chance of meeting the participants target",
    ),
    _o(
        "sustained",
        "flag",
        "cooperation sustained after the horizon",
        "the chance that cooperation outlasts the project",
    ),
    _o(
        "participants",
        "count",
        "participants at project end (firms)",
        "participation at project end",
        "target_participants",
    ),
    _o("dropouts", "count"),
    _o(
        "firms_in_joint_projects",
        "count",
        "firms in joint projects at project end",
        "the number of firms in joint projects at project end",
        "target_firms_in_joint_projects",
    ),
    _o("active_projects", "count"),
    _o(
        "sales_growth",
        "share",
        "sales growth at project end, net of the market (share)",
        "sales growth of the firms in collective actions",
        "target_sales_growth",
    ),
    _o(
        "productivity_growth",
        "share",
        "productivity growth at project end, net of the market (share)",
        question="productivity growth of the firms in collective actions",
        target="target_productivity_growth",
    ),
    _o("joint_marketing_share", "share"),
    _o("new_exporters", "count"),
    _o(
        "mean_trust",
        "level",
        "mean firm–firm trust at project end (0–1)",
        "firm–firm trust at project end",
    ),
    _o(
        "trust_partners",
        "level",
        "trust among partners at project end (0–1)",
        "trust among firms who worked together",
    ),
    _o("strong_ties", "count", "strong ties at project end (pairs)", "the number of strong ties"),
    _o("tie_density", "share", "share of pairs trusting enough for a project", "tie density"),
    _o("trust_in_agency", "level", question="trust in the executing agency"),
    _o("trust_in_public", "level", question="trust in the public sector"),
    _o("trust_in_collective_action", "level"),
    _o("network_cohesion", "level"),
    _o(
        "spillover_sales_growth",
        "share",
        "sales growth of bystander firms at project end (share)",
        "what the project's sales gains spilt over to firms outside it",
    ),
    _o(
        "spillover_productivity_growth",
        "share",
        "productivity growth of bystander firms at project end (share)",
        "what the project's productivity gains spilt over to firms outside it",
    ),
    *(_o(name, "count") for name in ("events_held", "pilots_run", "pilots_succeeded")),
    *(_o(name, "count") for name in ("pilots_failed", "projects_run", "projects_succeeded")),
    *(_o(name, "count") for name in ("projects_failed", "conflicts", "conflicts_mediated")),
    *(_o(name, "count") for name in ("technicians_left", "public_actions_kept")),
    _o("public_actions_broken", "count"),
    _o("promises_kept", "count", "member-months a venture's member kept its word"),
    _o("promises_broken", "count", "member-months a venture's member let its partners down"),
    _o(
        "months_to_first_joint_project",
        "months",
        question="the months until the first joint project",
    ),
    _o(
        "pilots_before_first_project",
        "count",
        "pilots run before the first joint project (NaN: none formed)",
        "how many pilots lead up to the first joint project",
    ),
    _o(
        "trust_at_first_project",
        "level",
        "mutual trust of the first project's members as they formalised it (0–1)",
        "the trust firms have built when they first formalise a project",
    ),
    _o(
        "months_to_log_frame",
        "months",
        question="the months until every log frame target is met",
    ),
    _o("conflicts_after_project", "count"),
    _o("firms_in_joint_projects_after", "count"),
    _o("mean_trust_after", "level"),
    _o("trust_partners_after", "level"),
    _o("participants_after", "count"),
    _o("sales_growth_after", "share"),
    _o("trust_in_collective_action_after", "level"),
)
# The outcomes tables lead with, in their order (the screen shows the first five).
KEY_OUTCOMES: tuple[str, ...] = ("sales_growth", "productivity_growth", "firms_in_joint_projects")
KEY_OUTCOMES += ("participants", "trust_partners", "mean_trust", "trust_in_agency")
_DECLARED = {o.name: o for o in OUTCOMES}


def outcome(name: str) -> Outcome:
    """The declaration of outcome ``name``; an undeclared one gets a plain one (its name)."""
    return _DECLARED.get(name) or Outcome(name, "level")


def target_flags() -> tuple[str, ...]:
    """The yes/no outcomes (every log frame target, success, sustained), in declared order."""
    return tuple(o.name for o in OUTCOMES if o.kind == "flag")
