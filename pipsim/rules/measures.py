"""What a run shows at a given month: the log frame's indicators (Annex 2) and where trust formed.

Measured over the participating firms. `state_measures` fills one row in the order of
`STATE_MEASURES` (the snapshot when the agency leaves, the end of the horizon); `series_row` the
monthly series in the order of `SERIES`. `pipsim.outcomes` names them.
"""

from __future__ import annotations

import math

import numpy as np

from pipsim.rules.book import count_alive
from pipsim.rules.compiled import njit
from pipsim.rules.kinds import JOINT_MARKETING
from pipsim.rules.learning import trust_in_agency
from pipsim.rules.market import net_growth
from pipsim.rules.phases import agency_present, phase_of
from pipsim.rules.state import DROPPED_OUT, PARTICIPATING, PILOT, PROJECT, Rules, State
from pipsim.rules.team import posts_held

STRONG_TIE = 0.5  # mutual trust at which a pair counts as a strong tie
JOINTLY_MARKETED_SHARE = 0.5  # share of a member's sales sold through a marketing project
STATE_MEASURES = (
    "participants",
    "dropouts",
    "firms_in_joint_projects",
    "active_projects",
    "sales_growth",
    "productivity_growth",
    "joint_marketing_share",
    "new_exporters",
    "mean_trust",
    "trust_partners",
    "strong_ties",
    "tie_density",
    "trust_in_agency",
    "trust_in_public",
    "trust_in_collective_action",
    "network_cohesion",
    "spillover_sales_growth",
    "spillover_productivity_growth",
)
SERIES = (
    "month",
    "phase",
    "participants",
    "dropouts",
    "firms_in_joint_projects",
    "active_pilots",
    "active_projects",
    "technicians_present",
    "mean_trust",
    "trust_partners",
    "strong_ties",
    "tie_density",
    "trust_in_agency",
    "trust_in_public",
    "trust_in_collective_action",
    "mean_motivation",
    "sales_growth",
    "productivity_growth",
)


@njit(cache=True)
def participating(s: State, r: int, i: int) -> bool:
    """Whether firm ``i`` takes part in the project."""
    return s.status[r, i] == PARTICIPATING


@njit(cache=True)
def participants(s: State, r: int) -> int:
    """Firms taking part in the project."""
    return int((s.status[r] == PARTICIPATING).sum())


@njit(cache=True)
def firms_in_joint_projects(s: State, r: int) -> int:
    """Participating firms that are members of a collective project under way."""
    total = 0
    for i in range(s.status.shape[1]):
        total += participating(s, r, i) and s.project_of[r, i] >= 0
    return total


@njit(cache=True)
def sales_index(s: State, r: int, i: int) -> float:
    """Firm ``i``'s sales relative to its baseline, in real terms."""
    return s.market_index[r, i] * (1.0 + s.sales_uplift[r, i] + s.joint_sales_uplift[r, i])


@njit(cache=True)
def productivity_index(s: State, r: int, i: int) -> float:
    """Firm ``i``'s value added per worker relative to its baseline."""
    return (1.0 + s.productivity_uplift[r, i]) * math.sqrt(s.market_index[r, i])


@njit(cache=True)
def without_the_project(s: State, r: int, i: int, productivity: bool) -> float:
    """Firm ``i``'s index had there been no project: its own market path in this run.

    Every firm's market path is drawn whether it takes part or not, so the firm's counterfactual
    shares its demand shocks and drift (common random numbers): what remains is the project's.
    """
    m = s.market_index[r, i]
    return math.sqrt(m) if productivity else m


@njit(cache=True)
def growth_against_own_path(s: State, r: int, productivity: bool, treated: bool) -> float:
    """Growth of a group of firms against what the same firms would have had without the project.

    ``treated``: the firms in collective actions (participants that have been in a pilot or a
    project); otherwise the bystanders, firms neither taking part nor ever in a venture, whose
    growth is what spilt over to them. The ratio of summed indices to summed counterfactuals,
    minus 1; NaN when the group is empty.
    """
    actual, counterfactual = 0.0, 0.0
    for i in range(s.status.shape[1]):
        in_action = participating(s, r, i) and s.together[r, i, i]
        bystander = not participating(s, r, i) and not s.together[r, i, i]
        if (treated and in_action) or (not treated and bystander):
            actual += productivity_index(s, r, i) if productivity else sales_index(s, r, i)
            counterfactual += without_the_project(s, r, i, productivity)
    if counterfactual == 0.0:
        return math.nan
    return net_growth(actual, counterfactual)


