"""The ensemble file: accepted parameter sets that carry what is not known about the parameters.

A calibration by history matching (`pipsim.calibration.waves`) ends with about a hundred
parameter sets, each simulated and found not implausible against every calibration target. Drawing
runs across them, instead of at one set of defaults, carries the parameters' uncertainty into
an answer. The format, defined here only:

- a CSV file, UTF-8, comma-separated, with a header row;
- lines at the top starting with ``#`` are comments: ``# key: value`` lines record where the
  ensemble came from (``format``, ``targets``, ``targets_digest``, ``seed``, ``representative``);
- one column per calibrated parameter, named as the `pipsim.parameters.Parameters` field, holding
  values inside that field's declared range (whole numbers for whole-number fields);
- a ``weight`` column: non-negative, at least one positive; `load` returns them summing to 1.
  History matching writes equal weights (every accepted set counts alike), or, if its targets
  file says ``weights = "likelihood"``, exp(-½ Σ I²) (`implausibility.pseudo_likelihood`);
- optionally ``member`` (an identifier) and ``representative`` (true for the one member chosen as
  the defaults: the weighted medoid, see `representative`).

`load()` with no argument reads the one shipped with the package (``pipsim/data/ensemble.csv``),
once a full calibration has written it there.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipsim.parameters import FIELDS, check_field

FORMAT = "pipsim-ensemble-1"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "ensemble.csv"
RESERVED = ("weight", "member", "representative")


class EnsembleError(ValueError):
    """An ensemble file that does not follow the format: which file, what is wrong."""


def parameters(frame: pd.DataFrame) -> list[str]:
    """The parameter columns of an ensemble, in file order."""
    return [c for c in frame.columns if c not in RESERVED]


def save(frame: pd.DataFrame, path: Path | None, **facts: Any) -> bytes:
    """The ensemble as the file's bytes (written to ``path`` if given), ``facts`` as comments."""
    check(frame, str(path))
    head = "".join(f"# {k}: {v}\n" for k, v in {"format": FORMAT, **facts}.items())
    data = (head + frame.to_csv(index=False, lineterminator="\n")).encode("utf-8")
    if path is not None:
        Path(path).write_bytes(data)
    return data


def load(path: str | Path | None = None) -> pd.DataFrame:
    """The ensemble in ``path`` (default: the shipped one), checked, weights summing to 1.

    Raises:
        FileNotFoundError: no such file (for the shipped one: no full calibration wrote it yet).
        EnsembleError: the file does not follow the format.
    """
    where = Path(path) if path is not None else SHIPPED
    if not where.exists():
        hint = " (no full calibration has shipped one yet)" if path is None else ""
        raise FileNotFoundError(f"{where}: no ensemble file{hint}")
    return read(where.read_bytes(), str(where))


def read(data: bytes, source: str = "<ensemble>") -> pd.DataFrame:
    """An ensemble from the file's bytes, checked, weights summing to 1."""
    try:
        frame = pd.read_csv(io.BytesIO(data), comment="#")
    except (ValueError, UnicodeDecodeError) as error:
        raise EnsembleError(f"{source}: not a CSV ensemble ({error})") from None
    check(frame, source)
    if "representative" in frame.columns:
        frame["representative"] = frame["representative"].astype(str).str.lower() == "true"
    return frame.assign(weight=frame["weight"] / frame["weight"].sum())


def facts(data: bytes) -> dict[str, str]:
    """The ``# key: value`` comment lines at the top of an ensemble file."""
    found = {}
    for line in data.decode("utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        found[key.strip()] = value.strip()
    return found


def check(frame: pd.DataFrame, source: str) -> None:
    """Raise `EnsembleError` unless ``frame`` follows the format."""
    if "weight" not in frame.columns:
        raise EnsembleError(f"{source}: no weight column")
    names = parameters(frame)
    if not names or frame.empty:
        raise EnsembleError(f"{source}: give at least one parameter column and one member")
    weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise EnsembleError(f"{source}: weights must be finite, non-negative, not all 0")
    for name in names:
        if name not in FIELDS:
            raise EnsembleError(f"{source}: column {name!r} is not a model parameter")
        for value in frame[name]:
            plain = int(value) if isinstance(FIELDS[name].default, int) else float(value)
            if isinstance(FIELDS[name].default, int) and float(value) != plain:
                raise EnsembleError(f"{source}: {name}={value!r} is not a whole number")
            try:
                check_field(FIELDS[name], plain)
            except ValueError as error:
                raise EnsembleError(f"{source}: {error}") from None


def members(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each member as `Parameters` overrides (whole-number fields as int)."""
    names = parameters(frame)
    out = []
    for row in frame[names].itertuples(index=False):
        out.append(
            {
                n: int(round(v)) if isinstance(FIELDS[n].default, int) else float(v)
                for n, v in zip(names, row, strict=True)
            }
        )
    return out


def representative(frame: pd.DataFrame, low: np.ndarray, high: np.ndarray) -> int:
    """The row of the weighted medoid: the member nearest, on average, to all the others.

    Distances are taken on the prior box scaled to [0, 1] (``low``, ``high`` per parameter
    column) and averaged with the members' weights. A medoid is itself an accepted parameter
    set, which component-wise medians need not be (their combination may be implausible).
    """
    x = (frame[parameters(frame)].to_numpy(dtype=float) - low) / (high - low)
    w = frame["weight"].to_numpy(dtype=float)
    gaps = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1))
    return int(np.argmin(gaps @ w))


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size: N if the weights are equal, 1 if one carries all."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2)) if np.sum(w**2) > 0 else 0.0
