"""Scenario files: TOML in, a validated `Scenario` out, or an error a person can act on.

A scenario file is data. Nothing in it is executed, and nothing it names becomes a path:
its name must be a plain word, and results go where the user points the runner. Every
problem is reported as a `ScenarioError` naming the file, the key path, the value and what
is allowed; unknown keys come with a "did you mean" suggestion.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipsim.parameters import FIELDS, Parameters, check_field

SECTIONS = ("scenario", "model", "sweep", "sample", "targets", "output", "sensitivity")
SCENARIO_KEYS = ("name", "description", "seed", "replications")
TARGETS = {
    "sales_growth": "target_sales_growth",
    "productivity_growth": "target_productivity_growth",
    "firms_in_joint_projects": "target_firms_in_joint_projects",
    "participants": "target_participants",
}
OUTPUT_KEYS = ("time_series",)
SAMPLE_METHODS = ("lhs",)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class ScenarioError(ValueError):
    """A problem in a scenario file: where it is, what was found, and what is allowed."""

    def __init__(self, file: str, key: str, value: Any, allowed: str) -> None:
        self.file, self.key, self.value, self.allowed = file, key, value, allowed
        where = f"{file}: {key}" if key else file
        shown = "" if value is _MISSING else f" = {value!r}"
        super().__init__(f"{where}{shown}: {allowed}")


_MISSING = object()


@dataclass(frozen=True, slots=True)
class Range:
    """A parameter sampled by Latin hypercube between ``low`` and ``high`` (inclusive)."""

    name: str
    low: float
    high: float
    integer: bool


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
    sensitivity: dict[str, Any] = field(default_factory=dict)
    source: str = "<scenario>"
    text: str = ""

    @property
    def digest(self) -> str:
        """SHA-256 of the scenario's text: what makes two result directories comparable."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (e.g. fewer replications for a quick look)."""
        return dataclasses.replace(self, **changes)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise `ScenarioError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), "", _MISSING, "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), "", _MISSING, f"cannot be read ({err})") from None
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate the TOML ``text`` of a scenario (``source`` names it in error messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "", _MISSING, f"malformed TOML: {err}") from None
    v = _Validator(source)
    v.known(data, SECTIONS, "")
    for section in SECTIONS:
        if section in data and not isinstance(data[section], dict):
            raise ScenarioError(source, section, data[section], "must be a [table]")
    head = data.get("scenario", {})
    v.known(head, SCENARIO_KEYS, "scenario")
    name = v.name(head)
    base = v.model(data.get("model", {}))
    base.update(v.targets(data.get("targets", {})))
    sweep = v.sweep(data.get("sweep", {}))
    sample, points = v.sample(data.get("sample", {}))
    sampled = {r.name for r in sample}
    for key in sorted(set(sweep) & sampled):
        raise ScenarioError(source, f"sample.{key}", _MISSING, "is already a [sweep] axis")
    for key in sorted((set(sweep) | sampled) & set(base)):
        section = "sweep" if key in sweep else "sample"
        raise ScenarioError(
            source,
            f"{section}.{key}",
            _MISSING,
            "is also set in [model] or [targets]: keep one of the two",
        )
    output = data.get("output", {})
    v.known(output, OUTPUT_KEYS, "output")
    scenario = Scenario(
        name=name,
        description=v.typed(head, "description", str, "scenario", default=""),
        seed=v.integer(head, "seed", "scenario", low=0, default=0),
        replications=v.integer(head, "replications", "scenario", low=1, default=1),
        base=base,
        sweep=sweep,
        sample=sample,
        sample_points=points,
        time_series=v.typed(output, "time_series", bool, "output", default=False),
        sensitivity=data.get("sensitivity", {}),
        source=source,
        text=text,
    )
    v.every_point(scenario)
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
                self.fail(path, _MISSING, f"unknown key; {hint}allowed: {', '.join(allowed)}")

    def typed(self, table: dict, key: str, kind: type, where: str, default: Any) -> Any:
        value = table.get(key, default)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(f"{where}.{key}", value, f"must be a {_kind_name(kind)}")
        return value

    def integer(self, table: dict, key: str, where: str, low: int, default: int) -> int:
        value = self.typed(table, key, int, where, default)
        if value < low:
            self.fail(f"{where}.{key}", value, f"must be a whole number ≥ {low}")
        return value

    def name(self, head: dict) -> str:
        if "name" not in head:
            self.fail("scenario.name", _MISSING, "is required (a plain word, e.g. 'my_study')")
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
            if len(set(map(repr, values))) < len(values):
                self.fail(path, values, "must not repeat a value")
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
                _MISSING,
                "names no parameter: add e.g. staff_turnover = { low = 0.0, high = 0.6 }",
            )
        if "points" not in table:
            self.fail("sample.points", _MISSING, "is required: how many points to sample")
        return tuple(ranges), points

    def range(self, key: str, bounds: Any) -> Range:
        path = f"sample.{key}"
        kind = type(FIELDS[key].default)
        if kind not in (int, float):
            self.fail(path, bounds, "only numeric parameters can be sampled; use [sweep]")
        if not isinstance(bounds, dict) or set(bounds) != {"low", "high"}:
            self.fail(path, bounds, "must be a table { low = ..., high = ... }")
        low, high = bounds["low"], bounds["high"]
        self.parameter(key, low if kind is float else int(low), f"{path}.low")
        self.parameter(key, high if kind is float else int(high), f"{path}.high")
        if not low < high:
            self.fail(path, bounds, "needs low < high")
        return Range(key, float(low), float(high), integer=kind is int)

    def every_point(self, scenario: Scenario) -> None:
        """Every factorial point must make valid parameters (ranges are checked at corners)."""
        from pipsim.design import corner_points, factorial_points

        for point in factorial_points(scenario.sweep):
            for corner in corner_points(scenario.sample):
                overrides = {**scenario.base, **point, **corner}
                try:
                    typology = overrides.pop("typology", "cluster")
                    Parameters.for_typology(typology, **overrides)
                except ValueError as err:
                    shown = {**point, **corner}
                    self.fail(
                        "model" if not shown else "sweep",
                        shown or _MISSING,
                        f"makes invalid parameters: {err}",
                    )


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
