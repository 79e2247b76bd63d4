"""``pipsim duration`` (how long must the project be?) and ``pipsim report`` (one HTML file).

``duration`` runs a scenario sweeping ``project_months`` through `pipsim.runner.run_sweep`
(resumable, any engine), analyses it with `pipsim.duration` and writes ``OUT/duration.csv``,
``OUT/duration.json`` and ``OUT/figures/duration.png`` beside the usual summary. With
``--adaptive`` it adds replications in blocks of the scenario's own count until every
length's Wilson half-width is within the tolerance. Block *b* holds replicates *b·R* to
*(b+1)·R − 1*, a run's seed depends on its point and replicate only, and each block is run
into the same directory (``first_replicate``), so no run is ever made twice: the first block
is the plain sweep, an interrupted round resumes, and after *k* blocks the directory holds
exactly what a sweep with *k·R* replications would. ``report`` turns any output directory
into a self-contained HTML file (`pipsim.report`). Errors the user can fix exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from pipsim import design, results
from pipsim.errors import UsageError
from pipsim.sweep_commands import _load, _positive, _summarize, sweep_engine


def add_duration(subparsers: Any) -> None:
    """Add ``duration``: the shortest project length meeting the log frame with probability P."""
    parser = subparsers.add_parser(
        "duration",
        help="how long must the project be to meet the log frame with probability P?",
        description="Run a scenario that sweeps project_months (other axes single-valued), "
        "then report the probability of meeting every log frame target at each length "
        "(Wilson 95% intervals), the shortest length reaching --target with a bootstrap 95% "
        "interval, and the odds at the lengths projects commonly use. Resumes like 'run'.",
        epilog="example: pipsim duration scenarios/duration.toml --target 0.8",
        allow_abbrev=False,
    )
    parser.add_argument("scenario", type=Path, metavar="SCENARIO", help="scenario file (TOML)")
    parser.add_argument(
        "--target",
        type=_share(0.0, 1.0),
        default=0.8,
        metavar="P",
        help="probability of meeting the log frame to reach, 0 < P ≤ 1 (default 0.8)",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="default: results/<name>")
    parser.add_argument("--workers", type=_positive, metavar="N", help="default: all cores")
    parser.add_argument("--dask", metavar="ADDRESS|local", help="run on a Dask cluster")
    parser.add_argument("--overwrite", action="store_true", help="replace other results in DIR")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    adaptive = parser.add_argument_group("adaptive replications")
    adaptive.add_argument(
        "--adaptive",
        action="store_true",
        help="add blocks of the scenario's replications until every length's Wilson "
        "half-width is within --tolerance (earlier runs are kept and reused)",
    )
    adaptive.add_argument("--tolerance", type=_share(0.0, 0.5), metavar="W", help="default 0.05")
    adaptive.add_argument(
        "--max-replications", type=_positive, metavar="N", help="per length (default 1000)"
    )
    parser.set_defaults(handler=duration_command)


def duration_command(args: argparse.Namespace) -> int:
    """Run the sweep (in rounds if adaptive), answer, write and print; 130 if interrupted."""
    from pipsim import duration

    scenario = _load(args.scenario)
    try:
        duration.check_design(scenario)
    except duration.DurationError as error:
        raise UsageError(str(error)) from None
    tolerance, most = _adaptive_options(args, scenario.replications)
    out = args.out if args.out is not None else Path("results") / scenario.name
    workers = args.workers or os.cpu_count() or 1
    lengths = len(design.design_points(scenario))
    print(
        f"pipsim duration: {scenario.name}: {lengths} lengths × {scenario.replications} "
        f"replications" + (" (adaptive)" if args.adaptive else "") + f", into {out}",
        flush=True,
    )
    started = time.perf_counter()
    with sweep_engine(out, None, workers, args.dask) as executor:
        rounds, ran = _rounds(scenario, out, args, executor, workers, tolerance, most)
    summary = _summarize(out)  # summary.csv, probabilities.csv and the sweep's figures
    answer = duration.analyse(results.load_runs(out), args.target, seed=scenario.seed)
    files = [*write(out, answer, rounds, tolerance), *summary.files]
    print(f"\n{screen_text(answer)}")
    if args.adaptive:
        print(_adaptive_text(answer.table, rounds, tolerance, most))
    runs = int(answer.table["runs"].sum())
    took = time.perf_counter() - started
    print(f"\n{runs:,} runs analysed ({ran:,} of them run now); {took:.1f} s")
    print("files written:\n" + "\n".join(f"  {f}" for f in files))
    print(f"for a report to attach to a project document: pipsim report {out}")
    return 0


def _rounds(scenario, out, args, executor, workers, tolerance, most) -> tuple[list[int], int]:
    """Run the sweep, then (adaptive) further blocks: replications per length after each round.

    Each round is planned from the blocks of the rounds before it only, so the same command
    plans the same rounds again and an interrupted one resumes where it stopped.
    """
    from pipsim.duration import replications_needed, success_by_length
    from pipsim.runner import run_sweep

    def sweep(**options: Any) -> int:
        result = run_sweep(
            scenario,
            out,
            workers=workers,
            executor=executor,
            progress=not args.no_progress,
            load=False,
            **options,
        )
        return result.runs_done_now

    block = scenario.replications
    ran, rounds = sweep(overwrite=args.overwrite), [block]
    while args.adaptive:
        runs = results.load_runs(out)
        have = rounds[-1]
        want = replications_needed(
            success_by_length(runs[runs.replicate < have]), tolerance, block, most
        )
        if want <= have:
            break
        print(f"round {len(rounds) + 1}: {have} → {want} replications per length", flush=True)
        for first in range(have, want, block):
            ran += sweep(first_replicate=first)
        rounds.append(want)
    return rounds, ran


def write(out: Path, answer: Any, rounds: list[int], tolerance: float | None) -> list[Path]:
    """Write ``duration.csv``, ``duration.json`` and ``figures/duration.png``; their paths."""
    from pipsim.duration import figure

    files = [out / "duration.csv", out / "duration.json", out / "figures" / "duration.png"]
    answer.lengths_table().to_csv(files[0], index=False)
    finite = lambda v: v if math.isfinite(v) else None  # noqa: E731 - JSON has no infinity
    facts = {
        "question": f"How long must the project be to meet the log frame with probability "
        f"{answer.target:g}?",
        "answer": answer.answer(),
        "target": answer.target,
        "shortest_months": finite(answer.shortest),
        "bootstrap_interval_months": [finite(v) for v in answer.interval],
        "note": "null: no swept length reaches the target (beyond the swept range)",
        "bootstrap_not_reached_share": answer.not_reached,
        "bootstrap_draws": answer.draws,
        "runs": int(answer.table["runs"].sum()),
        "replications_per_round": rounds,
        "tolerance": tolerance,
    }
    files[1].write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files[2].parent.mkdir(exist_ok=True)
    figure(answer).savefig(files[2], dpi=120)
    return files


def screen_text(answer: Any) -> str:
    """The question, a row per swept length, the answer, and the common lengths."""
    from pipsim.duration import AXIS

    rows = answer.lengths_table()
    lines = [
        f"How long must the project be to meet the log frame with {answer.target:.0%} probability?",
        "",
        "  months   runs  P(all targets met) [95% CI]",
    ]
    for r in rows[rows.source == "swept"].itertuples():
        mark = "  ← shortest reaching it" if r.shortest else ""
        lines.append(f"  {r.project_months:>6g} {r.runs:>6}  {_odds(r)}{mark}")
    lines += ["", answer.answer(), "", "At the lengths projects commonly use:"]
    swept = answer.table[AXIS].to_numpy()
    for r in rows[rows.common].itertuples():
        if r.source == "not swept":
            span = f"{swept[0]:g}–{swept[-1]:g}"
            lines.append(f"  {r.project_months:>3g} months  not swept (outside {span} months)")
            continue
        i = swept.searchsorted(r.project_months)
        how = "" if r.source == "swept" else f"  (interpolated, {swept[i - 1]:g}–{swept[i]:g})"
        lines.append(f"  {r.project_months:>3g} months  P = {_odds(r)}{how}")
    return "\n".join(lines)


def _adaptive_text(table: Any, rounds: list[int], tolerance: float, most: int) -> str:
    half = ((table["upper"] - table["lower"]) / 2).max()
    steps = " → ".join(map(str, rounds))
    met = "≤" if half <= tolerance else ">"
    end = "" if half <= tolerance else f" (stopped at the maximum, {most} per length)"
    return (
        f"\nadaptive: {len(rounds)} round(s), {steps} replications per length; largest Wilson "
        f"half-width {half:.3f} {met} {tolerance:g}{end}"
    )


def _adaptive_options(args: argparse.Namespace, block: int) -> tuple[float | None, int]:
    """The tolerance and maximum of ``--adaptive`` (checked), or (None, 0) without it."""
    if not args.adaptive:
        if args.tolerance is not None or args.max_replications is not None:
            raise UsageError("--tolerance and --max-replications need --adaptive")
        return None, 0
    tolerance = 0.05 if args.tolerance is None else args.tolerance
    most = 1000 if args.max_replications is None else args.max_replications
    if most < block:
        raise UsageError(
            f"--max-replications {most} is below the scenario's {block} "
            "replications per length: raise it, or lower the file's"
        )
    return tolerance, most


def _odds(row: Any) -> str:
    return f"{row.probability:.2f} [{row.lower:.2f}, {row.upper:.2f}]"


def _share(low: float, high: float):
    """Parse a number in (``low``, ``high``]."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low < value <= high:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: give {low:g} < x ≤ {high:g}")
        return value

    return parse


# --- report ---------------------------------------------------------------------------------
def add_report(subparsers: Any) -> None:
    """Add ``report``: one self-contained HTML file of a sweep, duration or sensitivity run."""
    parser = subparsers.add_parser(
        "report",
        help="write DIR/report.html: one self-contained file to attach to a project document",
        description="Write DIR/report.html for the results in DIR (of run, duration or "
        "sensitivity): the scenario, the manifest, the tables and every figure, in one file "
        "with no external links (figures embedded), readable on screen and in print.",
        epilog="example: pipsim report results/duration",
        allow_abbrev=False,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="an output directory of pipsim")
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Write the report of ``args.dir``; a directory without results is a usage error."""
    from pipsim.report import ReportError, write_report

    try:
        path, figures = write_report(args.dir)
    except (ReportError, OSError) as error:
        raise UsageError(str(error)) from None
    size = path.stat().st_size / 1024
    print(f"wrote {path} ({size:,.0f} KB, {figures} figures embedded)")
    return 0
