"""Scenario files: TOML in, a validated `Scenario` out, or an error a person can act on.

A scenario file is data. Nothing in it is executed, and nothing it names becomes a path:
its name must be a plain word, and results go where the user points the runner. Every
problem is reported as a `ScenarioError` naming the file, the key path, the value and what
is allowed; unknown keys come with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipsim.outcome_declarations import OUTCOMES as DECLARED_OUTCOMES
from pipsim.parameters import FIELDS, Parameters, check_field
from pipsim.sweep.design import (
    Factor,
    Range,
    Scenario,
    Sensitivity,
    corner_points,
    design_points,
    factorial_points,
    sensitivity_of,
    sensitivity_points,
)
from pipsim.sweep.limits import MAX_BLOCK_SIZE as MAX_BLOCK_SIZE  # the limits, in a light module
from pipsim.sweep.limits import MAX_FILE_BYTES as MAX_FILE_BYTES
from pipsim.sweep.limits import MAX_POINTS as MAX_POINTS
from pipsim.sweep.limits import MAX_REPLICATIONS as MAX_REPLICATIONS
from pipsim.sweep.limits import MAX_RUNS as MAX_RUNS
from pipsim.sweep.limits import MAX_SEED as MAX_SEED

if TYPE_CHECKING:
    from pipsim.calibration.ensemble import Ensemble

__all__ = ["Factor", "Range", "Scenario", "ScenarioError", "Sensitivity", "load_scenario"]
__all__ += ["parse_scenario"]

SECTIONS = ("scenario", "model", "sweep", "sample", "targets", "output", "sensitivity")
SCENARIO_KEYS = ("name", "description", "seed", "replications", "block_size")
# [targets] keys: the outcomes with a log frame target, and the field holding it
TARGETS = {o.name: o.target for o in DECLARED_OUTCOMES if o.target is not None}
TARGETS = dict(sorted(TARGETS.items(), key=lambda item: list(FIELDS).index(item[1])))
OUTPUT_KEYS = ("time_series",)
SAMPLE_METHODS = ("lhs",)
SENSITIVITY_KEYS = ("method", "samples", "replications", "outcomes", "second_order", "levels")
SENSITIVITY_METHODS = ("sobol", "morris")
DISTRIBUTIONS = ("unif", "triang", "norm", "lognorm")  # as SALib names them
DEFAULT_OUTCOMES = ("success", "sales_growth", "firms_in_joint_projects", "mean_trust")
# The outcomes a [sensitivity] section may name: every declared one (`pipsim.outcomes`).
OUTCOMES = tuple(o.name for o in DECLARED_OUTCOMES)
# Limits checked before a design is built (the README's "Limits", `pipsim.sweep.limits`):
# design points are held in memory, runs are not, so a larger sweep is split into several
# scenarios.
# Replications of a design point run together as one array pass: results depend on it (a run
# is its block's seed and its place in the block), so it is the scenario's, never the machine's.
DEFAULT_BLOCK_SIZE = 50
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class ScenarioError(ValueError):
    """A problem in a scenario file: where it is, what was found, and what is allowed."""

    def __init__(self, file: str, key: str, value: Any, allowed: str) -> None:
        self.file, self.key, self.value, self.allowed = file, key, value, allowed
        where = f"{file}: {key}" if key else file
        shown = "" if value is NO_VALUE else f" = {value!r}"
        super().__init__(f"{where}{shown}: {allowed}")


NO_VALUE = object()  # a key that is absent: the error shows no value


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise `ScenarioError` on any problem."""
    path = Path(path)
    try:
        mode = path.stat().st_mode  # before opening: a named pipe would block the open
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise ScenarioError(str(path), "", NO_VALUE, f"is {kind}: give a .toml file")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            limit = f"is larger than {MAX_FILE_BYTES:,} bytes: not a scenario file"
            raise ScenarioError(str(path), "", NO_VALUE, limit)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), "", NO_VALUE, "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), "", NO_VALUE, f"cannot be read ({err})") from None
    return parse_scenario(text, source=str(path))


