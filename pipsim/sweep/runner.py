"""Running a sweep: chunks of runs over any `concurrent.futures` executor, written as they finish.

One code path serves every engine: in-process (``workers=1``), a local process pool (the
default, all cores), or a Dask cluster through ``Client.get_executor()``; `open_engine` is the
one place that makes them. Seeds are fixed before dispatch (`pipsim.sweep.design`), chunks
are written atomically as they complete (`pipsim.sweep.results`), and at most a few chunks
per worker are in flight, so memory stays flat however large the sweep, and an interrupted
sweep resumes where it stopped.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import dataclasses
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from pipsim.model import PIPModel
from pipsim.sweep import block, design, results
from pipsim.sweep.design import Scenario

IN_FLIGHT_PER_WORKER = 3
ChunkResult = tuple[int, pd.DataFrame, pd.DataFrame | None, float]  # index, runs, series, seconds


@dataclass(frozen=True, slots=True)
class Chunk:
    """A chunk of blocks of runs travelling to a worker as one task."""

    index: int
    blocks: tuple[design.Block, ...]
    design_keys: tuple[str, ...]
    time_series: bool


@dataclass(slots=True)
class SweepResult:
    """What `run_sweep` returns: the tables, where they are, and how long the models took."""

    out: Path
    runs: pd.DataFrame | None  # None when run with load=False
    timeseries: pd.DataFrame | None
    model_seconds: float = 0.0
    wall_seconds: float = 0.0
    runs_done_now: int = 0
    resumed_runs: int = 0
    notes: list[str] = field(default_factory=list)


def run_one(run: design.Run, time_series: bool) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one model to the end of its horizon: its outcomes, and its series if asked for."""
    model = PIPModel(rng=run.seed, time_series=time_series, **run.overrides)
    while model.running:
        model.step()
    series = model.datacollector.get_model_vars_dataframe() if time_series else None
    return model.outcomes(), series


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every block of ``chunk`` (on a worker): its run table, series and model seconds.

    Each row names its run (``run``, ``point``, ``replicate``) and how to make it again: its
    block's ``seed``, its ``place`` in the block and the block's size (``block_runs``), the
    ensemble ``member`` its block drew (runs across an ensemble only), then every parameter
    the runs were given (swept first, then the member's, then the base's); the monthly
    series carry the swept ones, so neither needs a join to be read.
    """
    tables, series, seconds = [], [], 0.0
    for b in chunk.blocks:
        start = time.perf_counter()
        runs, monthly = block.run_block(b.overrides, b.seed, b.size, time_series=chunk.time_series)
        seconds += time.perf_counter() - start
        place = runs.pop("place").to_numpy()
        ids = pd.DataFrame(
            {
                "run": b.index + place,
                "point": b.point,
                "replicate": b.first + place,
                "seed": b.seed,
                "place": place,
                "block_runs": b.size,
                **{k: [b.overrides[k]] * b.size for k in _parameters(chunk, b)},
            }
        )
        if b.member is not None:  # drawn across an ensemble: which member (its values follow)
            ids.insert(len(results.ID_COLUMNS), "member", b.member)
        tables.append(pd.concat([ids, runs], axis=1))
        if monthly is not None:
            at = monthly.pop("place").to_numpy()
            design_values = {k: b.overrides[k] for k in chunk.design_keys}
            series.append(
                monthly.assign(
                    run=b.index + at, point=b.point, replicate=b.first + at, **design_values
                )
            )
    table = pd.concat(tables, ignore_index=True)
    monthly_table = pd.concat(series, ignore_index=True) if series else None
    return chunk.index, table, monthly_table, seconds


def _parameters(chunk: Chunk, b: design.Block) -> list[str]:
    """The parameters a run table records: the swept ones, then the scenario's base."""
    return list(dict.fromkeys([*chunk.design_keys, *b.overrides]))


