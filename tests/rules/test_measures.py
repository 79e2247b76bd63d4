"""What a run shows: mutual trust, trust among participants and partners, ties, cohesion, growth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipsim.rules import measures
from pipsim.rules.state import DROPPED_OUT, OUTSIDE, PARTICIPATING
from tests.rules.states import state, with_trust
from tests.strategies import matrix_and_group, trust_matrices

# Row i holds firm i's trust in each other firm.
HAND = np.array(
    [
        [1.0, 0.8, 0.2, 0.4],
        [0.6, 1.0, 0.0, 0.5],
        [0.4, 0.2, 1.0, 0.9],
        [0.3, 0.7, 0.1, 1.0],
    ]
)


# --- mutual trust ------------------------------------------------------------------------------
@given(matrix=trust_matrices())
def test_mutual_trust_is_symmetric_and_between_the_two_directions(matrix):
    s = with_trust(matrix)
    t = s.trust[0].astype(float)  # as stored
    n = len(matrix)
    for i in range(n):
        for j in range(n):
            m = measures.mutual(s, 0, i, j)
            assert m == measures.mutual(s, 0, j, i)
            assert min(t[i, j], t[j, i]) - 1e-7 <= m <= max(t[i, j], t[j, i]) + 1e-7


def test_mutual_trust_of_a_hand_made_matrix():
    s = with_trust(HAND)
    assert measures.mutual(s, 0, 0, 1) == pytest.approx(0.7)
    assert measures.mutual(s, 0, 2, 3) == pytest.approx(0.5)
    assert measures.mutual(s, 0, 1, 1) == pytest.approx(1.0)


# --- mean trust among participants -------------------------------------------------------------
def test_mean_trust_of_a_hand_made_matrix():
    assert measures.mean_trust(with_trust(HAND, [0, 1, 2]), 0) == pytest.approx(2.2 / 6)
    assert measures.mean_trust(with_trust(HAND), 0) == pytest.approx(5.1 / 12)


def test_mean_trust_of_fewer_than_two_participants_is_zero():
    assert measures.mean_trust(with_trust(HAND, [1]), 0) == 0.0
    assert measures.mean_trust(with_trust(HAND, []), 0) == 0.0


@given(mg=matrix_and_group(min_n=2, max_n=10, min_group=2))
def test_mean_trust_is_the_mean_over_ordered_pairs_of_participants(mg):
    matrix, members = mg
    s = with_trust(matrix, members)
    block = s.trust[0].astype(float)[np.ix_(members, members)]
    k = len(members)
    want = (block.sum() - np.trace(block)) / (k * (k - 1))
    assert measures.mean_trust(s, 0) == pytest.approx(want, rel=1e-6, abs=1e-7)


@given(mg=matrix_and_group(min_n=3, max_n=10, min_group=2), noise=st.floats(0.0, 1.0))
def test_mean_trust_ignores_trust_involving_firms_not_taking_part(mg, noise):
    matrix, members = mg
    outside = np.setdiff1d(np.arange(len(matrix)), members)
    assume(len(outside) > 0)
    other = matrix.copy()
    other[outside, :] = noise
    other[:, outside] = noise
    before = measures.mean_trust(with_trust(matrix, members), 0)
    assert measures.mean_trust(with_trust(other, members), 0) == pytest.approx(before, abs=1e-7)


def test_firms_that_dropped_out_do_not_count_as_participants():
    s = with_trust(HAND)
    s.status[0, 3] = DROPPED_OUT
    assert measures.participants(s, 0) == 3
    assert measures.mean_trust(s, 0) == pytest.approx(2.2 / 6)


def test_uniform_trust_among_participants_is_that_trust():
    matrix = np.full((5, 5), 0.3)
    np.fill_diagonal(matrix, 1.0)
    s = with_trust(matrix, [0, 2, 4])
    assert measures.mean_trust(s, 0) == pytest.approx(0.3)


def test_a_measure_reads_only_its_own_run():
    s, _ = state(4, runs=2)
    s.status[:] = PARTICIPATING
    s.trust[0], s.trust[1] = HAND, 0.25
    assert measures.mean_trust(s, 0) == pytest.approx(5.1 / 12)
    assert measures.mean_trust(s, 1) == pytest.approx(0.25)


# --- trust between partners --------------------------------------------------------------------
def _with_partners(pairs: list[tuple[int, int]], participants=None):
    s = with_trust(HAND, participants)
    s.together[0] = False
    for a, b in pairs:
        s.together[0, a, b] = s.together[0, b, a] = True
    return s


def test_trust_partners_averages_mutual_trust_over_pairs_that_worked_together():
    s = _with_partners([(0, 1), (2, 3)])
    assert measures.trust_partners(s, 0) == pytest.approx((0.7 + 0.5) / 2)


def test_trust_partners_ignores_the_diagonal_and_is_zero_without_partners():
    assert measures.trust_partners(_with_partners([]), 0) == 0.0
    s = _with_partners([])
    s.together[0] = np.eye(4, dtype=bool)
    assert measures.trust_partners(s, 0) == 0.0


def test_trust_partners_counts_only_pairs_of_participants():
    s = _with_partners([(0, 1), (2, 3)], participants=[0, 1, 2])
    assert measures.trust_partners(s, 0) == pytest.approx(0.7)


# --- ties ------------------------------------------------------------------------------------
def test_ties_of_a_hand_made_matrix():
    # mutual trust: (0,1) 0.7, (0,2) 0.3, (0,3) 0.35, (1,2) 0.1, (1,3) 0.6, (2,3) 0.5
    assert measures.ties(with_trust(HAND), 0, 0.5) == (3, pytest.approx(0.5))
    assert measures.ties(with_trust(HAND), 0, 0.65) == (1, pytest.approx(1 / 6))
    assert measures.ties(with_trust(HAND, [0, 2]), 0, 0.5) == (0, 0.0)


def test_one_way_trust_is_not_a_tie():
    matrix = np.eye(2)
    matrix[0, 1] = 0.9  # firm 0 trusts firm 1, firm 1 does not trust it back
    assert measures.ties(with_trust(matrix), 0, 0.5) == (0, 0.0)


def test_ties_of_fewer_than_two_participants_are_nothing():
    assert measures.ties(with_trust(HAND, [1]), 0, 0.5) == (0, 0.0)


# --- network cohesion --------------------------------------------------------------------------
N = 20


def _strong(n: int, ties: list[tuple[int, int]]) -> np.ndarray:
    matrix = np.full((n, n), 0.1)
    np.fill_diagonal(matrix, 1.0)
    for a, b in ties:
        matrix[a, b] = matrix[b, a] = 0.9
    return matrix


def _cohesion(matrix: np.ndarray, participants=None) -> float:
    return measures.cohesion(with_trust(matrix, participants), 0, measures.STRONG_TIE)


def test_cohesion_of_a_clique_of_strong_ties_is_one():
    everyone = [(a, b) for a in range(N) for b in range(a + 1, N)]
    assert _cohesion(_strong(N, everyone)) == pytest.approx(1.0)


def test_cohesion_without_a_strong_tie_is_zero():
    assert _cohesion(_strong(N, [])) == 0.0


def test_cohesion_of_a_star_of_strong_ties_does_not_saturate():
    assert _cohesion(_strong(N, [(0, b) for b in range(1, N)])) < 0.15


def test_cohesion_of_a_chain_of_strong_ties_does_not_saturate():
    assert _cohesion(_strong(N, [(a, a + 1) for a in range(N - 1)])) < 0.15


def test_cohesion_of_a_clique_among_half_the_participants_is_one_half():
    half = [(a, b) for a in range(N // 2) for b in range(a + 1, N // 2)]
    assert _cohesion(_strong(N, half)) == pytest.approx(0.5)


def test_cohesion_needs_trust_both_ways():
    one_way = np.eye(3)
    one_way[0, 1] = one_way[1, 2] = one_way[2, 0] = 0.9  # nobody trusts back: mutual 0.45
    assert _cohesion(one_way) == 0.0


def test_cohesion_counts_only_the_participants():
    clique_of_five = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    assert _cohesion(_strong(N, clique_of_five), np.arange(5)) == pytest.approx(1.0)


def test_cohesion_of_fewer_than_two_participants_is_zero():
    assert _cohesion(np.ones((3, 3)), [1]) == 0.0
    assert _cohesion(np.ones((3, 3)), []) == 0.0


@given(mg=matrix_and_group(min_n=1, max_n=10, min_group=1))
def test_cohesion_is_between_zero_and_one(mg):
    matrix, members = mg
    assume(len(matrix) >= 2)
    assert 0.0 <= _cohesion(matrix, members) <= 1.0


def test_cohesion_does_not_depend_on_the_order_of_firms():
    chain_and_clique = _strong(6, [(0, 1), (1, 2), (3, 4), (4, 5), (3, 5)])
    order = np.array([3, 4, 5, 0, 1, 2])
    reordered = chain_and_clique[np.ix_(order, order)]
    assert _cohesion(chain_and_clique) == pytest.approx(_cohesion(reordered))
    assert _cohesion(chain_and_clique) == pytest.approx(0.5)  # the clique: half, fully tied


# --- growth of the firms in collective action, against each firm's own market path -------------
INDEX = np.array([1.30, 1.20, 1.10, 1.05, 1.00])  # each firm's sales relative to its baseline
MARKET_ONLY = np.array([1.04, 1.06, 1.02, 1.05, 1.00])  # what the market alone did to it
TREATED = np.array([True, True, False, False, False])  # participants that were in a venture
BYSTANDERS = np.array([False, False, False, True, True])  # firms that never took part


def _state(index, treated, bystanders, market=MARKET_ONLY):
    """A state whose firms have these sales (and productivity) indices and market paths."""
    s, _ = state(len(index))
    s.status[0] = np.where(bystanders, OUTSIDE, np.where(treated, PARTICIPATING, DROPPED_OUT))
    if not bystanders[2]:
        s.status[0, 2] = PARTICIPATING  # a participant that was in no venture
    s.together[0] = np.diag(treated)
    s.market_index[0] = market
    s.sales_uplift[0] = np.asarray(index) / market - 1.0
    s.joint_sales_uplift[0] = 0.0
    s.productivity_uplift[0] = np.asarray(index) / np.sqrt(market) - 1.0
    return s


def _growth(index, treated, bystanders, market=MARKET_ONLY, productivity=False) -> float:
    """`growth_of_collective_action` of a state whose firms have these sales indices."""
    s = _state(index, treated, bystanders, market)
    return measures.growth_of_collective_action(s, 0, productivity)


def _spillover(index, treated, bystanders, market=MARKET_ONLY, productivity=False) -> float:
    s = _state(index, treated, bystanders, market)
    return measures.spillover_growth(s, 0, productivity)


def test_growth_is_measured_against_the_same_firms_market_path():
    # treated firms reached 1.30 + 1.20, their markets alone 1.04 + 1.06
    assert _growth(INDEX, TREATED, BYSTANDERS) == pytest.approx(2.5 / 2.1 - 1.0)


def test_productivity_growth_is_measured_the_same_way():
    # productivity's counterfactual is the square root of the market path
    expected = 2.5 / (np.sqrt(1.04) + np.sqrt(1.06)) - 1.0
    assert _growth(INDEX, TREATED, BYSTANDERS, productivity=True) == pytest.approx(expected)


def test_growth_does_not_depend_on_the_firms_outside():
    nobody = np.zeros(5, dtype=bool)
    everyone_else = ~TREATED
    everyone_else[2] = False
    assert _growth(INDEX, TREATED, nobody) == pytest.approx(_growth(INDEX, TREATED, BYSTANDERS))
    assert _growth(INDEX, TREATED, everyone_else) == pytest.approx(
        _growth(INDEX, TREATED, BYSTANDERS)
    )


def test_a_gain_of_the_bystanders_does_not_move_the_participants_growth():
    lifted = INDEX * (1.0 + 0.3 * BYSTANDERS)
    assert _growth(lifted, TREATED, BYSTANDERS) == pytest.approx(
        _growth(INDEX, TREATED, BYSTANDERS)
    )


def test_net_growth_with_nobody_treated_is_zero():
    assert _growth(INDEX, np.zeros(5, dtype=bool), BYSTANDERS) == 0.0


def test_firms_that_grew_like_their_market_have_no_net_growth():
    assert _growth(MARKET_ONLY, TREATED, BYSTANDERS) == pytest.approx(0.0)
    assert _spillover(MARKET_ONLY, TREATED, BYSTANDERS) == pytest.approx(0.0)


def test_spillover_is_the_bystanders_growth_against_their_own_path():
    # bystanders reached 1.05 + 1.00 with markets of 1.05 + 1.00: nothing spilt over
    assert _spillover(INDEX, TREATED, BYSTANDERS) == pytest.approx(0.0)
    lifted = INDEX * (1.0 + 0.1 * BYSTANDERS)
    assert _spillover(lifted, TREATED, BYSTANDERS) == pytest.approx(0.1)


def test_spillover_without_bystanders_is_not_a_number():
    s = _state(INDEX, TREATED, BYSTANDERS)
    s.status[0] = PARTICIPATING  # everyone takes part: nobody to spill over to
    assert np.isnan(measures.spillover_growth(s, 0, False))


def test_firms_that_left_without_a_venture_are_bystanders():
    s = _state(INDEX * (1.0 + 0.1 * BYSTANDERS), TREATED, BYSTANDERS)
    s.status[0, 3:] = DROPPED_OUT  # joined, left before any venture: only the spill reached them
    assert measures.spillover_growth(s, 0, False) == pytest.approx(0.1)


@st.composite
def indices_and_groups(draw):
    n = draw(st.integers(3, 30))
    index = draw(hnp.arrays(np.float64, n, elements=st.floats(0.5, 2.0)))
    market = draw(hnp.arrays(np.float64, n, elements=st.floats(0.5, 2.0)))
    treated = draw(hnp.arrays(np.bool_, n))
    treated[0] = True
    treated[2] = False  # (firm 2 is a participant without a venture in `_growth`)
    bystanders = draw(hnp.arrays(np.bool_, n)) & ~treated
    return index, market, treated, bystanders


@given(case=indices_and_groups(), shock=st.floats(0.5, 1.5))
def test_a_shock_that_hits_every_firm_alike_nets_out(case, shock):
    index, market, treated, bystanders = case
    assert _growth(index * shock, treated, bystanders, market * shock) == pytest.approx(
        _growth(index, treated, bystanders, market), rel=1e-9, abs=1e-12
    )


@given(case=indices_and_groups(), lift=st.floats(0.01, 0.5))
def test_a_gain_of_the_treated_firms_alone_raises_net_growth(case, lift):
    index, market, treated, bystanders = case
    lifted = index * (1.0 + lift * treated)
    assert _growth(lifted, treated, bystanders, market) > _growth(
        index, treated, bystanders, market
    )


@given(case=indices_and_groups(), lift=st.floats(0.01, 0.5))
def test_who_stayed_outside_does_not_change_the_participants_growth(case, lift):
    index, market, treated, bystanders = case
    lifted = index * (1.0 + lift * bystanders)
    assert _growth(lifted, treated, ~treated & ~bystanders, market) == pytest.approx(
        _growth(index, treated, bystanders, market), rel=1e-9, abs=1e-12
    )


def test_participants_without_a_venture_do_not_dilute_growth():
    s_index = INDEX.copy()
    s_index[2] = 0.5  # a late joiner that never joined a venture, doing badly
    assert _growth(s_index, TREATED, BYSTANDERS) == pytest.approx(2.5 / 2.1 - 1.0)
