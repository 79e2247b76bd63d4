"""``pipsim calibrate``: fit the assumption constants to the document's patterns (ABC-SMC).

Reads a targets file (`pipsim.calibration.targets`), screens the candidate parameters with
Morris, runs pyabc's ABC-SMC over the ones kept, checks every target (held-out ones too)
against the posterior predictive, and writes tables and figures into the output folder. The
same command resumes an interrupted calibration (pyabc's history database in the folder).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipsim.cli.common import (
    Once,
    Subparsers,
    SweepInterrupted,
    UsageError,
    add_dask_options,
    dask_problem,
    note_workers,
    positive,
    seed,
)

DEFAULT_BUDGET = 2000


def add(subparsers: Subparsers) -> None:
    """Add ``calibrate``: screening, ABC-SMC and the predictive check of a targets file."""
    parser = subparsers.add_parser(
        "calibrate",
        help="fit the model's assumptions to the document's patterns (Morris, ABC-SMC)",
        description="Screen the targets file's candidate parameters (Morris), fit the ones "
        "the targets respond to with ABC-SMC (pyabc), and check every target, the held-out "
        "ones too, against the posterior predictive. Writes the posterior (Parquet), its "
        "table, the check and figures into the output folder; the same command resumes an "
        "interrupted calibration.",
        epilog="example: pipsim calibrate calibration/targets.toml --workers 1 --budget 3000",
        allow_abbrev=False,
    )
    parser.add_argument("targets", type=Path, metavar="TARGETS", help="targets file (TOML)")
    parser.add_argument(
        "--out",
        action=Once,
        type=Path,
        metavar="DIR",
        help="output folder (default: results/calibration-<name>)",
    )
    parser.add_argument(
        "--workers",
        action=Once,
        type=positive,
        metavar="N",
        default=1,
        help="worker processes (default 1: in this process)",
    )
    add_dask_options(parser)
    parser.add_argument(
        "--budget",
        action=Once,
        type=positive,
        default=DEFAULT_BUDGET,
        metavar="RUNS",
        help=f"model runs the ABC-SMC may spend (default {DEFAULT_BUDGET:,}); the screening "
        "and the predictive check, sized by the targets file, come on top",
    )
    parser.add_argument(
        "--seed",
        action=Once,
        type=seed,
        metavar="S",
        help="root seed, instead of the targets file's",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an output folder holding another calibration (pipsim's files only)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    """Run the calibration ``args`` describe and print what it found; 130 if interrupted."""
    from pipsim.calibration.targets import TargetsError, load_targets

    try:
        calibration = load_targets(args.targets)
    except TargetsError as error:
        raise UsageError(str(error)) from None
    if args.seed is not None:  # noted in the text: the folder's digest follows the seed
        note = f"\n# seed overridden on the command line: {args.seed}\n"
        calibration = dataclasses.replace(calibration, seed=args.seed, text=calibration.text + note)
    out = args.out or Path("results") / f"calibration-{calibration.name}"
    if calibration.method == "history_matching":
        return _history_matching(calibration, out, args)
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise UsageError("pyabc is not installed: pip install 'pipsim[calibrate]'") from None
    from pipsim.calibration import outputs
    from pipsim.calibration.abc import EngineError
    from pipsim.calibration.run import calibrate, resume_hint

    note_workers(args)
    where = f"on Dask ({args.dask})" if args.dask else f"on {args.workers} worker(s)"
    print(
        f"pipsim calibrate: {calibration.name}: {len(calibration.fitted)} calibration and "
        f"{len(calibration.held_out)} held-out targets, {len(calibration.priors)} candidate "
        f"parameters, {where}, into {out}\n  runs: {planned_runs(calibration, args.budget)}",
        flush=True,
    )
    bars: list[Any] = []
    with stopped_in_one_line(bars, lambda: resume_hint(out), dask=args.dask, engine=EngineError):
        result = calibrate(
            calibration,
            out,
            budget=args.budget,
            workers=args.workers,
            dask=args.dask,
            dask_timeout=args.dask_timeout,
            overwrite=args.overwrite,
            say=_say(bars),
            bar=None if args.no_progress else _bar_factory(bars),
        )
    files = outputs.write_figures(out)
    print(text(result))
    print("files written:\n" + "\n".join(f"  {f}" for f in sorted(out.glob("*.*")) + files))
    return 0


def _history_matching(calibration: Any, out: Path, args: argparse.Namespace) -> int:
    """``pipsim calibrate`` of a targets file with ``method = "history_matching"`` (v2)."""
    from pipsim.calibration.waves import history_match, write_figures

    note_workers(args)
    where = f"on Dask ({args.dask})" if args.dask else f"on {args.workers} worker(s)"
    print(
        f"pipsim calibrate: {calibration.name}: history matching, {len(calibration.fitted)} "
        f"calibration and {len(calibration.held_out)} held-out targets, "
        f"{len(calibration.priors)} parameters, {where}, into {out}\n  runs: "
        f"{planned_runs(calibration, args.budget)}",
        flush=True,
    )
    bars: list[Any] = []
    saved = f": the sets simulated are saved in {out}; run the same command again to resume"
    with stopped_in_one_line(bars, lambda: saved, dask=args.dask):
        found = history_match(
            calibration,
            out,
            workers=args.workers,
            dask=args.dask,
            dask_timeout=args.dask_timeout,
            overwrite=args.overwrite,
            say=_say(bars),
            bar=None if args.no_progress else _bar_factory(bars),
        )
    figures = write_figures(out)
    table = found.table.round(4).to_string(index=False)
    waves = found.waves.to_string(index=False)
    check = ""
    if found.check is not None:
        check = found.check.drop(columns=["statistic"]).round(3).to_string(index=False)
    print(
        f"\nWaves:\n{waves}\n\nEnsemble: {len(found.ensemble)} sets, effective size "
        f"{found.effective_size:.1f} ({found.effective_size_likelihood:.1f} if weighted by "
        f"likelihood); representative (weighted medoid): {found.representative}"
        f"\n{table}\n\nPredictive check:\n{check}\n\nruns {found.runs:,}; wall time "
        f"{found.wall_seconds:.0f} s"
    )
    print("files written:\n" + "\n".join(f"  {f}" for f in sorted(out.glob("*.*")) + figures))
    return 0


def planned_runs(calibration: Any, budget: int) -> str:
    """The runs a calibration of ``calibration`` makes, by stage (what `pipsim check` says too)."""
    if calibration.method == "history_matching":
        from pipsim.calibration.waves import runs_per_set, simulated_sets

        sets, per = simulated_sets(calibration), runs_per_set(calibration)
        return f"{sets:,} parameter sets x {per:,} = {sets * per:,}, then the predictive check"
    from pipsim.calibration.run import plan

    sizes = plan(calibration, budget)
    return (
        f"screening {sizes['screening']:,}, ABC-SMC at most {sizes['abc']:,} "
        f"({sizes['per_particle']} per particle, --budget {budget:,}), predictive check "
        f"{sizes['predictive']:,}"
    )


@contextmanager
def stopped_in_one_line(
    bars: list[Any],
    hint: Callable[[], str],
    *,
    dask: str | None,
    engine: type[BaseException] | None = None,
) -> Iterator[None]:
    """Whatever stops a calibration, one line saying what is saved and how to go on.

    ``hint`` says, when asked, what the folder holds (": ... run the same command again to
    resume"; asked then, since what is saved grows as the calibration goes on); ``engine``
    is the error type of a Dask cluster that cannot be reached (pyabc's path). The progress
    bars in ``bars`` are closed in every case, so the line is not drawn over.
    """
    from pipsim.calibration.run import CalibrationError

    try:
        yield
    except CalibrationError as error:
        raise UsageError(str(error)) from None
    except Exception as error:
        if engine is not None and isinstance(error, engine):
            raise dask_problem(dask, error) from None
        if isinstance(error, RuntimeError):  # Dask is not installed
            raise UsageError(str(error)) from None
        if isinstance(error, (OSError, TimeoutError, ValueError)):
            raise UsageError(f"the calibration stopped: {error}{hint()}") from None
        raise
    except KeyboardInterrupt:
        for bar in bars:
            bar.close()
        bars.clear()
        print(f"interrupted{hint()}", file=sys.stderr)
        raise SweepInterrupted from None
    finally:
        for bar in bars:
            bar.close()


def _say(bars: list[Any]) -> Callable[[str], None]:
    def say(line: str) -> None:
        if bars:
            from tqdm import tqdm

            tqdm.write(line)
        else:
            print(line, flush=True)

    return say


def _bar_factory(bars: list[Any]) -> Callable[[str, int], Callable[[int], None]]:
    def make(label: str, total: int) -> Callable[[int], None]:
        from tqdm import tqdm

        for done in bars:  # one bar at a time: the stage before is over
            done.close()
        bar = tqdm(total=total, desc=label, unit="", file=sys.stderr, dynamic_ncols=True)
        bars.append(bar)
        return bar.update

    return make


def text(result: Any) -> str:
    """The screening, the posterior table and the check, as printed."""
    from pipsim.calibration.screening import ranking

    shown = ranking(result.screening).round(4).to_string(index=False)
    table = result.table.round(4).to_string(index=False)
    check = result.check.drop(columns=["statistic"]).round(3).to_string(index=False)
    runs = ", ".join(f"{k} {v:,}" for k, v in result.runs.items())
    return (
        f"\nScreening (Morris; importance = mean μ* over the calibration targets, in each "
        f"target's scale):\n{shown}\n\nPosterior ({result.progress.generations} generations, "
        f"{result.progress.stopped}; last epsilon {result.progress.epsilon:.3g}):\n{table}\n\n"
        f"Predictive check (median and 5-95% of the statistic over posterior draws; 'defaults':"
        f" the current presets; fits = at least half the draws inside [low, high]):\n{check}\n\n"
        f"runs: {runs}; wall time {result.wall_seconds:.0f} s\n"
    )
