"""The ``pipsim`` command line: subcommands, parameter options and the printed outcome table.

This module owns how a user talks to pipsim from a shell. Each subcommand is one subparser
added by an ``_add_<name>`` function and run by a handler ``(args) -> exit status``; add a
subcommand by writing both and listing the adder in `SUBCOMMANDS`. ``run-once`` lives here;
the sweep subcommands (``check``, ``run``, ``summarize``) in `pipsim.sweep_commands`. Every
`Parameters` field is an option of ``run-once`` (``--field-name``), generated from the
field's metadata, so the command line never repeats a parameter's declaration. An option the
user does not give keeps the value of the ``--typology`` preset.

Exit status: 0 on success, 2 on bad input (a one-line ``pipsim: error: ...`` on stderr, as
argparse itself does), 130 when interrupted (Ctrl-C), never a traceback for something the
user can fix.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pipsim import __version__
from pipsim.analysis_commands import add_duration, add_report
from pipsim.errors import UsageError
from pipsim.model import PIPModel
from pipsim.parameters import FIELDS, TYPOLOGY_PRESETS, Parameters
from pipsim.sensitivity_commands import add_sensitivity
from pipsim.story_command import add_story
from pipsim.sweep_commands import SweepInterrupted, add_check, add_run, add_summarize
from pipsim.validate_command import add_validate
from pipsim.viz.command import add_viz

if TYPE_CHECKING:
    import pandas as pd

Subparsers = Any  # argparse's private _SubParsersAction
ALIASES = {"project_months": ("months",)}  # extra option names of a field
PRESET_FIELDS = frozenset().union(*TYPOLOGY_PRESETS.values())
TRUE_WORDS = ("true", "yes", "1", "on")
FALSE_WORDS = ("false", "no", "0", "off")


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
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
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
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


# --- run-once -------------------------------------------------------------------------------
def _add_run_once(subparsers: Subparsers) -> None:
    """Add ``run-once``: one run, its outcomes as a table, optionally a figure and the series."""
    parser = subparsers.add_parser(
        "run-once",
        usage="%(prog)s [--typology TYPE] [--months N] [--seed N] [--plot FILE] "
        "[--series FILE] [--PARAMETER VALUE ...]",
        help="simulate one project with one seed and print its outcomes",
        description="Simulate one project (and the months after it) with one seed; print "
        "the log frame's indicators, trust, activities and what lasted after the horizon.",
        epilog="example: pipsim run-once --typology cluster --months 36 --seed 1 --plot run.png",
        allow_abbrev=False,
    )
    run = parser.add_argument_group("run options")
    run.add_argument(
        "--seed",
        type=_seed,
        default=None,
        metavar="N",
        help="random seed (whole number ≥ 0); drawn at random and printed if omitted",
    )
    run.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="save a figure of trust and participation by month (.png, .pdf, .svg)",
    )
    run.add_argument("--series", type=Path, metavar="FILE", help="write the monthly series as CSV")
    add_parameter_options(parser)
    parser.set_defaults(handler=run_once)


def run_once(args: argparse.Namespace) -> int:
    """Simulate one run as ``args`` ask, print its outcomes and write the requested files."""
    parameters = parameters_from_args(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    want_series = args.plot is not None or args.series is not None
    _check_outputs(args.plot, args.series)  # fail before the run, not after it
    model = PIPModel(parameters, rng=seed, time_series=want_series)
    model.run_model()
    print(format_outcomes(model.outcomes(), parameters, seed))
    if want_series:
        series = model.datacollector.get_model_vars_dataframe()
        print()
        if args.series is not None:
            _write(args.series, lambda path: series.to_csv(path, index=False))
            print(f"monthly series written to {args.series}")
        if args.plot is not None:
            _write(args.plot, lambda path: _save_figure(series, parameters, seed, path))
            print(f"figure written to {args.plot}")
    return 0


def _save_figure(series: pd.DataFrame, parameters: Parameters, seed: int, path: Path) -> None:
    """Draw `pipsim.plots.plot_run` for this run and save it to ``path``."""
    from pipsim.plots import plot_run  # matplotlib loads only when a figure is asked for

    title = (
        f"What happens to trust and cooperation in a {_typology_name(parameters)} "
        f"project?\n{parameters.n_enterprises} firms, {parameters.project_months} "
        f"months with the agency, seed {seed}"
    )
    plot_run(series, parameters.project_months, title).savefig(path, dpi=150)


def _check_outputs(plot: Path | None, series: Path | None) -> None:
    """Create the output files' folders and check the figure's format, or raise `UsageError`."""
    if plot is not None:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        if plot.suffix.lower().lstrip(".") not in formats:
            raise UsageError(
                f"cannot write a figure to {plot}: give a file name ending in one "
                f"of {', '.join('.' + f for f in sorted(formats))}"
            )
    for path in (plot, series):
        if path is not None and path.is_dir():
            raise UsageError(f"cannot write {path}: it is a folder; give a file name")
        if path is not None:
            _write(path, lambda _: None)  # only creates the folders


def _write(path: Path, writer: Callable[[Path], None]) -> None:
    """Create ``path``'s parent folders and call ``writer(path)``; failures are usage errors."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error


