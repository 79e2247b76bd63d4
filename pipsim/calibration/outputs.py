"""What a calibration leaves on disk: the posterior, its table and the predictive check.

``OUT/posterior.parquet``: the last generation's particles (one column per calibrated
parameter, ``weight``). ``OUT/posterior.csv``: per parameter its declared default, prior
range, posterior median and 90% interval, and the calibration targets that inform it.
``OUT/generations.csv``: per ABC-SMC generation its epsilon, acceptance rate, effective sample
size and weighted medians (converged when the medians settle and the effective size stays a
good share of the population). ``OUT/predictive.parquet``: every target's
statistic (held-out targets included) for draws from the posterior, and for the current
defaults (``draw`` = -1). ``OUT/check.csv``: per target its range, the defaults' value, the
posterior predictive median and 90% interval, the share of draws inside the range and a
verdict. A check that fails is written as one, not dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipsim.calibration.statistics import simulate
from pipsim.calibration.targets import Calibration
from pipsim.parameters import FIELDS
from pipsim.sweep import files

POSTERIOR = "posterior.parquet"
POSTERIOR_TABLE = "posterior.csv"
PREDICTIVE = "predictive.parquet"
CHECK = "check.csv"
SCREENING = "screening.csv"
GENERATIONS = "generations.csv"
MANIFEST = "calibration.json"
FITS = 0.5  # a target fits if at least this share of posterior draws falls in its range
INFORMS = 0.5  # a parameter informs a target whose Morris mu* is at least this share of its largest


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (the inverse of the weighted CDF)."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cumulative = np.cumsum(w) / np.sum(w)
    return float(v[min(int(np.searchsorted(cumulative, q)), len(v) - 1)])


def generations(history: Any) -> pd.DataFrame:
    """One row per finished generation: epsilon, acceptance, effective size, weighted medians.

    The effective size is Kish's (pyabc's): N if the weights are equal, 1 if one carries all.
    """
    from pyabc.weighted_statistics import effective_sample_size  # pyabc made ``history``

    populations = history.get_all_populations().query("t >= 0").set_index("t")
    rows = []
    for t, population in populations.iterrows():
        frame, weights = history.get_distribution(m=0, t=int(t))
        row = {
            "generation": int(t) + 1,
            "epsilon": float(population["epsilon"]),
            "acceptance": int(population["particles"]) / max(int(population["samples"]), 1),
            "effective_size": float(effective_sample_size(weights)),
        }
        for name in frame.columns:
            row[str(name)] = weighted_quantile(frame[name].to_numpy(), weights, 0.5)
        rows.append(row)
    return pd.DataFrame(rows)


def posterior_frame(history: Any) -> pd.DataFrame:
    """The last generation's particles and their weights."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    return frame.assign(weight=np.asarray(weights, dtype=float))


def informed_by(screening: pd.DataFrame | None, parameter: str) -> str:
    """The calibration targets a parameter moves most: Morris mu* >= INFORMS x the target's largest.

    Read from the screening table; a parameter the targets barely move informs none of them,
    and its posterior is then mostly its prior.
    """
    if screening is None:
        return ""
    rows = screening[(screening["parameter"] == parameter) & (screening["share"] >= INFORMS)]
    return " ".join(sorted(rows["target"]))


def posterior_table(
    calibration: Calibration, posterior: pd.DataFrame, screening: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per calibrated parameter: default, prior range, posterior median, 90% interval, targets."""
    rows = []
    weights = posterior["weight"].to_numpy()
    for name in [c for c in posterior.columns if c != "weight"]:
        prior, values = calibration.prior(name), posterior[name].to_numpy()
        q = [weighted_quantile(values, weights, x) for x in (0.05, 0.5, 0.95)]
        if prior.integer:
            q = [float(round(x)) for x in q]
        rows.append(
            {
                "parameter": name,
                "default": FIELDS[name].default,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "median": q[1],
                "q05": q[0],
                "q95": q[2],
                "informed_by": informed_by(screening, name),
            }
        )
    return pd.DataFrame(rows)


Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]


def draws(posterior: pd.DataFrame, count: int, seed: int) -> list[dict[str, float]]:
    """``count`` parameter sets drawn from the posterior by weight (with replacement)."""
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy()
    picks = rng.choice(len(posterior), size=count, p=weights / weights.sum())
    names = [c for c in posterior.columns if c != "weight"]
    return [{n: float(posterior.iloc[i][n]) for n in names} for i in picks]


def _stats(calibration: Calibration, theta: dict[str, float]) -> dict[str, float]:
    return simulate(calibration, theta, calibration.targets)


def predictive(
    calibration: Calibration,
    posterior: pd.DataFrame,
    mapper: Mapper = map,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Every target's statistic for the defaults (draw -1) and for posterior draws."""
    thetas: list[dict[str, float]] = [{}] + draws(
        posterior, calibration.predictive_draws, calibration.seed
    )
    rows = []
    for k, stats in enumerate(mapper(partial(_stats, calibration), thetas)):
        rows.append({"draw": k - 1, **thetas[k], **stats})
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows)


