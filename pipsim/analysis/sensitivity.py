"""Global sensitivity analysis with SALib: which parameters drive the outcomes, and how much.

SALib's functional flow, one step per function. The sample is the design's
(`pipsim.sweep.design`: `problem` turns ``[sensitivity.parameters]`` into SALib's problem
dict, `salib_sample` draws Saltelli's Sobol' sample or Morris trajectories, and the ordinary
runner runs its points, so seeds, chunking, resuming and Dask work as for any sweep). Here
`analyse` averages each outcome over the replications of each point (a yes/no outcome such
as ``success`` becomes a probability) and hands the means to SALib. The evaluation step is
pluggable: `sample_evaluate_analyse` takes any ``evaluate(X) -> Y``, so the tests run the very
path the model takes on the Ishigami function, whose indices are known analytically.

The model is stochastic, so part of what SALib apportions is noise: `noise` says how much.
An index is only as good as its sample, and a small one gives indices outside [0, 1] and
intervals wider than the index: `flag_indices` and `flag_noise` say so in a ``flag`` column,
with the sample size or the replications that would do (the terminal, the figures and the
report read that column). SALib is imported only when a sample is analysed.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipsim.sweep import results
from pipsim.sweep.design import draw, problem, salib_sample, sensitivity_of
from pipsim.sweep.files import save_csv, save_figure

if TYPE_CHECKING:
    from pipsim.sweep.design import Scenario

METHOD_NAMES = {"sobol": "Sobol' indices", "morris": "Morris elementary effects"}
SOBOL_COLUMNS = ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")
SECOND_ORDER_COLUMNS = ("outcome", "parameter_1", "parameter_2", "S2", "S2_conf")
MORRIS_COLUMNS = ("outcome", "parameter", "mu", "mu_star", "mu_star_conf", "sigma")
TOLERANCE = 0.01  # an index this far outside [0, 1] is rounding, not a warning
PRECISE = 0.05  # an interval this narrow is precise enough, whatever the index
NOISY = 0.5  # noise share of the point means above which the indices are mostly noise
AIM = 0.2  # the noise share of the point means more replications should bring it down to


def sample_evaluate_analyse(
    problem: dict,
    method: str,
    evaluate: Callable[[np.ndarray], np.ndarray],
    n: int,
    seed: int,
    *,
    outcomes: Sequence[str] = ("y",),
    second_order: bool = True,
    levels: int = 4,
) -> dict[str, pd.DataFrame]:
    """Draw SALib's sample, evaluate it, analyse it: one tidy table of indices per outcome.

    Args:
        problem: SALib's problem dict (names, bounds, optionally dists).
        method: ``"sobol"`` or ``"morris"``.
        evaluate: ``X -> Y``, a row of outcomes (or one value) per row of the sample.
        n: Sobol's base sample size N, or Morris's number of trajectories.
        seed: seeds the sample and the bootstrap of the confidence intervals.
        outcomes: names of ``Y``'s columns.
        second_order: Sobol: also second-order indices (in ``table.attrs["second_order"]``).
        levels: Morris: grid levels (even).
    """
    x = draw(problem, method, n, seed, second_order=second_order, levels=levels)
    y = np.asarray(evaluate(x), dtype=float).reshape(len(x), -1)
    return {
        name: _indices(problem, method, x, y[:, k], name, seed, second_order, levels)
        for k, name in enumerate(outcomes)
    }


def _indices(
    problem: dict[str, Any],
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    outcome: str,
    seed: int,
    second_order: bool,
    levels: int,
) -> pd.DataFrame:
    """SALib's indices of one outcome as a tidy table; NaN, with a note, if it cannot be done."""
    names = problem["names"]
    note = ""
    if not np.isfinite(y).all():
        note = f"undefined at {int((~np.isfinite(y)).sum())} of {len(y)} points: not analysed"
    elif np.ptp(y) == 0:
        note = f"the same ({y[0]:g}) at every point: no variance to apportion"
    found: dict[str, Any]
    if method == "morris":
        keys = MORRIS_COLUMNS[2:]
        if note:
            found = dict.fromkeys(keys, np.full(len(names), np.nan))
        else:
            from SALib.analyze import morris

            found = morris.analyze(problem, x, y, num_levels=levels, seed=seed)
        table = pd.DataFrame({"outcome": outcome, "parameter": names})
        for key in keys:
            table[key] = np.ma.filled(np.ma.asarray(found[key], dtype=float), np.nan)
    else:
        keys = SOBOL_COLUMNS[2:]
        if note:
            nan = np.full((len(names), len(names)), np.nan)
            found = {**dict.fromkeys(keys, np.full(len(names), np.nan)), "S2": nan, "S2_conf": nan}
        else:
            from SALib.analyze import sobol

            rng = np.random.default_rng(seed)  # SALib ignores a seed of 0: pass a generator
            with warnings.catch_warnings():  # a constant bootstrap resample counts as 0: fine
                warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)
                found = sobol.analyze(problem, y, calc_second_order=second_order, seed=rng)
        table = pd.DataFrame(
            {"outcome": outcome, "parameter": names, **{k: found[k] for k in keys}}
        )
        if second_order:
            pairs = itertools.combinations(range(len(names)), 2)
            rows = [
                (outcome, names[i], names[j], found["S2"][i, j], found["S2_conf"][i, j])
                for i, j in pairs
            ]
            table.attrs["second_order"] = pd.DataFrame(rows, columns=list(SECOND_ORDER_COLUMNS))
    table.attrs["note"] = note
    return table


