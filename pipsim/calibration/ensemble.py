"""The ensemble: accepted parameter sets, each with a weight, that carry what we do not know.

The one module that owns the file's format. ``pipsim/data/ensemble.csv`` (package data; the
calibration writes it, everything else reads it through `load`) is a CSV with one row per
accepted parameter set: a column per `pipsim.parameters.Parameters` field it sets (numbers, or
true/false for switches; ``typology`` is the scenario's, not the ensemble's) and a ``weight``
column (non-negative, normalised on load). Lines starting with ``#`` are comments (the
calibration records where the ensemble came from in ``# key: value`` lines at the top), and
the calibration's bookkeeping columns ``member`` (an identifier) and ``representative`` (the
set chosen as the defaults) are read past: runs name a member by its row, counted from 0.
Every problem is one `EnsembleError` line naming the file, the line and column, the value and
what is allowed, as a scenario file's are.

How runs draw from it is `pipsim.sweep.design`'s (`member_of`); how the answer separates the
two uncertainties is `pipsim.analysis.uncertainty`'s. The calibration (`pipsim.calibration.waves`)
writes it with `write` (a ``# format: pipsim-ensemble-1`` line first, then where it came from) and
chooses the representative set with `representative` (the weighted medoid).
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from pipsim.parameters import FIELDS, check_field

WEIGHT = "weight"
BOOKKEEPING = ("member", "representative")  # the calibration's columns, not parameters
MAX_BYTES = 10_000_000  # an ensemble of 100 sets is a few kilobytes


class EnsembleError(ValueError):
    """A problem in an ensemble file: where it is, what was found, and what is allowed."""

    def __init__(self, file: str, key: str, value: Any, allowed: str) -> None:
        where = f"{file}: {key}" if key else file
        shown = "" if value is None else f" = {value!r}"
        super().__init__(f"{where}{shown}: {allowed}")


@dataclass(frozen=True)
class Ensemble:
    """Accepted parameter sets (``rows``, one dict each) and their normalised ``weights``."""

    source: str
    names: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    weights: tuple[float, ...]
    digest: str  # SHA-256 of the file's bytes: what makes two ensembles' runs comparable

    def __len__(self) -> int:
        return len(self.rows)

    def draw(self, seed: int, group: int) -> int:
        """The member drawn by weight for replicate group ``group`` of a sweep seeded ``seed``.

        Reproducible from the two numbers alone (its own stream, apart from the runs' seeds).
        """
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DRAW_KEY, group)))
        return int(rng.choice(len(self.rows), p=np.asarray(self.weights)))


DRAW_KEY = 0x45_4E_53  # "ENS": the spawn key of the members' draws, apart from (point, replicate)


def shipped() -> Path | None:
    """The ensemble shipped in the package, or None while none is (see README, "Ensemble")."""
    path = Path(str(resources.files("pipsim") / "data" / "ensemble.csv"))
    return path if path.is_file() else None


def load(path: str | Path | None = None) -> Ensemble:
    """Read and validate an ensemble file (default: the shipped one); `EnsembleError` if wrong."""
    if path is None:
        path = shipped()
        if path is None:
            raise EnsembleError("pipsim/data/ensemble.csv", "", None, "no ensemble is shipped yet")
    where = str(path)
    try:
        data = Path(path).read_bytes()[: MAX_BYTES + 1]
        text = data.decode("utf-8-sig")
    except OSError as error:
        raise EnsembleError(where, "", None, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise EnsembleError(where, "", None, "is not UTF-8 text: give a CSV file") from None
    if len(data) > MAX_BYTES:
        raise EnsembleError(where, "", None, f"is larger than {MAX_BYTES:,} bytes")
    lines = [
        (i, line)
        for i, line in enumerate(text.splitlines(), start=1)  # numbered as an editor shows them
        if line.strip() and not line.lstrip().startswith("#")
    ]
    table = [(i, next(csv.reader([line]))) for i, line in lines]  # a set is one line
    if not table:
        raise EnsembleError(where, "", None, "is empty: give a header and one row per set")
    header = [h.strip() for h in table[0][1]]
    _check_header(where, header)
    names = tuple(h for h in header if h != WEIGHT and h not in BOOKKEEPING)
    rows, weights = [], []
    for i, cells in table[1:]:
        if len(cells) != len(header):
            allowed = f"has {len(cells)} cells: the header has {len(header)}"
            raise EnsembleError(where, f"line {i}", None, allowed)
        values = dict(zip(header, (c.strip() for c in cells), strict=True))
        weights.append(_weight(where, i, values.pop(WEIGHT)))
        rows.append({n: _value(where, i, n, values[n]) for n in names})
    if not rows:
        raise EnsembleError(where, "", None, "has no rows: give one row per accepted set")
    total = math.fsum(weights)
    if total <= 0:
        raise EnsembleError(where, WEIGHT, None, "every weight is 0: give some weight > 0")
    normalised = tuple(w / total for w in weights)
    digest = hashlib.sha256(data).hexdigest()
    return Ensemble(where, names, tuple(rows), normalised, digest)


def _check_header(where: str, header: list[str]) -> None:
    if WEIGHT not in header:
        raise EnsembleError(where, "header", None, f"has no {WEIGHT!r} column")
    for name in header:
        if header.count(name) > 1:
            raise EnsembleError(where, f"column {name!r}", None, "appears twice")
        if name == WEIGHT or name in BOOKKEEPING:
            continue
        if name not in FIELDS:
            allowed = "is not a parameter: allowed are the fields of pipsim.parameters"
            raise EnsembleError(where, f"column {name!r}", None, allowed)
        if "choices" in FIELDS[name].metadata:
            allowed = "is the scenario's choice, not a parameter an ensemble can vary"
            raise EnsembleError(where, f"column {name!r}", None, allowed)
    if not set(header) - {WEIGHT, *BOOKKEEPING}:
        raise EnsembleError(where, "header", None, "names no parameter beside the weight")


def _weight(where: str, line: int, cell: str) -> float:
    try:
        w = float(cell)
    except ValueError:
        w = math.nan
    if not (math.isfinite(w) and w >= 0):
        allowed = "is not allowed: give a finite number ≥ 0"
        raise EnsembleError(where, f"line {line}, column {WEIGHT!r}", cell, allowed)
    return w


def _value(where: str, line: int, name: str, cell: str) -> Any:
    """The cell as the field's type, checked against its declared range."""
    f = FIELDS[name]
    kind = type(f.default) if f.default is not None else int
    key = f"line {line}, column {name!r}"
    value: Any
    if kind is bool:
        words = {"true": True, "false": False, "1": True, "0": False}
        if cell.lower() not in words:
            raise EnsembleError(where, key, cell, "is not allowed: give true or false")
        value = words[cell.lower()]
    else:
        try:
            number = float(cell)
        except ValueError:
            allowed = f"is not allowed: give a {kind.__name__}"
            raise EnsembleError(where, key, cell, allowed) from None
        whole = math.isfinite(number) and number == int(number)
        value = int(number) if kind is int and whole else number
    try:
        check_field(f, value)
    except ValueError as error:
        allowed = "is " + str(error).split(" is ", 1)[-1]  # "name=value is ...": the rest
        raise EnsembleError(where, key, cell, allowed) from None
    return value


# --- writing: the calibration's side of the format ------------------------------------------
FORMAT = "pipsim-ensemble-1"  # the first ``# format:`` line the calibration writes


def write(frame: pd.DataFrame, **facts: Any) -> bytes:
    """The file's bytes for ``frame``: ``# key: value`` lines (``format`` first), then the CSV.

    ``frame`` holds a column per parameter, ``weight``, and optionally the bookkeeping columns
    ``member`` and ``representative`` (written as true/false). `load` reads what this writes;
    `pipsim.calibration.waves` checks it does, on the file it has written.
    """
    out = frame.copy()
    if "representative" in out.columns:
        out["representative"] = out["representative"].map({True: "true", False: "false"})
    head = "".join(f"# {k}: {v}\n" for k, v in {"format": FORMAT, **facts}.items())
    return (head + out.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def facts(data: bytes) -> dict[str, str]:
    """The ``# key: value`` lines at the top of an ensemble file, as the calibration wrote them."""
    found = {}
    for line in data.decode("utf-8-sig").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        found[key.strip()] = value.strip()
    return found


def frame_of(ensemble: Ensemble) -> pd.DataFrame:
    """An ensemble as a table: a column per parameter and ``weight`` (for figures and tables)."""
    import pandas as pd

    return pd.DataFrame(list(ensemble.rows), columns=list(ensemble.names)).assign(
        weight=list(ensemble.weights)
    )


def representative(frame: pd.DataFrame, names: list[str], low: np.ndarray, high: np.ndarray) -> int:
    """The row of the weighted medoid: the member nearest, on average, to all the others.

    Distances are taken on the prior box scaled to [0, 1] (``low``, ``high`` per column of
    ``names``) and averaged with the members' weights. A medoid is itself an accepted parameter
    set, which component-wise medians need not be (their combination may be implausible).
    """
    x = (frame[names].to_numpy(dtype=float) - low) / (high - low)
    w = frame[WEIGHT].to_numpy(dtype=float)
    gaps = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1))
    return int(np.argmin(gaps @ w))


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size: N if the weights are equal, 1 if one carries all."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2)) if np.sum(w**2) > 0 else 0.0
