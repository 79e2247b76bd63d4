"""A sweep's results on disk: Parquet chunks, the manifest beside them, and loading them back.

Layout of an output directory ``OUT``::

    OUT/manifest.json           what ran: the design, versions, chunking, times
    OUT/scenario.toml           a copy of the scenario file
    OUT/runs/chunk-000000.parquet        one row per run
    OUT/timeseries/chunk-000000.parquet  one row per run and month (when asked for)
    OUT/.pipsim.lock            held while a sweep writes (`lock`): one writer per folder

Each chunk is written to a hidden temporary file and renamed into place, so a chunk file is
either whole or absent; still, results are verified, not trusted: a chunk is used only if it
can be read and holds the runs and columns it should (`verify_chunks`), anything else in the
chunk folders is ignored with a note (`check`), and a run never counts twice. ``--overwrite``
removes only what pipsim writes (`own_files`), and never a folder holding anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import socket
import time
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipsim.sweep.design import design_changes

if TYPE_CHECKING:
    from pipsim.sweep.design import Scenario

RUNS, TIMESERIES, MANIFEST, FIGURES = "runs", "timeseries", "manifest.json", "figures"
SCENARIO_COPY, LOCK = "scenario.toml", ".pipsim.lock"
PACKAGES = ("pipsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib", "dask", "distributed")
CHUNK = re.compile(r"^chunk-(\d{6})\.parquet$")
TEMPORARY = re.compile(r"^\..+\.tmp$")
# the files pipsim writes at the top of an output directory (besides its three folders)
OWN_NAMES = frozenset(
    {
        MANIFEST,
        SCENARIO_COPY,
        LOCK,
        "summary.csv",
        "probabilities.csv",
        "duration.csv",
        "duration.json",
        "noise.csv",
        "report.html",
        "run.log",
    }
)
OWN_PATTERN = re.compile(r"^(sensitivity_[a-z_]+\.csv|discovery_[a-z0-9_]+\.(csv|json))$")
ID_COLUMNS = ("run", "point", "replicate", "seed", "place", "block_runs")
UNREADABLE = (OSError, ValueError, pa.ArrowException)


class ResultsError(RuntimeError):
    """The output directory cannot be used for this sweep (it holds something else)."""


def chunk_name(chunk: int) -> str:
    """File name of chunk ``chunk`` (zero-padded, so files sort in run order)."""
    return f"chunk-{chunk:06d}.parquet"


# --- what is pipsim's, and what is not --------------------------------------------------------
def own_files(out: Path) -> tuple[list[Path], list[Path]]:
    """The files in ``out`` that pipsim wrote, and every other entry (files and folders)."""
    own: list[Path] = []
    other: list[Path] = []
    for entry in sorted(out.iterdir()):
        if entry.is_symlink():
            other.append(entry)
        elif entry.is_dir() and entry.name in (RUNS, TIMESERIES, FIGURES):
            for inner in sorted(entry.iterdir()):
                if entry.name == FIGURES:
                    mine = inner.suffix == ".png" or TEMPORARY.match(inner.name)
                else:
                    mine = CHUNK.match(inner.name) or TEMPORARY.match(inner.name)
                regular = inner.is_file() and not inner.is_symlink()
                (own if mine and regular else other).append(inner)
        elif entry.is_file() and (
            entry.name in OWN_NAMES or OWN_PATTERN.match(entry.name) or TEMPORARY.match(entry.name)
        ):
            own.append(entry)
        else:
            other.append(entry)
    return own, other


def dangerous(out: Path) -> str | None:
    """Why ``out`` must never be emptied (the current folder, home, a root), or None."""
    where = out.resolve()
    if where == where.parent:
        return "a filesystem root"
    if where == Path.home().resolve():
        return "your home folder"
    cwd = Path.cwd().resolve()
    if cwd == where or where in cwd.parents:
        return "the current folder" if cwd == where else "a folder holding the current folder"
    return None


def _listed(paths: list[Path], out: Path) -> str:
    names = [str(p.relative_to(out)) + ("/" if p.is_dir() else "") for p in paths[:3]]
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    return ", ".join(names) + more


def _remove_own(out: Path, own: list[Path]) -> None:
    """Remove pipsim's files from ``out``, then its folders if they are left empty."""
    for path in own:
        if path.name != LOCK:
            path.unlink(missing_ok=True)
    for name in (RUNS, TIMESERIES, FIGURES):
        with contextlib.suppress(OSError):  # absent, or not empty: left as it is
            (out / name).rmdir()


