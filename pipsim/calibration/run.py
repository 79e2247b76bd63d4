"""One calibration from start to finish: screen, ABC-SMC, predictive check, files.

`calibrate` is what ``pipsim calibrate`` runs, callable from Python and the tests. Each step
leaves its file in the output folder and is skipped when it is already there and verified,
so the same call resumes an interrupted calibration (the ABC-SMC from its last finished
generation). A folder belongs to one targets file: another one is refused. The folder keeps
the sweeps' promises (`pipsim.sweep.results`, `pipsim.sweep.files`): one writer, files
written through no link and recorded, ``overwrite`` removing only those.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pyarrow import ArrowException

from pipsim.calibration import abc, outputs, screening
from pipsim.calibration.targets import Calibration
from pipsim.sweep import files, results


class CalibrationError(Exception):
    """A calibration that cannot run as asked (a folder of another one, too small a budget)."""


@dataclass
class Result:
    """What a calibration produced, and what it cost."""

    out: Path
    kept: list[str]
    screening: pd.DataFrame
    posterior: pd.DataFrame
    table: pd.DataFrame
    check: pd.DataFrame
    progress: abc.Progress
    runs: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0


def plan(calibration: Calibration, budget: int) -> dict[str, int]:
    """Model runs of each step; the ABC-SMC's share is what the budget leaves."""
    screen, check = screening.runs(calibration), outputs.predictive_runs(calibration)
    per = abc.runs_per_particle(calibration)
    return {"screening": screen, "abc": budget, "predictive": check, "per_particle": per}


def calibrate(
    calibration: Calibration,
    out: Path,
    *,
    budget: int,
    workers: int = 1,
    dask: str | None = None,
    dask_timeout: float = 10.0,
    overwrite: bool = False,
    say: Callable[[str], None] = print,
    bar: Callable[[str, int], Callable[[int], None] | None] | None = None,
) -> Result:
    """Screen, fit and check ``calibration`` into ``out``; resumes what is already there.

    The folder is the sweeps' kind (`pipsim.sweep.results`): one writer at a time (its lock),
    every file written through `pipsim.sweep.files` and recorded, ``overwrite`` removing only
    recorded files. Files found there are verified before they are used: a damaged screening
    or predictive check is run again, a damaged manifest is rebuilt from the targets copy, a
    damaged history database is named with the way out.

    Args:
        calibration: the validated targets file.
        out: the output folder (made if missing; one calibration per folder).
        budget: model runs the ABC-SMC may spend (the screening and the predictive check,
            sized by the targets file, come on top: see `plan`).
        workers: local worker processes (1: in this process), or Dask workers with ``dask``.
        dask: a Dask scheduler's address, ``"local"`` for a cluster on 127.0.0.1, or None.
        dask_timeout: seconds to wait for the Dask scheduler.
        overwrite: replace a folder holding another calibration (pipsim's files only).
        say: where progress lines go.
        bar: makes a progress callback from a label and a total (None: no progress).

    Raises:
        CalibrationError: the folder cannot be used, or the calibration cannot go on (with
            what was saved and how to resume).
    """
    started = time.perf_counter()
    sizes = plan(calibration, budget)
    if budget < calibration.population * sizes["per_particle"]:
        raise CalibrationError(
            f"--budget {budget:,} runs cannot pay for one generation: "
            f"{calibration.population} particles × {sizes['per_particle']} runs = "
            f"{calibration.population * sizes['per_particle']:,}"
        )
    try:
        results.refuse(out, overwrite, f"calibration-{calibration.name}")  # before the lock
        with results.lock(out):
            claim_folder(calibration, out, overwrite, say)
            return _calibrate_locked(
                calibration, out, budget, workers, dask, dask_timeout, say, bar, started
            )
    except results.ResultsError as error:
        raise CalibrationError(str(error)) from None


