"""The book of ventures under way: a slot per venture, its members as a short list of firms.

A venture is a group of firms working together for some months. It takes the lowest free slot
of its run; its members are ``members[r, v, :size[r, v]]``, in the order they joined.
"""

from __future__ import annotations

import numpy as np

from pipsim.rules.compiled import njit
from pipsim.rules.state import State


@njit(cache=True)
def open_venture(
    s: State,
    r: int,
    kind: int,
    label: int,
    start: int,
    ends: int,
    group: np.ndarray,
    count: int,
) -> int:
    """A new venture of the firms ``group[:count]``; returns its slot.

    Every pair of its members has now worked together (the pairs `trust_partners` covers).
    """
    v = 0
    while s.alive[r, v]:
        v += 1  # the book has room for every venture a run can hold (`venture_slots`)
    s.alive[r, v] = True
    s.kind[r, v] = kind
    s.label[r, v] = label
    s.start[r, v] = start
    s.ends[r, v] = ends
    s.operating[r, v] = False
    s.months_operating[r, v] = 0
    s.uid[r, v] = s.formed[r]
    s.formed[r] += 1
    s.size[r, v] = count
    for a in range(count):
        s.members[r, v, a] = group[a]
        for b in range(count):
            s.together[r, group[a], group[b]] = True
    return v


@njit(cache=True)
def remove_member(s: State, r: int, v: int, firm: int) -> None:
    """``firm`` leaves venture ``v`` (the others keep their order)."""
    k = 0
    for a in range(s.size[r, v]):
        if s.members[r, v, a] != firm:
            s.members[r, v, k] = s.members[r, v, a]
            k += 1
    s.size[r, v] = k


@njit(cache=True)
def close_venture(s: State, r: int, v: int) -> None:
    """Free the slot of a venture that ended."""
    s.alive[r, v] = False
    s.size[r, v] = 0
    s.sales_gain[r, v, :] = 0.0


@njit(cache=True)
def count_alive(s: State, r: int, kind: int) -> int:
    """Ventures of ``kind`` under way (-1: of any kind)."""
    total = 0
    for v in range(s.alive.shape[1]):
        if s.alive[r, v] and (kind < 0 or s.kind[r, v] == kind):
            total += 1
    return total


@njit(cache=True)
def slot_of(s: State, r: int, uid: int) -> int:
    """The slot of the venture numbered ``uid`` (-1 if it is not under way)."""
    for v in range(s.alive.shape[1]):
        if s.alive[r, v] and s.uid[r, v] == uid:
            return v
    return -1


@njit(cache=True)
def position_in(s: State, r: int, v: int, firm: int) -> int:
    """``firm``'s position among venture ``v``'s members (-1 if not a member)."""
    for a in range(s.size[r, v]):
        if s.members[r, v, a] == firm:
            return a
    return -1