def point_means(runs: pd.DataFrame, outcomes: Sequence[str], points: int) -> np.ndarray:
    """Each outcome's mean over the replications of each design point (points × outcomes).

    Yes/no outcomes become the share of replications where it happened: a probability.
    """
    counts = runs.groupby("point").size()
    if len(counts) != points or counts.index.min() != 0 or counts.index.max() != points - 1:
        raise ValueError(f"the runs cover {len(counts)} of the {points} design points")
    means = runs[list(outcomes)].astype(float).groupby(runs["point"]).mean()
    return means.sort_index().to_numpy()


def analyse(scenario: Scenario, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """SALib's indices of each of ``scenario``'s outcomes, from its finished runs.

    Sobol: (outcome, parameter, S1, S1_conf, ST, ST_conf), with the second-order table
    (outcome, parameter_1, parameter_2, S2, S2_conf) in ``table.attrs["second_order"]``;
    Morris: (outcome, parameter, mu, mu_star, mu_star_conf, sigma). ``table.attrs["note"]``
    says why an outcome could not be analysed (its indices are then NaN).
    """
    s = sensitivity_of(scenario)
    x = salib_sample(scenario)
    means = point_means(runs, s.outcomes, len(x))
    return sample_evaluate_analyse(
        problem(scenario),
        s.method,
        lambda _: means,  # the runs were the evaluation: the sample is redrawn identically
        s.samples,
        scenario.seed,
        outcomes=s.outcomes,
        second_order=s.second_order,
        levels=s.levels,
    )


def tidy(results: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """All outcomes' indices in one table, and the second-order one (None for Morris)."""
    main = pd.concat([_bare(t) for t in results.values()], ignore_index=True)
    second = [t.attrs["second_order"] for t in results.values() if "second_order" in t.attrs]
    return main, pd.concat(second, ignore_index=True) if second else None


def _bare(table: pd.DataFrame) -> pd.DataFrame:
    """A copy without attrs (pandas compares attrs on concat, and tables there are ambiguous)."""
    copy = table.copy()
    copy.attrs = {}
    return copy


def noise(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """How much of each outcome's variance is the model's own randomness, how much parameters'.

    A table (outcome, total_variance, noise_share, parameter_share, replications,
    noise_share_of_means), one row per outcome.

    The noise variance is the mean, over design points, of the variance between the
    replications of a point (each differs only in its seed). The parameters' variance is that
    of the point means, corrected: a mean over r replications still carries noise/r of
    variance, so with few replications the point means vary even if the parameters do nothing.
    Their variance is reduced by the noise variance times the mean of 1/r (and kept ≥ 0).
    ``total_variance`` is that of one run: parameters' plus noise, and the two shares add up
    to 1. ``noise_share_of_means`` is the part of the point means' variance that is still
    noise: SALib apportions the point means, so each Sobol' total index carries about this
    much noise (an inert parameter's ST is near it), and Morris effects are blurred by it.
    With one replication per point there is no noise estimate (NaN): use two or more.
    """
    rows = []
    point = runs["point"]
    for outcome in outcomes:
        by_point = runs[outcome].astype(float).groupby(point)
        reps = by_point.count()
        noise_var = by_point.var(ddof=1).mean()
        means_var = by_point.mean().var(ddof=1)
        in_means = noise_var * (1 / reps[reps > 0]).mean()
        parameter_var = max(0.0, means_var - in_means)
        total = parameter_var + noise_var
        ok = bool(total > 0)  # False for NaN too (one replication per point)
        rows.append(
            {
                "outcome": outcome,
                "total_variance": total,
                "noise_share": noise_var / total if ok else math.nan,
                "parameter_share": parameter_var / total if ok else math.nan,
                "replications": int(reps.min()) if reps.min() == reps.max() else reps.mean(),
                "noise_share_of_means": min(1.0, in_means / max(means_var, 1e-300))
                if ok
                else math.nan,
            }
        )
    return pd.DataFrame(rows)


def index_problems(
    value: float, conf: float, name: str, bounded: bool, precise: float = PRECISE
) -> list[str]:
    """What is wrong with one index: outside [0, 1] (if ``bounded``), or an interval too wide.

    An interval is too wide if it is wider than the index itself (the index cannot be told
    from 0) and wider than ``precise`` (below that it is narrow enough to say "about 0").
    """
    if not (math.isfinite(value) and math.isfinite(conf)):
        return []
    problems = []
    if bounded and not -TOLERANCE <= value <= 1 + TOLERANCE:
        problems.append(f"{name} {value:.2f} outside [0, 1]")
    if conf > max(abs(value), precise):
        problems.append(f"{name} interval ±{conf:.2f} wider than the index")
    return problems


def samples_needed(
    value: float, conf: float, samples: int, method: str, precise: float = PRECISE
) -> int:
    """The sample size that would make this interval half the index (or `PRECISE`) wide.

    Half: an interval as wide as the index would still reach 0. Intervals shrink as 1/√N;
    Sobol's N is rounded up to a power of 2, as Saltelli's sample needs.
    """
    aim = max(min(abs(value), 1.0) / 2, precise) if method == "sobol" else max(value / 2, precise)
    if not (math.isfinite(conf) and conf > aim):
        return samples
    needed = math.ceil(samples * (conf / aim) ** 2)
    return 2 ** math.ceil(math.log2(needed)) if method == "sobol" else needed


def flag_indices(table: pd.DataFrame, method: str, samples: int) -> pd.DataFrame:
    """``table`` with ``flag`` (what is wrong, "" if nothing) and ``samples_needed`` columns.

    Works on the main tables (Sobol's S1 and ST, Morris's μ*) and Sobol's second order (S2).
    Sobol' indices are shares, so `PRECISE` is absolute; μ* is in the outcome's units, so
    there it is that share of the largest μ*.
    """
    keys = [k for k in ("S1", "ST", "S2", "mu_star") if k in table.columns]
    largest = table["mu_star"].abs().max() if "mu_star" in table.columns else 1.0
    precise = {k: PRECISE * (largest if k == "mu_star" and largest > 0 else 1.0) for k in keys}
    flags, needed = [], []
    for _, row in table.iterrows():
        problems: list[str] = []
        most = samples
        for key in keys:
            value, conf = float(row[key]), float(row[f"{key}_conf"])
            problems += index_problems(value, conf, key, key != "mu_star", precise[key])
            most = max(most, samples_needed(value, conf, samples, method, precise[key]))
        flags.append("; ".join(problems))
        needed.append(most if problems else samples)
    return table.assign(flag=flags, samples_needed=needed)


def flag_noise(shares: pd.DataFrame) -> pd.DataFrame:
    """The noise table with ``flag`` and ``replications_needed`` columns.

    Where more than `NOISY` of the point means' variance is noise, the indices apportion
    mostly the seeds' variance. Averaging r replications divides the noise by r: the
    replications that would bring it down to `AIM` are r · s (1 − AIM) / (AIM (1 − s)) for a
    noise share s; with s = 1 the parameters explain nothing and no number will do.
    """
    flags, needed = [], []
    for row in shares.itertuples():
        s, r = float(row.noise_share_of_means), float(row.replications)
        if not math.isfinite(s) or s <= NOISY:
            flags.append("")
            needed.append(math.ceil(r) if math.isfinite(r) else math.nan)
        elif s >= 0.999:
            flags.append("noise share 1.00: the parameters explain none of its variance")
            needed.append(math.nan)
        else:
            more = math.ceil(round(r * s * (1 - AIM) / (AIM * (1 - s)), 9))
            flags.append(f"noise share {s:.2f} of the point means: indices are mostly noise")
            needed.append(more)
    return shares.assign(flag=flags, replications_needed=needed)


def warnings_text(main: pd.DataFrame, shares: pd.DataFrame, method: str, samples: int) -> str:
    """The warnings of an analysis, one line per outcome that has any; "" if none."""
    lines = []
    size = "N" if method == "sobol" else "trajectories"
    noise = shares.set_index("outcome")
    for outcome, rows in main.groupby("outcome", sort=False):
        flagged = rows[rows["flag"] != ""]
        said = []
        if not flagged.empty:
            most = int(flagged["samples_needed"].max())
            more = f": {size} = {samples} → about {most:,}" if most > samples else ""
            said.append(
                f"{len(flagged)} of {len(rows)} parameters' indices are unreliable "
                f"({flagged['flag'].iloc[0]}, ...){more}"
            )
        if outcome in noise.index and noise.loc[outcome, "flag"]:
            more = noise.loc[outcome, "replications_needed"]
            said.append(
                str(noise.loc[outcome, "flag"])
                + (f": about {int(more):,} replications per point" if pd.notna(more) else "")
            )
        if said:
            lines.append(f"warning: {outcome}: " + "; ".join(said))
    return "\n".join(lines)


def write_analysis(
    scenario: Scenario, out: Path, runs: pd.DataFrame | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Path]]:
    """Analyse the runs in ``out``; write the tables and figures.

    Writes ``sensitivity_<method>.csv``, ``noise.csv``, ``sensitivity_second_order.csv``
    (Sobol') and one figure per outcome in ``figures/``.

    Returns:
        The indices per outcome (`analyse`), the noise table (`noise`) and the files written.
    """
    from pipsim.plots import sensitivity as sensitivity_plots  # loads matplotlib

    s = sensitivity_of(scenario)
    runs = runs if runs is not None else results.load_runs(out)
    found = {
        name: _flagged(table, s.method, s.samples)
        for name, table in analyse(scenario, runs).items()
    }
    main, second = tidy(found)
    shares = flag_noise(noise(runs, s.outcomes))
    files = [out / f"sensitivity_{s.method}.csv", out / "noise.csv"]
    save_csv(out, files[0], main)
    save_csv(out, files[1], shares)
    if second is not None:
        files.append(out / "sensitivity_second_order.csv")
        save_csv(out, files[-1], second)
    folder = out / "figures"
    floors = shares.set_index("outcome")["noise_share_of_means"]
    subtitle = (
        f"{METHOD_NAMES[s.method]}, {len(salib_sample(scenario))} points × "
        f"{scenario.replications} replications ({scenario.name})"
    )
    said = shares.set_index("outcome")["flag"]
    for outcome, table in found.items():
        if s.method == "sobol":
            fig = sensitivity_plots.sobol_bars(table, subtitle, floors[outcome], said[outcome])
        else:
            fig = sensitivity_plots.morris_plane(table, subtitle, said[outcome])
        files.append(folder / f"{s.method}_{outcome}.png")
        save_figure(out, files[-1], fig, dpi=120)
        if "second_order" in table.attrs and not table.attrs.get("note"):
            fig = sensitivity_plots.second_order_heatmap(table.attrs["second_order"], subtitle)
            files.append(folder / f"sobol_s2_{outcome}.png")
            save_figure(out, files[-1], fig, dpi=120)
    return found, shares, files


def _flagged(table: pd.DataFrame, method: str, samples: int) -> pd.DataFrame:
    """`flag_indices` of a table and of its second-order table, its attrs kept."""
    flagged = flag_indices(table, method, samples)
    flagged.attrs = dict(table.attrs)
    if "second_order" in table.attrs:
        flagged.attrs["second_order"] = flag_indices(table.attrs["second_order"], method, samples)
    return flagged