def _calibrate_locked(
    calibration: Calibration,
    out: Path,
    budget: int,
    workers: int,
    dask: str | None,
    dask_timeout: float,
    say: Callable[[str], None],
    bar: Callable[[str, int], Callable[[int], None] | None] | None,
    started: float,
) -> Result:
    """`calibrate` while holding the lock of ``out``."""
    sizes = plan(calibration, budget)
    tick: Callable[[str, int], Callable[[int], None] | None] = bar or (lambda _l, _t: None)
    with abc.engine(workers, dask, dask_timeout) as engine:
        table = _screen(calibration, out, engine, tick, say)
        kept = screening.kept(table)
        say(f"screening keeps {len(kept)} of {len(calibration.priors)}: {', '.join(kept)}")
        saved = outputs.read_manifest(out).get("parameters")
        if saved is not None and saved != kept:
            raise CalibrationError(
                f"{out} holds a calibration of {saved}, not {kept}: choose another --out, or "
                "pass --overwrite to replace it"
            )
        outputs.write_manifest(out, parameters=kept)
        _check_history(out, say)

        def start() -> Any:
            fit = abc.make_abc(
                calibration, kept, engine.sampler, resume=abc.resuming(out), guard=engine.guard
            )
            files.claim(out, out / abc.HISTORY)  # written by pyabc, recorded as pipsim's
            abc.open_history(fit, calibration, out)
            return fit

        per = sizes["per_particle"]
        step = tick("ABC-SMC runs", budget)
        done = [abc.load_history(out).total_nr_simulations * per if abc.resuming(out) else 0]
        if step is not None and done[0]:
            step(min(done[0], budget))

        def report(state: abc.Progress) -> None:
            runs = state.simulations * per
            if step is not None:
                step(max(0, min(runs, budget) - min(done[0], budget)))
            done[0] = runs
            say(
                f"generation {state.generations}: epsilon {state.epsilon:.3g}, acceptance "
                f"{state.acceptance:.2f}, {runs:,} runs"
            )

        state = _advance(out, start, calibration, budget // per, report)
        say(f"ABC-SMC stopped: {state.stopped}")
        history = abc.load_history(out)
        files.save_csv(out, out / outputs.GENERATIONS, outputs.generations(history))
        posterior = outputs.posterior_frame(history)
        files.write(out, out / outputs.POSTERIOR, posterior.to_parquet)
        posterior_table = outputs.posterior_table(calibration, posterior, table)
        files.save_csv(out, out / outputs.POSTERIOR_TABLE, posterior_table)
        predicted = _predict(calibration, out, posterior, state, engine, tick, say)
    check = outputs.check_table(calibration, predicted)
    files.save_csv(out, out / outputs.CHECK, check)
    wall = time.perf_counter() - started
    runs = {
        "screening": sizes["screening"],
        "abc": state.simulations * per,
        "predictive": sizes["predictive"],
    }
    outputs.write_manifest(
        out,
        generations=state.generations,
        epsilon=state.epsilon,
        stopped=state.stopped,
        runs=runs,
        last_wall_seconds=round(wall, 1),
        workers=workers,
        dask=dask,
    )
    return Result(out, kept, table, posterior, posterior_table, check, state, runs, wall)


def claim_folder(
    calibration: Calibration, out: Path, overwrite: bool, say: Callable[[str], None]
) -> None:
    """Make ``out`` this targets file's folder, or refuse one holding anything else.

    A damaged or missing manifest is rebuilt when the targets copy beside it (recorded and
    unchanged) is this targets file's.
    """
    own = results.refuse(out, overwrite, f"calibration-{calibration.name}")
    if results.results_in(own) and overwrite:
        results.remove_own(out, own)
    elif results.results_in(own):
        record = files.read_record(out)
        if files.owned(record, out / results.MANIFEST):
            raise CalibrationError(f"{out} holds a sweep's results: choose another --out")
        digest = outputs.read_manifest(out).get("targets_digest")
        copy = out / "targets.toml"
        if digest is None:
            text = calibration.text.encode()
            if not (files.trusted(record, copy) and files.read_bytes(copy) == text):
                raise CalibrationError(
                    f"{out / outputs.MANIFEST} is damaged or missing, and {copy} cannot tell "
                    "which calibration the folder holds: choose another --out, or pass "
                    "--overwrite to replace it"
                )
            say(f"note: {out / outputs.MANIFEST} was damaged or missing: rebuilt")
        elif digest != calibration.digest:
            raise CalibrationError(
                f"{out} holds a calibration of another targets file: choose another --out, or "
                "pass --overwrite to replace it"
            )
    files.write_bytes(out, out / "targets.toml", calibration.text.encode())
    outputs.write_manifest(out, targets_digest=calibration.digest, name=calibration.name)


def _check_history(out: Path, say: Callable[[str], None]) -> None:
    """Refuse a history database that is not pipsim's or is damaged; drop one holding nothing.

    One that holds no finished generation (a full disk or a kill as it was made) is removed:
    the ABC-SMC starts afresh, as it would have.
    """
    path = out / abc.HISTORY
    for name in (abc.HISTORY, *(abc.HISTORY + s for s in ("-journal", "-wal", "-shm"))):
        if (what := files.kind(out / name)) is not None:
            raise CalibrationError(str(files.refusal(out / name, what)))
    if not path.exists():
        return
    if not files.owned(files.read_record(out), path):
        raise CalibrationError(
            f"{path} was not written by pipsim here: move it away, or choose another --out"
        )
    problem = abc.history_problem(out)
    if problem == abc.EMPTY:
        path.unlink()
        files.forget(out, [path])
        say(f"note: {path} held no finished generation: the ABC-SMC starts afresh")
    elif problem is not None:
        raise CalibrationError(
            f"{path} is damaged ({problem}): its generations cannot be read; move it away to "
            "run the ABC-SMC again from the prior (the screening is kept), or pass "
            "--overwrite to start the calibration afresh"
        )


def _advance(
    out: Path,
    start: Callable[[], Any],
    calibration: Calibration,
    budget_simulations: int,
    report: Callable[[abc.Progress], None],
) -> abc.Progress:
    """`abc.advance`, with what stops it (a full disk, a dead worker) said in one line."""
    from multiprocessing import ProcessError

    try:
        return abc.advance(start, calibration, budget_simulations, report)
    except ProcessError as error:  # pyabc's: a worker it forked was killed
        raise CalibrationError(f"a worker process died ({error}){resume_hint(out)}") from None
    except Exception as error:
        if not abc.database_error(error):
            raise
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CalibrationError(
            f"the history database could not be written ({said}); free space if the disk is "
            f"full{resume_hint(out)}"
        ) from None


def resume_hint(out: Path) -> str:
    """What is saved in ``out`` and how to go on, for a message about a stopped calibration."""
    return f": {saved_generations(out)} in {out}; run the same command again to resume"


def saved_generations(out: Path) -> str:
    """How many finished ABC-SMC generations ``out`` holds, in words."""
    count = abc.finished_generations(out)
    if count is None:
        return "the screening saved (the history database cannot be read)"
    return f"{count} finished ABC-SMC generation{'s' if count != 1 else ''} saved"


SCREENING_COLUMNS = ("target", "parameter", "share", "importance", "rank", "kept")


def _screen(
    calibration: Calibration,
    out: Path,
    engine: abc.Engine,
    tick: Callable[[str, int], Callable[[int], None] | None],
    say: Callable[[str], None],
) -> pd.DataFrame:
    path = out / outputs.SCREENING
    if os.path.lexists(path):
        table, problem = _verified(out, path, SCREENING_COLUMNS, pd.read_csv)
        names = {p.name for p in calibration.priors}
        if table is not None and not set(table["parameter"]) <= names:
            table, problem = None, "screens other parameters"
        if table is not None:
            say(f"screening: read from {path}")
            return table
        say(f"note: {path} {problem}: screened again")
    points = calibration.trajectories * (len(calibration.priors) + 1)
    say(
        f"screening {len(calibration.priors)} parameters: Morris, {points} points, "
        f"{screening.runs(calibration):,} runs"
    )
    table = screening.screen(calibration, engine.map, tick("screening points", points))
    files.save_csv(out, path, table)
    return table


def _verified(
    out: Path, path: Path, columns: Iterable[str], read: Callable[[Any], pd.DataFrame]
) -> tuple[pd.DataFrame | None, str]:
    """(the table in ``path`` if it is the one pipsim wrote and has ``columns``, why not)."""
    if not files.trusted(files.read_record(out), path):
        return None, "is not the file pipsim wrote (damaged, replaced or not pipsim's)"
    try:
        with files.open_read(path) as file:
            table = read(file)
    except (OSError, ValueError, ArrowException) as error:
        return None, f"cannot be read ({type(error).__name__})"
    if missing := [c for c in columns if c not in table.columns]:
        return None, f"lacks {', '.join(missing)}"
    return table, ""


def _predict(
    calibration: Calibration,
    out: Path,
    posterior: pd.DataFrame,
    state: abc.Progress,
    engine: abc.Engine,
    tick: Callable[[str, int], Callable[[int], None] | None],
    say: Callable[[str], None],
) -> pd.DataFrame:
    path = out / outputs.PREDICTIVE
    key = f"{state.generations}:{state.simulations}"
    if os.path.lexists(path) and outputs.read_manifest(out).get("predictive_of") == key:
        columns = ("draw", *(t.name for t in calibration.targets))
        table, problem = _verified(out, path, columns, pd.read_parquet)
        if table is not None:
            return table
        say(f"note: {path} {problem}: the predictive check is run again")
    step = tick("predictive check", calibration.predictive_draws + 1)
    predicted = outputs.predictive(calibration, posterior, engine.map, step)
    files.write(out, path, predicted.to_parquet)
    outputs.write_manifest(out, predictive_of=key)
    return predicted