@njit(cache=True)
def growth_of_collective_action(s: State, r: int, productivity: bool) -> float:
    """Growth of the firms in collective actions, net of what the market did to them (Annex 2).

    One counterfactual for every indicator: each firm against its own market path in the same
    run (`without_the_project`), never against a comparison group whose size depends on how many
    firms joined. Late joiners who never joined a venture do not dilute it; 0 if nobody is in a
    collective action (nothing to credit).
    """
    growth = growth_against_own_path(s, r, productivity, True)
    return 0.0 if math.isnan(growth) else growth


@njit(cache=True)
def spillover_growth(s: State, r: int, productivity: bool) -> float:
    """Growth the project gave the bystanders, against their own market path; NaN if none.

    What members cannot appropriate of their projects, and the ministry's public goods, reach
    every firm of the territory: their own outcome, not a shift of the participants' baseline.
    """
    return growth_against_own_path(s, r, productivity, False)


@njit(cache=True)
def mutual(s: State, r: int, i: int, j: int) -> float:
    """Mutual trust of a pair: the mean of the two directions."""
    return 0.5 * (float(s.trust[r, i, j]) + float(s.trust[r, j, i]))


@njit(cache=True)
def mean_trust(s: State, r: int) -> float:
    """Mean trust over the ordered pairs of distinct participants (0 below two)."""
    total, pairs = 0.0, 0
    n = s.status.shape[1]
    for i in range(n):
        if participating(s, r, i):
            for j in range(n):
                if j != i and participating(s, r, j):
                    total += float(s.trust[r, i, j])
                    pairs += 1
    return total / pairs if pairs else 0.0


@njit(cache=True)
def trust_partners(s: State, r: int) -> float:
    """Mean mutual trust over pairs of participants who have been in a venture together."""
    total, pairs = 0.0, 0
    n = s.status.shape[1]
    for i in range(n):
        if participating(s, r, i):
            for j in range(i + 1, n):
                if participating(s, r, j) and s.together[r, i, j]:
                    total += mutual(s, r, i, j)
                    pairs += 1
    return total / pairs if pairs else 0.0


@njit(cache=True)
def ties(s: State, r: int, threshold: float) -> tuple[int, float]:
    """(pairs of participants at mutual trust >= ``threshold``, their share of all pairs)."""
    tied, k = 0, 0
    n = s.status.shape[1]
    for i in range(n):
        if participating(s, r, i):
            k += 1
            for j in range(i + 1, n):
                if participating(s, r, j) and mutual(s, r, i, j) >= threshold:
                    tied += 1
    if k < 2:
        return 0, 0.0
    return tied, tied / (k * (k - 1) / 2)


@njit(cache=True)
def cohesion(s: State, r: int, threshold: float) -> float:
    """How tightly participants are knit by strong ties: a group's share x its tie density.

    For each connected group of strong ties, its share of the participants times the share of
    its own pairs that are tied; the best-knit group counts. So a chain or a star of a few
    strong ties does not count as a cohesive network. 1: every participant trusts every other
    strongly; 0: no tie is strong.
    """
    n = s.status.shape[1]
    root = np.arange(n)
    k = 0
    for i in range(n):
        if not participating(s, r, i):
            continue
        k += 1
        for j in range(i + 1, n):
            if participating(s, r, j) and mutual(s, r, i, j) >= threshold:
                a, b = find(root, i), find(root, j)
                root[max(a, b)] = min(a, b)
    if k < 2:
        return 0.0
    members = np.zeros(n, dtype=np.int64)
    tied = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if participating(s, r, i):
            group = find(root, i)
            members[group] += 1
            for j in range(i + 1, n):
                if participating(s, r, j) and mutual(s, r, i, j) >= threshold:
                    tied[group] += 1
    best = 0.0
    for g in range(n):
        if members[g] > 1:
            best = max(best, members[g] * tied[g] / (members[g] * (members[g] - 1) / 2))
    return best / k


@njit(cache=True)
def find(root: np.ndarray, i: int) -> int:
    """The representative of ``i``'s group (with path halving)."""
    while root[i] != i:
        root[i] = root[root[i]]
        i = root[i]
    return i


@njit(cache=True)
def mean_over_participants(s: State, r: int, values: np.ndarray) -> float:
    """Mean of ``values[r]`` over the participants (0 with none)."""
    total, k = 0.0, 0
    for i in range(values.shape[1]):
        if participating(s, r, i):
            total += values[r, i]
            k += 1
    return total / k if k else 0.0


