"""One calibration from start to finish: screen, ABC-SMC, predictive check, files.

`calibrate` is what ``pipsim calibrate`` runs, callable from Python and the tests. Each step
leaves its file in the output folder and is skipped when it is already there, so the same
call resumes an interrupted calibration (the ABC-SMC from its last finished generation). A
folder belongs to one targets file: another one is refused.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipsim.calibration import abc, outputs, screening
from pipsim.calibration.targets import Calibration


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
    say: Callable[[str], None] = print,
    bar: Callable[[str, int], Callable[[int], None] | None] | None = None,
) -> Result:
    """Screen, fit and check ``calibration`` into ``out``; resumes what is already there.

    Args:
        calibration: the validated targets file.
        out: the output folder (made if missing; one calibration per folder).
        budget: model runs the ABC-SMC may spend (the screening and the predictive check,
            sized by the targets file, come on top: see `plan`).
        workers: local worker processes (1: in this process), or Dask workers with ``dask``.
        dask: a Dask scheduler's address, ``"local"`` for a cluster on 127.0.0.1, or None.
        dask_timeout: seconds to wait for the Dask scheduler.
        say: where progress lines go.
        bar: makes a progress callback from a label and a total (None: no progress).
    """
    started = time.perf_counter()
    sizes = plan(calibration, budget)
    if budget < calibration.population * sizes["per_particle"]:
        raise CalibrationError(
            f"--budget {budget:,} runs cannot pay for one generation: "
            f"{calibration.population} particles × {sizes['per_particle']} runs = "
            f"{calibration.population * sizes['per_particle']:,}"
        )
    _claim(calibration, out)
    tick: Callable[[str, int], Callable[[int], None] | None] = bar or (lambda _l, _t: None)
    with abc.engine(workers, dask, dask_timeout) as engine:
        table = _screen(calibration, out, engine, tick, say)
        kept = screening.kept(table)
        say(f"screening keeps {len(kept)} of {len(calibration.priors)}: {', '.join(kept)}")
        saved = outputs.read_manifest(out).get("parameters")
        if saved is not None and saved != kept:
            raise CalibrationError(f"{out} holds a calibration of {saved}, not {kept}")
        outputs.write_manifest(out, parameters=kept)

        def start() -> Any:
            fit = abc.make_abc(calibration, kept, engine.sampler, resume=abc.resuming(out))
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

        state = abc.advance(start, calibration, budget // per, report)
        say(f"ABC-SMC stopped: {state.stopped}")
        history = abc.load_history(out)
        outputs.generations(history).to_csv(out / outputs.GENERATIONS, index=False)
        posterior = outputs.posterior_frame(history)
        posterior.to_parquet(out / outputs.POSTERIOR)
        posterior_table = outputs.posterior_table(calibration, posterior, table)
        posterior_table.to_csv(out / outputs.POSTERIOR_TABLE, index=False)
        predicted = _predict(calibration, out, posterior, state, engine, tick)
    check = outputs.check_table(calibration, predicted)
    check.to_csv(out / outputs.CHECK, index=False)
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


def _claim(calibration: Calibration, out: Path) -> None:
    """Make ``out`` this targets file's folder, or refuse one holding another calibration."""
    out.mkdir(parents=True, exist_ok=True)
    digest = outputs.read_manifest(out).get("targets_digest")
    if digest is not None and digest != calibration.digest:
        raise CalibrationError(
            f"{out} holds a calibration of another targets file: choose another --out"
        )
    if digest is None and any(out.iterdir()):
        raise CalibrationError(f"{out} is not empty and holds no calibration: choose another --out")
    (out / "targets.toml").write_text(calibration.text)
    outputs.write_manifest(out, targets_digest=calibration.digest, name=calibration.name)


def _screen(
    calibration: Calibration,
    out: Path,
    engine: abc.Engine,
    tick: Callable[[str, int], Callable[[int], None] | None],
    say: Callable[[str], None],
) -> pd.DataFrame:
    path = out / outputs.SCREENING
    if path.exists():
        say(f"screening: read from {path}")
        return pd.read_csv(path)
    points = calibration.trajectories * (len(calibration.priors) + 1)
    say(
        f"screening {len(calibration.priors)} parameters: Morris, {points} points, "
        f"{screening.runs(calibration):,} runs"
    )
    table = screening.screen(calibration, engine.map, tick("screening points", points))
    partial = path.with_suffix(".partial")
    table.to_csv(partial, index=False)
    shutil.move(partial, path)
    return table


def _predict(
    calibration: Calibration,
    out: Path,
    posterior: pd.DataFrame,
    state: abc.Progress,
    engine: abc.Engine,
    tick: Callable[[str, int], Callable[[int], None] | None],
) -> pd.DataFrame:
    path = out / outputs.PREDICTIVE
    key = f"{state.generations}:{state.simulations}"
    if path.exists() and outputs.read_manifest(out).get("predictive_of") == key:
        return pd.read_parquet(path)
    step = tick("predictive check", calibration.predictive_draws + 1)
    predicted = outputs.predictive(calibration, posterior, engine.map, step)
    predicted.to_parquet(path)
    outputs.write_manifest(out, predictive_of=key)
    return predicted