# --- parameters as options ------------------------------------------------------------------
def add_parameter_options(parser: argparse.ArgumentParser) -> None:
    """Add one option per `Parameters` field; an option not given is absent from the args."""
    group = parser.add_argument_group(
        "model parameters",
        "Every parameter of the model; an option you do not give keeps the value of the "
        "--typology preset. Booleans take true/false, yes/no or 1/0.",
    )
    for f in dataclasses.fields(Parameters):
        names = [_option(f.name), *(f"--{alias}" for alias in ALIASES.get(f.name, ()))]
        group.add_argument(
            *names, dest=f.name, default=argparse.SUPPRESS, help=_help(f), **_value_spec(f)
        )


def parameters_from_args(args: argparse.Namespace) -> Parameters:
    """The `Parameters` of the typology preset with the options the user gave on top.

    Raises:
        UsageError: if the values are invalid (the message names field, value and range).
    """
    given = {name: getattr(args, name) for name in FIELDS if hasattr(args, name)}
    typology = given.pop("typology", "cluster")
    try:
        return Parameters.for_typology(typology, **given)
    except ValueError as error:
        raise UsageError(_with_options(str(error))) from error


def _option(name: str) -> str:
    """The command-line option of a field name: ``staff_turnover`` -> ``--staff-turnover``."""
    return "--" + name.replace("_", "-")


def _with_options(message: str) -> str:
    """``message`` prefixed, as argparse does, by the option of the field it starts with."""
    match = re.match(r"(\w+)=", message)
    if match and match.group(1) in FIELDS:
        return f"argument {_option(match.group(1))}: {message}"
    return message


def _value_spec(f: dataclasses.Field) -> dict[str, Any]:
    """The argparse ``type``/``choices``/``metavar`` of field ``f``."""
    if "choices" in f.metadata:
        return {"choices": f.metadata["choices"]}
    if f.default is None:  # an optional month: a whole number or "none"
        return {"type": _int_or_none, "metavar": "MONTH|none"}
    kind = type(f.default)
    if kind is bool:
        return {"type": _boolean, "metavar": "BOOL"}
    return {"type": kind, "metavar": "N" if kind is int else "X"}


def _help(f: dataclasses.Field) -> str:
    """Help text of field ``f``: its meaning, unit, allowed range and default."""
    meta = f.metadata
    facts = [meta["unit"]] if meta["unit"] else []
    if meta.get("low") is not None or meta.get("high") is not None:
        low, high = meta.get("low"), meta.get("high")
        span = f"{'-∞' if low is None else low}–{'∞' if high is None else high}"
        facts.append(span + (" or none" if f.default is None else ""))
    default = "none" if f.default is None else str(f.default).lower()
    if f.name in PRESET_FIELDS:
        cluster = getattr(Parameters.for_typology("cluster"), f.name)
        default = f"set by --typology; cluster: {str(cluster).lower()}"
    facts.append(f"default {default}")
    return f"{meta['doc']} ({'; '.join(facts)})".replace("%", "%%")


def _boolean(text: str) -> bool:
    """Parse true/false, yes/no, on/off or 1/0 (any case)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"invalid value {text!r}: give true/false, yes/no or 1/0")


def _int_or_none(text: str) -> int | None:
    """Parse a whole number, or ``none`` (any case) for no value."""
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: give a whole number or none"
        ) from None


def _seed(text: str) -> int:
    """Parse a random seed: a whole number ≥ 0."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: give a whole number ≥ 0")
    return seed


