"""Conflicts during joint work, how a technician's mediation limits them, and when groups break.

The document lists their sources: unforeseen difficulties, non-compliance, changed
expectations, differing interpretations. "The presence of these technicians makes it possible
to mediate the most serious conflicts": a skilled technician who knows the firms well is
likely to mediate, and a mediated conflict leaves a share ``effectiveness`` less bad evidence.
An unmediated conflict may break the group; the more its members trust each other, the more
likely they settle it themselves.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def mediation_probability(skill: Array | float, relationship: Array | float) -> Array:
    """Chance a technician mediates: skill, helped by how well they know the parties."""
    return np.clip(np.multiply(skill, 0.3 + 0.7 * np.asarray(relationship)), 0.0, 1.0)


def conflict_weight(mediated: Array | bool, effectiveness: float) -> Array:
    """Bad evidence a conflict leaves, in units of one piece (less once mediated)."""
    return np.where(mediated, 1.0 - effectiveness, 1.0)


def break_probability(group_trust: Array | float) -> Array:
    """Chance an unmediated conflict ends the group: members who trust each other settle it."""
    return np.clip((1.0 - np.asarray(group_trust)) ** 2, 0.0, 1.0)
