"""Designs: which parameter values each run gets, and the seed each run is given before dispatch.

A design is the full factorial of the ``[sweep]`` axes crossed with a Latin hypercube sample of
the ``[sample]`` ranges (`scipy.stats.qmc`), each point replicated. Every run's seed is derived
from (root seed, design point, replicate) with `numpy.random.SeedSequence`, so a run's result
never depends on which worker ran it, in what order, or how many workers there were.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import qmc

if TYPE_CHECKING:
    from pipsim.scenario import Range, Scenario


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a sweep: its global index, design point, replicate, seed and parameters."""

    index: int
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]


def factorial_points(sweep: dict[str, tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Every combination of the sweep axes' values, the last axis varying fastest."""
    names = list(sweep)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*sweep.values())]


def lhs_points(ranges: tuple[Range, ...], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` Latin hypercube points over ``ranges`` (whole numbers rounded for integer ranges)."""
    if not ranges:
        return [{}]
    unit = qmc.LatinHypercube(d=len(ranges), rng=np.random.default_rng(seed)).random(n)
    lows = np.array([r.low for r in ranges])
    highs = np.array([r.high for r in ranges])
    values = qmc.scale(unit, lows, highs) if n else unit
    return [{r.name: _cast(r, v) for r, v in zip(ranges, row, strict=True)} for row in values]


def corner_points(ranges: tuple[Range, ...]) -> list[dict[str, Any]]:
    """The corners of the sampled box (all lows, all highs, and mixed ones for a few ranges)."""
    if not ranges:
        return [{}]
    if len(ranges) > 8:
        return [{r.name: _cast(r, getattr(r, end)) for r in ranges} for end in ("low", "high")]
    combos = itertools.product(*[(r.low, r.high) for r in ranges])
    return [{r.name: _cast(r, v) for r, v in zip(ranges, c, strict=True)} for c in combos]


def design_points(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's design points: factorial axes crossed with the sampled points.

    A scenario with a ``[sensitivity]`` section has SALib's sample as its design instead
    (`pipsim.sensitivity.design_points`), so the runner treats it like any other sweep.
    """
    if scenario.sensitivity is not None:
        from pipsim.sensitivity import design_points as sensitivity_points

        return sensitivity_points(scenario)
    sampled = lhs_points(scenario.sample, scenario.sample_points, scenario.seed)
    return [{**f, **s} for f in factorial_points(scenario.sweep) for s in sampled]


def run_seed(root: int, point: int, replicate: int) -> int:
    """The seed of one run, derived from the root seed, its design point and its replicate."""
    state = np.random.SeedSequence(root, spawn_key=(point, replicate)).generate_state(2)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def runs(scenario: Scenario, points: list[dict[str, Any]], start: int, stop: int) -> Iterator[Run]:
    """Runs ``start`` to ``stop`` (global indices) of the design, point by point."""
    reps = scenario.replications
    for index in range(start, stop):
        point, replicate = divmod(index, reps)
        overrides = {**scenario.base, **points[point]}
        yield Run(index, point, replicate, run_seed(scenario.seed, point, replicate), overrides)


def _cast(r: Range, value: float) -> Any:
    return int(round(value)) if r.integer else float(value)