# --- the outcome table ----------------------------------------------------------------------
def format_outcomes(outcomes: dict[str, Any], parameters: Parameters, seed: int) -> str:
    """The outcomes of one run as a readable plain-text table, one section per question."""
    p = parameters
    header = (
        f"pipsim run-once: {_typology_name(p)}, {p.n_enterprises} firms "
        f"({p.initial_participants} at launch), seed {seed}\n"
        f"{p.project_months} months with the agency, then "
        f"{p.post_project_months} months without it"
    )
    sections = [
        _render(
            f"Log frame at project end (month {p.project_months})",
            _log_frame_rows(outcomes, p),
            "lrrl",
        ),
        _render(
            f"Trust at project end (month {p.project_months}; 0–1, participating firms)",
            _trust_rows(outcomes),
        ),
        _render(f"Activities (months 1–{p.project_months})", _activity_rows(outcomes))
        + "\n"
        + _render("", _event_rows(outcomes)),
        _render(f"After the horizon (month {p.total_months})", _after_rows(outcomes)),
    ]
    return "\n\n".join([header, *sections])


def _log_frame_rows(o: dict[str, Any], p: Parameters) -> list[tuple[str, ...]]:
    """Each log frame target: the value at project end, the target and whether it was met."""
    return [
        ("", "value", "target", ""),
        (
            "sales growth",
            f"{o['sales_growth']:.1%}",
            f"> {p.target_sales_growth:.0%}",
            _met(o["met_sales"]),
        ),
        (
            "productivity growth",
            f"{o['productivity_growth']:.1%}",
            f"> {p.target_productivity_growth:.0%}",
            _met(o["met_productivity"]),
        ),
        (
            "firms in joint projects",
            str(o["firms_in_joint_projects"]),
            f"≥ {p.target_firms_in_joint_projects}",
            _met(o["met_joint_projects"]),
        ),
        (
            "participants",
            str(o["participants"]),
            f"≥ {p.target_participants}",
            _met(o["met_participants"]),
        ),
        ("all targets met", "", "", _yes(o["success"])),
    ]


def _trust_rows(o: dict[str, Any]) -> list[tuple[str, ...]]:
    """Mean trust of each kind among the participants at project end."""
    return [
        ("firm–firm trust (mean)", f"{o['mean_trust']:.2f}"),
        ("trust in the executing agency", f"{o['trust_in_agency']:.2f}"),
        ("trust in the public sector", f"{o['trust_in_public']:.2f}"),
        ("trust in collective action", f"{o['trust_in_collective_action']:.2f}"),
        ("network cohesion (share in largest trusting group)", f"{o['network_cohesion']:.2f}"),
    ]


def _activity_rows(o: dict[str, Any]) -> list[tuple[str, ...]]:
    """What the project did: pilots and collective projects run, succeeded and failed."""
    return [
        ("", "run", "succeeded", "failed"),
        ("pilots", str(o["pilots_run"]), str(o["pilots_succeeded"]), str(o["pilots_failed"])),
        (
            "collective projects",
            str(o["projects_run"]),
            str(o["projects_succeeded"]),
            str(o["projects_failed"]),
        ),
    ]


def _event_rows(o: dict[str, Any]) -> list[tuple[str, ...]]:
    """Conflicts, mediations and how long the first joint project took to form."""
    first = o["months_to_first_joint_project"]
    return [
        ("conflicts", str(o["conflicts"])),
        ("of them mediated", str(o["conflicts_mediated"])),
        ("months to first joint project", "none formed" if math.isnan(first) else f"{first:.0f}"),
    ]


def _after_rows(o: dict[str, Any]) -> list[tuple[str, ...]]:
    """What lasted once the agency had left, at the end of the horizon."""
    return [
        ("sustained (≥ half the joint-project firms still in one)", _yes(o["sustained"])),
        ("firms still in joint projects", str(o["firms_in_joint_projects_after"])),
        ("firm–firm trust (mean)", f"{o['mean_trust_after']:.2f}"),
    ]


def _render(title: str, rows: list[tuple[str, ...]], align: str = "") -> str:
    """A section of rows under ``title`` (if any); ``align``: ``l``/``r`` a column, ``lrr…``."""
    width = len(rows[0])
    align = align or "l" + "r" * (width - 1)
    widths = [max(len(row[i]) for row in rows) for i in range(width)]
    lines = [title] if title else []
    for row in rows:
        cells = [
            cell.ljust(w) if a == "l" else cell.rjust(w)
            for cell, w, a in zip(row, widths, align, strict=True)
        ]
        lines.append(("  " + "   ".join(cells)).rstrip())
    return "\n".join(lines)


def _met(met: bool) -> str:
    return "met" if met else "not met"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _typology_name(parameters: Parameters) -> str:
    return parameters.typology.replace("_", " ")


SUBCOMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    _add_run_once,
    add_check,
    add_run,
    add_summarize,
    add_sensitivity,
    add_duration,
    add_report,
    add_story,
    add_viz,
    add_validate,
)

if __name__ == "__main__":
    sys.exit(main())
