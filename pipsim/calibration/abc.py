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

import logging
import math
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


@contextmanager
def engine(workers: int, dask: str | None, timeout: float = 10.0) -> Iterator[Engine]:
    """Samplers for ``workers`` local processes, or a Dask cluster; closed on leaving."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's per-generation chatter
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    if dask is None:
        if workers == 1:
            yield Engine(pyabc.sampler.SingleCoreSampler(check_max_eval=True), map)
            return
        import concurrent.futures as cf
        import multiprocessing as mp

        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver")) as pool:
            sampler = pyabc.sampler.MulticoreEvalParallelSampler(
                n_procs=workers, check_max_eval=True
            )
            yield Engine(sampler, pool.map)
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if dask == "local":
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(dask, timeout=timeout)
    try:
        executor = client.get_executor(pure=False)
        yield Engine(pyabc.sampler.DaskDistributedSampler(dask_client=client), executor.map)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def history_url(out: Path) -> str:
    """The SQLAlchemy address of the history database in ``out``."""
    return f"sqlite:///{(out / HISTORY).resolve()}"


def make_abc(
    calibration: Calibration, parameters: list[str], sampler: Any, *, resume: bool = False
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
    return pyabc.ABCSMC(
        Simulator(calibration, calibration.fitted),
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
