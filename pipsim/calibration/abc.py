"""The ABC-SMC run with pyabc: priors, sampler, history on disk, one generation at a time.

Priors are uniform on the targets file's ranges of the parameters the screening kept. The
distance (`pipsim.calibration.statistics.distance`) is 0 when every calibration target's
statistic lies in its accepted range, so the epsilon schedule (pyabc's median of the last
generation's distances) ends, when it reaches 0, at the parameter sets that meet every target.
The run is written to pyabc's history database in the output folder and advanced one
generation per `pyabc.ABCSMC.run` call: an interrupted calibration resumes from the last
finished generation, and the progress bar moves per generation.

Samplers: pyabc's in-process sampler for one worker, its multicore sampler for several, its
Dask sampler for a Dask cluster (a local one is bound to 127.0.0.1 and closed when done).
pyabc is imported only here, when a calibration runs (it takes seconds to import).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipsim.calibration.statistics import Distance, Simulator
from pipsim.calibration.targets import Calibration

HISTORY = "history.db"
INITIAL_EPSILON = 1e6  # the first generation accepts every draw from the prior


@dataclass
class Engine:
    """A pyabc sampler and a ``map`` for the screening, on the same workers."""

    sampler: Any
    map: Callable[..., Iterator[Any]]
    guard: bool = False  # pyabc forks its own workers: they must die with this process


class EngineError(Exception):
    """The workers cannot be started, or the Dask scheduler cannot be reached."""


@contextmanager
def engine(workers: int, dask: str | None, timeout: float = 10.0) -> Iterator[Engine]:
    """Samplers for ``workers`` local processes, or a Dask cluster; closed on leaving.

    The workers are the sweeps' (`pipsim.sweep.runner.open_engine`): the screening's pool
    dies with this process and ignores Ctrl-C, and a Dask address is probed before it is
    trusted. pyabc's multicore sampler forks workers of its own each generation: they ignore
    Ctrl-C (this process's handler does nothing in them) and die with this process (`Guarded`).

    Raises:
        RuntimeError: Dask is asked for but not installed.
        EngineError: the Dask cluster cannot be started or reached.
    """
    import pyabc

    from pipsim.sweep.runner import open_engine

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's per-generation chatter
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    try:
        pool = open_engine(workers, dask, quiet_workers=True, dask_timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise EngineError(str(error)) from None
    if dask is not None:
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=pool.client)
    elif workers == 1:
        sampler = pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    else:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)
    try:
        with _interrupt_in_this_process_only():
            mapper = map if dask is None and workers == 1 else pool.executor.map  # lazy inline
            yield Engine(sampler, mapper, guard=dask is None and workers > 1)
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.close()


@contextmanager
def _interrupt_in_this_process_only() -> Iterator[None]:
    """Ctrl-C stops this process; the workers pyabc forks inherit a handler that ignores it.

    Ctrl-C reaches the whole process group: without this, each forked worker prints its own
    traceback.
    """
    owner = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() == owner:
            raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, handler) if main else None
    try:
        yield
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


class Guarded:
    """The model as pyabc calls it, made to die with the calibration in a forked worker.

    pyabc's multicore sampler forks its workers itself, so pipsim cannot hand them an
    initializer: on its first call in a worker, the model installs the sweeps' safeguard
    (`pipsim.sweep.runner.start_worker`), so a kill -9 of the calibration leaves no worker.
    """

    def __init__(self, model: Callable[[Any], Any]) -> None:
        self.model, self.owner = model, os.getpid()

    def __call__(self, theta: Any) -> Any:
        """The model's statistics of ``theta``."""
        pid = os.getpid()
        if pid != self.owner and pid not in _GUARDED:
            from pipsim.sweep.runner import start_worker

            _GUARDED.add(pid)
            start_worker(self.owner, quiet=True)
        return self.model(theta)


_GUARDED: set[int] = set()


def history_url(out: Path) -> str:
    """The SQLAlchemy address of the history database in ``out``."""
    return f"sqlite:///{(out / HISTORY).resolve()}"


def make_abc(
    calibration: Calibration,
    parameters: list[str],
    sampler: Any,
    *,
    resume: bool = False,
    guard: bool = False,
) -> Any:
    """The ABC-SMC over ``parameters`` (uniform priors), fitting the calibration set.

    A new run's first epsilon is `INITIAL_EPSILON` (every prior draw accepted); a resumed
    run's is the median distance of the last stored generation, as an uninterrupted run would
    have had (a fixed initial epsilon would restart the schedule at every resume).
    """
    import pyabc

    priors = {}
    for name in parameters:
        prior = calibration.prior(name)
        priors[name] = pyabc.RV("uniform", prior.low, prior.high - prior.low)
    model = Simulator(calibration, calibration.fitted)
    return pyabc.ABCSMC(
        Guarded(model) if guard else model,
        pyabc.Distribution(**priors),
        Distance(calibration.fitted),
        population_size=calibration.population,
        eps=pyabc.epsilon.QuantileEpsilon(
            initial_epsilon="from_sample" if resume else INITIAL_EPSILON, alpha=0.5
        ),
        sampler=sampler,
    )


def resuming(out: Path) -> bool:
    """Whether ``out`` holds a history with at least one finished generation."""
    if not (out / HISTORY).exists():
        return False
    import pyabc

    return int(pyabc.History(history_url(out), _id=1, create=False).max_t) >= 0


def open_history(abc: Any, calibration: Calibration, out: Path) -> Any:
    """Start a new run in ``out``'s history database, or load the one already there."""
    url = history_url(out)
    if (out / HISTORY).exists():
        return abc.load(url, 1)
    return abc.new(url, {t.name: 0.0 for t in calibration.fitted})


def runs_per_particle(calibration: Calibration) -> int:
    """Model runs one particle takes."""
    return len(calibration.scenarios_of(calibration.fitted)) * calibration.replications


@dataclass
class Progress:
    """Where the ABC-SMC stands after a generation."""

    generations: int
    simulations: int
    epsilon: float
    acceptance: float
    stopped: str = ""


def advance(
    start: Callable[[], Any],
    calibration: Calibration,
    budget_simulations: int,
    report: Callable[[Progress], None] | None = None,
) -> Progress:
    """Run generations until every target is met (epsilon 0) or the budget is spent.

    ``start()`` makes an ABCSMC with its history opened (`make_abc`, `open_history`). Each
    generation is one ``run`` call of a fresh one, the way a resumed calibration starts, so
    an interrupted calibration goes on exactly as an uninterrupted one (and a kill loses at
    most the generation under way): pyabc caches the population it initialises from, so a
    second ``run`` of one object would take its first epsilon again. A generation is started
    only if the budget left could finish it at the last acceptance rate, and the sampler gives
    up on one that would overrun the budget.
    """
    history = start().history
    while True:
        state = _state(history)
        if state.generations and state.epsilon <= 0:
            state.stopped = "every calibration target met (the last generation's epsilon is 0)"
            return state
        left = budget_simulations - state.simulations
        expected = calibration.population / max(state.acceptance, 1e-9)
        if left < calibration.population or (state.generations and left < expected):
            state.stopped = "the budget is spent"
            return state
        # pyabc draws its proposals from numpy's global generator: seeded per generation
        np.random.seed((calibration.seed + state.generations) % 2**32)  # noqa: NPY002
        fit = start()
        fit.run(
            minimum_epsilon=0.0,
            max_nr_populations=1,
            min_acceptance_rate=calibration.population / left,
        )
        history = fit.history
        after = _state(history)
        if after.generations == state.generations:  # pyabc gave up: it would overrun the budget
            after.stopped = "the budget ran out within a generation (not saved)"
            return after
        if report is not None:
            report(after)


EMPTY = "no finished generation"
TABLES = {"abc_smc", "populations", "models", "particles", "version"}  # pyabc's schema


def history_problem(out: Path) -> str | None:
    """What is wrong with the history database in ``out``: None, `EMPTY`, or the damage.

    Read with sqlite alone, read-only, before pyabc opens it: pyabc answers a damaged or
    half-made database with assertions (a database of version 0) on every resume.
    """
    found = _finished(out)
    return found if isinstance(found, str) else EMPTY if found == 0 else None


def finished_generations(out: Path) -> int | None:
    """How many finished generations the history in ``out`` holds (None: it is damaged)."""
    if not (out / HISTORY).exists():
        return 0
    found = _finished(out)
    return 0 if found == EMPTY else found if isinstance(found, int) else None


def _finished(out: Path) -> int | str:
    """The finished generations in ``out``'s history, `EMPTY`, or what is damaged in it."""
    import sqlite3

    path = (out / HISTORY).resolve()
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                return str(verdict)
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not TABLES <= names or not db.execute("SELECT * FROM version").fetchall():
                return EMPTY
            return int(db.execute("SELECT count(*) FROM populations WHERE t >= 0").fetchone()[0])
    except sqlite3.Error as error:
        return str(error)


def database_error(error: BaseException) -> bool:
    """Whether ``error`` is the history database's (sqlite's, or SQLAlchemy's around it)."""
    import sqlite3

    return isinstance(error, sqlite3.Error) or type(error).__module__.startswith("sqlalchemy")


def load_history(out: Path) -> Any:
    """The history database in ``out``, read back."""
    import pyabc

    return pyabc.History(history_url(out), _id=1, create=False)


def _state(history: Any) -> Progress:
    populations = history.get_all_populations()
    done = populations[populations["t"] >= 0]
    if done.empty:
        return Progress(0, int(history.total_nr_simulations), math.inf, 1.0)
    last = done.iloc[-1]
    counts = history.get_nr_particles_per_population()
    accepted = int(counts.iloc[-1]) if len(counts) else 0
    acceptance = accepted / max(int(last["samples"]), 1)
    epsilon = float(last["epsilon"])
    return Progress(len(done), int(history.total_nr_simulations), epsilon, acceptance)
