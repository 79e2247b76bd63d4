"""Designs: which parameter values each run gets, and the seed each run is given before dispatch.

A `Scenario` is a validated design (`pipsim.sweep.scenario` reads it from a file). Its points
are the full factorial of the ``[sweep]`` axes crossed with a Latin hypercube sample of the
``[sample]`` ranges (`scipy.stats.qmc`), or, for a ``[sensitivity]`` section, SALib's Sobol'
or Morris sample; each point is replicated. Every run's seed is derived from (root seed,
design point, replicate) with `numpy.random.SeedSequence`, so a run's result never depends on
which worker ran it, in what order, or how many workers there were. Sampling lives here, the
analysis of what was sampled in `pipsim.analysis.sensitivity` (as SALib separates them).
SALib is imported only when a sample is drawn (it takes a second to import).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pipsim.parameters import FIELDS

if TYPE_CHECKING:
    from pipsim.calibration.ensemble import Ensemble

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal


@dataclass(frozen=True, slots=True)
class Range:
    """A parameter sampled by Latin hypercube between ``low`` and ``high`` (inclusive)."""

    name: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True, slots=True)
class Factor:
    """A parameter of a sensitivity analysis: its range and the distribution it is drawn from.

    For ``unif`` and ``triang`` (peaking at ``peak``), ``low`` and ``high`` bound the values;
    for ``norm`` and ``lognorm`` they are the 2.5% and 97.5% quantiles, so that every
    distribution is written in the parameter's own units, and draws beyond the parameter's
    allowed range are clipped to it.
    """

    name: str
    low: float
    high: float
    integer: bool
    dist: str = "unif"
    peak: float | None = None


@dataclass(frozen=True)
class Sensitivity:
    """A validated ``[sensitivity]`` section (its ``replications`` are the scenario's)."""

    method: str  # "sobol" or "morris"
    samples: int  # Sobol's base sample size N, or Morris's number of trajectories
    outcomes: tuple[str, ...]
    parameters: tuple[Factor, ...]
    second_order: bool = True  # Sobol only
    levels: int = 4  # Morris only


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: base parameters, sweep axes, sampled ranges, replications."""

    name: str
    description: str
    seed: int
    replications: int
    base: dict[str, Any]  # parameter overrides shared by every design point (targets included)
    sweep: dict[str, tuple[Any, ...]]  # axes crossed as a full factorial
    sample: tuple[Range, ...] = ()
    sample_points: int = 0
    time_series: bool = False
    block_size: int = 50  # replications of a point run together (`pipsim.sweep.block`)
    sensitivity: Sensitivity | None = None  # a [sensitivity] section: its design replaces axes
    source: str = "<scenario>"
    text: str = ""
    # Runs drawn across an ensemble of parameter sets (`pipsim.sweep.scenario.with_ensemble`):
    # each block of replicates takes one member, drawn by weight (`member_of`).
    ensemble: Ensemble | None = None

    @property
    def digest(self) -> str:
        """SHA-256 of the scenario's text: what makes two result directories comparable."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def design(self) -> dict[str, Any]:
        """What the runs depend on, as plain JSON values: seed, replications, parameters, axes.

        The name, description, comments and layout of the file are left out: editing them does
        not make a scenario's results another scenario's (`design_changes` compares two).
        """
        fields = {
            "seed": self.seed,
            "replications": self.replications,
            "block_size": min(self.block_size, self.replications),  # the blocks it makes
            "base": self.base,
            "sweep": self.sweep,
            "sample": [dataclasses.asdict(r) for r in self.sample],
            "sample_points": self.sample_points,
            "time_series": self.time_series,
            "sensitivity": dataclasses.asdict(self.sensitivity) if self.sensitivity else None,
        }
        if self.ensemble is not None:  # only then: results without one keep their digest
            fields["ensemble"] = {
                "digest": self.ensemble.digest,
                "members": len(self.ensemble),
                "parameters": list(self.ensemble.names),
            }
        return json.loads(json.dumps(fields, sort_keys=True))

    @property
    def design_digest(self) -> str:
        """SHA-256 of `design`: equal for two files that differ only in text, not in runs."""
        return hashlib.sha256(json.dumps(self.design(), sort_keys=True).encode()).hexdigest()

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (e.g. fewer replications for a quick look)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a sweep: its global index, design point, replicate, seed and parameters."""

    index: int
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]
    member: int | None = None  # the ensemble member its parameters come from, if any


def design_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two `Scenario.design` values, e.g. ``replications 4 → 10``."""
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict) and key != "sensitivity":
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    changes.append(
                        f"{key}.{name} {_shown(before.get(name))} → {_shown(after.get(name))}"
                    )
        else:
            changes.append(f"{key} {_shown(before)} → {_shown(after)}")
    return changes


def _shown(value: Any) -> str:
    text = "(none)" if value is None else json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def factorial_points(sweep: dict[str, tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Every combination of the sweep axes' values, the last axis varying fastest."""
    names = list(sweep)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*sweep.values())]


