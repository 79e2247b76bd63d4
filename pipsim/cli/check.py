"""``pipsim check``: validate a scenario file and describe its design, without running it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pipsim.cli.common import Subparsers, add_scenario_argument, clean, load, show

if TYPE_CHECKING:
    from pipsim.sweep.design import Scenario


def add(subparsers: Subparsers) -> None:
    """Add ``check``: validate a scenario file and describe its design, without running it."""
    parser = subparsers.add_parser(
        "check",
        help="validate a scenario file and show its design, without running it",
        description="Validate a scenario file and print its design: base values, axes, "
        "sampled ranges, design points, replications and the total number of runs.",
        epilog="example: pipsim check scenarios/project_length.toml",
        allow_abbrev=False,
    )
    add_scenario_argument(parser)
    parser.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    """Print what ``args.scenario`` would run, then ``ok``; bad scenarios are usage errors."""
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