@njit(cache=True)
def trust_in_the_agency(s: State, p: Rules, r: int) -> float:
    """Participants' mean trust in the executing agency."""
    total, k = 0.0, 0
    for i in range(s.status.shape[1]):
        if participating(s, r, i):
            total += trust_in_agency(
                s.relationship[r, i], s.institutional_trust[r, i], p.relationship_weight
            )
            k += 1
    return total / k if k else 0.0


@njit(cache=True)
def joint_marketing_share(s: State, r: int) -> float:
    """Share of participants' sales marketed jointly through operating projects."""
    n = s.status.shape[1]
    marketed = np.zeros(n, dtype=np.bool_)
    for v in range(s.alive.shape[1]):
        if s.alive[r, v] and s.operating[r, v] and s.kind[r, v] == PROJECT:
            if JOINT_MARKETING[s.label[r, v]]:
                for a in range(s.size[r, v]):
                    marketed[s.members[r, v, a]] = True
    total, jointly = 0.0, 0.0
    for i in range(n):
        if participating(s, r, i):
            sales = s.baseline_sales[r, i] * sales_index(s, r, i)
            total += sales
            jointly += sales * marketed[i]
    return JOINTLY_MARKETED_SHARE * jointly / total if total > 0.0 else 0.0


@njit(cache=True)
def new_exporters(s: State, r: int) -> int:
    """Participants exporting now that did not at baseline."""
    total = 0
    for i in range(s.status.shape[1]):
        total += participating(s, r, i) and s.exporter[r, i] and not s.exporter_at_baseline[r, i]
    return total


@njit(cache=True)
def log_frame_met(s: State, p: Rules, r: int) -> bool:
    """Whether every log frame target is met this month (the cheap counts first)."""
    if participants(s, r) < p.target_participants:
        return False
    if firms_in_joint_projects(s, r) < p.target_firms_in_joint_projects:
        return False
    if growth_of_collective_action(s, r, False) <= p.target_sales_growth:
        return False
    return growth_of_collective_action(s, r, True) > p.target_productivity_growth


@njit(cache=True)
def where_trust_stands(s: State, p: Rules, r: int) -> tuple:
    """The trust measures the outcomes and the monthly series share, in that order.

    Mean trust, partners' trust, strong ties, tie density, and participants' trust in the agency,
    in the public sector and in collective action.
    """
    strong, _ = ties(s, r, STRONG_TIE)
    _, density = ties(s, r, p.project_trust_threshold)
    return (
        mean_trust(s, r),
        trust_partners(s, r),
        strong,
        density,
        trust_in_the_agency(s, p, r),
        mean_over_participants(s, r, s.trust_public),
        mean_over_participants(s, r, s.trust_collective),
    )


@njit(cache=True)
def state_measures(s: State, p: Rules, r: int, out: np.ndarray) -> None:
    """The state indicators of run ``r`` now, into ``out`` in the order of `STATE_MEASURES`."""
    out[0] = participants(s, r)
    out[1] = (s.status[r] == DROPPED_OUT).sum()
    out[2] = firms_in_joint_projects(s, r)
    out[3] = count_alive(s, r, PROJECT)
    out[4] = growth_of_collective_action(s, r, False)
    out[5] = growth_of_collective_action(s, r, True)
    out[6] = joint_marketing_share(s, r)
    out[7] = new_exporters(s, r)
    out[8], out[9], out[10], out[11], out[12], out[13], out[14] = where_trust_stands(s, p, r)
    out[15] = cohesion(s, r, STRONG_TIE)
    out[16] = spillover_growth(s, r, False)
    out[17] = spillover_growth(s, r, True)


@njit(cache=True)
def series_row(s: State, p: Rules, r: int, month: int, out: np.ndarray) -> None:
    """The monthly series of run ``r`` at ``month``, in the order of `SERIES`."""
    out[0] = month
    out[1] = phase_of(p, month)
    out[2] = participants(s, r)
    out[3] = (s.status[r] == DROPPED_OUT).sum()
    out[4] = firms_in_joint_projects(s, r)
    out[5] = count_alive(s, r, PILOT)
    out[6] = count_alive(s, r, PROJECT)
    out[7] = posts_held(s, r, month) if agency_present(p, month) else 0
    out[8], out[9], out[10], out[11], out[12], out[13], out[14] = where_trust_stands(s, p, r)
    out[15] = mean_over_participants(s, r, s.motivation)
    out[16] = growth_of_collective_action(s, r, False)
    out[17] = growth_of_collective_action(s, r, True)
