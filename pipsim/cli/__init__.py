"""The ``pipsim`` command line: one module per subcommand, and `main`, which runs them.

This package owns how a user talks to pipsim from a shell. Each subcommand is a module here
with an ``add(subparsers)`` function that adds its subparser and sets its handler, ``(args)
-> exit status``; add a subcommand by writing its module and listing it in `COMMANDS`. What
the commands share (one-line errors, the value parsers, the sweep engine's options and
set-up) is `pipsim.cli.common`; every `Parameters` field as an option (``run-once``,
``story``) is `pipsim.cli.model_options`.

Exit status: 0 on success, 2 on bad input (a one-line ``pipsim: error: ...`` on stderr, as
argparse itself does), 130 when interrupted (Ctrl-C), never a traceback for something the
user can fix.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from pipsim import __version__
from pipsim.cli import (
    calibrate,
    check,
    discover,
    duration,
    report,
    run,
    run_once,
    runlog,
    sensitivity,
    story,
    summarize,
    validate,
    viz,
)
from pipsim.cli.common import SweepInterrupted, UsageError, clean

# In the order ``pipsim --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (run_once, check, run, summarize, sensitivity, duration)
COMMANDS += (discover, calibrate, report, story, viz, validate)


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (no usage dump of ~70 options)."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and a pointer to ``--help``; exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pipsim`` command line.

    Args:
        argv: the arguments after the program name; ``sys.argv[1:]`` if omitted.

    Returns:
        The exit status: 0 on success, 2 on bad input, 1 if the output's reader went away,
        130 if interrupted (Ctrl-C).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and argparse's own errors
        return stop.code if isinstance(stop.code, int) else 2
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded: what repairs a sweep
    try:
        with runlog.recording(args):  # into the output folder's run.log, warnings included
            return args.handler(args)
    except UsageError as error:
        print(f"{parser.prog}: error: {clean(str(error))}", file=sys.stderr)
        return 2
    except SweepInterrupted:  # already reported, with how to resume
        return 130
    except KeyboardInterrupt:  # Ctrl-C: no traceback; 128 + SIGINT, as shells report it
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `pipsim run-once | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per subcommand."""
    parser = Parser(
        prog="pipsim",
        description="Simulate trust and cooperation in productive integration projects.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(subparsers)
    return parser


__all__ = ["COMMANDS", "build_parser", "main"]