REPLICATIONS_NOTE = "# replications overridden on the command line: {}"
_NOTE = re.compile(r"^# replications overridden on the command line: (\d+)$", re.MULTILINE)


def with_replications(scenario: Scenario, replications: int) -> Scenario:
    """``scenario`` with ``replications`` runs per point, the override noted in its text.

    The note keeps the copy of the scenario beside its results faithful (`load_copy`).
    """
    note = "\n" + REPLICATIONS_NOTE.format(replications) + "\n"
    return scenario.replace(replications=replications, text=scenario.text + note)


MEMBERS_WANTED = 20  # parameter sets per design point an ensemble sweep aims for
MOST_RUNS_PER_MEMBER = 10  # and the most runs each gets, so that the members stay many


def runs_per_member(replications: int) -> int:
    """Runs of one drawn parameter set, in one block: about 20 sets per point, 2–10 runs each.

    At least two, or a member's own run-to-run noise could not be told from the spread across
    members (`pipsim.analysis.uncertainty`); at most ten, so that the 5–95% spread across
    members is read from many members (20 of 200 replications) while blocks stay long enough
    for the compiled engine to run them together.
    """
    return max(2, min(MOST_RUNS_PER_MEMBER, replications // MEMBERS_WANTED))


def with_ensemble(scenario: Scenario, ensemble: Ensemble) -> Scenario:
    """``scenario`` with its runs drawn across ``ensemble``: a member per block of replicates.

    The block size becomes `runs_per_member` (a block is one member's runs); the file's own
    values win over the members' (`pipsim.sweep.design.member_of`). Every member is checked
    with every design point before any run, so a set that cannot be combined with the scenario
    is one line naming both, not a failure in a worker.

    Raises:
        ScenarioError: a member and the scenario together are not valid parameters.
    """
    if scenario.sensitivity is not None:
        raise ScenarioError(
            scenario.source,
            "[sensitivity]",
            NO_VALUE,
            "a sensitivity analysis varies "
            "parameters itself: run it without an ensemble (--no-ensemble)",
        )
    for point in {json.dumps(p, sort_keys=True) for p in design_points(scenario)}:
        for k, row in enumerate(ensemble.rows):
            try:
                Parameters.from_overrides({**row, **scenario.base, **json.loads(point)})
            except ValueError as error:
                raise ScenarioError(
                    scenario.source, f"with {ensemble.source} row {k + 1}", NO_VALUE, str(error)
                ) from None
    size = runs_per_member(scenario.replications)
    return scenario.replace(ensemble=ensemble, block_size=size)


def load_copy(path: str | Path) -> Scenario:
    """The copy of a scenario kept beside its results, with a command-line override applied."""
    scenario = load_scenario(path)
    notes = _NOTE.findall(scenario.text)
    return scenario.replace(replications=int(notes[-1])) if notes else scenario


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate the TOML ``text`` of a scenario (``source`` names it in error messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "", NO_VALUE, f"malformed TOML: {err}") from None
    v = _Validator(source)
    v.known(data, SECTIONS, "")
    for section in SECTIONS:
        if section in data and not isinstance(data[section], dict):
            raise ScenarioError(source, section, data[section], "must be a [table]")
    head = data.get("scenario", {})
    v.known(head, SCENARIO_KEYS, "scenario")
    name = v.name(head)
    base = v.model(data.get("model", {}))
    targets = v.targets(data.get("targets", {}))
    for key in sorted(set(base) & set(targets)):
        short = next(k for k, field in TARGETS.items() if field == key)
        v.fail(
            f"targets.{short}", NO_VALUE, f"is also set in [model] as {key}: keep one of the two"
        )
    base.update(targets)
    sweep = v.sweep(data.get("sweep", {}))
    sample, points = v.sample(data.get("sample", {}))
    replications = v.integer(head, "replications", "scenario", low=1, default=1)
    sensitivity = None
    if "sensitivity" in data:
        sensitivity, replications = parse_sensitivity(v, data["sensitivity"], replications)
        sensitivity_alone(v, sensitivity, sweep, sample, base)
    v.size(sweep, points, sensitivity)
    sampled = {r.name for r in sample}
    for key in sorted(set(sweep) & sampled):
        raise ScenarioError(source, f"sample.{key}", NO_VALUE, "is already a [sweep] axis")
    for key in sorted((set(sweep) | sampled) & set(base)):
        section = "sweep" if key in sweep else "sample"
        raise ScenarioError(
            source,
            f"{section}.{key}",
            NO_VALUE,
            "is also set in [model] or [targets]: keep one of the two",
        )
    output = data.get("output", {})
    v.known(output, OUTPUT_KEYS, "output")
    scenario = Scenario(
        name=name,
        description=v.typed(head, "description", str, "scenario", default=""),
        seed=v.integer(head, "seed", "scenario", low=0, default=0, high=MAX_SEED),
        replications=replications,
        base=base,
        sweep=sweep,
        sample=sample,
        sample_points=points,
        time_series=v.typed(output, "time_series", bool, "output", default=False),
        block_size=v.integer(head, "block_size", "scenario", low=1, default=DEFAULT_BLOCK_SIZE),
        sensitivity=sensitivity,
        source=source,
        text=text,
    )
    v.every_point(scenario)
    if sensitivity is not None:
        sensitivity_points_valid(v, scenario)
    return scenario


class _Validator:
    """The checks, each raising a `ScenarioError` about ``file``."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise ScenarioError(self.file, key, value, allowed)

    def known(self, table: dict, allowed: tuple[str, ...] | dict, where: str) -> None:
        for key in table:
            if key not in allowed:
                close = _suggest(key, list(allowed))
                hint = f"did you mean {close!r}? " if close else ""
                path = f"{where}.{key}" if where else key
                self.fail(path, NO_VALUE, f"unknown key; {hint}allowed: {', '.join(allowed)}")

    def one_of(self, value: Any, allowed: tuple[str, ...], path: str, what: str) -> Any:
        if not isinstance(value, str) or value not in allowed:
            close = _suggest(value, list(allowed)) if isinstance(value, str) else None
            hint = f"did you mean {close!r}? " if close else ""
            self.fail(path, value, f"unknown {what}; {hint}allowed: {', '.join(allowed)}")
        return value

    def typed(self, table: dict, key: str, kind: type, where: str, default: Any) -> Any:
        value = table.get(key, default)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(f"{where}.{key}", value, f"must be a {_kind_name(kind)}")
        return value

    def number(self, value: Any, path: str) -> float:
        """``value`` if it is a finite number (checked before any conversion)."""
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.fail(path, value, "must be a number")
        if not math.isfinite(value):
            self.fail(path, value, "must be a finite number")
        return value

    def size(self, sweep: dict, sampled: int, sensitivity: Sensitivity | None) -> None:
        """The number of design points against `MAX_POINTS`, before any point is made."""
        if sensitivity is not None:
            d = len(sensitivity.parameters)
            per = (
                (2 * d + 2 if sensitivity.second_order else d + 2)
                if sensitivity.method == "sobol"
                else d + 1
            )
            points, what = sensitivity.samples * per, "sensitivity.samples"
        else:
            points = math.prod(len(a) for a in sweep.values()) * max(1, sampled)
            what = "sample.points" if sampled > 1 else "sweep"
        if points > MAX_POINTS:
            self.fail(
                what,
                NO_VALUE,
                f"makes {points:,} design points, more than the {MAX_POINTS:,} a scenario may "
                "have: split it into several scenarios",
            )

    def integer(
        self, table: dict, key: str, where: str, low: int, default: int, high: int | None = None
    ) -> int:
        value = self.typed(table, key, int, where, default)
        if value < low or (high is not None and value > high):
            upper = f" and ≤ {high:,}" if high is not None else ""
            self.fail(f"{where}.{key}", value, f"must be a whole number ≥ {low}{upper}")
        return value

    def name(self, head: dict) -> str:
        if "name" not in head:
            self.fail("scenario.name", NO_VALUE, "is required (a plain word, e.g. 'my_study')")
        name = self.typed(head, "name", str, "scenario", default="")
        if not NAME_PATTERN.match(name):
            self.fail(
                "scenario.name",
                name,
                "must be a plain word: letters, digits, '_', '-', '.', not starting with '.'",
            )
        return name

    def parameter(self, key: str, value: Any, path: str) -> Any:
        self.known({key: None}, tuple(FIELDS), path.rsplit(".", 1)[0])
        try:
            check_field(FIELDS[key], value)
        except ValueError as err:
            self.fail(path, value, _allowance(str(err)))
        return value

    def model(self, table: dict) -> dict[str, Any]:
        return {key: self.parameter(key, value, f"model.{key}") for key, value in table.items()}

    def targets(self, table: dict) -> dict[str, Any]:
        self.known(table, tuple(TARGETS), "targets")
        return {TARGETS[k]: self.parameter(TARGETS[k], v, f"targets.{k}") for k, v in table.items()}

    def sweep(self, table: dict) -> dict[str, tuple[Any, ...]]:
        self.known(table, tuple(FIELDS), "sweep")
        axes = {}
        for key, values in table.items():
            path = f"sweep.{key}"
            if not isinstance(values, list):
                self.fail(path, values, "must be a list of values, e.g. [22, 36, 48]")
            if not values:
                self.fail(path, values, "must not be empty")
            for i, value in enumerate(values):
                self.parameter(key, value, f"{path}[{i}]")
            if len({_same(value) for value in values}) < len(values):
                self.fail(path, values, "must not repeat a value (1 and 1.0 are the same)")
            axes[key] = tuple(values)
        return axes

    def sample(self, table: dict) -> tuple[tuple[Range, ...], int]:
        if not table:
            return (), 0
        method = table.get("method", "lhs")
        if method not in SAMPLE_METHODS:
            self.fail("sample.method", method, f"must be one of {', '.join(SAMPLE_METHODS)}")
        points = self.integer(table, "points", "sample", low=1, default=0)
        ranges = []
        for key, bounds in table.items():
            if key in ("method", "points"):
                continue
            self.known({key: None}, tuple(FIELDS), "sample")
            ranges.append(self.range(key, bounds))
        if not ranges:
            self.fail(
                "sample",
                NO_VALUE,
                "names no parameter: add e.g. staff_turnover = { low = 0.0, high = 0.6 }",
            )
        if "points" not in table:
            self.fail("sample.points", NO_VALUE, "is required: how many points to sample")
        return tuple(ranges), points

    def range(self, key: str, bounds: Any) -> Range:
        path = f"sample.{key}"
        kind = type(FIELDS[key].default)
        if kind not in (int, float):
            self.fail(path, bounds, "only numeric parameters can be sampled; use [sweep]")
        if not isinstance(bounds, dict) or set(bounds) != {"low", "high"}:
            self.fail(path, bounds, "must be a table { low = ..., high = ... }")
        low = self.number(bounds["low"], f"{path}.low")
        high = self.number(bounds["high"], f"{path}.high")
        self.parameter(key, low if kind is float else int(low), f"{path}.low")
        self.parameter(key, high if kind is float else int(high), f"{path}.high")
        if not low < high:
            self.fail(path, bounds, "needs low < high")
        return Range(key, float(low), float(high), integer=kind is int)

    def every_point(self, scenario: Scenario) -> None:
        """Every factorial point must make valid parameters (ranges are checked at corners)."""
        for point in factorial_points(scenario.sweep):
            for corner in corner_points(scenario.sample):
                overrides = {**scenario.base, **point, **corner}
                try:
                    Parameters.from_overrides(overrides)
                except ValueError as err:
                    shown = {**point, **corner}
                    self.fail(
                        "model" if not shown else "sweep",
                        shown or NO_VALUE,
                        f"makes invalid parameters: {err}",
                    )


# --- [sensitivity] ----------------------------------------------------------------------------
def parse_sensitivity(v: _Validator, table: dict, replications: int) -> tuple[Sensitivity, int]:
    """Validate a ``[sensitivity]`` table; return it and the replications per sample point.

    Its ``replications`` (default: the scenario's) become the scenario's, so the runner, the
    seeds and resuming treat a sensitivity design like any other.
    """
    v.known(table, (*SENSITIVITY_KEYS, "parameters"), "sensitivity")
    if "method" not in table:
        v.fail("sensitivity.method", NO_VALUE, "is required: 'sobol' or 'morris'")
    method = v.one_of(table["method"], SENSITIVITY_METHODS, "sensitivity.method", "method")
    if "samples" not in table:
        v.fail("sensitivity.samples", NO_VALUE, "is required: the base sample size, e.g. 64")
    samples = v.integer(table, "samples", "sensitivity", low=2, default=2)
    if method == "sobol" and samples & (samples - 1):
        v.fail("sensitivity.samples", samples, "must be a power of 2 for Sobol' points, e.g. 64")
    other = {"sobol": "levels", "morris": "second_order"}[method]
    if other in table:
        v.fail(f"sensitivity.{other}", table[other], f"does not apply to method {method!r}")
    levels = v.integer(table, "levels", "sensitivity", low=2, default=4)
    if levels % 2:
        v.fail("sensitivity.levels", levels, "must be an even whole number ≥ 2 (SALib's Morris)")
    outcomes = table.get("outcomes", list(DEFAULT_OUTCOMES))
    if not isinstance(outcomes, list) or not outcomes:
        v.fail("sensitivity.outcomes", outcomes, 'must be a list of outcomes, e.g. ["success"]')
    for i, name in enumerate(outcomes):
        v.one_of(name, OUTCOMES, f"sensitivity.outcomes[{i}]", "outcome")
    if len(set(outcomes)) < len(outcomes):
        v.fail("sensitivity.outcomes", outcomes, "must not repeat an outcome")
    factors = table.get("parameters", {})
    if not isinstance(factors, dict):
        v.fail("sensitivity.parameters", factors, "must be a [sensitivity.parameters] table")
    if not factors:
        v.fail(
            "sensitivity.parameters",
            NO_VALUE,
            "names no parameter: add e.g. staff_turnover = { low = 0.0, high = 0.6 }",
        )
    sensitivity = Sensitivity(
        method=method,
        samples=samples,
        outcomes=tuple(outcomes),
        parameters=tuple(_factor(v, key, spec, method) for key, spec in factors.items()),
        second_order=v.typed(table, "second_order", bool, "sensitivity", default=True),
        levels=levels,
    )
    return sensitivity, v.integer(table, "replications", "sensitivity", 1, replications)


def _factor(v: _Validator, key: str, spec: Any, method: str) -> Factor:
    """One ``[sensitivity.parameters]`` entry: a numeric parameter, its range and distribution."""
    v.known({key: None}, tuple(FIELDS), "sensitivity.parameters")
    path = f"sensitivity.parameters.{key}"
    kind = type(FIELDS[key].default)
    if kind not in (int, float):
        v.fail(path, spec, "only numeric parameters can be varied; set this one in [model]")
    if not isinstance(spec, dict) or not {"low", "high"} <= set(spec):
        v.fail(path, spec, "must be a table { low = ..., high = ... } (optionally dist, peak)")
    v.known(spec, ("low", "high", "dist", "peak"), path)
    dist = v.one_of(spec.get("dist", "unif"), DISTRIBUTIONS, f"{path}.dist", "distribution")
    for end in [e for e in ("low", "high", "peak") if e in spec]:
        value = v.number(spec[end], f"{path}.{end}")
        v.parameter(key, round(value) if kind is int else value, f"{path}.{end}")
    low, high = float(spec["low"]), float(spec["high"])
    if not low < high:
        v.fail(path, spec, "needs low < high")
    if "peak" in spec and dist != "triang":
        v.fail(f"{path}.peak", spec["peak"], "only a triangular range (dist = 'triang') has one")
    peak = float(spec.get("peak", (low + high) / 2)) if dist == "triang" else None
    if peak is not None and not low <= peak < high:
        v.fail(f"{path}.peak", peak, "needs low ≤ peak < high")
    if dist == "lognorm" and low <= 0:
        v.fail(f"{path}.low", low, "a lognormal range needs low > 0")
    if method == "morris" and dist in ("norm", "lognorm"):
        v.fail(f"{path}.dist", dist, "Morris steps to the ends of a range: use 'unif' or 'triang'")
    return Factor(key, low, high, kind is int, dist, peak)


def sensitivity_alone(
    v: _Validator, sensitivity: Sensitivity, sweep: dict, sample: tuple, base: dict
) -> None:
    """A sensitivity design is the whole design: no [sweep] or [sample] axes beside it."""
    names = [f.name for f in sensitivity.parameters]
    for section, axes in (("sweep", list(sweep)), ("sample", [r.name for r in sample])):
        for key in axes:
            if key in names:
                v.fail(
                    f"{section}.{key}",
                    NO_VALUE,
                    "is also a [sensitivity.parameters] parameter: keep one of the two",
                )
        if axes:
            v.fail(
                section,
                NO_VALUE,
                "cannot be combined with [sensitivity], which makes its own design: set fixed "
                "values in [model], vary parameters in [sensitivity.parameters]",
            )
    for key in names:
        if key in base:
            v.fail(
                f"sensitivity.parameters.{key}",
                NO_VALUE,
                "is also set in [model] or [targets]: keep one of the two",
            )


def sensitivity_points_valid(v: _Validator, scenario: Scenario) -> None:
    """Every sample point must make valid parameters.

    The checks between parameters (shares summing to at most 1, no more participants than
    firms, ...) are monotone in each parameter, so the corners of the box the sample spans
    suffice; with more than ten parameters every point is checked instead.
    """
    points = sensitivity_points(scenario)
    names = [f.name for f in sensitivity_of(scenario).parameters]
    if len(names) <= 10:
        spans = {n: sorted({p[n] for p in points}) for n in names}
        points = _corners({n: (values[0], values[-1]) for n, values in spans.items()})
    for point in points:
        try:
            Parameters.from_overrides({**scenario.base, **point})
        except ValueError as err:
            v.fail(
                "sensitivity.parameters",
                point,
                f"this point of the sample makes invalid parameters, narrow the ranges: {err}",
            )


def _corners(spans: dict[str, tuple[Any, Any]]) -> list[dict[str, Any]]:
    """Every corner of a box given as ``{name: (low, high)}``."""
    return [dict(zip(spans, c, strict=True)) for c in itertools.product(*spans.values())]


def _same(value: Any) -> Any:
    """What makes two sweep values the same run: 1 and 1.0 are, true and 1 are not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return (type(value).__name__, repr(value))
    return ("number", float(value))


def _suggest(key: str, allowed: list[str]) -> str | None:
    """The allowed key the user most likely meant: a close spelling, or one containing it."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return close[0]
    containing = [a for a in allowed if key.lower() in a.lower()]
    return containing[0] if containing else None


def _kind_name(kind: type) -> str:
    return {str: "string", int: "whole number", bool: "true or false", float: "number"}[kind]


def _allowance(message: str) -> str:
    """The 'what is allowed' half of a `Parameters` error message."""
    return message.split(": ", 1)[1] if ": " in message else message
