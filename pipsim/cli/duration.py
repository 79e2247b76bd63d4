"""``pipsim duration``: how long must the project be to meet the log frame with probability P?

It runs a scenario sweeping ``project_months`` through `pipsim.sweep.runner.run_sweep`
(resumable, any engine), analyses it with `pipsim.analysis.duration` and writes
``OUT/duration.csv``, ``OUT/duration.json`` and ``OUT/figures/duration.png`` beside the usual
summary. With ``--adaptive`` it adds replications in blocks of the scenario's own count until
every length's Wilson half-width is within the tolerance. Round *b* holds replicates *b·R* to
*(b+1)·R − 1*, its runs depend on its point and first replicate only (the engine's blocks
start there), and each round is run into the same directory (``first_replicate``), so no run
is ever made twice: the first round is the plain sweep, an interrupted round resumes, and
after *k* rounds the directory holds exactly what a sweep with *k·R* replications in blocks of
*R* would. Errors the user can fix exit with status 2.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipsim.cli import runlog
from pipsim.cli.common import (
    Subparsers,
    UsageError,
    add_engine_options,
    add_ensemble_options,
    add_scenario_argument,
    check_limits,
    check_replications,
    command_line,
    ensemble_words,
    load,
    output_dir,
    positive,
    share,
    summarize,
    sweep_engine,
    with_ensemble,
    workers,
)
from pipsim.sweep.files import save_csv, save_figure, write_bytes

# The analyses (pandas, scipy, matplotlib) and the sweep's modules are imported by the
# functions that use them: building the parser for ``--help`` stays quick.
if TYPE_CHECKING:
    import pandas as pd

    from pipsim.analysis import levers
    from pipsim.analysis.duration import Duration
    from pipsim.sweep.design import Scenario


def add(subparsers: Subparsers) -> None:
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
    add_scenario_argument(parser)
    parser.add_argument(
        "--target",
        type=share(0.0, 1.0),
        default=0.8,
        metavar="P",
        help="probability of meeting the log frame to reach, 0 < P ≤ 1 (default 0.8)",
    )
    parser.add_argument(
        "--months",
        type=positive,
        default=22,
        metavar="M",
        help="the length the designer asks about: its chance, the binding target and what "
        "each lever would make of it (default 22)",
    )
    parser.add_argument(
        "--replications",
        type=positive,
        metavar="N",
        help="runs per length, instead of the scenario's own",
    )
    add_engine_options(parser)
    add_ensemble_options(parser, default_on=True)
    adaptive = parser.add_argument_group("adaptive replications")
    adaptive.add_argument(
        "--adaptive",
        action="store_true",
        help="add blocks of the scenario's replications until every length's Wilson "
        "half-width is within --tolerance (earlier runs are kept and reused)",
    )
    adaptive.add_argument("--tolerance", type=share(0.0, 0.5), metavar="W", help="default 0.05")
    adaptive.add_argument(
        "--max-replications", type=positive, metavar="N", help="per length (default 1000)"
    )
    parser.set_defaults(handler=duration_command)


def duration_command(args: argparse.Namespace) -> int:
    """Run the sweep (in rounds if adaptive), answer, write and print; 130 if interrupted."""
    from pipsim.analysis import duration, levers
    from pipsim.sweep import design, results
    from pipsim.sweep.scenario import with_replications

    scenario = load(args.scenario)
    if args.replications is not None:
        check_replications(args.replications, args)
        scenario = with_replications(scenario, args.replications)
    try:
        duration.check_design(scenario)  # before the ensemble: its words are the file's
        scenario = with_ensemble(scenario, args)
        levers.parameters(scenario, args.months)
    except duration.DurationError as error:
        raise UsageError(str(error)) from None
    except ValueError as error:
        raise UsageError(f"--months {args.months}: {error}") from None
    tolerance, most = _adaptive_options(args, scenario.replications)
    out = output_dir(args, scenario)
    runlog.folder(out)
    lengths = len(design.design_points(scenario))
    print(
        f"pipsim duration: {scenario.name}: {lengths} lengths × {scenario.replications} "
        f"replications"
        + (" (adaptive)" if args.adaptive else "")
        + f", into {out}; "
        + ensemble_words(scenario),
        flush=True,
    )
    started = time.perf_counter()
    check_limits(scenario, lengths * scenario.replications, args)
    with sweep_engine(
        out,
        None,
        workers(args, lengths * scenario.replications),
        args.dask,
        overwrite=args.overwrite,
        dask_timeout=args.dask_timeout,
    ) as executor:
        rounds, ran = _rounds(scenario, out, args, executor, tolerance, most)
    # summary.csv, probabilities.csv and the sweep's figures, the asked length marked on them
    summary = summarize(out, {duration.AXIS: args.months})
    answer = duration.analyse(results.load_runs(out), args.target, seed=scenario.seed)
    print(f"\nthe design and each lever at {args.months} months...", flush=True)
    designer = levers.ask(scenario, args.months, args.target)
    files = [*write(out, answer, rounds, tolerance, designer), *summary.files]
    print(f"\n{screen_text(answer)}")
    if tolerance is not None:  # --adaptive
        print(_adaptive_text(answer.table, rounds, tolerance, most))
    print(f"\n{designer_text(answer, designer)}")
    runs = int(answer.table["runs"].sum())
    took = time.perf_counter() - started
    print(f"\n{runs:,} runs analysed ({ran:,} of them run now); {took:.1f} s")
    print("files written:\n" + "\n".join(f"  {f}" for f in files))
    print(f"for a report to attach to a project document: pipsim report {out}")
    return 0


def _rounds(
    scenario: Scenario,
    out: Path,
    args: argparse.Namespace,
    executor: cf.Executor,
    tolerance: float | None,
    most: int,
) -> tuple[list[int], int]:
    """Run the sweep, then (adaptive) further blocks: replications per length after each round.

    Each round is planned from the blocks of the rounds before it only, so the same command
    plans the same rounds again and an interrupted one resumes where it stopped.
    """
    from pipsim.analysis import duration
    from pipsim.sweep import design, results
    from pipsim.sweep.runner import run_sweep

    def sweep(**options: Any) -> int:
        result = run_sweep(
            scenario,
            out,
            workers=workers(args, len(design.design_points(scenario)) * scenario.replications),
            executor=executor,
            progress=not args.no_progress,
            load=False,
            command=command_line(args),
            **options,
        )
        return result.runs_done_now

    block = scenario.replications
    ran, rounds = sweep(overwrite=args.overwrite), [block]
    while args.adaptive:
        runs = results.load_runs(out)
        have = rounds[-1]
        assert tolerance is not None  # --adaptive has one
        want = duration.replications_needed(
            duration.success_by_length(runs[runs.replicate < have]), tolerance, block, most
        )
        if want <= have:
            break
        print(f"round {len(rounds) + 1}: {have} → {want} replications per length", flush=True)
        for first in range(have, want, block):
            ran += sweep(first_replicate=first)
        rounds.append(want)
    return rounds, ran


def write(
    out: Path,
    answer: Duration,
    rounds: list[int],
    tolerance: float | None,
    designer: levers.DesignerAnswer,
) -> list[Path]:
    """Write ``duration.csv``, ``duration.json``, ``levers.csv`` and their figures; the paths."""
    from pipsim.analysis import duration, levers

    files = [out / "duration.csv", out / "duration.json", out / "figures" / "duration.png"]
    files += [out / "levers.csv", out / "figures" / "levers.png"]
    save_csv(out, files[0], answer.lengths_table())
    finite = lambda v: v if math.isfinite(v) else None  # noqa: E731 - JSON has no infinity
    facts = {
        "question": f"How long must the project be to meet the log frame with probability "
        f"{answer.target:g}?",
        "answer": answer.answer(),
        "target": answer.target,
        "shortest_months": finite(answer.shortest),
        "bootstrap_interval_months": [finite(v) for v in answer.interval],
        "ensemble": _ensemble_facts(answer),
        "designer_answer": designer_text(answer, designer, levers_too=False),
        "shortest_sentence": answer.shortest_sentence(),
        "bootstrap_not_reached_share": answer.not_reached,
        "bootstrap_draws": answer.draws,
        "runs": int(answer.table["runs"].sum()),
        "replications_per_round": rounds,
        "tolerance": tolerance,
        "at_asked_length": designer.facts(),
    }
    if not math.isfinite(answer.shortest):
        facts["note"] = "shortest_months null: no swept length reaches the target"
    text = json.dumps(facts, indent=2, ensure_ascii=False) + "\n"
    write_bytes(out, files[1], text.encode("utf-8"))
    save_figure(out, files[2], duration.figure(answer, designer.months), dpi=120)
    save_csv(out, files[3], designer.levers)
    figure = levers.figure(designer.levers, designer.months, designer.target)
    save_figure(out, files[4], figure, dpi=120)
    return files


def _ensemble_facts(answer: Duration) -> str | None:
    """What the intervals hold: None at the scenario's parameters, or what the ensemble adds."""
    if "parameters_lower" not in answer.table.columns:
        return None
    return (
        "runs drawn across an ensemble of accepted parameter sets: lower/upper are the runs' "
        "95% interval, parameters_lower/parameters_upper add what we do not know about the "
        "parameters (their 5-95% spread)"
    )


