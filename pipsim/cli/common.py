"""What every ``pipsim`` command shares: one-line errors, value parsers and the sweep engine.

A problem the user can fix is raised as `UsageError` and reported by `pipsim.cli.main` in one
line (exit status 2); Ctrl-C during a sweep is `SweepInterrupted` (already reported, exit
status 130). The engine options (``--out``, ``--workers``, ``--dask``, ``--overwrite``,
``--no-progress``) are declared once, in `add_engine_options`, and every sweep command
(``run``, ``sensitivity``, ``duration``) takes them from there; `sweep_engine` opens the
engine they choose (`pipsim.sweep.runner.open_engine`) and turns what stops a sweep into a
message that says how to resume.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import math
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipsim.sweep import files
from pipsim.sweep.limits import MAX_BLOCK_SIZE, MAX_REPLICATIONS, MAX_RUNS, MAX_SEED

# Only light modules at the top: every command's parser is built from here for ``--help``.
# The scenario reader, the results folder (pandas, pyarrow), the runner and the analyses are
# imported by the functions that use them.
if TYPE_CHECKING:
    from pipsim.analysis.summary import Summary
    from pipsim.sweep.design import Scenario
    from pipsim.sweep.runner import SweepResult

SUMMARY_NOTE = (
    "P(success): share of runs meeting every log frame target at project end; "
    "P(sustained): share whose joint\nprojects lasted to the end of the horizon; "
    "[95% CI]: Wilson interval; other columns: means over the runs."
)


class UsageError(Exception):
    """Bad input the user can fix: reported in one line, exit status 2."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep, already reported with its resume hint: exit status 130."""


class Subparsers(Protocol):
    """What a command's ``add`` function needs of argparse's (private) subparsers action."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...  # noqa: D102


class Options(Protocol):
    """A parser or one of its argument groups: anything options are added to."""

    def add_argument(self, *names: str, **kwargs: Any) -> argparse.Action: ...  # noqa: D102


# --- values on the command line ---------------------------------------------------------------
class Once(argparse.Action):
    """Store an option's value, refusing the option a second time (under any of its names).

    ``--months 12 --project-months 24`` would otherwise silently keep the last.
    """

    def __call__(  # noqa: D102
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given = namespace.__dict__.setdefault("given_once", {})
        if self.dest in given:
            parser.error(
                f"argument {option_string}: given twice ({given[self.dest]} before): give it once"
            )
        given[self.dest] = option_string
        setattr(namespace, self.dest, values)


def positive(text: str) -> int:
    """Parse a whole number ≥ 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: give a whole number ≥ 1")
    return number


def seed(text: str) -> int:
    """Parse a random seed: a whole number from 0 to `MAX_SEED` (as in scenario files)."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"invalid seed {text!r}: give a whole number from 0 to {MAX_SEED:,}"
        )
    return number


def run_number(text: str) -> int:
    """Parse a run's number in a sweep: a whole number ≥ 0."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"invalid run number {text!r}: give a whole number ≥ 0")
    return number


def share(low: float, high: float) -> Callable[[str], float]:
    """A parser of a number in (``low``, ``high``]."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low < value <= high:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: give {low:g} < x ≤ {high:g}")
        return value

    return parse


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` without control characters (terminal escapes, bells), keeping newlines and tabs.

    For anything read from a file that reaches the terminal: a scenario's description, a path.
    """
    return _CONTROL.sub("", text)


