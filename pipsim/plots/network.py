"""The trust network as the story's GIF and the trainers' page draw it: ties and firms.

One rule decides which ties are drawn, `trust_ties`: two firms are tied where both trust each
other at least `STRONG_TIE` (`pipsim.rules.measures`, the threshold of the model's
``strong_ties`` count; a tie's strength is the smaller of the two directions, the mutual
trust) and at least one of them takes part: ties among firms the project has not reached are not its
story, and would bury it in a large territory. One table says how a firm looks,
`NODE_KINDS` (by where it stands) and `NODE_AREA` (by its size class).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipsim.agents import Status
from pipsim.plots.style import OKABE_ITO
from pipsim.rules.measures import STRONG_TIE

if TYPE_CHECKING:
    from pipsim.model import PIPModel

NODE_KINDS = (  # (legend label, face colour, edge colour, marker), rows of `node_kinds`
    ("taking part", OKABE_ITO["blue"], "white", "o"),
    ("in a joint project", OKABE_ITO["bluish_green"], "white", "o"),
    ("outside the project", "#e4e4e4", "#8a8a8a", "o"),
    ("dropped out", OKABE_ITO["vermillion"], "white", "s"),
)
STATUS_KINDS = {Status.PARTICIPATING: 0, Status.OUTSIDE: 2, Status.DROPPED_OUT: 3}  # statuses
NODE_AREA = np.array([28.0, 60.0, 110.0, 190.0])  # marker area (points²), micro .. large


def trust_ties(
    trust: np.ndarray, taking_part: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ties drawn: firms ``i < j`` and their mutual trust, where it reaches ``threshold``.

    Args:
        trust: firm-to-firm trust, row trusting column.
        taking_part: which firms take part in the project now.
        threshold: the mutual trust a tie needs (drawn: `STRONG_TIE`, a strong tie).
    """
    mutual = np.minimum(trust, trust.T)
    involved = taking_part[:, None] | taking_part[None, :]
    i, j = np.nonzero(np.triu((mutual >= threshold) & involved, 1))
    return i, j, mutual[i, j]


def model_ties(model: PIPModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strong ties of ``model`` as it stands this month (mutual trust ≥ `STRONG_TIE`).

    The one threshold the model's ``strong_ties`` count, the viz, the story and the README use:
    weaker ties drawn too make a hairball a room cannot read by the ninth month.
    """
    return trust_ties(model.trust, model.participating(), STRONG_TIE)


def node_kinds(status: np.ndarray, in_project: np.ndarray) -> np.ndarray:
    """Each firm's row of `NODE_KINDS`: taking part (in a joint project or not), outside, out."""
    kinds = np.full(len(status), 2)
    kinds[status == Status.PARTICIPATING] = 0
    kinds[(status == Status.PARTICIPATING) & in_project] = 1
    kinds[status == Status.DROPPED_OUT] = 3
    return kinds
