"""History matching in waves, with Gaussian-process emulators: calibration v2's method.

Wave 1 simulates a Latin hypercube over the prior box. After each wave an emulator per
calibration target (`pipsim.calibration.emulator`) is fitted on every set simulated so far, and
a set is *ruled out* where its emulated implausibility (`pipsim.calibration.implausibility`, the
emulator's variance added) exceeds the cutoff for some target; the next wave's sets are drawn
uniformly from the prior box among the candidates no wave's emulators have ruled out. After the
last emulated wave, ``ensemble`` sets drawn the same way are *simulated*, and those whose every
calibration target's simulated implausibility stays below the cutoff are the ensemble, weighted
alike, or by exp(-½ Σ I²) if the file asks (`pipsim.calibration.ensemble`; the effective size of
those weights is reported either way). Only that last wave's sets enter the ensemble: they share
one proposal (uniform over what is left), so their weights are comparable.

Resuming: each wave's design is written (``designs.parquet``) before it is simulated, and the
simulated sets (``points.parquet``) after every few; the emulators are refitted from those
files, with fixed seeds, exactly as they were. The same call after an interruption simulates
only what is missing and ends with the same ensemble an uninterrupted one would have.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipsim.calibration import ensemble as ens
from pipsim.calibration import outputs
from pipsim.calibration.emulator import Emulator, fit, from_unit, unit
from pipsim.calibration.implausibility import (
    implausibilities,
    largest,
    pseudo_likelihood,
    reading_sds,
)
from pipsim.calibration.statistics import particle_seed, simulate_with_variance
from pipsim.calibration.targets import Calibration
from pipsim.parameters import FIELDS
from pipsim.sweep import files, results

POINTS = "points.parquet"
DESIGNS = "designs.parquet"
WAVES = "waves.csv"
EMULATORS = "emulators.csv"
ENSEMBLE = "ensemble.csv"
TABLE = "posterior.csv"
CHUNK = 8  # sets simulated between two writes of points.parquet (what a kill can lose)
MAX_BATCHES = 20  # candidate batches drawn before settling for the least implausible ones
AT_BOUND = 0.05  # a 90% interval within this share of the prior range from a bound presses it

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]
Bar = Callable[[str, int], Callable[[int], None] | None]  # a label and a total -> a tick


@dataclass
class Matched:
    """What a history matching produced."""

    out: Path
    ensemble: pd.DataFrame  # accepted sets and weights (empty if none was accepted)
    table: pd.DataFrame  # per parameter: prior, ensemble median and 90% interval, bound
    waves: pd.DataFrame  # per wave: sets simulated, share not ruled out, accepted
    check: pd.DataFrame | None
    representative: dict[str, float]
    effective_size: float
    effective_size_likelihood: float
    runs: int
    wall_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def simulated_sets(calibration: Calibration) -> int:
    """Parameter sets a full history matching simulates (waves and ensemble)."""
    w = calibration.waves
    return w.first_wave + (w.waves - 1) * w.per_wave + w.ensemble


def runs_per_set(calibration: Calibration) -> int:
    """Model runs one parameter set takes (every fitted scenario, ``replications`` each)."""
    return len(calibration.scenarios_of(calibration.fitted)) * calibration.replications


def history_match(
    calibration: Calibration,
    out: Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    dask_timeout: float = 10.0,
    overwrite: bool = False,
    say: Callable[[str], None] = print,
    bar: Bar | None = None,
    mapper: Mapper | None = None,
    check: bool = True,
) -> Matched:
    """Run (or resume) the history matching of ``calibration`` into ``out``.

    ``say`` takes the lines that report each wave; ``bar`` makes a progress callback from a
    label and a total of sets (None: no bars). ``mapper`` replaces the workers (a test passes
    one that stops midway); ``check`` runs the predictive check of every target, held-out
    ones included, on ensemble members.
    """
    from pipsim.calibration.run import CalibrationError, claim_folder
    from pipsim.sweep.runner import open_engine

    started = time.perf_counter()
    try:
        results.refuse(out, overwrite, f"calibration-{calibration.name}")
        with results.lock(out):
            claim_folder(calibration, out, overwrite, say)
            outputs.write_manifest(out, method="history_matching")
            if mapper is not None:
                return _match(calibration, out, mapper, say, bar, check, started)
            pool = open_engine(workers, dask, quiet_workers=True, dask_timeout=dask_timeout)
            try:
                return _match(calibration, out, pool.executor.map, say, bar, check, started)
            except BaseException:
                pool.stop()
                raise
            finally:
                pool.close()
    except results.ResultsError as error:
        raise CalibrationError(str(error)) from None


def _match(
    calibration: Calibration,
    out: Path,
    mapper: Mapper,
    say: Callable[[str], None],
    bar: Bar | None,
    check: bool,
    started: float,
) -> Matched:
    w = calibration.waves
    points, designs = _read(out, POINTS, say), _read(out, DESIGNS, say)
    emulators: list[list[Emulator]] = []
    rows = []
    for wave in range(1, w.waves + 2):  # the last one is the ensemble's
        design = designs[designs["wave"] == wave] if len(designs) else designs
        if design.empty:
            design, share = _design(calibration, wave, emulators)
            designs = pd.concat([designs, design], ignore_index=True)
            files.write(out, out / DESIGNS, designs.to_parquet)
        else:
            share = float(design["share"].iloc[0])
        label = "ensemble" if wave > w.waves else f"wave {wave}"
        tick = bar(f"{label}: sets", len(design)) if bar is not None else None
        clock = time.perf_counter()
        points = _simulate(calibration, out, design, points, mapper, say, tick)
        simulated = time.perf_counter() - clock
        done = points[points["wave"] == wave]
        accepted = int((done["implausibility"] < w.cutoff).sum())
        say(
            f"{label}: {len(done)} sets simulated, {share:.1%} of the prior box not ruled out "
            f"before it, {accepted} below the cutoff"
        )
        row = {"wave": wave, "sets": len(done), "not_ruled_out": share, "accepted": accepted}
        rows.append({**row, "simulate_seconds": round(simulated, 1)})  # this call's only
        if wave <= w.waves:
            say(f"{label}: fitting {len(calibration.fitted)} emulators")
            clock = time.perf_counter()
            emulators.append(_emulators(calibration, points, wave, mapper))
            rows[-1]["fit_seconds"] = round(time.perf_counter() - clock, 1)
    table_waves = pd.DataFrame(rows)
    files.save_csv(out, out / WAVES, table_waves)
    files.save_csv(out, out / EMULATORS, _length_scales(calibration, emulators))
    final = points[points["wave"] == w.waves + 1]
    accepted = final[final["implausibility"] < w.cutoff]
    tick = (
        bar("predictive check: sets", calibration.predictive_draws + 1) if bar and check else None
    )
    return _finish(
        calibration, out, accepted, table_waves, points, mapper, say, tick, check, started
    )


def _design(
    calibration: Calibration, wave: int, emulators: list[list[Emulator]]
) -> tuple[pd.DataFrame, float]:
    """A wave's parameter sets (unit box) and the share of candidates not ruled out."""
    from scipy.stats import qmc

    w, priors = calibration.waves, calibration.priors
    rng = np.random.default_rng([calibration.seed, wave])
    if wave == 1:
        x, share = qmc.LatinHypercube(d=len(priors), seed=rng).random(w.first_wave), 1.0
    else:
        count = w.per_wave if wave <= w.waves else w.ensemble
        x, share = _not_ruled_out(calibration, emulators, count, rng)
    values = from_unit(priors, x)
    frame = pd.DataFrame(values, columns=[p.name for p in priors])
    frame.insert(0, "index", np.arange(len(frame)))
    frame.insert(0, "wave", wave)
    frame["share"] = share
    return frame, share


