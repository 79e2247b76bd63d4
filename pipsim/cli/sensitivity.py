"""``pipsim sensitivity``: which parameters drive the outcomes, and how much is noise?

It runs a scenario's ``[sensitivity]`` design through the runner like any sweep (resumable,
any engine), so an interrupted analysis resumes with the same command; then
`pipsim.analysis.sensitivity.write_analysis` asks SALib which parameters matter, measures how
much of each outcome's spread is the model's own randomness, and writes the tables and
figures, which this command prints. Errors the user can fix are `UsageError` (exit status 2).
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from pipsim.cli import runlog
from pipsim.cli.common import (
    Subparsers,
    UsageError,
    add_engine_options,
    add_scenario_argument,
    load,
    output_dir,
    show,
    speed,
    sweep_as_commanded,
)

# SALib, pandas, scipy and matplotlib are imported by the functions that use them: building
# the parser for ``--help`` stays quick.
if TYPE_CHECKING:
    import pandas as pd

    from pipsim.sweep.design import Scenario

DIST_NAMES = {"unif": "uniform", "triang": "triangular", "norm": "normal", "lognorm": "lognormal"}


def add(subparsers: Subparsers) -> None:
    """Add ``sensitivity``: run a scenario's sensitivity design and analyse it with SALib."""
    parser = subparsers.add_parser(
        "sensitivity",
        help="which parameters drive the outcomes? (Sobol' or Morris, with SALib)",
        description="Run the design of a scenario's [sensitivity] section (resuming an "
        "interrupted one), then estimate with SALib how much each parameter drives each "
        "outcome, and how much of the outcomes' spread is the model's own randomness. "
        "Writes CSV tables and figures into the output directory and prints the tables.",
        epilog="example: pipsim sensitivity scenarios/sensitivity_morris.toml --workers 2",
        allow_abbrev=False,
    )
    add_scenario_argument(parser)
    add_engine_options(parser)
    parser.set_defaults(handler=sensitivity_command)


def sensitivity_command(args: argparse.Namespace) -> int:
    """Run, analyse, write and print; 130 if interrupted (the same command resumes)."""
    from pipsim.analysis.sensitivity import write_analysis
    from pipsim.sweep import design

    scenario = load(args.scenario)
    if scenario.sensitivity is None:
        raise UsageError(
            f"{args.scenario} has no [sensitivity] section: add one (see scenarios/README.md), "
            "or use 'pipsim run' for a sweep"
        )
    out = output_dir(args, scenario)
    runlog.folder(out)
    total = len(design.design_points(scenario)) * scenario.replications
    runlog.say(f"pipsim sensitivity: {scenario.name}: {total:,} runs into {out}")
    for line in describe(scenario):
        print(f"  {line}")
    result = sweep_as_commanded(scenario, out, args, total)
    found, noise, files = write_analysis(scenario, out, result.runs)
    text = screen_text(scenario, found, noise)
    print(f"\n{text}\n\nfiles written:\n" + "\n".join(f"  {f}" for f in files))
    runlog.say(speed(result))
    return 0


def describe(scenario: Scenario) -> list[str]:
    """The sensitivity design in words: method, sample size, outcomes, one line per factor."""
    from pipsim.analysis.sensitivity import METHOD_NAMES
    from pipsim.sweep import design
    from pipsim.sweep.design import sensitivity_of

    s = sensitivity_of(scenario)
    rows = len(design.design_points(scenario))
    extra = ", with second order" if s.method == "sobol" and s.second_order else ""
    size = "N" if s.method == "sobol" else "trajectories"
    levels = f", {s.levels} levels" if s.method == "morris" else ""
    lines = [
        f"{METHOD_NAMES[s.method]}{extra}: {size} = {s.samples}{levels}, {rows} points × "
        f"{scenario.replications} replications; outcomes: {', '.join(s.outcomes)}"
    ]
    for f in s.parameters:
        kind = DIST_NAMES[f.dist] + (f", peak {show(f.peak)}" if f.peak is not None else "")
        kind += ", central 95%" if f.dist in ("norm", "lognorm") else ""
        whole = ", whole numbers" if f.integer else ""
        lines.append(f"{f.name}: {show(f.low)} to {show(f.high)} ({kind}{whole})")
    return lines


def screen_text(scenario: Scenario, found: dict[str, pd.DataFrame], noise: pd.DataFrame) -> str:
    """The indices of each outcome, most influential first, then the noise table."""
    import pandas as pd

    from pipsim.analysis.sensitivity import tidy, warnings_text
    from pipsim.plots.sensitivity import parameter_label, question  # loads matplotlib
    from pipsim.sweep.design import sensitivity_of

    sobol = sensitivity_of(scenario).method == "sobol"
    blocks = []
    for outcome, table in found.items():
        key = "ST" if sobol else "mu_star"
        table = table.sort_values(key, ascending=False)
        marks = table["flag"].ne("") if "flag" in table.columns else False
        names = table["parameter"].map(parameter_label) + pd.Series(marks, index=table.index).map(
            {True: " (!)", False: ""}
        )
        shown = pd.DataFrame({"parameter": names})
        for col in ("S1", "ST") if sobol else ("mu_star",):
            pairs = zip(table[col], table[f"{col}_conf"], strict=True)
            shown[col] = [f"{v:.3f} ± {c:.3f}" for v, c in pairs]
        if not sobol:
            shown["mu"], shown["sigma"] = table["mu"].round(3), table["sigma"].round(3)
        note = table.attrs.get("note", "")
        body = f"  {note}" if note else shown.to_string(index=False)
        blocks.append(f"{question(outcome)}  [{outcome}]\n{body}")
    shares = noise.drop(columns=["flag"], errors="ignore").round(3).to_string(index=False)
    blocks.append(
        "How much is noise? Per outcome: variance of one run, the share due to the seeds "
        "(within-point)\nand the share the parameters explain (point means, corrected for "
        f"noise/replications)\n{shares}"
    )
    key = (
        "S1: share of the variance the parameter explains alone; ST: with its interactions; "
        "± 95% intervals"
        if sobol
        else "mu_star: mean absolute effect across the parameter's range; mu: signed; "
        "sigma: spread (interactions)"
    )
    s = sensitivity_of(scenario)
    warned = ""
    if "flag" in noise.columns and found:
        warned = warnings_text(tidy(found)[0], noise, s.method, s.samples)
        if warned:
            logging.getLogger(__name__).warning("%s", warned)
            warned += "\n(!): not to be trusted; the flag column of the CSV tables says why"
    return "\n\n".join([*blocks, key, *([warned] if warned else [])])
