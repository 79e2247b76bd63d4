"""The kinds of joint venture: pilots, and collective projects with where their benefit shows.

Plain data, read by the compiled rules (as constant arrays) and by the views and the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ProjectKind:
    """A kind of collective project: where its benefit shows, and how soon it pays."""

    name: str
    sales_weight: float
    productivity_weight: float
    joint_marketing: bool
    maturation_share: float  # of project_maturation_months before it pays off


# The document: sales through trade fairs or new markets come in "very short periods of
# time"; changing practices, organisation and technology takes "upward of 18 months".
PROJECT_KINDS: tuple[ProjectKind, ...] = (
    ProjectKind("joint marketing and exports", 1.0, 0.3, True, 0.5),
    ProjectKind("quality standard and common brand", 0.6, 0.7, True, 1.0),
    ProjectKind("shared services", 0.2, 1.0, False, 0.75),
    ProjectKind("common enterprise", 0.8, 0.8, True, 1.0),
)
SALES_WEIGHT = np.array([k.sales_weight for k in PROJECT_KINDS])
PRODUCTIVITY_WEIGHT = np.array([k.productivity_weight for k in PROJECT_KINDS])
JOINT_MARKETING = np.array([k.joint_marketing for k in PROJECT_KINDS])
MATURATION_SHARE = np.array([k.maturation_share for k in PROJECT_KINDS])

PILOT_KINDS = ("joint purchase of inputs", "exploration of a new market")
JOINT_PURCHASE = 0  # a pilot of this label lowers costs (productivity); the other sells more
KIND_NAMES = ("pilot", "project")


def label_name(kind: int, label: int) -> str:
    """What a venture of this kind (0 pilot, 1 project) and label does, in plain words."""
    return PILOT_KINDS[label] if kind == 0 else PROJECT_KINDS[label].name


N_PILOT_KINDS = len(PILOT_KINDS)
N_PROJECT_KINDS = len(PROJECT_KINDS)
