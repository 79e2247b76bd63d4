"""``pipsim summarize``: the summary of a sweep on disk, its CSV tables and figures again.

A folder of ``pipsim sensitivity`` is summarised as that command does: its indices, with their
warnings, analysed again from the runs on disk.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipsim.cli import runlog
from pipsim.cli.common import (
    Subparsers,
    UsageError,
    clean,
    manifest,
    saved_runs,
    summarize,
    summary_text,
    writing,
)


def add(subparsers: Subparsers) -> None:
    """Add ``summarize``: the summary of a sweep on disk, its CSV tables and figures again."""
    parser = subparsers.add_parser(
        "summarize",
        help="summarise a sweep's results on disk again (tables and figures)",
        description="Print the summary of the sweep in DIR and write its CSV tables and "
        "figures again; works on a partly finished sweep too (it covers the runs so far).",
        epilog="example: pipsim summarize results/project_length",
        allow_abbrev=False,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="a sweep's output directory")
    parser.set_defaults(handler=summarize_command)


def summarize_command(args: argparse.Namespace) -> int:
    """Summarise the sweep in ``args.dir``; a directory without results is a usage error."""
    from pipsim.sweep import results
    from pipsim.sweep.scenario import ScenarioError, load_scenario

    runlog.folder(args.dir)
    found = manifest(args.dir)
    design = found.get("design")
    if isinstance(design, dict) and design.get("sensitivity"):  # an edited one may be anything
        return sensitivity_summary(args.dir)
    summary = summarize(args.dir)
    total, done = found.get("total_runs"), saved_runs(args.dir)
    try:  # the copy of the scenario beside the results: its name and description
        scenario = load_scenario(args.dir / "scenario.toml")
    except ScenarioError:
        scenario = None
    print(summary_text(scenario, summary, found.get("scenario_name")))
    problems = results.check(args.dir)
    for problem in problems:
        print(f"note: {clean(problem)}", file=sys.stderr)
    if problems or (isinstance(total, int) and done < total):
        command = found.get("command")
        repair = (
            f"run '{clean(command)}' again"
            if isinstance(command, str)
            else "run its sweep command again"
        )
        of = f"{done:,} of {total:,}" if isinstance(total, int) else f"{done:,}"
        state = "not finished" if not problems else "damaged"
        print(
            f"note: the sweep in {args.dir} is {state} ({of} runs); this summary covers the "
            f"readable runs so far: {repair} to complete{' and repair' if problems else ''} it",
            file=sys.stderr,
        )
    return 0


def sensitivity_summary(out: Path) -> int:
    """The indices of the sensitivity analysis in ``out``, analysed again from its runs."""
    from pipsim.analysis.sensitivity import write_analysis
    from pipsim.cli.sensitivity import screen_text
    from pipsim.sweep import results
    from pipsim.sweep.scenario import ScenarioError, load_copy

    try:
        scenario = load_copy(out / results.SCENARIO_COPY)
        with writing(out):  # one writer per folder: not while a sweep writes into it
            found, noise, files = write_analysis(scenario, out)
    except ScenarioError as error:
        raise UsageError(f"{out}: its scenario copy cannot be read: {error}") from None
    except (results.ResultsError, ValueError) as error:  # e.g. a sample not yet finished
        raise UsageError(f"{out}: {error}: run its sensitivity command again") from None
    except OSError as error:  # e.g. a read-only folder, a link where a table goes
        raise UsageError(f"cannot write the analysis of {out}: {error}") from None
    listing = "\n".join(f"  {f}" for f in files)
    print(f"{clean(scenario.name)}\n\n{screen_text(scenario, found, noise)}\n\nfiles:\n{listing}")
    return 0