def default_chunk_size(total_runs: int, workers: int) -> int:
    """Runs per chunk: about eight chunks per worker, between 1 and 200 runs each.

    How the work is cut into tasks only; a run's result depends on its block, not its chunk.
    """
    return max(1, min(200, total_runs // max(1, 8 * workers)))


def run_sweep(
    scenario: Scenario,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    dask: str | None = None,
    executor: cf.Executor | None = None,
    chunk_size: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    load: bool = True,
    first_replicate: int = 0,
    command: str | None = None,
) -> SweepResult:
    """Run every run of ``scenario`` and return its tables, resuming any earlier attempt.

    Args:
        scenario: a validated scenario (`pipsim.load_scenario`).
        out: output directory (default ``results/<scenario name>``).
        workers: processes (default: all cores); 1 runs in this process.
        dask: a Dask scheduler address, or ``"local"`` for a local cluster.
        executor: any `concurrent.futures.Executor` (overrides ``workers`` and ``dask``).
        chunk_size: runs per task (default from the sweep's size; fixed once a sweep starts).
        overwrite: replace an output directory that holds other results.
        progress: show a progress bar.
        load: read the tables back into the result (off: leave them on disk, so the
            sweep's memory does not grow with its size).
        first_replicate: run replicates ``first_replicate`` to ``first_replicate +
            replications - 1`` of each point: a block of replications added to the sweep
            already in ``out`` (``pipsim duration --adaptive``). A seed depends on the point
            and replicate only, so these are the runs a sweep with more replications would
            make; their run and chunk numbers start at ``first_replicate`` × points, clear of
            every lower block's. Blocks sent to one directory must not overlap.
        command: the command that runs this sweep, recorded in the manifest (what repairs it).

    Raises:
        results.ResultsError: ``out`` holds something else, or another sweep writes to it.
    """
    started = time.perf_counter()
    out = Path(out) if out is not None else Path("results") / scenario.name
    results.refuse(out, overwrite, scenario.name)  # before the lock creates anything in it
    with results.lock(out):
        return _run_locked(
            scenario,
            out,
            started,
            workers,
            dask,
            executor,
            chunk_size,
            overwrite,
            progress,
            load,
            first_replicate,
            command,
        )


def _run_locked(
    scenario: Scenario,
    out: Path,
    started: float,
    workers: int | None,
    dask: str | None,
    executor: cf.Executor | None,
    chunk_size: int | None,
    overwrite: bool,
    progress: bool,
    load: bool,
    first_replicate: int,
    command: str | None,
) -> SweepResult:
    """`run_sweep` while holding the lock of ``out``."""
    workers = workers or os.cpu_count() or 1
    points = design.design_points(scenario)
    total = len(points) * scenario.replications
    size = chunk_size or default_chunk_size(total, workers)
    manifest = results.prepare(out, scenario, size, overwrite, command)
    size = manifest["chunk_size"]
    # A chunk is whole blocks: as many as make about `size` runs.
    n_blocks = len(points) * design.blocks_per_point(scenario)
    per_chunk = max(1, size // min(scenario.block_size, max(1, scenario.replications)))
    n_chunks = -(-n_blocks // per_chunk)
    offset = first_replicate * len(points)  # runs (so also chunks) of the lower blocks
    keys = tuple(points[0]) if points else ()

    def blocks_of(c: int) -> list[design.Block]:
        stop = min(n_blocks, (c + 1) * per_chunk)
        return [
            design.block(scenario, points, j, first_replicate) for j in range(c * per_chunk, stop)
        ]

    def span(c: int) -> range:
        first = design.block(scenario, points, c * per_chunk)
        last = design.block(scenario, points, min(n_blocks, (c + 1) * per_chunk) - 1)
        return range(offset + first.index, offset + last.index + last.size)

    expected = {offset + c: span(c) for c in range(n_chunks)}
    columns = (*results.ID_COLUMNS, *keys)
    seeds = {offset + c: {b.seed for b in blocks_of(c)} for c in range(n_chunks)}
    done, notes = results.verify_chunks(
        out, expected, columns, scenario.time_series, seeds, scenario.design_digest
    )
    todo = [c for c in range(n_chunks) if offset + c not in done]
    runs_in_out = max(offset + total, manifest.get("total_runs") or 0)  # every block so far
    # recorded now, not only at the end, so a partly finished sweep can be summarised
    manifest.update(design_keys=list(keys), total_runs=runs_in_out, design_points=len(points))
    results.write_manifest(out, manifest)

    def make(c: int) -> Chunk:
        shifted = [_shifted(b, offset) for b in blocks_of(c)]
        return Chunk(offset + c, tuple(shifted), keys, scenario.time_series)

    resumed = total - sum(len(span(c)) for c in todo)
    engine = Engine(executor) if executor is not None else open_engine(workers, dask)
    seconds = 0.0
    try:
        with tqdm(
            total=total,
            initial=resumed,
            unit="run",
            disable=not progress,
            desc=scenario.name,
            smoothing=0.1,
        ) as bar:
            for index, table, series, took in _dispatch(engine.executor, make, todo, workers):
                results.write_chunk(out, index, table, series, scenario.design_digest)
                seconds += took
                bar.update(len(table))
    finally:
        engine.close()
    manifest.update(
        finished=results.now(),
        total_runs=runs_in_out,
        design_points=len(points),
        design_keys=list(keys),
    )
    results.write_manifest(out, manifest)
    return SweepResult(
        out,
        results.load_runs(out) if load else None,
        results.load_timeseries(out) if load else None,
        seconds,
        time.perf_counter() - started,
        total - resumed,
        resumed,
        notes,
    )


def _shifted(b: design.Block, offset: int) -> design.Block:
    """``b`` of a block of replicates added to a sweep: its runs numbered after the lower ones."""
    return dataclasses.replace(b, index=offset + b.index)


def _dispatch(
    pool: cf.Executor, make: Callable[[int], Chunk], todo: list[int], workers: int
) -> Iterator[ChunkResult]:
    """Submit chunks with a bounded window; yield each result as soon as it completes."""
    pending: set[cf.Future] = set()
    queue = iter(todo)
    window = max(2, IN_FLIGHT_PER_WORKER * workers)
    try:
        while True:
            for c in queue:
                future = pool.submit(run_chunk, make(c))
                pending.add(future)
                if len(pending) >= window or future.done():
                    break  # a full window, or a result to write before going on
            if not pending:
                return
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


class InlineExecutor(cf.Executor):
    """Runs each task at once in this process: the one-worker engine, easy to debug."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:  # noqa: D102
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


def _nothing() -> None:
    """Close or stop an engine that has nothing to close or stop."""


@dataclass(frozen=True, slots=True)
class Engine:
    """An executor to run chunks on, how to close it, and how to stop its workers at once.

    We close only what we opened: an executor handed in is closed by its owner.
    """

    executor: cf.Executor
    close: Callable[[], None] = _nothing
    stop: Callable[[], None] = _nothing
    client: Any = None  # the Dask client, on Dask (pyabc's sampler takes it)
    dashboard: str | None = None  # a Dask cluster's dashboard address, to watch it work


DASK_TIMEOUT = 10.0  # seconds to reach a Dask scheduler


def open_engine(
    workers: int,
    dask: str | None = None,
    *,
    quiet_workers: bool = False,
    dask_timeout: float = DASK_TIMEOUT,
) -> Engine:
    """The executor of a sweep: in this process (1 worker), a process pool, or Dask.

    The one place an engine is made, for `run_sweep` and for the command line alike. With
    ``quiet_workers`` (the command line's choice) worker processes ignore SIGINT, so Ctrl-C,
    which reaches the whole process group, is the parent's alone to handle: no traceback per
    worker, and `Engine.stop` terminates a local pool's workers at once instead of waiting for
    the chunks under way (they are run again on resume).

    Raises:
        RuntimeError: Dask is asked for but not installed.
        OSError, TimeoutError, ValueError: the Dask cluster cannot be started or reached.
    """
    if dask is not None:
        # a local cluster's processes inherit an ignored SIGINT: Ctrl-C is the parent's to
        # handle (it closes the cluster), not a traceback from every Dask process
        quiet = quiet_workers and dask == "local"
        before = signal.signal(signal.SIGINT, signal.SIG_IGN) if quiet else None
        try:
            return _dask_engine(dask, workers, dask_timeout)
        finally:
            if before is not None:
                signal.signal(signal.SIGINT, before)
    if workers == 1:
        return Engine(InlineExecutor())
    # forkserver: forking a process that runs threads (progress bars, Dask) can deadlock. It
    # imports `preload` first (once, when it starts), so every worker it forks starts ready.
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["pipsim.sweep.preload"])
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(os.getpid(), quiet_workers),
    )

    def stop() -> None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()

    return Engine(pool, lambda: pool.shutdown(wait=False, cancel_futures=True), stop)


def start_worker(parent: int, quiet: bool) -> None:
    """In a worker process: die with the sweep's process; with ``quiet``, ignore SIGINT.

    The one safeguard of every local worker pipsim starts (sweeps' pools, ``calibrate``'s).

    The parent handles Ctrl-C and terminates the workers. If it is killed (kill -9, out of
    memory) the workers must not run on for nothing: on Linux the kernel kills a worker when
    its parent (the forkserver, which itself leaves when the sweep's process is gone) dies
    (``PR_SET_PDEATHSIG``), and everywhere a thread checks every second that the sweep's
    process is still there.
    """
    if quiet:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="pipsim-parent").start()


PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
WATCH_SECONDS = 1.0


def _watch(parent: int) -> None:
    """Leave this process at once when ``parent`` is gone."""
    while _alive(parent):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: os.kill said it exists
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _probe_scheduler(address: str, timeout: float) -> None:
    """Check that a ``tcp://`` address answers as a Dask scheduler does, within ``timeout``.

    A scheduler speaks first: on every connection it sends its handshake, framed as a count
    of frames (8 bytes, little-endian) and their lengths. A port that accepts but never
    answers would hang Dask's client; a service that greets with text would be read as a
    frame count of trillions. Other schemes (tls://, inproc://) are left to Dask.

    Raises:
        TimeoutError: nothing answers within ``timeout`` seconds.
        ValueError: something answers, but not as a Dask scheduler.
    """
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise ValueError(f"{address!r} is not an address: give tcp://host:port")
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as conn:
            head = b""
            while len(head) < 8:
                conn.settimeout(max(0.01, deadline - time.monotonic()))
                part = conn.recv(8 - len(head))
                if not part:
                    raise ValueError("it closed the connection without a word")
                head += part
    except TimeoutError:
        raise TimeoutError(f"nothing answered within {timeout:g} s") from None
    frames = int.from_bytes(head, "little")
    if not 1 <= frames <= 1000:
        raise ValueError(f"what answered is not a Dask scheduler (it began with {head!r})")


def dask_client(
    address: str, workers: int, timeout: float = DASK_TIMEOUT
) -> tuple[Any, Callable[[], None]]:
    """A Dask client and how to close it: a local cluster on 127.0.0.1, or a scheduler's.

    The one place pipsim connects to Dask (sweeps and ``calibrate`` alike): a scheduler's
    address is probed first (`_probe_scheduler`), so a port that stays silent or speaks
    another protocol fails within ``timeout``, in one line.

    Raises:
        RuntimeError: Dask is not installed.
        TimeoutError: nothing answers within ``timeout``.
        ValueError: not an address, or what answers is not a Dask scheduler.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise RuntimeError("Dask is not installed: pip install 'pipsim[dask]'") from None
    if address == "local":
        cluster = LocalCluster(  # its dashboard on this machine only, on a free port
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        return client, close
    _probe_scheduler(address, timeout)
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:  # refused, or no answer in time
        raise TimeoutError(f"no Dask scheduler answered within {timeout:g} s ({error})") from None
    except Exception as error:  # noqa: BLE001 - anything else it said: not Dask's protocol
        raise ValueError(
            f"it does not speak Dask's protocol, is it a Dask scheduler? "
            f"({type(error).__name__}: {error})"
        ) from None
    return client, client.close


def _dask_engine(address: str, workers: int, timeout: float = DASK_TIMEOUT) -> Engine:
    client, close = dask_client(address, workers, timeout)
    executor = client.get_executor(pure=False)
    return Engine(executor, close, client=client, dashboard=_dashboard(client))


def _dashboard(client: Any) -> str | None:
    """The address of the cluster's dashboard, or None if it serves none (no bokeh)."""
    try:
        link = client.dashboard_link
    except Exception:  # noqa: BLE001 - a dashboard is a convenience, never a failure
        return None
    return str(link) if link else None
