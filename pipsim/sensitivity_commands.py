"""``pipsim sensitivity``: which parameters drive the outcomes, and how much is noise?

It runs a scenario's ``[sensitivity]`` design, then asks SALib which parameters matter, and
measures how much of each outcome's spread is the model's own randomness.

The runs go through `pipsim.runner.run_sweep` like any sweep (resumable, any engine), so an
interrupted analysis resumes with the same command. Then `pipsim.sensitivity` analyses them
and this module writes ``OUT/sensitivity_<method>.csv``, ``OUT/sensitivity_second_order.csv``
(Sobol'), ``OUT/noise.csv`` and one figure per outcome in ``OUT/figures/``, and prints the
tables. Errors the user can fix are `UsageError` (exit status 2), as for ``pipsim run``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pandas as pd

from pipsim import design, results
from pipsim.errors import UsageError
from pipsim.scenario import Scenario
from pipsim.sweep_commands import _load, _positive, _show, _speed, sweep_as_commanded

METHOD_NAMES = {"sobol": "Sobol' indices", "morris": "Morris elementary effects"}
DIST_NAMES = {"unif": "uniform", "triang": "triangular", "norm": "normal", "lognorm": "lognormal"}


def add_sensitivity(subparsers: Any) -> None:
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
    parser.add_argument("scenario", type=Path, metavar="SCENARIO", help="scenario file (TOML)")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output directory (default: results/<name>)"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="worker processes (default: all cores); 1 runs in this process",
    )
    parser.add_argument(
        "--dask", metavar="ADDRESS|local", help="run on a Dask cluster (address, or 'local')"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an output directory holding other results"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=sensitivity_command)


def sensitivity_command(args: argparse.Namespace) -> int:
    """Run, analyse, write and print; 130 if interrupted (the same command resumes)."""
    scenario = _load(args.scenario)
    if scenario.sensitivity is None:
        raise UsageError(
            f"{args.scenario} has no [sensitivity] section: add one (see scenarios/README.md), "
            "or use 'pipsim run' for a sweep"
        )
    out = args.out if args.out is not None else Path("results") / scenario.name
    workers = args.workers or os.cpu_count() or 1
    total = len(design.design_points(scenario)) * scenario.replications
    print(f"pipsim sensitivity: {scenario.name}: {total:,} runs into {out}", flush=True)
    for line in describe(scenario):
        print(f"  {line}")
    result = sweep_as_commanded(scenario, out, args, workers, total)
    text, files = write_analysis(scenario, out, result.runs)
    print(f"\n{text}\n\nfiles written:\n" + "\n".join(f"  {f}" for f in files))
    print(_speed(result))
    return 0


def describe(scenario: Scenario) -> list[str]:
    """The sensitivity design in words: method, sample size, outcomes, one line per factor."""
    s = scenario.sensitivity
    rows = len(design.design_points(scenario))
    extra = ", with second order" if s.method == "sobol" and s.second_order else ""
    size = "N" if s.method == "sobol" else "trajectories"
    levels = f", {s.levels} levels" if s.method == "morris" else ""
    lines = [
        f"{METHOD_NAMES[s.method]}{extra}: {size} = {s.samples}{levels}, {rows} points × "
        f"{scenario.replications} replications; outcomes: {', '.join(s.outcomes)}"
    ]
    for f in s.parameters:
        kind = DIST_NAMES[f.dist] + (f", peak {_show(f.peak)}" if f.peak is not None else "")
        kind += ", central 95%" if f.dist in ("norm", "lognorm") else ""
        whole = ", whole numbers" if f.integer else ""
        lines.append(f"{f.name}: {_show(f.low)} to {_show(f.high)} ({kind}{whole})")
    return lines


def write_analysis(
    scenario: Scenario, out: Path, runs: pd.DataFrame | None = None
) -> tuple[str, list[Path]]:
    """Analyse the runs in ``out``; write the tables and figures; return the text and files."""
    from pipsim import sensitivity, sensitivity_plots

    s = scenario.sensitivity
    runs = runs if runs is not None else results.load_runs(out)
    found = sensitivity.analyse(scenario, runs)
    main, second = sensitivity.tidy(found)
    noise = sensitivity.noise(runs, s.outcomes)
    files = [out / f"sensitivity_{s.method}.csv", out / "noise.csv"]
    main.to_csv(files[0], index=False)
    noise.to_csv(files[1], index=False)
    if second is not None:
        files.append(out / "sensitivity_second_order.csv")
        second.to_csv(files[-1], index=False)
    folder = out / "figures"
    folder.mkdir(exist_ok=True)
    floors = noise.set_index("outcome")["noise_share_of_means"]
    subtitle = (
        f"{METHOD_NAMES[s.method]}, {len(sensitivity.sample(scenario))} points × "
        f"{scenario.replications} replications ({scenario.name})"
    )
    for outcome, table in found.items():
        if s.method == "sobol":
            fig = sensitivity_plots.sobol_bars(table, subtitle, floors[outcome])
        else:
            fig = sensitivity_plots.morris_plane(table, subtitle)
        files.append(folder / f"{s.method}_{outcome}.png")
        fig.savefig(files[-1], dpi=120)
    return screen_text(scenario, found, noise), files


def screen_text(scenario: Scenario, found: dict[str, pd.DataFrame], noise: pd.DataFrame) -> str:
    """The indices of each outcome, most influential first, then the noise table."""
    from pipsim.sensitivity_plots import parameter_label, question

    sobol = scenario.sensitivity.method == "sobol"
    blocks = []
    for outcome, table in found.items():
        key = "ST" if sobol else "mu_star"
        table = table.sort_values(key, ascending=False)
        shown = pd.DataFrame({"parameter": table["parameter"].map(parameter_label)})
        for col in ("S1", "ST") if sobol else ("mu_star",):
            pairs = zip(table[col], table[f"{col}_conf"], strict=True)
            shown[col] = [f"{v:.3f} ± {c:.3f}" for v, c in pairs]
        if not sobol:
            shown["mu"], shown["sigma"] = table["mu"].round(3), table["sigma"].round(3)
        note = table.attrs.get("note", "")
        body = f"  {note}" if note else shown.to_string(index=False)
        blocks.append(f"{question(outcome)}  [{outcome}]\n{body}")
    shares = noise.round(3).to_string(index=False)
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
    return "\n\n".join([*blocks, key])