def designer_text(
    answer: Duration, designer: levers.DesignerAnswer, levers_too: bool = True
) -> str:
    """The designer's answer: the asked length's chance, the binding target, the shortest length.

    With ``levers_too``, followed by what each lever would make of the asked length.
    """
    from pipsim.analysis import levers

    text = " ".join(
        [designer.headline(), levers.binding_sentence(designer.targets), answer.shortest_sentence()]
    )
    if not levers_too:
        return text
    return f"{text}\n\n{designer.text()}"


def screen_text(answer: Duration) -> str:
    """The question, a row per swept length, the answer, and the common lengths."""
    from pipsim.analysis import duration

    rows = answer.lengths_table()
    lines = [
        f"How long must the project be to meet the log frame with {answer.target:.0%} probability?",
        "",
        "  months   runs  P(all targets met) [95% CI]"
        + ("  [with the parameters]" if "parameters_lower" in answer.table.columns else ""),
    ]
    for r in rows[rows.source == "swept"].itertuples():
        mark = "  ← shortest reaching it" if r.shortest else ""
        lines.append(f"  {r.project_months:>6g} {r.runs:>6}  {_odds(r)}{mark}")
    lines += ["", answer.answer(), "", "At the lengths projects commonly use:"]
    swept = answer.table[duration.AXIS].to_numpy()
    for r in rows[rows.common].itertuples():
        if r.source == "not swept":
            span = f"{swept[0]:g}–{swept[-1]:g}"
            lines.append(f"  {r.project_months:>3g} months  not swept (outside {span} months)")
            continue
        i = swept.searchsorted(r.project_months)
        how = "" if r.source == "swept" else f"  (interpolated, {swept[i - 1]:g}–{swept[i]:g})"
        lines.append(f"  {r.project_months:>3g} months  P = {_odds(r)}{how}")
    return "\n".join(lines)


def _adaptive_text(table: pd.DataFrame, rounds: list[int], tolerance: float, most: int) -> str:
    """How the adaptive rounds went: replications per length, and the widest interval left."""
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
    check_replications(most, args, "--max-replications: ")
    if most < block:
        raise UsageError(
            f"--max-replications {most} is below the scenario's {block} "
            "replications per length: raise it, or lower the file's"
        )
    return tolerance, most


def _odds(row: Any) -> str:
    """A length's probability and its interval, from a row of `Duration.lengths_table`."""
    text = f"{row.probability:.2f} [{row.lower:.2f}, {row.upper:.2f}]"
    low = getattr(row, "parameters_lower", math.nan)
    if math.isfinite(low):  # drawn across an ensemble
        text += f"  [{low:.2f}, {row.parameters_upper:.2f}]"
    return text