# --- preparing a folder -----------------------------------------------------------------------
def prepare(
    out: Path, scenario: Scenario, chunk_size: int, overwrite: bool, command: str | None = None
) -> dict[str, Any]:
    """Make ``out`` ready for ``scenario``; return its manifest (an existing one to resume).

    A folder holding results of the same design is resumed (its scenario's comments, name or
    description may have changed); one holding another design is refused with what changed,
    unless ``overwrite`` is set. Anything pipsim did not write makes the folder unusable:
    ``overwrite`` removes only pipsim's own files, and never those of the current folder,
    the home folder or a filesystem root.
    """
    own = [p for p in refuse(out, overwrite, scenario.name) if p.name != LOCK]
    if own and overwrite:
        _remove_own(out, own)
    elif own:
        old = resume_manifest(out, scenario, chunk_size)
        _remove_partial(out)
        return old
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    if scenario.time_series:
        (out / TIMESERIES).mkdir(exist_ok=True)
    manifest = new_manifest(scenario, chunk_size, command)
    (out / SCENARIO_COPY).write_text(scenario.text, encoding="utf-8")
    write_manifest(out, manifest)
    return manifest


def refuse(out: Path, overwrite: bool, name: str) -> list[Path]:
    """Refuse an ``out`` that must not be used (or emptied); return pipsim's files in it.

    Raises:
        ResultsError: ``out`` is not a folder, holds anything pipsim did not write, or is the
            current folder, the home folder or a filesystem root and ``overwrite`` is set.
    """
    if overwrite and (why := dangerous(out)):
        raise ResultsError(
            f"--overwrite refused: {out} is {why}; give --out a folder of its own, "
            f"e.g. results/{name}"
        )
    if not out.exists():
        return []
    if not out.is_dir():
        raise ResultsError(f"{out} is not a folder: choose another --out")
    own, other = own_files(out)
    if other and overwrite:
        raise ResultsError(
            f"--overwrite refused: {out} holds files pipsim did not write "
            f"({_listed(other, out)}), and pipsim removes only its own: choose another --out"
        )
    if other and not any(p.name != LOCK for p in own):
        raise ResultsError(
            f"{out} holds files pipsim did not write ({_listed(other, out)}) and no pipsim "
            "results: choose another --out (a new or empty folder)"
        )
    return own


def new_manifest(scenario: Scenario, chunk_size: int, command: str | None) -> dict[str, Any]:
    """The manifest of a sweep starting now."""
    return {
        "scenario_name": scenario.name,
        "scenario_digest": scenario.digest,
        "design_digest": scenario.design_digest,
        "design": scenario.design(),
        "scenario_source": scenario.source,
        "command": command,
        "chunk_size": chunk_size,
        "started": now(),
        "finished": None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": _versions(),
    }


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest in ``out``, or None if it is missing, unreadable or not a JSON object."""
    try:
        found = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def resume_manifest(out: Path, scenario: Scenario, chunk_size: int) -> dict[str, Any]:
    """The manifest of the results in ``out`` if they are of ``scenario``'s design.

    A damaged manifest is rebuilt from the scenario copy and the chunks.

    Raises:
        ResultsError: the results are of another design, or cannot be told apart.
    """
    old = read_manifest(out)
    design = old.get("design") if old is not None else None
    if not isinstance(design, dict):  # a damaged manifest, or one written before designs
        design = copy_design(out)
        if design is None and old is not None and old.get("scenario_digest") == scenario.digest:
            design = scenario.design()
    if design is None:
        damaged = "is damaged" if (out / MANIFEST).exists() else "is missing"
        raise ResultsError(
            f"{out / MANIFEST} {damaged} and {out / SCENARIO_COPY} cannot tell which design "
            "the results are of: choose another --out, or pass --overwrite to replace them"
        )
    changes = design_changes(design, scenario.design())
    if changes:
        name = old.get("scenario_name") if old is not None else None
        raise ResultsError(
            f"{out} holds results of another design"
            + (f" ({name!r})" if isinstance(name, str) else "")
            + f": {'; '.join(changes)}; choose another --out, or pass --overwrite to "
            "replace them"
        )
    if old is None or not isinstance(old.get("chunk_size"), int) or old["chunk_size"] < 1:
        old = new_manifest(scenario, _chunk_size_on_disk(out) or chunk_size, None)
        old["rebuilt"] = now()
    old.update(design=scenario.design(), design_digest=scenario.design_digest)
    write_manifest(out, old)
    return old


def copy_design(out: Path) -> dict[str, Any] | None:
    """The design of the scenario copy in ``out``, or None if it cannot be read."""
    from pipsim.sweep.scenario import ScenarioError, load_copy

    try:
        return load_copy(out / SCENARIO_COPY).design()
    except ScenarioError:
        return None


def _chunk_size_on_disk(out: Path) -> int | None:
    """The largest number of runs in a readable chunk: the chunk size of those results."""
    sizes = []
    for path in chunk_files(out / RUNS)[0].values():
        with contextlib.suppress(*UNREADABLE):
            sizes.append(pq.read_metadata(path).num_rows)
    return max(sizes, default=None) or None


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    _atomic_write(out / MANIFEST, json.dumps(manifest, indent=2).encode())


# --- one writer per folder --------------------------------------------------------------------
_held: dict[Path, int] = {}


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold ``out/.pipsim.lock`` while a sweep writes to ``out``: one writer per folder.

    The lock is the operating system's (``flock``), so it is released when its holder dies,
    however it dies: a lock left by a killed sweep is taken over. The file names its holder
    (PID, process start time, host) for the message another sweep gets. Re-entrant within a
    process.

    Raises:
        ResultsError: another process holds the lock.
    """
    out.mkdir(parents=True, exist_ok=True)
    key = out.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = _acquire(out / LOCK)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            (out / LOCK).unlink()
        os.close(fd)


