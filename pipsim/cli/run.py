"""``pipsim run``: run a scenario's sweep (resuming an interrupted one), then summarise it.

Results are written as chunks finish; Ctrl-C keeps every finished chunk on disk and exits
with status 130, and the same command resumes.
"""

from __future__ import annotations

import argparse
import sys

from pipsim.cli import runlog
from pipsim.cli.common import (
    Subparsers,
    UsageError,
    add_engine_options,
    add_ensemble_options,
    add_scenario_argument,
    ensemble_words,
    load,
    output_dir,
    positive,
    speed,
    summarize,
    summary_text,
    sweep_as_commanded,
    with_ensemble,
    workers,
)


def add(subparsers: Subparsers) -> None:
    """Add ``run``: run a scenario's sweep (resuming an interrupted one), then summarise it."""
    parser = subparsers.add_parser(
        "run",
        help="run a scenario's sweep, then summarise it (resumes an interrupted sweep)",
        description="Run every run of a scenario file, writing results as they finish; "
        "then print the odds of meeting the log frame per design point and draw figures. "
        "An interrupted sweep (Ctrl-C, kill, a lost worker) resumes when the same command "
        "is run again.",
        epilog="example: pipsim run scenarios/project_length.toml --replications 5 "
        "--out /tmp/pl (a quick look)",
        allow_abbrev=False,
    )
    add_scenario_argument(parser)
    add_engine_options(parser)
    add_ensemble_options(parser, default_on=False)
    parser.add_argument(
        "--replications",
        type=positive,
        metavar="N",
        help="runs per design point, overriding the file's (for a quick "
        "look; recorded, so it never mixes with the file's results)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the sweep ``args`` describe, print its summary, files and speed; 130 if interrupted."""
    from pipsim.sweep import design
    from pipsim.sweep.scenario import with_replications

    scenario = load(args.scenario)
    if scenario.sensitivity is not None:  # its summary would be a table row per sample point
        raise UsageError(
            f"{args.scenario} has a [sensitivity] section: run it with "
            f"'pipsim sensitivity {args.scenario}'"
        )
    if args.replications is not None:
        scenario = with_replications(scenario, args.replications)
    scenario = with_ensemble(scenario, args)
    out = output_dir(args, scenario)
    runlog.folder(out)
    points = len(design.design_points(scenario))
    total = points * scenario.replications
    count = workers(args, total)
    engine = (
        f"on Dask ({args.dask})"
        if args.dask
        else "in this process"
        if count == 1
        else f"on {count} worker processes"
    )
    runlog.say(
        f"pipsim run: {scenario.name}: {total:,} runs ({points} design points × "
        f"{scenario.replications} replications) {engine}, into {out}; " + ensemble_words(scenario),
    )
    result = sweep_as_commanded(scenario, out, args, total)
    try:
        summary = summarize(out)
    except KeyboardInterrupt:
        print(
            f"interrupted while summarising: all {total:,} runs are saved in {out}; "
            f"run 'pipsim summarize {out}' for the summary",
            file=sys.stderr,
        )
        return 130
    print()
    print(summary_text(scenario, summary))
    if scenario.ensemble is not None:
        print(
            "[with the parameters]: the chance's 5–95% spread across the ensemble's accepted "
            "sets, the runs' interval included (README, 'Parameter uncertainty')"
        )
    runlog.say(speed(result))
    return 0
