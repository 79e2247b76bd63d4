"""Targets files: TOML in, a validated `Calibration` out, or an error a person can act on.

A targets file (``calibration/targets.toml``) declares what a calibration fits and checks:
the scenarios (plain `Parameters` fields over a typology preset), the targets (a statistic of
one scenario's outcomes, with its source, quotation, reading and accepted range; a
``calibration`` or held-out ``validation`` set), the candidate parameters with their prior
ranges, and the sizes of the screening and the ABC-SMC. Every problem is a `TargetsError`
naming the file, the key, the value and what is allowed, as scenario files do.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipsim.outcome_declarations import OUTCOMES
from pipsim.parameters import FIELDS, Parameters
from pipsim.sweep.scenario import MAX_SEED, NO_VALUE, ScenarioError

SECTIONS = ("calibration", "screening", "parameters", "scenarios", "targets")
OPTIONAL_SECTIONS = ("history_matching",)
CALIBRATION_KEYS = ("name", "seed", "replications", "population", "predictive_draws", "method")
METHODS = ("abc", "history_matching")
WAVE_KEYS = ("waves", "first_wave", "per_wave", "ensemble", "candidates", "cutoff", "weights")
WEIGHTS = ("equal", "likelihood")
SCREENING_KEYS = ("trajectories", "replications", "keep")
TARGET_KEYS: tuple[str, ...] = ("set", "source", "quote", "reading", "scenario", "baseline")
TARGET_KEYS += ("outcome", "statistic", "range", "at_most", "denominator", "centre")
SETS = ("calibration", "validation")
STATISTICS = ("mean", "median", "probability", "ratio")
OUTCOME_NAMES = tuple(o.name for o in OUTCOMES)
FLAGS = tuple(o.name for o in OUTCOMES if o.kind == "flag")
MAX_FILE_BYTES = 1_000_000


class TargetsError(ScenarioError):
    """A problem in a targets file: where it is, what was found, and what is allowed.

    Reported like a scenario file's problems (the same one-line form).
    """


@dataclass(frozen=True, slots=True)
class Prior:
    """A candidate parameter: uniform prior on [low, high]; ``integer`` for whole numbers."""

    name: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True, slots=True)
class Target:
    """One pattern: a statistic of a scenario's runs and the range it must fall in.

    ``statistic``: ``mean`` or ``median`` of the outcome; ``probability`` that a yes/no
    outcome is true (or a numeric one is at most ``at_most``; undefined counts as no);
    ``ratio`` of the outcome's sum to ``denominator``'s sum over the runs. With a
    ``baseline`` scenario the statistic is the difference, scenario minus baseline.
    """

    name: str
    set: str
    source: str
    quote: str
    reading: str
    scenario: str
    outcome: str
    statistic: str
    low: float
    high: float
    baseline: str | None = None
    at_most: float | None = None
    denominator: str | None = None
    centre: float | None = None

    @property
    def middle(self) -> float:
        """The pattern's centre: ``centre`` if the file gives one, else the range's midpoint."""
        return self.centre if self.centre is not None else 0.5 * (self.low + self.high)

    @property
    def held_out(self) -> bool:
        """Whether the target is held out (validation): never fitted."""
        return self.set == "validation"


@dataclass(frozen=True, slots=True)
class Waves:
    """The sizes of a history matching (``[history_matching]``; see `pipsim.calibration.waves`).

    ``waves`` emulated waves: the first simulates ``first_wave`` parameter sets spread over the
    prior box (a Latin hypercube), each next one ``per_wave`` drawn from the space not yet ruled
    out; then ``ensemble`` sets drawn from what is left are simulated and those whose every
    calibration target has implausibility below ``cutoff`` form the ensemble. ``candidates``:
    prior draws the emulators screen per wave. ``weights``: ``equal`` (every accepted set counts
    alike: what history matching establishes is the set not ruled out) or ``likelihood``
    (exp(-½ Σ I²) over the calibration targets; see docs/calibration.md for why not by default).
    """

    waves: int = 3
    first_wave: int = 60
    per_wave: int = 40
    ensemble: int = 120
    candidates: int = 20_000
    cutoff: float = 3.0
    weights: str = "equal"


@dataclass(frozen=True, slots=True)
class Calibration:
    """A validated targets file."""

    name: str
    seed: int
    replications: int
    population: int
    predictive_draws: int
    trajectories: int
    screening_replications: int
    keep: int
    priors: tuple[Prior, ...]
    scenarios: dict[str, dict[str, Any]]
    targets: tuple[Target, ...]
    source: str
    text: str
    method: str = "abc"
    waves: Waves = Waves()

    @property
    def fitted(self) -> tuple[Target, ...]:
        """The calibration set."""
        return tuple(t for t in self.targets if not t.held_out)

    @property
    def held_out(self) -> tuple[Target, ...]:
        """The validation set."""
        return tuple(t for t in self.targets if t.held_out)

    def scenarios_of(self, targets: tuple[Target, ...]) -> tuple[str, ...]:
        """The scenarios ``targets`` read, in file order."""
        used = {t.scenario for t in targets} | {t.baseline for t in targets if t.baseline}
        return tuple(name for name in self.scenarios if name in used)

    def prior(self, name: str) -> Prior:
        """The prior of parameter ``name``."""
        return next(p for p in self.priors if p.name == name)

    @property
    def digest(self) -> str:
        """A fingerprint of the file's text: a results folder belongs to one targets file."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def load_targets(path: str | Path) -> Calibration:
    """Read and validate a targets file; raise `TargetsError` on any problem."""
    path = Path(path)
    try:
        mode = path.stat().st_mode  # before opening: a named pipe would block the open
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise TargetsError(str(path), "", NO_VALUE, f"is {kind}: give a .toml file")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise TargetsError(str(path), "", NO_VALUE, "is too large for a targets file")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise TargetsError(str(path), "", NO_VALUE, "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise TargetsError(str(path), "", NO_VALUE, f"cannot be read ({err})") from None
    return parse_targets(text, source=str(path))


def parse_targets(text: str, source: str = "<targets>") -> Calibration:
    """Validate the text of a targets file; raise `TargetsError` on any problem."""
    v = _Check(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TargetsError(source, "", NO_VALUE, f"malformed TOML: {err}") from None
    v.known(data, SECTIONS + OPTIONAL_SECTIONS, "")
    head = data.get("calibration")
    method = head.get("method", "abc") if isinstance(head, dict) else "abc"
    for section in SECTIONS:
        if section == "screening" and method == "history_matching":
            data.setdefault("screening", {})  # the emulators' length-scales do its work
        if section not in data:
            v.fail(section, NO_VALUE, "missing section: add it (see calibration/targets.toml)")
        if not isinstance(data[section], dict):
            v.fail(section, data[section], "must be a [table]")
    head, screen = data["calibration"], data["screening"]
    v.known(head, CALIBRATION_KEYS, "calibration")
    v.known(screen, SCREENING_KEYS, "screening")
    method = v.one_of(head.get("method", "abc"), METHODS, "calibration.method")
    waves = v.waves(data.get("history_matching", {}))
    name = head.get("name", "calibration")
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        v.fail("calibration.name", name, "give a plain word (letters, digits, _ and -)")
    priors = tuple(v.prior(key, value) for key, value in data["parameters"].items())
    if not priors:
        v.fail("parameters", NO_VALUE, "name at least one parameter to calibrate")
    scenarios = {k: v.scenario(k, s, priors) for k, s in data["scenarios"].items()}
    targets = tuple(v.target(k, t, scenarios) for k, t in data["targets"].items())
    if not any(not t.held_out for t in targets):
        v.fail("targets", NO_VALUE, 'give at least one target with set = "calibration"')
    keep = v.whole(screen, "keep", "screening", 1, len(priors), default=min(6, len(priors)))
    return Calibration(
        name=name,
        seed=v.whole(head, "seed", "calibration", 0, MAX_SEED, default=0),
        replications=v.whole(head, "replications", "calibration", 1, 1000, default=8),
        population=v.whole(head, "population", "calibration", 2, 100_000, default=40),
        predictive_draws=v.whole(head, "predictive_draws", "calibration", 1, 10_000, default=16),
        trajectories=v.whole(screen, "trajectories", "screening", 2, 1000, default=4),
        screening_replications=v.whole(screen, "replications", "screening", 1, 1000, default=3),
        keep=keep,
        priors=priors,
        scenarios=scenarios,
        targets=targets,
        source=source,
        text=text,
        method=method,
        waves=waves,
    )


class _Check:
    """The checks, each raising a `TargetsError` about ``file``."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise TargetsError(self.file, key, value, allowed)

    def known(self, table: dict, allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                path = f"{where}.{key}" if where else key
                self.fail(path, NO_VALUE, f"unknown key; {hint}allowed: {', '.join(allowed)}")

    def whole(self, table: dict, key: str, where: str, low: int, high: int, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{where}.{key}", value, f"give a whole number from {low} to {high:,}")
        return value

    def waves(self, table: Any) -> Waves:
        where = "history_matching"
        if not isinstance(table, dict):
            self.fail(where, table, "must be a [table]")
        self.known(table, WAVE_KEYS, where)
        d = Waves()
        cutoff = self.number(table.get("cutoff", d.cutoff), f"{where}.cutoff")
        if not 0.5 <= cutoff <= 10:
            self.fail(f"{where}.cutoff", cutoff, "give a number from 0.5 to 10 (3: Pukelsheim)")
        return Waves(
            waves=self.whole(table, "waves", where, 1, 20, d.waves),
            first_wave=self.whole(table, "first_wave", where, 2, 10_000, d.first_wave),
            per_wave=self.whole(table, "per_wave", where, 1, 10_000, d.per_wave),
            ensemble=self.whole(table, "ensemble", where, 1, 10_000, d.ensemble),
            candidates=self.whole(table, "candidates", where, 100, 10_000_000, d.candidates),
            cutoff=cutoff,
            weights=self.one_of(table.get("weights", d.weights), WEIGHTS, f"{where}.weights"),
        )

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, value, "give a number")
        if not math.isfinite(value):
            self.fail(key, value, "give a finite number")
        return float(value)

    def prior(self, name: str, value: Any) -> Prior:
        key = f"parameters.{name}"
        if name not in FIELDS:
            close = difflib.get_close_matches(name, list(FIELDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.fail(key, NO_VALUE, f"not a model parameter; {hint}see pipsim/parameters.py")
        meta, default = FIELDS[name].metadata, FIELDS[name].default
        if "choices" in meta or isinstance(default, bool) or meta.get("low") is None:
            self.fail(key, value, "only numeric parameters with a declared range can be calibrated")
        if not isinstance(value, list) or len(value) != 2:
            self.fail(key, value, "give the prior range as [low, high]")
        low, high = (self.number(x, key) for x in value)
        allowed = f"{meta['low']} ≤ {name} ≤ {meta['high']}"
        if not meta["low"] <= low < high <= meta["high"]:
            self.fail(key, value, f"give low < high inside the declared range {allowed}")
        integer = isinstance(default, int)
        if integer and not (low.is_integer() and high.is_integer()):
            self.fail(key, value, f"{name} is a whole number: give whole-number bounds")
        return Prior(name, low, high, integer)

    def scenario(self, name: str, table: Any, priors: tuple[Prior, ...]) -> dict[str, Any]:
        key = f"scenarios.{name}"
        if not isinstance(table, dict):
            self.fail(key, table, "must be a [table] of Parameters fields")
        for field in table:
            if field not in FIELDS:
                close = difflib.get_close_matches(field, list(FIELDS), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fail(f"{key}.{field}", NO_VALUE, f"not a model parameter; {hint}")
        clash = sorted(set(table) & {p.name for p in priors})
        if clash:
            self.fail(
                f"{key}.{clash[0]}", table[clash[0]], "is calibrated: a scenario cannot fix it"
            )
        for corner in ("low", "high"):  # the scenario must be valid over the whole prior box
            values = {p.name: getattr(p, corner) for p in priors}
            values = {
                k: int(x) if FIELDS[k].default.__class__ is int else x for k, x in values.items()
            }
            try:
                Parameters.from_overrides({**table, **values})
            except ValueError as err:
                self.fail(key, NO_VALUE, f"invalid with every prior at its {corner} end: {err}")
        return dict(table)

    def target(self, name: str, table: Any, scenarios: dict[str, dict]) -> Target:
        key = f"targets.{name}"
        if not isinstance(table, dict):
            self.fail(key, table, "must be a [table]")
        self.known(table, TARGET_KEYS, key)
        for required in ("set", "source", "quote", "reading", "scenario", "outcome", "range"):
            if required not in table:
                self.fail(f"{key}.{required}", NO_VALUE, "missing: every target needs it")
        for text in ("source", "quote", "reading"):
            if not isinstance(table[text], str) or not table[text].strip():
                self.fail(f"{key}.{text}", table[text], "give a non-empty string")
        chosen = self.one_of(table["set"], SETS, f"{key}.set")
        scenario = self.one_of(table["scenario"], tuple(scenarios), f"{key}.scenario")
        baseline = table.get("baseline")
        if baseline is not None:
            self.one_of(baseline, tuple(scenarios), f"{key}.baseline")
            if baseline == scenario:  # the difference would be 0 always, and always "met"
                self.fail(f"{key}.baseline", baseline, "must be another scenario than its own")
        outcome = self.one_of(table["outcome"], OUTCOME_NAMES, f"{key}.outcome")
        statistic = self.one_of(table.get("statistic", "mean"), STATISTICS, f"{key}.statistic")
        at_most = table.get("at_most")
        if at_most is not None:
            at_most = self.number(at_most, f"{key}.at_most")
            if statistic != "probability":
                self.fail(f"{key}.at_most", at_most, 'only with statistic = "probability"')
        elif statistic == "probability" and outcome not in FLAGS:
            self.fail(f"{key}.outcome", outcome, f"not yes/no: give at_most, or one of {FLAGS}")
        denominator = table.get("denominator")
        if (denominator is None) != (statistic != "ratio"):
            self.fail(f"{key}.denominator", denominator, 'give it with statistic = "ratio" only')
        if denominator is not None:
            self.one_of(denominator, OUTCOME_NAMES, f"{key}.denominator")
        bounds = table["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            self.fail(f"{key}.range", bounds, "give the accepted range as [low, high]")
        low, high = (self.number(x, f"{key}.range") for x in bounds)
        if low > high:
            self.fail(f"{key}.range", bounds, "give low ≤ high")
        if statistic in ("probability", "ratio") and baseline is None and not 0 <= low <= high <= 1:
            self.fail(f"{key}.range", bounds, f"a {statistic} lies in [0, 1]")
        centre = table.get("centre")
        if centre is not None:
            centre = self.number(centre, f"{key}.centre")
            if not low <= centre <= high:
                self.fail(f"{key}.centre", centre, f"give a centre inside [{low}, {high}]")
        return Target(
            name,
            chosen,
            table["source"].strip(),
            table["quote"].strip(),
            " ".join(table["reading"].split()),
            scenario,
            outcome,
            statistic,
            low,
            high,
            baseline,
            at_most,
            denominator,
            centre,
        )

    def one_of(self, value: Any, allowed: tuple[str, ...], key: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            close = difflib.get_close_matches(str(value), list(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.fail(key, value, f"{hint}allowed: {', '.join(allowed)}")
        return value
