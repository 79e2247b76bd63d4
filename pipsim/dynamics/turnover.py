"""Technicians leaving the team, the vacancies they open and the relationships they take along.

The document: "any change in the makeup of the technical team damages the bonds of trust created
by the promoting agency with the participating enterprises". A replacement starts without the
relationships of the technician they replace.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def monthly_probability(annual_rate: float) -> float:
    """The monthly chance of an event whose chance over a year is ``annual_rate``.

    Computed as ``-expm1(log1p(-rate) / 12)``, exact even for tiny rates, where
    ``1 - (1 - rate) ** (1/12)`` would round to 0.
    """
    if annual_rate >= 1.0:
        return 1.0
    return float(-np.expm1(np.log1p(-annual_rate) / 12.0))


def vacancy_months(rng: np.random.Generator, mean_months: float, shape: Any = None) -> Any:
    """How long a post stays empty: geometric with mean ``mean_months`` (0: filled at once).

    One number, or an array of ``shape`` (one per post of every run).
    """
    if mean_months <= 0:
        return 0 if shape is None else np.zeros(shape, dtype=np.int64)
    months = rng.geometric(1.0 / (1.0 + mean_months), shape) - 1
    return int(months) if shape is None else months


def relationships_after_departure(relationship: np.ndarray, caseload: np.ndarray) -> np.ndarray:
    """Relationships with the agency once the technician serving ``caseload`` has left."""
    out = relationship.copy()
    out[caseload] = 0.0
    return out
