"""``pipsim discover``: under which conditions does an outcome happen? (scenario discovery).

It reads a sweep's results (`pipsim.sweep.results`), asks `pipsim.analysis.discovery` for a
PRIM box, a CART tree and the inputs' ranking, prints them in words and writes their tables
and figures beside the results, where ``pipsim report`` finds them.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipsim.cli import runlog
from pipsim.cli.common import Subparsers, UsageError, clean, writing
from pipsim.sweep import files

log = logging.getLogger(__name__)


def add(subparsers: Subparsers) -> None:
    """Add ``discover``: PRIM boxes, a CART tree and feature scores of a sweep's outcome."""
    parser = subparsers.add_parser(
        "discover",
        help="under which conditions does an outcome happen? (PRIM, CART, feature scores)",
        description="Scenario discovery on the sweep in DIR: the design values under which "
        "OUTCOME happens (a PRIM box with its coverage, density and each limit's "
        "significance, from EMA Workbench), a CART tree as a second view, and the inputs "
        "ranked by extra-trees feature scores. Prints the answer in words; writes "
        "discovery_OUTCOME_*.csv and figures into DIR (pipsim report includes them).",
        epilog="examples: pipsim discover results/lhs --outcome success; "
        "pipsim discover results/lhs --outcome trust_partners --threshold 0.4",
        allow_abbrev=False,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="a sweep's output directory")
    parser.add_argument(
        "--outcome",
        default="success",
        metavar="NAME",
        help="the outcome to explain (default: success, all log frame targets met)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="X",
        help="for a numeric outcome: the runs with OUTCOME ≥ X are the case of interest",
    )
    parser.add_argument(
        "--below", action="store_true", help="with --threshold: the runs with OUTCOME < X instead"
    )
    parser.set_defaults(handler=discover_command)


def discover_command(args: argparse.Namespace) -> int:
    """Discover, print and write; a folder without results or a bad outcome is a usage error."""
    from pipsim.analysis import discovery
    from pipsim.analysis.summary import design_keys
    from pipsim.sweep import results

    out: Path = args.dir
    if (what := files.kind(out / results.MANIFEST)) is not None:
        raise UsageError(str(files.refusal(out / results.MANIFEST, what)))
    if not (out / results.MANIFEST).is_file():
        raise UsageError(f"{out} holds no pipsim sweep results (no {results.MANIFEST})")
    runlog.folder(out)
    if args.below and args.threshold is None:
        raise UsageError("--below needs --threshold")
    try:
        with writing(out):  # one writer per folder: not while a sweep writes into it
            runs = results.load_runs(out)
            case = discovery.Case(args.outcome, args.threshold, args.below)
            found = discovery.discover(runs, design_keys(out), case)
            written = discovery.write_discovery(out, found)
    except (results.ResultsError, ValueError) as error:
        raise UsageError(f"{out}: {error}") from None
    except OSError as error:  # a link or a pipe where a file goes, a read-only folder
        raise UsageError(f"cannot write into {out}: {error}") from None
    log.info("discovered %s in %s: %s", case.words(), out, found.answer)
    question = f"Under which conditions does {case.words()} happen? ({found.runs:,} runs)"
    listing = "\n".join(f"  {f}" for f in written)
    text = discovery.words(found)
    print(f"{clean(question)}\n\n{text}\n\nfiles written:\n{listing}")
    return 0
