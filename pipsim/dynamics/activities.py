"""Who turns up, who delivers and what works: the outcomes of joint activities.

Trust-building events (meetings with peer testimony, travel, social events with families,
visits to other enterprises) let firms see how the others behave: weak evidence of each
other's reliability. Distance keeps some away, but those who come learn as much as anywhere:
the value of contact the team arranges does not shrink with distance (Box 5 blames the *lack*
of contact). Pilots and collective projects need every member to deliver: a member fails the
group more often when it is less reliable, distrusts the others, is unmotivated, nobody
monitors, and the benefit is hard to appropriate unless the public sector is trusted to provide
it. Whether the venture itself works depends on the group's capability and, for a collective
project, on its members' trust (transaction costs, free riding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class EventKind:
    """One kind of trust-building event: how many it invites and how much one attendance shows."""

    name: str
    evidence: float  # weight of seeing a partner at it, in units of one joint-work month
    invited: int  # firms invited (every participant if larger than their number)
    collective_action_gain: float  # peer testimony: evidence that collective action pays
    weight: float  # how often the team organises it


# The document's "How to promote trust": testimony by peers is "particularly effective";
# travel shares new environments; social events with families let people know each other;
# visits "are a test of the willingness to form a group". Sizes are this model's assumptions:
# a meeting or a social event is open to every participant; a trip or a visit takes a group.
EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind("meeting with peer testimony", 0.3, 1000, 0.5, 0.4),
    EventKind("business or technology travel", 1.0, 12, 0.3, 0.15),
    EventKind("social event with families", 0.6, 1000, 0.0, 0.2),
    EventKind("visit to another enterprise", 0.8, 8, 0.3, 0.25),
)
EVENT_WEIGHTS = np.array([k.weight for k in EVENT_KINDS])
EVENT_INVITED = np.array([k.invited for k in EVENT_KINDS])
EVENT_EVIDENCE = np.array([k.evidence for k in EVENT_KINDS])
EVENT_TESTIMONY = np.array([k.collective_action_gain for k in EVENT_KINDS])
DISTANCE_ABSENCE = 0.3  # share of invited firms far away who stay home (travel time and cost)


def attendance_probability(
    motivation: Array, trust_collective: Array, trust_agency: Array, distance: float
) -> Array:
    """Chance an invited firm attends: motivated firms that trust the organisers come.

    Distance keeps some of them away (Box 5: it "made communications difficult").
    """
    keen = (0.3 + 0.7 * motivation) * (0.6 + 0.4 * trust_collective) * (0.7 + 0.3 * trust_agency)
    return np.clip(keen * (1.0 - DISTANCE_ABSENCE * distance), 0.0, 1.0)


def spontaneous_contact_probability(rate: float, distance: float) -> float:
    """Monthly chance two participants meet informally: neighbours often, distant firms rarely."""
    return rate * (1.0 - distance)


def noncompliance_probability(
    risk: Array | float,
    trust_in_group: Array,
    motivation: Array,
    appropriability: float,
    trust_public: Array,
) -> Array:
    """Monthly chance each member fails the group (does not deliver, does not pay, free-rides).

    ``risk`` is the chance for a member of average reliability that trusts nobody, is half
    motivated and keeps the whole benefit. Distrust, low motivation and benefits that leak to
    others raise it; a public sector trusted to supply the shared part of the benefit removes
    the temptation that leak adds (the document: public participation matters most where
    benefits "cannot be easily appropriated").
    """
    leak = (1.0 - appropriability) * (1.0 - trust_public)
    temptation = (1.0 - trust_in_group) * (1.5 - motivation) * (1.0 + leak)
    return np.minimum(risk * temptation, 1.0)


def group_capability(capability: Array, members: Array) -> Array:
    """What each group can do: half its mean, half its most capable member (lead firms carry)."""
    per_member = np.where(members, capability[..., None, :], 0.0)  # groups of each run
    mean = per_member.sum(axis=-1) / np.maximum(members.sum(axis=-1), 1)
    best = per_member.max(axis=-1)
    return 0.5 * mean + 0.5 * best


def pilot_success_probability(base_rate: float, capability: Array) -> Array:
    """Chance a pilot works when every member delivers: limited risk, capability helps a little."""
    return base_rate * (0.8 + 0.2 * capability)


def project_success_probability(base_rate: float, capability: Array, group_trust: Array) -> Array:
    """Chance a collective project's business case holds when every member delivers.

    ``base_rate`` is the chance for a capable group whose members trust each other fully; a
    group that distrusts itself pays in transaction costs and hedging (half the chance at 0).
    """
    return base_rate * (0.6 + 0.4 * capability) * (0.5 + 0.5 * group_trust)


def partner_weights(trust_row: Array, keenness: Array, successes_together: Array) -> Array:
    """Weights for picking partners: firms pick those they trust, who are keen, and who delivered.

    Every joint success with a partner makes choosing it again likelier: the ladder of joint
    experience climbs with the same partners.
    """
    return (0.05 + trust_row) * (0.1 + keenness) * (1.0 + successes_together)


def choose_rows(rng: np.random.Generator, weights: Array) -> Array:
    """For each row of ``weights``, an index drawn with probability proportional to the row.

    One uniform draw per row; a row must have some positive weight.
    """
    cumulative = np.cumsum(weights, axis=-1)
    u = rng.random(cumulative.shape[:-1]) * cumulative[..., -1]
    drawn = (cumulative <= u[..., None]).sum(axis=-1)
    return np.minimum(drawn, weights.shape[-1] - 1)


def sample_rows(rng: np.random.Generator, weights: Array, k: Array | int) -> Array:
    """For each row, a mask of ``k`` distinct indices drawn in proportion to the row's weights.

    Efraimidis & Spirakis (2006): keep the ``k`` largest ``u ** (1 / w)``; the same law as
    drawing one at a time without replacement, in one vectorised step. Indices of weight 0 are
    never drawn (a row with fewer positive weights than ``k`` gives all of them).
    """
    positive = weights > 0
    with np.errstate(divide="ignore"):
        keys = np.where(positive, np.log(rng.random(weights.shape)) / weights, -np.inf)
    order = np.argsort(-keys, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(weights.shape[-1]), axis=-1)
    return positive & (rank < np.asarray(k)[..., None])


def pick_groups(rng: np.random.Generator, founders: Array, weights: Array, size: int) -> Array:
    """Groups of up to ``size`` firms: each row's founder and partners drawn by ``weights``.

    ``weights`` is ``(groups, firms)`` with 0 for firms that cannot join; returns the mask of
    each group's members (the founder and ``min(size - 1, willing others)`` partners).
    """
    rows = np.arange(len(founders))
    weights = weights.copy()
    weights[rows, founders] = 0.0
    group = sample_rows(rng, weights, size - 1)
    group[rows, founders] = True
    return group