def lhs_points(ranges: tuple[Range, ...], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` Latin hypercube points over ``ranges`` (whole numbers rounded for integer ranges)."""
    if not ranges:
        return [{}]
    from scipy.stats import qmc  # scipy.stats takes ~0.5 s to import: only for a [sample]

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
    (`sensitivity_points`), so the runner treats it like any other sweep.
    """
    if scenario.sensitivity is not None:
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
        first = replicate - replicate % min(scenario.block_size, reps)  # its block's first
        member, overrides = member_of(scenario, points[point], first)
        seed = run_seed(scenario.seed, point, replicate)
        yield Run(index, point, replicate, seed, overrides, member)


def member_of(
    scenario: Scenario, point: dict[str, Any], first: int
) -> tuple[int | None, dict[str, Any]]:
    """The ensemble member of the block starting at replicate ``first``, and its parameters.

    Without an ensemble: (None, the scenario's base with the point on top). With one, the
    member is drawn by weight from (root seed, ``first``) alone, so replicate group *g* has the
    same member at every design point (the lengths of a duration sweep are compared on the
    same parameter sets, as they are on the same seeds), and its values are the lowest layer of
    what the runs are given: declared default < typology preset < **ensemble member** <
    the scenario's own values (``[model]``, ``[sweep]``, ``[sample]``) < a lever's change. A
    parameter the scenario sets explicitly is therefore never drawn: the user's word wins.
    """
    ensemble = scenario.ensemble
    if ensemble is None:
        return None, {**scenario.base, **point}
    member = ensemble.draw(scenario.seed, first)
    return member, {**ensemble.rows[member], **scenario.base, **point}


@dataclass(frozen=True, slots=True)
class Block:
    """Replicates ``first`` .. ``first + size - 1`` of one design point, run together.

    Its runs are numbered from ``index`` on; they share the block's ``seed`` and each has its
    place in the block, so any of them is reproduced by running the block again.
    """

    index: int
    point: int
    first: int
    size: int
    seed: int
    overrides: dict[str, Any]
    member: int | None = None  # the ensemble member its parameters come from, if any


def blocks_per_point(scenario: Scenario) -> int:
    """How many blocks hold one design point's replications."""
    return -(-scenario.replications // scenario.block_size)


def block(scenario: Scenario, points: list[dict[str, Any]], j: int, first: int = 0) -> Block:
    """The ``j``-th block of the design (point by point), of replicates counted from ``first``.

    A block's seed depends on its point and its first replicate only, so blocks of the same
    size starting at the same replicate are the same runs whatever else the sweep holds.
    """
    per_point = blocks_per_point(scenario)
    point, k = divmod(j, per_point)
    start = k * scenario.block_size
    size = min(scenario.block_size, scenario.replications - start)
    replicate = first + start
    member, overrides = member_of(scenario, points[point], replicate)
    return Block(
        index=point * scenario.replications + start,
        point=point,
        first=replicate,
        size=size,
        seed=run_seed(scenario.seed, point, replicate),
        overrides=overrides,
        member=member,
    )


def _cast(r: Range, value: float) -> Any:
    return int(round(value)) if r.integer else float(value)


# --- SALib's samples ([sensitivity]) ----------------------------------------------------------
def sensitivity_of(scenario: Scenario) -> Sensitivity:
    """The ``[sensitivity]`` section of ``scenario``; `ValueError` if it has none."""
    if scenario.sensitivity is None:
        raise ValueError(f"{scenario.source} has no [sensitivity] section")
    return scenario.sensitivity


def problem(scenario: Scenario) -> dict[str, Any]:
    """SALib's problem dict of ``scenario``'s ``[sensitivity.parameters]``."""
    factors = sensitivity_of(scenario).parameters
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [_bounds(f) for f in factors],
        "dists": [f.dist for f in factors],
    }


def _bounds(f: Factor) -> list[float]:
    """SALib's bounds of a factor; a normal's low/high are its 2.5% and 97.5% quantiles."""
    if f.dist == "triang" and f.peak is not None:  # a triangular factor always has its peak
        return [f.low, f.high, (f.peak - f.low) / (f.high - f.low)]
    if f.dist in ("norm", "lognorm"):
        low, high = (math.log(f.low), math.log(f.high)) if f.dist == "lognorm" else (f.low, f.high)
        return [(low + high) / 2, (high - low) / (2 * Z95)]
    return [f.low, f.high]


def draw(
    problem: dict, method: str, n: int, seed: int, *, second_order: bool = True, levels: int = 4
) -> np.ndarray:
    """SALib's sample for ``method``, one row per point to evaluate.

    Sobol: N(2D+2) rows for D parameters (N(D+2) without second order); Morris: N(D+1).
    """
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=levels, seed=seed)


def salib_sample(scenario: Scenario) -> np.ndarray:
    """The SALib sample of ``scenario`` (seeded from its root seed), as SALib drew it."""
    s = sensitivity_of(scenario)
    return draw(
        problem(scenario),
        s.method,
        s.samples,
        scenario.seed,
        second_order=s.second_order,
        levels=s.levels,
    )


def sensitivity_points(scenario: Scenario) -> list[dict[str, Any]]:
    """The SALib sample as the runner's design points, one dict of parameter values per row.

    Values are clipped to the parameter's allowed range (a normal's tails) and whole-number
    parameters rounded; SALib analyses the sample as drawn.
    """
    factors = sensitivity_of(scenario).parameters
    columns: list[list[Any]] = []
    for f, column in zip(factors, salib_sample(scenario).T, strict=True):
        meta = FIELDS[f.name].metadata
        column = np.clip(column, meta["low"], meta["high"])
        columns.append([int(round(x)) for x in column] if f.integer else column.tolist())
    names = [f.name for f in factors]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
