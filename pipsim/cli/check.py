"""``pipsim check``: validate a scenario file and describe its design, without running it.

A calibration's targets file (a ``[calibration]`` table) is checked as one, with what a
`pipsim calibrate` of it would run: users keep both kinds of file side by side.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipsim.cli.common import Subparsers, UsageError, add_scenario_argument, clean, load, show

if TYPE_CHECKING:
    from pipsim.sweep.design import Scenario


def add(subparsers: Subparsers) -> None:
    """Add ``check``: validate a scenario file and describe its design, without running it."""
    parser = subparsers.add_parser(
        "check",
        help="validate a scenario (or calibration targets) file and show what it would run",
        description="Validate a scenario file and print its design: base values, axes, "
        "sampled ranges, design points, replications and the total number of runs. A "
        "calibration targets file (with a [calibration] table) is checked as one: its "
        "targets, parameters and the runs `pipsim calibrate` would make.",
        epilog="example: pipsim check scenarios/project_length.toml",
        allow_abbrev=False,
    )
    add_scenario_argument(parser)
    parser.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    """Print what ``args.scenario`` would run, then ``ok``; bad scenarios are usage errors."""
    if is_targets_file(args.scenario):
        print(describe_targets(args.scenario))
        print("ok")
        return 0
    scenario = load(args.scenario)
    print(describe(scenario))
    print("ok")
    return 0


def describe(scenario: Scenario) -> str:
    """The design of ``scenario`` as aligned ``label  value`` lines."""
    from pipsim.cli.sensitivity import describe as describe_sensitivity
    from pipsim.sweep import design

    points = len(design.design_points(scenario))
    total = points * scenario.replications
    base = ", ".join(f"{k} = {show(v)}" for k, v in scenario.base.items())
    axes = [
        f"{k}: {', '.join(map(show, values))}  ({len(values)} values)"
        for k, values in scenario.sweep.items()
    ]
    sampled = [
        f"{r.name}: {show(r.low)} to {show(r.high)}" + (" (whole numbers)" if r.integer else "")
        for r in scenario.sample
    ]
    if sampled:
        sampled[0] += f"  (Latin hypercube, {scenario.sample_points} points)"
    if scenario.sensitivity is not None:
        sampled = describe_sensitivity(scenario)
    rows = [
        ("scenario", scenario.name),
        ("description", clean(scenario.description) or "(none)"),
        ("file", f"{scenario.source} (sha256 {scenario.digest[:12]})"),
        ("base values", base or "(the cluster preset)"),
        *(("axes" if i == 0 else "", axis) for i, axis in enumerate(axes or ["(none)"])),
        *(("sampled" if i == 0 else "", s) for i, s in enumerate(sampled or ["(none)"])),
        ("design points", str(points)),
        ("replications", str(scenario.replications)),
        ("total runs", f"{total:,}"),
        ("time series", "kept (one row per run and month)" if scenario.time_series else "not kept"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)


def is_targets_file(path: Path) -> bool:
    """Whether ``path`` reads as TOML with a ``[calibration]`` table (else: a scenario's checks)."""
    if not Path(path).is_file():  # a pipe would block: the scenario loader names it
        return False
    try:
        data: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the scenario loader says what is wrong, in its one line
    return isinstance(data.get("calibration"), dict)


def describe_targets(path: Path) -> str:
    """A calibration targets file: its targets, parameters and the runs a calibration makes."""
    from pipsim.calibration.targets import TargetsError, load_targets
    from pipsim.cli.calibrate import DEFAULT_BUDGET, planned_runs

    try:
        c = load_targets(path)
    except TargetsError as error:
        raise UsageError(str(error)) from None
    priors = [
        f"{p.name}: {show(p.low)} to {show(p.high)}" + (" (whole numbers)" if p.integer else "")
        for p in c.priors
    ]
    rows = [
        ("calibration", c.name),
        ("file", f"{path} (sha256 {c.digest})"),
        ("method", c.method.replace("_", " ")),
        ("targets", f"{len(c.fitted)} to fit, {len(c.held_out)} held out"),
        ("scenarios", ", ".join(c.scenarios_of(c.targets))),
        *(("parameters" if i == 0 else "", prior) for i, prior in enumerate(priors)),
        ("runs", planned_runs(c, DEFAULT_BUDGET)),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)
