"""The trust network as the story's GIF and the trainers' page draw it: ties and firms.

One rule decides which ties are drawn, `strong_ties`, and it is the model's own: the pairs
the ``strong_ties`` count of `pipsim.rules.measures.ties` counts at `STRONG_TIE`. Both firms
take part, and their mutual trust, the *mean* of the two directions (`measures.mutual`),
reaches the threshold. A drawing that used another rule (it once took the smaller direction
and any pair with one firm taking part) shows a room a number of ties the run's figures
contradict. One table says how a firm looks, `NODE_KINDS` (by where it stands) and
`NODE_AREA` (by its size class).
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


def strong_ties(
    trust: np.ndarray, taking_part: np.ndarray, threshold: float = STRONG_TIE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strong ties as the model counts them: firms ``i < j`` and their mutual trust.

    The numpy form of `pipsim.rules.measures.ties` (compiled, over the model's state, and
    returning a count only): a pair of firms both taking part whose mutual trust, the mean of
    the two directions computed in float64 as `measures.mutual` does, is at least
    ``threshold``. ``tests/plots/test_network.py`` holds the two to the same count.

    Args:
        trust: firm-to-firm trust, row trusting column.
        taking_part: which firms take part in the project now.
        threshold: the mutual trust a tie needs (`STRONG_TIE`, as the model's count).
    """
    t = np.asarray(trust, dtype=np.float64)
    mutual = 0.5 * (t + t.T)
    both = taking_part[:, None] & taking_part[None, :]
    i, j = np.nonzero(np.triu((mutual >= threshold) & both, 1))
    return i, j, mutual[i, j]


trust_ties = strong_ties  # the name the story and the trainers' page import


def model_ties(model: PIPModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strong ties of ``model`` as it stands this month: those its ``strong_ties`` counts.

    The one threshold the model's count, the viz, the story and the README use: weaker ties
    drawn too make a hairball a room cannot read by the ninth month.
    """
    return strong_ties(model.trust, model.participating(), STRONG_TIE)


def node_kinds(status: np.ndarray, in_project: np.ndarray) -> np.ndarray:
    """Each firm's row of `NODE_KINDS`: taking part (in a joint project or not), outside, out."""
    kinds = np.full(len(status), 2)
    kinds[status == Status.PARTICIPATING] = 0
    kinds[(status == Status.PARTICIPATING) & in_project] = 1
    kinds[status == Status.DROPPED_OUT] = 3
    return kinds