def _not_ruled_out(
    calibration: Calibration,
    emulators: list[list[Emulator]],
    count: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    """``count`` unit points no wave's emulators rule out, and the share of candidates kept.

    If too few candidates survive ``MAX_BATCHES`` batches, the least implausible are taken.
    """
    d, cutoff = len(calibration.priors), calibration.waves.cutoff
    kept, seen, spare, spare_i = [], 0, np.empty((0, d)), np.empty(0)
    for _ in range(MAX_BATCHES):
        x = rng.random((calibration.waves.candidates, d))
        worst = emulated(calibration, emulators, x)
        seen += len(x)
        kept.append(x[worst < cutoff])
        spare = np.vstack([spare, x])
        spare_i = np.concatenate([spare_i, worst])
        if sum(len(k) for k in kept) >= count:
            break
    good = np.vstack(kept)
    share = len(good) / seen
    if len(good) >= count:
        return good[rng.choice(len(good), size=count, replace=False)], share
    return spare[np.argsort(spare_i, kind="stable")[:count]], share


def emulated(
    calibration: Calibration, emulators: list[list[Emulator]], x: np.ndarray
) -> np.ndarray:
    """The largest emulated implausibility at unit points ``x``, over every wave and target.

    A cascade: each emulator is asked only about the points no earlier one has ruled out
    (their value is then a lower bound, already above the cutoff), which saves most predictions
    once the first wave has ruled out most of the box.
    """
    cutoff = calibration.waves.cutoff
    worst = np.zeros(len(x))
    for wave in emulators:
        for target, emulator in zip(calibration.fitted, wave, strict=True):
            alive = np.flatnonzero(worst < cutoff)
            if alive.size == 0:
                return worst
            mean, var = emulator.predict(x[alive])
            if not np.all(np.isfinite(var)):
                continue  # not emulated: this target rules nothing out
            sd = reading_sds(target, mean)
            found = np.abs(mean - target.middle) / np.sqrt(sd**2 + var + emulator.noise)
            worst[alive] = np.maximum(worst[alive], found)
    return worst


def _emulators(
    calibration: Calibration, points: pd.DataFrame, wave: int, mapper: Mapper
) -> list[Emulator]:
    """One emulator per calibration target, fitted on every set simulated up to ``wave``.

    Fitted on the workers, one target each (an emulator pickles).
    """
    done = points[points["wave"] <= wave]
    x = unit(calibration.priors, done[[p.name for p in calibration.priors]].to_numpy())
    jobs = []
    for k, t in enumerate(calibration.fitted):
        y, var = done[t.name].to_numpy(float), done[f"var:{t.name}"].to_numpy(float)
        jobs.append((t.name, x, y, var, calibration.seed + 1000 * wave + k))
    return list(mapper(_fit_one, jobs))


def _fit_one(job: tuple[str, np.ndarray, np.ndarray, np.ndarray, int]) -> Emulator:
    """`fit` of one target's job; its noise is the typical sampling variance of a set."""
    name, x, y, var, seed = job
    emulator = fit(name, x, y, var, seed=seed)
    typical = np.nanmedian(var) if np.any(np.isfinite(var)) else 0.0
    emulator.noise = float(typical)  # a new set's own runs will be this noisy
    return emulator


def _length_scales(calibration: Calibration, emulators: list[list[Emulator]]) -> pd.DataFrame:
    """Per wave, target and parameter the emulator's length-scale (short: the target responds)."""
    rows = []
    for wave, fitted in enumerate(emulators, start=1):
        for e in fitted:
            scales = e.length_scales()
            for k, p in enumerate(calibration.priors):
                value = float(scales[k]) if len(scales) > k else math.nan
                rows.append(
                    {"wave": wave, "target": e.target, "parameter": p.name, "length_scale": value}
                )
    return pd.DataFrame(rows)


def _point(calibration: Calibration, theta: dict[str, float]) -> dict[str, float]:
    """One set simulated: each fitted target's statistic, its variance and implausibility."""
    values, variances = simulate_with_variance(calibration, theta, calibration.fitted)
    found = implausibilities(values, variances, calibration.fitted)
    row: dict[str, float] = {**values, **{f"var:{k}": v for k, v in variances.items()}}
    row.update({f"I:{k}": v for k, v in found.items()})
    row["implausibility"] = largest(found)
    row["likelihood"] = pseudo_likelihood(found)
    row["seed"] = float(particle_seed(calibration.seed, theta))
    return row


def _simulate(
    calibration: Calibration,
    out: Path,
    design: pd.DataFrame,
    points: pd.DataFrame,
    mapper: Mapper,
    say: Callable[[str], None],
    tick: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Simulate the sets of ``design`` not yet in ``points``; write after every `CHUNK`.

    ``tick`` is told how many sets are done: those found in ``points`` at once, then each chunk.
    """
    names = [p.name for p in calibration.priors]
    have = set(zip(points["wave"], points["index"], strict=True)) if len(points) else set()
    todo = [r for r in design.itertuples(index=False) if (r.wave, r.index) not in have]
    if todo and len(todo) < len(design):
        say(f"resuming: {len(todo)} sets of wave {todo[0].wave} left to simulate")
    if tick is not None:
        tick(len(design) - len(todo))
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        thetas = [{n: float(getattr(r, n)) for n in names} for r in chunk]
        found = list(mapper(partial(_point, calibration), thetas))
        new = pd.DataFrame(
            [
                {"wave": r.wave, "index": r.index, **theta, **row}
                for r, theta, row in zip(chunk, thetas, found, strict=True)
            ]
        )
        points = pd.concat([points, new], ignore_index=True) if len(points) else new
        files.write(out, out / POINTS, points.to_parquet)
        if tick is not None:
            tick(len(chunk))
    return points


def _read(out: Path, name: str, say: Callable[[str], None]) -> pd.DataFrame:
    """A table pipsim wrote in ``out``, or an empty one (missing, damaged or not pipsim's)."""
    path = out / name
    if not path.exists():
        return pd.DataFrame()
    if not files.trusted(files.read_record(out), path):
        say(f"note: {path} is not the file pipsim wrote: its sets are simulated again")
        return pd.DataFrame()
    with files.open_read(path) as file:
        return pd.read_parquet(file)


def _finish(
    calibration: Calibration,
    out: Path,
    accepted: pd.DataFrame,
    table_waves: pd.DataFrame,
    points: pd.DataFrame,
    mapper: Mapper,
    say: Callable[[str], None],
    tick: Callable[[int], None] | None,
    check: bool,
    started: float,
) -> Matched:
    """The ensemble, its table, the representative set, the predictive check and the manifest.

    ``tick`` counts the predictive check's parameter sets (the defaults and the draws).
    """
    names = [p.name for p in calibration.priors]
    low = np.array([p.low for p in calibration.priors])
    high = np.array([p.high for p in calibration.priors])
    notes: list[str] = []
    frame = accepted[names].copy().reset_index(drop=True)
    for p in calibration.priors:
        if p.integer:
            frame[p.name] = frame[p.name].round().astype(int)
    likelihood = accepted["likelihood"].to_numpy()
    equal = calibration.waves.weights == "equal" or likelihood.sum() <= 0
    frame["weight"] = 1.0 if equal else likelihood
    frame["member"] = np.arange(len(frame))
    representative: dict[str, float] = {}
    size = size_likelihood = 0.0
    if len(frame):
        best = ens.representative(frame, names, low, high)
        frame["representative"] = frame.index == best
        representative = {n: float(frame.loc[best, n]) for n in names}
        size = ens.effective_size(frame["weight"].to_numpy())
        size_likelihood = ens.effective_size(likelihood)
        data = ens.write(
            frame,
            targets=calibration.name,
            targets_digest=calibration.digest,
            seed=calibration.seed,
            weights=calibration.waves.weights,
            representative="weighted medoid",
        )
        files.write_bytes(out, out / ENSEMBLE, data)
        ens.load(out / ENSEMBLE)  # what was written reads back (EnsembleError if not)
    else:
        notes.append("no simulated set met every calibration target: no ensemble")
        say(f"note: {notes[-1]}; see {out / POINTS} for the nearest sets")
    table = parameter_table(calibration, frame, representative)
    files.save_csv(out, out / TABLE, table)
    pressed = [f"{r.parameter} ({r.at_bound})" for r in table.itertuples() if r.at_bound]
    checked = None
    if check and len(frame):
        checked = _check(calibration, out, frame, mapper, tick)
    runs = len(points) * runs_per_set(calibration)
    wall = time.perf_counter() - started
    outputs.write_manifest(
        out,
        accepted=len(frame),
        weights=calibration.waves.weights,
        effective_size=round(size, 1),
        effective_size_likelihood=round(size_likelihood, 1),
        representative=representative,
        at_bounds=pressed,
        runs=runs,
        last_wall_seconds=round(wall, 1),
    )
    return Matched(
        out,
        frame,
        table,
        table_waves,
        checked,
        representative,
        size,
        size_likelihood,
        runs,
        wall,
        notes,
    )


def parameter_table(
    calibration: Calibration, frame: pd.DataFrame, representative: dict[str, float]
) -> pd.DataFrame:
    """Per parameter: default, prior, ensemble median and 90% interval, bound pressed, chosen."""
    rows = []
    for p in calibration.priors:
        row: dict[str, Any] = {
            "parameter": p.name,
            "default": FIELDS[p.name].default,
            "prior_low": p.low,
            "prior_high": p.high,
        }
        if len(frame):
            values, weights = frame[p.name].to_numpy(float), frame["weight"].to_numpy(float)
            q = [outputs.weighted_quantile(values, weights, x) for x in (0.05, 0.5, 0.95)]
            width = p.high - p.low
            bound = "low" if q[0] - p.low <= AT_BOUND * width else ""
            bound = "high" if p.high - q[2] <= AT_BOUND * width else bound
            row.update(q05=q[0], median=q[1], q95=q[2], at_bound=bound)
            row["representative"] = representative.get(p.name, math.nan)
        else:
            row.update(q05=math.nan, median=math.nan, q95=math.nan, at_bound="")
            row["representative"] = math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _check(
    calibration: Calibration,
    out: Path,
    frame: pd.DataFrame,
    mapper: Mapper,
    tick: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Every target, held-out ones too, for the defaults and ensemble members drawn by weight."""
    path = out / outputs.PREDICTIVE
    key = f"{calibration.digest}:{len(frame)}:{frame['weight'].sum():.12g}"
    predicted = None
    if path.exists() and outputs.read_manifest(out).get("predictive_of") == key:
        if files.trusted(files.read_record(out), path):
            with files.open_read(path) as file:
                predicted = pd.read_parquet(file)
    if predicted is None:
        names = [p.name for p in calibration.priors]
        predicted = outputs.predictive(calibration, frame[[*names, "weight"]], mapper, tick)
        files.write(out, path, predicted.to_parquet)
        outputs.write_manifest(out, predictive_of=key)
    checked = outputs.check_table(calibration, predicted)
    files.save_csv(out, out / outputs.CHECK, checked)
    return checked


def write_figures(out: Path) -> list[Path]:
    """The ensemble's pairs and marginals and the predictive check, into ``OUT/figures/``."""
    from pipsim.plots import calibration as plots  # loads matplotlib

    table = pd.read_csv(out / TABLE)
    written = []
    figures: dict[str, Any] = {}
    if (out / ENSEMBLE).exists():
        posterior = ens.frame_of(ens.load(out / ENSEMBLE))
        figures["pairs"] = plots.pairs(posterior, table, "Ensemble (accepted sets)")
        figures["marginals"] = plots.marginals(posterior, table, "Ensemble (accepted sets)")
    if (out / outputs.CHECK).exists():
        check = pd.read_csv(out / outputs.CHECK)
        predicted = pd.read_parquet(out / outputs.PREDICTIVE)
        figures["check"] = plots.predictive_check(check, predicted, held_out=False)
        figures["held_out"] = plots.predictive_check(check, predicted, held_out=True)
    for key, figure in figures.items():
        path = out / "figures" / outputs.FIGURES[key]
        files.save_figure(out, path, figure, dpi=110)
        written.append(path)
    return written