def predictive_runs(calibration: Calibration) -> int:
    """Model runs the predictive check takes (defaults and draws, every target's scenario)."""
    scenarios = len(calibration.scenarios_of(calibration.targets))
    return (calibration.predictive_draws + 1) * scenarios * calibration.replications


def check_table(calibration: Calibration, predicted: pd.DataFrame) -> pd.DataFrame:
    """Per target: range, the defaults' value, predictive median and 90% interval, verdict."""
    defaults = predicted[predicted["draw"] < 0]
    posterior = predicted[predicted["draw"] >= 0]
    rows = []
    for t in calibration.targets:
        values = posterior[t.name].astype(float).to_numpy()
        finite = values[np.isfinite(values)]
        inside = float(np.mean((values >= t.low) & (values <= t.high))) if len(values) else 0.0
        q = np.quantile(finite, [0.05, 0.5, 0.95]) if finite.size else [np.nan] * 3
        rows.append(
            {
                "target": t.name,
                "set": t.set,
                "statistic": _describe(t),
                "low": t.low,
                "high": t.high,
                "defaults": float(defaults[t.name].iloc[0]) if len(defaults) else np.nan,
                "median": q[1],
                "q05": q[0],
                "q95": q[2],
                "share_inside": inside,
                "verdict": "fits" if inside >= FITS else "does not fit",
            }
        )
    return pd.DataFrame(rows)


def _describe(t: Any) -> str:
    if t.statistic == "probability":
        what = f"P({t.outcome} ≤ {t.at_most:g})" if t.at_most is not None else f"P({t.outcome})"
    elif t.statistic == "ratio":
        what = f"{t.outcome} / {t.denominator}"
    else:
        what = f"{t.statistic} {t.outcome}"
    return f"{what}, {t.scenario}" + (f" − {t.baseline}" if t.baseline else "")


def write_manifest(out: Path, **facts: Any) -> None:
    """Merge ``facts`` into ``OUT/calibration.json``."""
    data = read_manifest(out)
    data.update(facts)
    text = json.dumps(data, indent=2, default=str) + "\n"
    files.write_bytes(out, out / MANIFEST, text.encode("utf-8"))


def read_manifest(out: Path) -> dict[str, Any]:
    """``OUT/calibration.json``, or an empty dict (missing, damaged, or not a regular file)."""
    try:
        found = json.loads(files.read_text(out / MANIFEST))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


FIGURES = {
    "screening": "calibration_screening.png",
    "marginals": "posterior_marginals.png",
    "pairs": "posterior_pairs.png",
    "check": "predictive_check.png",
    "held_out": "predictive_check_held_out.png",
}


def write_figures(out: Path) -> list[Path]:
    """Draw a calibration's figures from its files in ``out`` into ``OUT/figures/``."""
    from pipsim.calibration.screening import ranking
    from pipsim.plots import calibration as plots  # loads matplotlib

    folder = out / "figures"
    posterior = _read(out / POSTERIOR, pd.read_parquet)
    table = _read(out / POSTERIOR_TABLE, pd.read_csv)
    check = _read(out / CHECK, pd.read_csv)
    predicted = _read(out / PREDICTIVE, pd.read_parquet)
    figures = {
        "screening": plots.screening_bars(ranking(_read(out / SCREENING, pd.read_csv))),
        "marginals": plots.marginals(posterior, table),
        "pairs": plots.pairs(posterior, table),
        "check": plots.predictive_check(check, predicted, held_out=False),
        "held_out": plots.predictive_check(check, predicted, held_out=True),
    }
    written = []
    for key, figure in figures.items():
        path = folder / FIGURES[key]
        files.save_figure(out, path, figure, dpi=110)
        written.append(path)
    return written


def _read(path: Path, read: Callable[[Any], pd.DataFrame]) -> pd.DataFrame:
    """A table of the calibration, read only from a regular file (no link, no pipe)."""
    with files.open_read(path) as file:
        return read(file)