def show(value: Any) -> str:
    """A value as a scenario file would write it (without quotes for strings)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    """The ``SCENARIO`` argument of the commands that read a scenario file."""
    parser.add_argument("scenario", type=Path, metavar="SCENARIO", help="scenario file (TOML)")


def load(path: Path) -> Scenario:
    """The scenario in ``path``; a bad one is a `UsageError`."""
    from pipsim.sweep.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise UsageError(str(error)) from None


# --- the ensemble of parameter sets ----------------------------------------------------------
SHIPPED = "shipped"  # ``--ensemble`` without a file: the ensemble shipped in the package


def add_ensemble_options(parser: argparse.ArgumentParser, default_on: bool) -> None:
    """``--ensemble [FILE]`` and ``--no-ensemble``: draw each block's parameters from a set.

    ``default_on``: on when an ensemble is shipped (``duration``), else off (``run``).
    """
    when = "default: on when pipsim ships one" if default_on else "default: off"
    parser.add_argument(
        "--ensemble",
        action=Once,
        nargs="?",
        const=SHIPPED,
        metavar="FILE",
        help="draw the parameters of each block of runs by weight from an ensemble of "
        f"accepted parameter sets (a CSV; without FILE, the one shipped) and give each "
        f"answer both uncertainties; the scenario's own values win ({when})",
    )
    parser.add_argument(
        "--no-ensemble", action="store_true", help="run at the scenario's parameters only"
    )
    parser.set_defaults(ensemble_default=default_on)


def with_ensemble(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """``scenario`` drawn across the ensemble ``args`` ask for, or as it is (after replications).

    Raises:
        UsageError: both options, an ensemble that cannot be read, none shipped when asked
            for, or a member that does not combine with the scenario.
    """
    from pipsim.calibration import ensemble
    from pipsim.sweep import scenario as scenarios

    if args.no_ensemble and args.ensemble is not None:
        raise UsageError("--ensemble and --no-ensemble contradict each other: give one")
    if args.no_ensemble:
        return scenario
    wanted = args.ensemble
    if wanted is None:
        if not args.ensemble_default or ensemble.shipped() is None:
            return scenario
        wanted = SHIPPED
    try:
        drawn = ensemble.load(None if wanted == SHIPPED else Path(wanted))
        return scenarios.with_ensemble(scenario, drawn)
    except (ensemble.EnsembleError, scenarios.ScenarioError) as error:
        hint = " (give --ensemble FILE, or run without)" if wanted == SHIPPED else ""
        raise UsageError(f"--ensemble: {error}{hint}") from None


def ensemble_words(scenario: Scenario) -> str:
    """How the runs' parameters are chosen, for the line a command starts with."""
    e = scenario.ensemble
    if e is None:
        return "parameters: the scenario's (no ensemble)"
    return (
        f"parameters drawn across {len(e)} accepted sets ({e.source}), "
        f"{scenario.block_size} runs each"
    )


