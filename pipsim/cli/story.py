"""The ``pipsim story`` subcommand: one run drawn for a training room.

``story`` takes the same model options as ``run-once`` (every `Parameters` field, the
``--typology`` preset, ``--seed``) and writes into ``--out`` the annotated timeline
(``timeline.png``, 1600 x 900 px) of `pipsim.plots.story` and the slides of
`pipsim.plots.slides`: the trust network month by month as ``network.gif``, one PNG a month
in ``frames/`` and ``network.mp4`` (1280 x 720 px each). The model options are
`pipsim.cli.model_options`'. Bad input is a `UsageError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path

from pipsim.cli.common import Subparsers, UsageError
from pipsim.cli.model_options import add_parameter_options, add_seed_option, parameters_from_args


def add(subparsers: Subparsers) -> None:
    """Add ``story``: an annotated timeline, and the trust network as GIF, slides and video."""
    parser = subparsers.add_parser(
        "story",
        usage="%(prog)s --out DIR [--typology TYPE] [--months N] [--seed N] "
        "[--PARAMETER VALUE ...]",
        help="draw one run for a training session: timeline, network GIF, slides and video",
        description="Simulate one project with one seed and draw it for a slide: "
        "DIR/timeline.png (trust and participation month by month, key events marked; "
        "1600x900 px), and the trust network month by month, a caption per month from the "
        "event log (1280x720 px): DIR/network.gif, DIR/frames/month_NN.png (one slide a "
        "month) and DIR/network.mp4 (a month a second).",
        epilog="example: pipsim story --out story --typology cluster --months 36 --seed 1",
        allow_abbrev=False,
    )
    options = parser.add_argument_group("story options")
    options.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write timeline.png, network.gif, frames/ and network.mp4 into "
        "(created if missing)",
    )
    add_seed_option(options)
    add_parameter_options(parser)
    parser.set_defaults(handler=story)


def story(args: argparse.Namespace) -> int:
    """Record one run as ``args`` ask; write its timeline and network slides into ``args.out``."""
    from pipsim.plots.slides import write_story  # matplotlib and imageio load only here
    from pipsim.plots.story import record

    parameters = parameters_from_args(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"cannot write into {out}: it is a file; give a folder")
    started = time.perf_counter()
    try:
        paths = write_story(record(parameters, seed), out)
    except OSError as error:
        raise UsageError(f"cannot write into {out}: {error.strerror or error}") from error
    print(
        f"pipsim story: {parameters.typology.replace('_', ' ')}, {parameters.n_enterprises} "
        f"firms, {parameters.project_months} + {parameters.post_project_months} months, "
        f"seed {seed} ({time.perf_counter() - started:.1f} s)"
    )
    for path in paths.values():
        many = f"/ ({len(list(path.glob('*.png')))} slides, one a month)" if path.is_dir() else ""
        print(f"written {path}{many}")
    return 0