def _acquire(path: Path) -> int:
    import fcntl

    for _ in range(20):  # the file may be replaced between open and lock: try again
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ResultsError(_in_use(path)) from None
        except OSError:  # no flock on this filesystem: the holder's PID and start time decide
            if _holder_alive(path):
                os.close(fd)
                raise ResultsError(_in_use(path)) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        holder = {
            "pid": os.getpid(),
            "process_started": _process_start(os.getpid()),
            "since": now(),
            "host": socket.gethostname(),
        }
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode())
        return fd
    raise ResultsError(f"cannot lock {path}: it keeps changing; is another sweep starting?")


def _holder_alive(path: Path) -> bool:
    """Whether the process a lock file names still runs (on this host, the same process)."""
    try:
        holder = json.loads(path.read_text())
        pid = int(holder["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if holder.get("host") != socket.gethostname():
        return True  # another machine's sweep: it cannot be checked from here, so it holds
    if pid == os.getpid():
        return False
    started = _process_start(pid)
    if started is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return started == holder.get("process_started")


def _in_use(path: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        who = f" (PID {int(holder['pid'])}, since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        who = ""
    return (
        f"{path.parent} is in use by another pipsim sweep{who}: wait for it to finish, "
        "or choose another --out"
    )


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


# --- chunks -----------------------------------------------------------------------------------
def chunk_files(folder: Path) -> tuple[dict[int, Path], list[Path]]:
    """The chunk files in ``folder`` by chunk number, and the stray files beside them."""
    chunks: dict[int, Path] = {}
    strays: list[Path] = []
    if not folder.is_dir():
        return chunks, strays
    for path in sorted(folder.iterdir()):
        match = CHUNK.match(path.name)
        if match and path.is_file():
            chunks[int(match.group(1))] = path
        elif not TEMPORARY.match(path.name):
            strays.append(path)
    return chunks, strays


def done_chunks(out: Path) -> set[int]:
    """Chunks on disk (whether they are whole is `verify_chunks`' question)."""
    return set(chunk_files(out / RUNS)[0])


def chunk_runs(path: Path, columns: Iterable[str] = ()) -> list[int] | None:
    """The run ids in a chunk file, or None if it cannot be read or lacks ``columns``."""
    try:
        names = set(pq.read_schema(path).names)
        if "run" not in names or not set(columns) <= names:
            return None
        return [int(r) for r in pq.read_table(path, columns=["run"]).column("run").to_pylist()]
    except (*UNREADABLE, TypeError):
        return None


def verify_chunks(
    out: Path, expected: dict[int, range], columns: Iterable[str], series: bool
) -> tuple[set[int], list[str]]:
    """Which of the ``expected`` chunks are whole, and a note on each that is not.

    A chunk is whole if its run table can be read, has ``columns`` and exactly its runs, and
    (with ``series``) its series can be read and covers the same runs. The files of a chunk
    that is not whole are removed (they are pipsim's, and are written again).
    """
    columns = tuple(columns)
    chunks, strays = chunk_files(out / RUNS)
    series_chunks, series_strays = chunk_files(out / TIMESERIES)
    whole, notes = set(), []
    for stray in [*strays, *series_strays]:
        notes.append(f"{stray.relative_to(out)} is not pipsim's: ignored")
    for c, runs in expected.items():
        if c not in chunks:
            continue
        found = chunk_runs(chunks[c], columns)
        problem = None
        if found is None:
            problem = "cannot be read or lacks the design's columns"
        elif sorted(found) != list(runs):
            problem = f"holds runs other than its own ({runs.start}–{runs.stop - 1})"
        elif series:
            have = c in series_chunks
            monthly = chunk_runs(series_chunks[c], ("month",)) if have else None
            if monthly is None or set(monthly) != set(runs):
                problem = "has its monthly series missing or damaged"
        if problem is None:
            whole.add(c)
            continue
        notes.append(f"{chunks[c].relative_to(out)} {problem}: it is run again")
        chunks[c].unlink(missing_ok=True)
        if c in series_chunks:
            series_chunks[c].unlink(missing_ok=True)
    return whole, notes


def write_chunk(out: Path, chunk: int, runs: pd.DataFrame, series: pd.DataFrame | None) -> None:
    """Write one chunk: its time series first, its run table last (the run table marks it done)."""
    if series is not None:
        _atomic_parquet(series, out / TIMESERIES / chunk_name(chunk))
    _atomic_parquet(runs, out / RUNS / chunk_name(chunk))


def _read_chunks(folder: Path, notes: list[str] | None) -> list[pd.DataFrame]:
    chunks, strays = chunk_files(folder)
    frames = []
    for path in chunks.values():
        try:
            frames.append(pd.read_parquet(path))
        except UNREADABLE:
            if notes is not None:
                notes.append(f"{path} cannot be read: left out")
    if notes is not None and strays:
        notes.append(f"ignored in {folder}: {', '.join(p.name for p in strays)} (not pipsim's)")
    return [f for f in frames if "run" in f.columns]


def load_runs(out: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """All runs of a sweep, one row each, in run order.

    Unreadable chunks and stray files are left out (with a note in ``notes``, if given); a
    run found in two chunks counts once.

    Raises:
        ResultsError: no chunk can be read.
    """
    frames = _read_chunks(Path(out) / RUNS, notes)
    if not frames:
        raise ResultsError(f"{out} holds no readable results: run the sweep first")
    runs = pd.concat(frames, ignore_index=True)
    return runs.drop_duplicates("run").sort_values("run", ignore_index=True)


def load_timeseries(out: str | Path, notes: list[str] | None = None) -> pd.DataFrame | None:
    """The monthly series of a sweep (one row per run and month), if it kept them."""
    frames = _read_chunks(Path(out) / TIMESERIES, notes)
    frames = [f for f in frames if "month" in f.columns]
    if not frames:
        return None
    series = pd.concat(frames, ignore_index=True).drop_duplicates(["run", "month"])
    return series.sort_values(["run", "month"], ignore_index=True)


def saved_runs(out: Path) -> int:
    """How many distinct runs the readable chunks in ``out`` hold (0 if none)."""
    found: set[int] = set()
    for path in chunk_files(out / RUNS)[0].values():
        found.update(chunk_runs(path) or ())
    return len(found)


def check(out: Path) -> list[str]:
    """What is wrong with the results in ``out``: damaged chunks, strays, missing series.

    (Runs not yet on disk are not a fault: `saved_runs` against the manifest's total.)
    """
    notes: list[str] = []
    manifest = read_manifest(out)
    if manifest is None and (out / MANIFEST).exists():
        notes.append(f"{out / MANIFEST} is damaged")
    design = (manifest or {}).get("design") or {}
    chunks, strays = chunk_files(out / RUNS)
    present: set[int] = set()
    for path in chunks.values():
        found = chunk_runs(path)
        if found is None:
            notes.append(f"{path} cannot be read: its runs are left out")
            continue
        if present & set(found):
            notes.append(f"{path} repeats runs of another chunk: they count once")
        present.update(found)
    if strays:
        notes.append(f"ignored in {out / RUNS}: {', '.join(p.name for p in strays)} (not pipsim's)")
    if design.get("time_series"):
        monthly: set[int] = set()
        series_chunks, series_strays = chunk_files(out / TIMESERIES)
        for path in series_chunks.values():
            found = chunk_runs(path, ("month",))
            if found is None:
                notes.append(f"{path} cannot be read: its monthly series are left out")
            monthly.update(found or ())
        if missing := present - monthly:
            notes.append(f"the monthly series of {len(missing):,} runs are missing")
        if series_strays:
            names = ", ".join(p.name for p in series_strays)
            notes.append(f"ignored in {out / TIMESERIES}: {names} (not pipsim's)")
    return notes


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _remove_partial(out: Path) -> None:
    """Drop temporary files a killed sweep left behind, and series of unfinished chunks."""
    for folder in (out, out / RUNS, out / TIMESERIES, out / FIGURES):
        if folder.is_dir():
            for tmp in folder.iterdir():
                if TEMPORARY.match(tmp.name) and tmp.is_file():
                    tmp.unlink()
    done = done_chunks(out)
    for chunk, series in chunk_files(out / TIMESERIES)[0].items():
        if chunk not in done:
            series.unlink()


def _versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def now() -> str:
    """The local time, ISO 8601."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
