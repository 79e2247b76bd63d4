"""``pipsim report``: one self-contained HTML file of a result directory.

The file is `pipsim.analysis.report`'s; this module only runs it and reports the outcome.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipsim.cli import runlog
from pipsim.cli.common import Subparsers, UsageError, writing


def add(subparsers: Subparsers) -> None:
    """Add ``report``: one self-contained HTML file of a sweep, duration or sensitivity run."""
    parser = subparsers.add_parser(
        "report",
        help="write DIR/report.html: one self-contained file to attach to a project document",
        description="Write DIR/report.html for the results in DIR (of run, duration, "
        "sensitivity or calibrate): the scenario, the manifest, the tables and every figure, "
        "in one file with no external links (figures embedded), readable on screen and in print. "
        "The page is a Jinja2 template: --template FILE renders an organisation's own.",
        epilog="example: pipsim report results/duration --template our_style.html.j2",
        allow_abbrev=False,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="an output directory of pipsim")
    parser.add_argument(
        "--calibration",
        type=Path,
        metavar="CALDIR",
        help="add the section of a 'pipsim calibrate' folder (DIR may itself be one)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        metavar="FILE",
        help="a Jinja2 template of your own to render instead of pipsim's (copy "
        "pipsim/analysis/templates/report.html.j2 and restyle it)",
    )
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Write the report of ``args.dir``; a directory without results is a usage error."""
    from pipsim.analysis.report import ReportError, write_report

    runlog.folder(args.dir)
    try:
        with writing(args.dir):  # one writer per folder: not while a sweep writes into it
            path, figures = write_report(args.dir, args.calibration, args.template)
    except (ReportError, OSError) as error:
        raise UsageError(str(error)) from None
    size = path.stat().st_size / 1024
    print(f"wrote {path} ({size:,.0f} KB, {figures} figures embedded)")
    return 0
