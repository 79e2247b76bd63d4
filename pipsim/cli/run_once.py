"""``pipsim run-once``: one run, its outcomes as a table, optionally a figure and the series.

Every `Parameters` field is an option (`pipsim.cli.model_options`); the table has one section
per question: the log frame at project end, trust, activities, and what lasted after the
horizon.
"""

from __future__ import annotations

import argparse
import math
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipsim.cli.common import Subparsers, UsageError, run_number
from pipsim.cli.model_options import (
    add_parameter_options,
    add_seed_option,
    option,
    parameters_from_args,
)
from pipsim.parameters import FIELDS, Parameters

if TYPE_CHECKING:
    import pandas as pd


def add(subparsers: Subparsers) -> None:
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
    add_seed_option(run)
    run.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="save a figure of trust and participation by month (.png, .pdf, .svg)",
    )
    run.add_argument("--series", type=Path, metavar="FILE", help="write the monthly series as CSV")
    run.add_argument(
        "--events", type=Path, metavar="FILE", help="write the event log (month, event) as CSV"
    )
    again = parser.add_argument_group(
        "a run of a sweep, made again",
        "Reproduce run K of the sweep in folder RESULTS (its seed, block and parameters come "
        "from there; model options and --seed are not taken).",
    )
    again.add_argument("--from", dest="from_results", type=Path, metavar="RESULTS")
    again.add_argument("--run", dest="run_number", type=run_number, metavar="K", default=None)
    add_parameter_options(parser)
    parser.set_defaults(handler=run_once)


def run_once(args: argparse.Namespace) -> int:
    """Simulate one run as ``args`` ask, print its outcomes and write the requested files."""
    from pipsim.model import PIPModel  # Mesa, numba and the compiled rules: not for --help

    if args.from_results is not None or args.run_number is not None:
        return _run_from_results(args)
    parameters = parameters_from_args(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    want_series = args.plot is not None or args.series is not None
    _check_outputs(args.plot, args.series, args.events)  # fail before the run, not after it
    model = PIPModel(parameters, rng=seed, time_series=want_series)
    model.run_model()
    print(format_outcomes(model.outcomes(), parameters, seed))
    series = model.datacollector.get_model_vars_dataframe() if want_series else None
    _outputs(args, series, model.event_log, parameters, seed)
    return 0


def _run_from_results(args: argparse.Namespace) -> int:
    """``--from RESULTS --run K``: run K of a sweep, made again with its series and events."""
    from pipsim.cli import from_results  # pandas and the sweep's blocks

    if args.from_results is None or args.run_number is None:
        raise UsageError("--from RESULTS and --run K go together: give both")
    given = [name for name in FIELDS if hasattr(args, name)]
    if given or args.seed is not None:
        extra = ", ".join(option(n) for n in given) + (" --seed" if args.seed is not None else "")
        raise UsageError(
            f"--from takes run {args.run_number}'s parameters and seed from the results; "
            f"drop {extra.strip(', ')}"
        )
    _check_outputs(args.plot, args.series, args.events)
    overrides, row = from_results.sweep_run(args.from_results, args.run_number)
    parameters = Parameters.from_overrides(overrides)
    view, series = from_results.remake(overrides, row)
    seed = int(row["seed"])
    print(
        f"run {args.run_number} of {args.from_results}: place {int(row['place'])} of a block of "
        f"{int(row['block_runs'])} runs seeded {seed}\n"
    )
    print(format_outcomes(view.outcomes(), parameters, seed))
    changed = from_results.differences(view, row, parameters)
    if changed:
        print(
            f"\nnote: {', '.join(changed[:5])} differ from the saved row: the results were made "
            "by another version of pipsim"
        )
    _outputs(args, series, view.event_log, parameters, seed)
    return 0


def _outputs(
    args: argparse.Namespace,
    series: pd.DataFrame | None,
    events: list[tuple[int, str]],
    parameters: Parameters,
    seed: int,
) -> None:
    """Write the files ``args`` ask for: the series, the figure, the event log."""
    if args.events is not None:
        import pandas

        table = pandas.DataFrame(events, columns=["month", "event"])
        print()
        _write(args.events, lambda path: table.to_csv(path, index=False))
        print(f"event log written to {args.events} ({len(table)} events)")
    if series is not None and (args.plot is not None or args.series is not None):
        print()
        if args.series is not None:
            _write(args.series, lambda path: series.to_csv(path, index=False))
            print(f"monthly series written to {args.series}")
        if args.plot is not None:
            _write(args.plot, lambda path: _save_figure(series, parameters, seed, path))
            print(f"figure written to {args.plot}")


def _save_figure(series: pd.DataFrame, parameters: Parameters, seed: int, path: Path) -> None:
    """Draw `pipsim.plots.run.plot_run` for this run and save it to ``path``."""
    from pipsim.plots.run import plot_run  # matplotlib loads only when a figure is asked for

    title = (
        f"What happens to trust and cooperation in a {_typology_name(parameters)} "
        f"project?\n{parameters.n_enterprises} firms, {parameters.project_months} "
        f"months with the agency, seed {seed}"
    )
    plot_run(series, parameters.project_months, title).savefig(path, dpi=150)


def _check_outputs(plot: Path | None, series: Path | None, events: Path | None = None) -> None:
    """Create the output files' folders and check the figure's format, or raise `UsageError`."""
    if plot is not None:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        if plot.suffix.lower().lstrip(".") not in formats:
            raise UsageError(
                f"cannot write a figure to {plot}: give a file name ending in one "
                f"of {', '.join('.' + f for f in sorted(formats))}"
            )
    for path in (plot, series, events):
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
        ("trust among partners (pairs who worked together)", f"{o['trust_partners']:.2f}"),
        ("firm–firm trust, all pairs (mean)", f"{o['mean_trust']:.2f}"),
        ("strong ties (pairs at mutual trust ≥ 0.5)", str(o["strong_ties"])),
        ("pairs trusting enough for a project (share)", f"{o['tie_density']:.2f}"),
        ("trust in the executing agency", f"{o['trust_in_agency']:.2f}"),
        ("trust in the public sector", f"{o['trust_in_public']:.2f}"),
        ("trust in collective action", f"{o['trust_in_collective_action']:.2f}"),
        ("network cohesion (best-knit group of strong ties)", f"{o['network_cohesion']:.2f}"),
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
    first, frame = o["months_to_first_joint_project"], o["months_to_log_frame"]
    return [
        ("conflicts", str(o["conflicts"])),
        ("of them mediated", str(o["conflicts_mediated"])),
        ("months to first joint project", "none formed" if math.isnan(first) else f"{first:.0f}"),
        ("months to log frame (all targets)", "never met" if math.isnan(frame) else f"{frame:.0f}"),
    ]


def _after_rows(o: dict[str, Any]) -> list[tuple[str, ...]]:
    """What lasted once the agency had left, at the end of the horizon."""
    return [
        ("sustained (≥ half the joint-project firms still in one)", _yes(o["sustained"])),
        ("firms still in joint projects", str(o["firms_in_joint_projects_after"])),
        ("participants", str(o["participants_after"])),
        ("trust among partners", f"{o['trust_partners_after']:.2f}"),
        ("firm–firm trust, all pairs (mean)", f"{o['mean_trust_after']:.2f}"),
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
