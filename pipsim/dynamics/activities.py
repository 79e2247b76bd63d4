"""Who turns up, who delivers and what works: the outcomes of joint activities.

Trust-building events (meetings with peer testimony, travel, social events with families,
visits to other enterprises) are cheap and safe; attendance depends on motivation and
distance. Pilots and collective projects need every member to deliver: a member fails the
group more often when it distrusts the others, when it is unmotivated, and when the benefit
is hard to appropriate (free riding is tempting). Whether the venture itself works depends on
the group's capability, the lead firm carrying the weaker ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class EventKind:
    """One kind of trust-building event: how strong a bond it makes and how many it invites."""

    name: str
    trust_gain_factor: float  # multiple of the base trust gain for each attending pair
    invited_share: float  # share of participants invited (travel and visits are small)
    collective_action_gain: float  # lift of trust in collective action (peer testimony)
    weight: float  # how often the team organises it


# The document's "How to promote trust": testimony by peers is "particularly effective";
# travel shares new environments; social events with families let people know each other;
# visits "are a test of the willingness to form a group".
EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind("meeting with peer testimony", 0.6, 1.0, 0.04, 0.4),
    EventKind("business or technology travel", 1.5, 0.3, 0.02, 0.15),
    EventKind("social event with families", 1.0, 0.8, 0.0, 0.2),
    EventKind("visit to another enterprise", 1.2, 0.4, 0.02, 0.25),
)
EVENT_WEIGHTS = np.array([k.weight for k in EVENT_KINDS])


def attendance_probability(
    motivation: Array, trust_collective: Array, trust_agency: Array, distance: float
) -> Array:
    """Chance an invited firm attends: motivated firms that trust the organisers come.

    Distance keeps them away (Box 5: it "made communications difficult").
    """
    keen = motivation * (0.5 + 0.5 * trust_collective) * (0.6 + 0.4 * trust_agency)
    return np.clip(keen * (1.0 - 0.7 * distance), 0.0, 1.0)


def noncompliance_probability(
    risk: float, trust_in_group: Array, motivation: Array, appropriability: float
) -> Array:
    """Monthly chance each member fails the group (does not deliver, does not pay, free-rides).

    ``risk`` is the chance for a member that trusts nobody, is half motivated and would keep
    the whole benefit. Distrust, low motivation and benefits that leak to others raise it.
    """
    temptation = (1.0 - trust_in_group) * (1.5 - motivation) * (2.0 - appropriability)
    return np.minimum(risk * temptation, 1.0)


def group_capability(capability: Array) -> float:
    """What a group can do: half its mean, half its most capable member (lead firms carry)."""
    return float(0.5 * capability.mean() + 0.5 * capability.max())


def venture_success_probability(base_rate: float, capability: Array) -> float:
    """Chance a pilot or project's business works out when every member delivers."""
    return base_rate * (0.6 + 0.4 * group_capability(capability))


def partner_weights(trust_row: Array, motivation: Array) -> Array:
    """Weights for picking partners: firms pick those they trust and who are keen.

    ``motivation`` may carry extra weight, e.g. for lead firms.
    """
    return (0.05 + trust_row) * (0.1 + motivation)


def weighted_choice(rng: np.random.Generator, weights: Array) -> int:
    """Index drawn with probability proportional to ``weights`` (one uniform draw)."""
    cumulative = np.cumsum(weights)
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def weighted_sample(rng: np.random.Generator, weights: Array, k: int) -> Array:
    """``k`` distinct indices drawn with probability proportional to ``weights``.

    Efraimidis & Spirakis (2006): keep the ``k`` largest ``u ** (1 / w)``; the same law as
    drawing one at a time without replacement, in one vectorised step.
    """
    keys = np.log(rng.random(len(weights))) / weights
    return np.argpartition(-keys, k - 1)[:k] if k < len(weights) else np.arange(len(weights))


def pick_group(
    rng: np.random.Generator, founder: int, candidates: Array, weights: Array, size: int
) -> Array:
    """A group of up to ``size`` firms: the ``founder`` and partners drawn by ``weights``."""
    keep = candidates != founder
    others, w = candidates[keep], weights[keep]
    k = min(size - 1, len(others))
    if k <= 0:
        return np.array([founder])
    return np.concatenate(([founder], others[weighted_sample(rng, w, k)]))
