"""Conflicts during joint work, and how a technician's mediation limits their damage.

The document lists their sources: unforeseen difficulties, non-compliance, changed
expectations, differing interpretations. "The presence of these technicians makes it possible
to mediate the most serious conflicts": a skilled technician who knows the firms well is
likely to mediate, and a mediated conflict costs a share ``effectiveness`` less trust.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def mediation_probability(skill: float, relationship: Array | float) -> float:
    """Chance a technician mediates: skill, helped by how well they know the parties."""
    return float(np.clip(skill * (0.3 + 0.7 * np.mean(relationship)), 0.0, 1.0))


def conflict_loss(gain: float, severity: float, mediated: bool, effectiveness: float) -> float:
    """The trust step (before the loss ratio) a conflict costs each pair involved."""
    return gain * severity * ((1.0 - effectiveness) if mediated else 1.0)


def breaks_group(mean_trust: float, floor: float) -> bool:
    """A group whose mutual trust has fallen below ``floor`` stops working together."""
    return bool(mean_trust < floor)
