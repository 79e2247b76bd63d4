"""A sweep's results on disk: Parquet chunks, the manifest beside them, and loading them back.

Layout of an output directory ``OUT``::

    OUT/manifest.json           what ran: scenario digest, versions, chunking, times
    OUT/scenario.toml           a copy of the scenario file
    OUT/runs/chunk-000000.parquet        one row per run
    OUT/timeseries/chunk-000000.parquet  one row per run and month (when asked for)

Each chunk is written to a hidden temporary file and renamed into place, so a chunk file is
either whole or absent: a sweep killed at any moment resumes from the chunks on disk.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pipsim.sweep.design import Scenario

RUNS, TIMESERIES, MANIFEST = "runs", "timeseries", "manifest.json"
PACKAGES = ("pipsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib", "dask", "distributed")


class ResultsError(RuntimeError):
    """The output directory cannot be used for this sweep (it holds something else)."""


def chunk_name(chunk: int) -> str:
    """File name of chunk ``chunk`` (zero-padded, so files sort in run order)."""
    return f"chunk-{chunk:06d}.parquet"


def prepare(out: Path, scenario: Scenario, chunk_size: int, overwrite: bool) -> dict[str, Any]:
    """Make ``out`` ready for ``scenario``; return its manifest (an existing one to resume).

    Refuses a directory that holds another scenario's results, or anything that is not a
    pipsim output, unless ``overwrite`` is set.
    """
    manifest_path = out / MANIFEST
    if out.exists() and any(out.iterdir()):
        if not manifest_path.exists() and not overwrite:
            raise ResultsError(
                f"{out} is not empty and holds no pipsim results: "
                "choose another --out, or pass --overwrite to replace it"
            )
        if manifest_path.exists():
            old = json.loads(manifest_path.read_text())
            if old.get("scenario_digest") == scenario.digest and not overwrite:
                _remove_partial(out)
                return old
            if not overwrite:
                raise ResultsError(
                    f"{out} holds results of another scenario ({old.get('scenario_name')!r}, "
                    f"digest {str(old.get('scenario_digest'))[:12]}); choose another --out, "
                    "or pass --overwrite to replace them"
                )
        shutil.rmtree(out)
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    if scenario.time_series:
        (out / TIMESERIES).mkdir(exist_ok=True)
    manifest = {
        "scenario_name": scenario.name,
        "scenario_digest": scenario.digest,
        "scenario_source": scenario.source,
        "chunk_size": chunk_size,
        "started": now(),
        "finished": None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": _versions(),
    }
    (out / "scenario.toml").write_text(scenario.text, encoding="utf-8")
    write_manifest(out, manifest)
    return manifest


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    _atomic_write(out / MANIFEST, json.dumps(manifest, indent=2).encode())


def done_chunks(out: Path) -> set[int]:
    """Chunks already on disk (their run table is complete)."""
    return {int(p.stem.split("-")[1]) for p in (out / RUNS).glob("chunk-*.parquet")}


def write_chunk(out: Path, chunk: int, runs: pd.DataFrame, series: pd.DataFrame | None) -> None:
    """Write one chunk: its time series first, its run table last (the run table marks it done)."""
    if series is not None:
        _atomic_parquet(series, out / TIMESERIES / chunk_name(chunk))
    _atomic_parquet(runs, out / RUNS / chunk_name(chunk))


def load_runs(out: str | Path) -> pd.DataFrame:
    """All runs of a sweep, one row each, in run order."""
    return pd.read_parquet(Path(out) / RUNS).sort_values("run", ignore_index=True)


def load_timeseries(out: str | Path) -> pd.DataFrame | None:
    """The monthly series of a sweep (one row per run and month), if it kept them."""
    path = Path(out) / TIMESERIES
    if not path.exists() or not any(path.glob("chunk-*.parquet")):
        return None
    return pd.read_parquet(path).sort_values(["run", "month"], ignore_index=True)


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
    for tmp in out.rglob(".*.tmp"):
        tmp.unlink()
    done = done_chunks(out)
    for series in (out / TIMESERIES).glob("chunk-*.parquet"):
        if int(series.stem.split("-")[1]) not in done:
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