# --- the sweep engine -------------------------------------------------------------------------
def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every sweep command shares: where, on what, and how it shows progress."""
    parser.add_argument(
        "--out",
        action=Once,
        type=Path,
        metavar="DIR",
        help="output directory (default: results/<scenario name>)",
    )
    parser.add_argument(
        "--workers",
        action=Once,
        type=positive,
        metavar="N",
        help="worker processes (default: all cores); 1 runs in this process",
    )
    add_dask_options(parser)
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an output directory holding other results"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"run more than {MAX_REPLICATIONS:,} replications or {MAX_RUNS:,} runs",
    )


def add_dask_options(parser: argparse.ArgumentParser) -> None:
    """``--dask`` and ``--dask-timeout``, for every command that can run on a Dask cluster."""
    parser.add_argument(
        "--dask",
        action=Once,
        metavar="ADDRESS|local",
        help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' to "
        "start one on 127.0.0.1 with --workers workers",
    )
    parser.add_argument(
        "--dask-timeout",
        action=Once,
        type=share(0, 3600),
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the Dask scheduler to answer (default 10)",
    )


def output_dir(args: argparse.Namespace, scenario: Scenario) -> Path:
    """``--out``, or ``results/<scenario name>``."""
    return args.out if args.out is not None else Path("results") / scenario.name


def workers(args: argparse.Namespace, runs: int | None = None) -> int:
    """``--workers``, or every core; never more than ``runs`` (a worker needs a chunk)."""
    count = args.workers or os.cpu_count() or 1
    return max(1, min(count, runs)) if runs is not None else count


def check_limits(scenario: Scenario, runs: int, args: argparse.Namespace) -> None:
    """Refuse a sweep beyond the documented limits unless ``--force``; warn of too many workers.

    Raises:
        UsageError: more than `MAX_REPLICATIONS` replications, `MAX_RUNS` runs or a block of
            more than `MAX_BLOCK_SIZE` runs without ``--force``.
    """
    check_replications(scenario.replications, args)
    check_block_memory(scenario)
    if not getattr(args, "force", False):
        if scenario.block_size > MAX_BLOCK_SIZE:
            raise UsageError(
                f"block_size {scenario.block_size:,} is more than {MAX_BLOCK_SIZE:,} (a model "
                "holds a block's runs in memory at once): pass --force if you mean it"
            )
        if runs > MAX_RUNS:
            raise UsageError(
                f"{runs:,} runs is more than {MAX_RUNS:,}: pass --force if you mean it"
            )
    note_workers(args, runs)


def check_block_memory(scenario: Scenario) -> None:
    """Refuse a block larger than this machine's memory (no ``--force``: it cannot run).

    Raises:
        UsageError: the largest block of the design would not fit in the machine's memory.
    """
    from pipsim.parameters import Parameters
    from pipsim.sweep.block import block_bytes
    from pipsim.sweep.design import design_points

    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return  # a system that does not say: the block will tell
    runs = min(scenario.block_size, scenario.replications)
    biggest = max(  # the most firms (a typology's preset may set them)
        design_points(scenario),
        key=lambda point: Parameters.from_overrides({**scenario.base, **point}).n_enterprises,
    )
    need = block_bytes({**scenario.base, **biggest}, runs)
    if need > memory:
        raise UsageError(
            f"a block of {runs:,} runs of this design needs about {need / 2**30:,.1f} GiB, more "
            f"than this machine's {memory / 2**30:,.1f} GiB: lower block_size in the scenario"
        )


def note_workers(args: argparse.Namespace, runs: int | None = None) -> None:
    """Say so when ``--workers`` asks for more local processes than this machine has cores."""
    cores = os.cpu_count() or 1
    if args.workers and args.workers > cores and args.dask is None:
        used = workers(args, runs)
        print(
            f"note: --workers {args.workers} is more than this machine's {cores} cores; "
            f"{used} worker processes will share them",
            file=sys.stderr,
        )


def check_replications(replications: int, args: argparse.Namespace, what: str = "") -> None:
    """Refuse more than `MAX_REPLICATIONS` replications (per point) unless ``--force``.

    The one check of replications, for a scenario's and ``duration --max-replications``.
    """
    if replications > MAX_REPLICATIONS and not getattr(args, "force", False):
        raise UsageError(
            f"{what}{replications:,} replications is more than {MAX_REPLICATIONS:,}: "
            "pass --force if you mean it"
        )


def sweep_as_commanded(
    scenario: Scenario, out: Path, args: argparse.Namespace, total: int
) -> SweepResult:
    """Run ``scenario`` into ``out`` on the engine the engine options chose.

    Honouring ``--overwrite`` and ``--no-progress``, with Ctrl-C and failures reported by
    `sweep_engine`.
    """
    from pipsim.sweep.runner import run_sweep

    check_limits(scenario, total, args)
    count = workers(args, total)
    with sweep_engine(
        out, total, count, args.dask, overwrite=args.overwrite, dask_timeout=args.dask_timeout
    ) as executor:
        return run_sweep(
            scenario,
            out,
            workers=count,
            executor=executor,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            command=command_line(args),
        )


def command_line(args: argparse.Namespace) -> str | None:
    """The command line that ran, as a shell would take it again (None if not known)."""
    argv = getattr(args, "argv", None)
    return shlex.join(["pipsim", *argv]) if argv is not None else None


@contextmanager
def sweep_engine(
    out: Path,
    total: int | None,
    workers: int,
    dask: str | None,
    *,
    overwrite: bool = False,
    dask_timeout: float = 10.0,
) -> Iterator[cf.Executor]:
    """The executor a sweep command runs on, and one way of reporting what stops the sweep.

    The output directory is checked and locked first (one writer per folder), so a second
    sweep into it is refused before any worker starts. Ctrl-C stops the workers at once and
    says how many runs are saved (`SweepInterrupted`, exit 130); an output directory holding
    something else, a killed worker or an unwritable directory become a `UsageError` (exit 2)
    that says the same command resumes.
    """
    from pipsim.sweep import results

    try:
        results.refuse(out, overwrite, out.name)
        with results.lock(out):
            with _engine(out, total, workers, dask, dask_timeout) as executor:
                yield executor
    except results.ResultsError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # the folder cannot be made or locked
        raise UsageError(f"cannot use {out}: {error}") from None


@contextmanager
def _engine(
    out: Path, total: int | None, workers: int, dask: str | None, dask_timeout: float
) -> Iterator[cf.Executor]:
    from pipsim.sweep import results
    from pipsim.sweep.runner import open_engine

    try:
        engine = open_engine(workers, dask, quiet_workers=True, dask_timeout=dask_timeout)
    except RuntimeError as error:  # Dask is not installed
        raise UsageError(str(error)) from None
    except (OSError, TimeoutError, ValueError) as error:
        raise dask_problem(dask, error) from None
    of_total = f" of {total:,}" if total is not None else ""
    if engine.dashboard:
        from pipsim.cli.runlog import say

        say(f"Dask dashboard: {engine.dashboard}")
    try:
        yield engine.executor
    except KeyboardInterrupt:
        engine.stop()
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
        engine.close()


def dask_problem(dask: str | None, error: BaseException) -> UsageError:
    """The one-line error of a Dask cluster that cannot be started or reached (every command)."""
    where = (
        "start a local Dask cluster"
        if dask == "local"
        else f"connect to the Dask scheduler at {dask}"
    )
    return UsageError(f"cannot {where}: {error}")


def saved_runs(out: Path) -> int:
    """How many runs the readable chunks in ``out`` hold (0 if there are none, or no ``out``)."""
    from pipsim.sweep import results

    try:
        return results.saved_runs(out)
    except OSError:
        return 0


def speed(result: SweepResult) -> str:
    """How long the sweep took, how fast it ran, and what was resumed."""
    wall, done = result.wall_seconds, result.runs_done_now
    if done == 0:
        return (
            f"all {result.resumed_runs:,} runs were already in {result.out}: nothing to "
            "run (--overwrite to run them again)"
        )
    text = (
        f"{done:,} runs in {wall:.1f} s wall time ({done / max(wall, 1e-9):.1f} runs/s; "
        f"{result.model_seconds:.1f} s of model time)"
    )
    if result.resumed_runs:
        text += f"; {result.resumed_runs:,} runs were resumed from an earlier attempt"
    return text + "".join(f"\nnote: {clean(note)}" for note in result.notes)


# --- summaries --------------------------------------------------------------------------------
def summarize(out: Path, asked: dict[str, float] | None = None) -> Summary:
    """The summary of the sweep in ``out``; a directory without results is a usage error.

    It writes into ``out``, so it holds the folder's lock (one writer: not while a sweep runs).
    ``asked``: a value to mark on the figures along an axis (the length a designer asked about).
    """
    from pipsim.analysis.summary import summarize as summarize_sweep  # loads matplotlib
    from pipsim.sweep import results

    try:
        with writing(out):
            return summarize_sweep(out, asked=asked)
    except results.ResultsError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # e.g. a read-only folder, a link where a table goes
        raise UsageError(f"cannot write the summary of {out}: {error}") from None


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """Hold the lock of an existing results folder while a command writes into it.

    Raises:
        UsageError: ``out`` is not a folder, or another pipsim command writes into it.
    """
    from pipsim.sweep import results

    if files.kind(out) not in ("a folder", "a symbolic link") or not out.is_dir():
        raise UsageError(f"{out}: no such folder; give the --out folder of a pipsim command")
    for name in (results.LOCK, files.RECORD):
        if (what := files.kind(out / name)) is not None:
            raise UsageError(str(files.refusal(out / name, what)))
    try:
        with results.lock(out):
            yield
    except results.ResultsError as error:
        raise UsageError(str(error)) from None


def manifest(out: Path) -> dict[str, Any]:
    """The manifest of the sweep in ``out``, or an empty one if it cannot be read."""
    from pipsim.sweep import results

    return results.read_manifest(out) or {}


def summary_text(scenario: Scenario | None, summary: Summary, name: str | None = None) -> str:
    """The heading, the summary table with its key, and the files written."""
    if scenario is not None:
        heading = scenario.name + (f": {scenario.description}" if scenario.description else "")
    else:
        heading = name if isinstance(name, str) else "sweep"
    heading = clean(heading)
    files = "\n".join(f"  {path}" for path in summary.files)
    return f"{heading}\n\n{summary.text}\n\n{SUMMARY_NOTE}\n\nfiles written:\n{files}"
