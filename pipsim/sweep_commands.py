"""The sweep subcommands of ``pipsim``: ``check``, ``run`` and ``summarize`` a scenario file.

Each ``add_<name>`` adds a subparser to ``pipsim``'s (listed in `pipsim.cli.SUBCOMMANDS`) and
each handler takes the parsed arguments and returns the exit status. A problem the user can
fix (a bad scenario, an output directory holding something else, an unreachable Dask
scheduler) is raised as `UsageError`: one line on stderr, exit status 2. Ctrl-C during a sweep
keeps every finished chunk on disk and exits with status 130; the same command resumes.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipsim import design, results
from pipsim.errors import UsageError
from pipsim.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    from pipsim.runner import SweepResult

SUMMARY_NOTE = (
    "P(success): share of runs meeting every log frame target at project end; "
    "P(sustained): share whose joint\nprojects lasted to the end of the horizon; "
    "[95% CI]: Wilson interval; other columns: means over the runs."
)


# --- check ----------------------------------------------------------------------------------
def add_check(subparsers: Any) -> None:
    """Add ``check``: validate a scenario file and describe its design, without running it."""
    parser = subparsers.add_parser(
        "check",
        help="validate a scenario file and show its design, without running it",
        description="Validate a scenario file and print its design: base values, axes, "
        "sampled ranges, design points, replications and the total number of runs.",
        epilog="example: pipsim check scenarios/project_length.toml",
        allow_abbrev=False,
    )
    parser.add_argument("scenario", type=Path, metavar="SCENARIO", help="scenario file (TOML)")
    parser.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    """Print what ``args.scenario`` would run, then ``ok``; bad scenarios are usage errors."""
    scenario = _load(args.scenario)
    print(describe(scenario))
    print("ok")
    return 0


def describe(scenario: Scenario) -> str:
    """The design of ``scenario`` as aligned ``label  value`` lines."""
    points = len(design.design_points(scenario))
    total = points * scenario.replications
    base = ", ".join(f"{k} = {_show(v)}" for k, v in scenario.base.items())
    axes = [
        f"{k}: {', '.join(map(_show, values))}  ({len(values)} values)"
        for k, values in scenario.sweep.items()
    ]
    sampled = [
        f"{r.name}: {_show(r.low)} to {_show(r.high)}" + (" (whole numbers)" if r.integer else "")
        for r in scenario.sample
    ]
    if sampled:
        sampled[0] += f"  (Latin hypercube, {scenario.sample_points} points)"
    if scenario.sensitivity is not None:
        from pipsim.sensitivity_commands import describe as describe_sensitivity

        sampled = describe_sensitivity(scenario)
    rows = [
        ("scenario", scenario.name),
        ("description", scenario.description or "(none)"),
        ("file", f"{scenario.source} (sha256 {scenario.digest[:12]})"),
        ("base values", base or "(the cluster preset)"),
        *(("axes" if i == 0 else "", axis) for i, axis in enumerate(axes or ["(none)"])),
        *(("sampled" if i == 0 else "", s) for i, s in enumerate(sampled or ["(none)"])),
        ("design points", str(points)),
        ("replications", str(scenario.replications)),
        ("total runs", f"{total:,}"),
        ("time series", "kept (one row per run and month)" if scenario.time_series else "not kept"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)


# --- run ------------------------------------------------------------------------------------
def add_run(subparsers: Any) -> None:
    """Add ``run``: run a scenario's sweep (resuming an interrupted one), then summarise it."""
    parser = subparsers.add_parser(
        "run",
        help="run a scenario's sweep, then summarise it (resumes an interrupted sweep)",
        description="Run every run of a scenario file, writing results as they finish; "
        "then print the odds of meeting the log frame per design point and draw figures. "
        "An interrupted sweep (Ctrl-C, kill, a lost worker) resumes when the same command "
        "is run again.",
        epilog="example: pipsim run scenarios/project_length.toml --replications 5 "
        "--out /tmp/pl (a quick look)",
        allow_abbrev=False,
    )
    parser.add_argument("scenario", type=Path, metavar="SCENARIO", help="scenario file (TOML)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: results/<scenario name>)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="worker processes (default: all cores); 1 runs in this process",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS|local",
        help="run on a Dask cluster: a scheduler address "
        "(tcp://host:8786), or 'local' to start one on this machine",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an output directory holding other results"
    )
    parser.add_argument(
        "--replications",
        type=_positive,
        metavar="N",
        help="runs per design point, overriding the file's (for a quick "
        "look; recorded, so it never mixes with the file's results)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the sweep ``args`` describe, print its summary, files and speed; 130 if interrupted."""
    scenario = _load(args.scenario)
    if scenario.sensitivity is not None:  # its summary would be a table row per sample point
        raise UsageError(
            f"{args.scenario} has a [sensitivity] section: run it with "
            f"'pipsim sensitivity {args.scenario}'"
        )
    if args.replications is not None:
        scenario = with_replications(scenario, args.replications)
    out = args.out if args.out is not None else Path("results") / scenario.name
    workers = args.workers or os.cpu_count() or 1
    points = len(design.design_points(scenario))
    total = points * scenario.replications
    engine = (
        f"on Dask ({args.dask})"
        if args.dask
        else "in this process"
        if workers == 1
        else f"on {workers} worker processes"
    )
    print(
        f"pipsim run: {scenario.name}: {total:,} runs ({points} design points × "
        f"{scenario.replications} replications) {engine}, into {out}",
        flush=True,
    )
    result = sweep_as_commanded(scenario, out, args, workers, total)
    try:
        summary = _summarize(out)
    except KeyboardInterrupt:
        print(
            f"interrupted while summarising: all {total:,} runs are saved in {out}; "
            f"run 'pipsim summarize {out}' for the summary",
            file=sys.stderr,
        )
        return 130
    print()
    print(_summary_text(scenario, summary))
    print(_speed(result))
    return 0


def with_replications(scenario: Scenario, replications: int) -> Scenario:
    """``scenario`` with ``replications`` runs per point, the override recorded in its text.

    The text (and so the digest) changes, so the results of an overridden run never mix with
    the file's: the same command resumes it, the plain command refuses its directory.
    """
    note = f"\n# replications overridden on the command line: {replications}\n"
    return scenario.replace(replications=replications, text=scenario.text + note)


def saved_runs(out: Path) -> int:
    """How many runs the chunks in ``out`` hold (0 if there are none, or no ``out``)."""
    import pyarrow.parquet as pq

    try:
        return sum(
            pq.read_metadata(path).num_rows for path in (out / results.RUNS).glob("chunk-*.parquet")
        )
    except OSError:
        return 0


def _speed(result: Any) -> str:
    """How long the sweep took, how fast it ran, and what was resumed."""
    wall, done = result.wall_seconds, result.runs_done_now
    if done == 0:
        return (
            f"all {result.resumed_runs:,} runs were already in {result.out}: nothing to "
            "run (--overwrite to run them again)"
        )
    speed = (
        f"{done:,} runs in {wall:.1f} s wall time ({done / max(wall, 1e-9):.1f} runs/s; "
        f"{result.model_seconds:.1f} s of model time)"
    )
    if result.resumed_runs:
        speed += f"; {result.resumed_runs:,} runs were resumed from an earlier attempt"
    return speed + "".join(f"\nnote: {note}" for note in result.notes)


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep, already reported with its resume hint: exit status 130."""


def sweep_as_commanded(
    scenario: Scenario, out: Path, args: argparse.Namespace, workers: int, total: int
) -> SweepResult:
    """Run ``scenario`` into ``out`` as ``run`` and ``sensitivity`` do.

    On the engine the command line chose (``--dask`` or local workers), honouring
    ``--overwrite`` and ``--no-progress``, with Ctrl-C and failures reported by `sweep_engine`.
    """
    from pipsim.runner import run_sweep

    with sweep_engine(out, total, workers, args.dask) as executor:
        return run_sweep(
            scenario,
            out,
            workers=workers,
            executor=executor,
            overwrite=args.overwrite,
            progress=not args.no_progress,
        )


@contextmanager
def sweep_engine(
    out: Path, total: int | None, workers: int, dask: str | None
) -> Iterator[cf.Executor | None]:
    """The executor a sweep command runs on, and one way of reporting what stops the sweep.

    Ctrl-C stops the workers at once and says how many runs are saved (`SweepInterrupted`,
    exit 130); an output directory holding something else, a killed worker or an unwritable
    directory become a `UsageError` (exit 2) that says the same command resumes.
    """
    executor, close, stop = _executor(workers, dask)
    of_total = f" of {total:,}" if total is not None else ""
    try:
        yield executor
    except KeyboardInterrupt:
        stop()
        print(
            f"interrupted: {saved_runs(out):,}{of_total} runs saved in {out}; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        raise SweepInterrupted from None
    except results.ResultsError as error:
        raise UsageError(str(error)) from None
    except (BrokenProcessPool, OSError) as error:  # a killed worker (out of memory?), a full disk
        saved = saved_runs(out)
        resume = f"; {saved:,}{of_total} runs saved in {out}, run the same command again to resume"
        raise UsageError(f"the sweep stopped: {error}{resume if saved else ''}") from None
    finally:
        close()


def _executor(
    workers: int, dask: str | None
) -> tuple[cf.Executor | None, Callable[[], None], Callable[[], None]]:
    """The executor for ``run_sweep``, how to close it, and how to stop it at once (Ctrl-C).

    Workers of a local pool ignore SIGINT (no traceback per worker when Ctrl-C reaches the
    whole process group); on interruption the parent terminates them, so pipsim exits at once
    instead of waiting for the chunks under way (they are run again on resume).
    """
    nothing = lambda: None  # noqa: E731
    if dask is not None:
        from pipsim.runner import _dask_executor

        # a local cluster's processes inherit an ignored SIGINT: Ctrl-C is the parent's to
        # handle (it closes the cluster), not a traceback from every Dask process
        before = signal.signal(signal.SIGINT, signal.SIG_IGN) if dask == "local" else None
        try:
            pool, close = _dask_executor(dask, workers)
        except RuntimeError as error:  # Dask is not installed
            raise UsageError(str(error)) from None
        except (OSError, TimeoutError, ValueError) as error:
            where = (
                "start a local Dask cluster"
                if dask == "local"
                else (f"connect to the Dask scheduler at {dask}")
            )
            raise UsageError(f"cannot {where}: {error}") from None
        finally:
            if before is not None:
                signal.signal(signal.SIGINT, before)
        return pool, close, nothing
    if workers == 1:
        return None, nothing, nothing  # run_sweep runs in this process
    # forkserver, as pipsim.runner: forking a process that runs threads can deadlock
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context("forkserver"), initializer=_quiet_worker
    )

    def stop() -> None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()

    return pool, lambda: pool.shutdown(wait=False, cancel_futures=True), stop


def _quiet_worker() -> None:
    """In a pool worker: ignore SIGINT; the parent handles Ctrl-C and terminates the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- summarize ------------------------------------------------------------------------------
def add_summarize(subparsers: Any) -> None:
    """Add ``summarize``: the summary of a sweep on disk, its CSV tables and figures again."""
    parser = subparsers.add_parser(
        "summarize",
        help="summarise a sweep's results on disk again (tables and figures)",
        description="Print the summary of the sweep in DIR and write its CSV tables and "
        "figures again; works on a partly finished sweep too (it covers the runs so far).",
        epilog="example: pipsim summarize results/project_length",
        allow_abbrev=False,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="a sweep's output directory")
    parser.set_defaults(handler=summarize_command)


def summarize_command(args: argparse.Namespace) -> int:
    """Summarise the sweep in ``args.dir``; a directory without results is a usage error."""
    summary = _summarize(args.dir)
    manifest = _manifest(args.dir)
    total, done = manifest.get("total_runs"), saved_runs(args.dir)
    try:  # the copy of the scenario beside the results: its name and description
        scenario = load_scenario(args.dir / "scenario.toml")
    except ScenarioError:
        scenario = None
    print(_summary_text(scenario, summary, manifest.get("scenario_name")))
    if isinstance(total, int) and done < total:
        print(
            f"note: the sweep in {args.dir} is not finished ({done:,} of {total:,} runs); "
            "this summary covers the runs so far",
            file=sys.stderr,
        )
    return 0


# --- shared ---------------------------------------------------------------------------------
def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise UsageError(str(error)) from None


def _summarize(out: Path) -> Any:
    from pipsim.summary import summarize  # matplotlib loads only when it is needed

    try:
        return summarize(out)
    except results.ResultsError as error:
        raise UsageError(str(error)) from None


def _manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / results.MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _summary_text(scenario: Scenario | None, summary: Any, name: str | None = None) -> str:
    """The heading, the summary table with its key, and the files written."""
    if scenario is not None:
        heading = scenario.name + (f": {scenario.description}" if scenario.description else "")
    else:
        heading = name or "sweep"
    files = "\n".join(f"  {path}" for path in summary.files)
    return f"{heading}\n\n{summary.text}\n\n{SUMMARY_NOTE}\n\nfiles written:\n{files}"


def _show(value: Any) -> str:
    """A value as a scenario file would write it (without quotes for strings)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _positive(text: str) -> int:
    """Parse a whole number ≥ 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: give a whole number ≥ 1")
    return number


__all__: Sequence[str] = ("add_check", "add_run", "add_summarize")
