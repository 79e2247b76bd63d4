"""Do blocks of runs and single Mesa runs draw the same outcomes? Two-sample tests, per setting.

For each typology and three parameter settings, ``--runs`` runs are made one `PIPModel` at a
time (as `mesa.batch_run` makes them) and ``--runs`` runs in blocks of ``--block`` (as
``pipsim run`` makes them), from unrelated seeds. Each outcome is compared with a two-sample
Kolmogorov-Smirnov test (a t-test of the means beside it for a quick read). With about 130
tests, a p-value below 0.05 / tests (Bonferroni) is the line; the script prints every p-value
and how many fall below 0.05 (about 5% would by chance alone).

    .venv/bin/python benchmarks/equivalence.py                      # 2,000 runs each way
    .venv/bin/python benchmarks/equivalence.py --runs 200 --workers 2

Each setting's runs are kept in ``results/equivalence_parts/`` as soon as they are made, named
by the setting's full parameter values, the runs and the block: an interrupted run resumes at
the next setting, and new defaults make new runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from pipsim import PIPModel
from pipsim.parameters import Parameters
from pipsim.sweep.block import run_block

TYPOLOGIES = ("cluster", "vertical_network", "horizontal_network", "local_environment")
SETTINGS = {
    "defaults": {},
    "low trust, 24 months": {"initial_trust": 0.2, "project_months": 24},
    "turnover and distance": {"staff_turnover": 0.5, "geographic_distance": 0.8},
}
OUTCOMES = (
    "participants",
    "dropouts",
    "firms_in_joint_projects",
    "trust_partners",
    "mean_trust",
    "trust_in_public",
    "pilots_run",
    "projects_run",
    "conflicts",
    "sales_growth",
    "participants_after",
)


def singles(overrides: dict, seeds: list[int]) -> pd.DataFrame:
    """One model per seed, run to its end (what mesa.batch_run does)."""
    rows = []
    for seed in seeds:
        model = PIPModel(rng=seed, **overrides)
        while model.running:
            model.step()
        rows.append(model.outcomes())
    return pd.DataFrame(rows)


def blocks(overrides: dict, seed: int, runs: int) -> pd.DataFrame:
    return run_block(overrides, seed, runs)[0]


def part_path(folder: Path, overrides: dict, runs: int, block: int) -> Path:
    """Where one setting's runs are kept: named by every parameter value, runs and block."""
    values = repr(sorted(Parameters.from_overrides(overrides).to_dict().items()))
    digest = hashlib.sha256(values.encode()).hexdigest()[:12]
    return folder / f"{overrides['typology']}-{digest}-{runs}x{block}.parquet"


def setting_runs(pool: cf.Executor, overrides: dict, base: int, runs: int, block: int):
    """(single runs, runs in blocks) of one setting, from unrelated seeds."""
    seeds = list(range(base, base + runs))
    parts = [seeds[k : k + 100] for k in range(0, runs, 100)]
    single = pool.map(singles, [overrides] * len(parts), parts)
    starts = range(0, runs, block)
    sizes = [min(block, runs - s) for s in starts]
    blocked = pool.map(blocks, [overrides] * len(sizes), [base + s for s in starts], sizes)
    return pd.concat(single), pd.concat(blocked)


def kept_runs(path: Path, make) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(single runs, runs in blocks) read from ``path``, or made by ``make()`` and kept there."""
    if path.exists():
        kept = pd.read_parquet(path)
        return tuple(kept[kept["way"] == w].drop(columns="way") for w in ("single", "block"))
    a, b = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    pd.concat([a.assign(way="single"), b.assign(way="block")]).to_parquet(partial)
    partial.rename(path)
    return a, b


def compare(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float]:
    """KS p-value of each outcome (NaNs dropped)."""
    return {k: float(stats.ks_2samp(a[k].dropna(), b[k].dropna()).pvalue) for k in OUTCOMES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs each way per setting")
    parser.add_argument("--block", type=int, default=50, help="runs per block")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/equivalence.csv"))
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    with cf.ProcessPoolExecutor(args.workers) as pool:
        for i, typology in enumerate(TYPOLOGIES):
            for j, (name, setting) in enumerate(SETTINGS.items()):
                overrides = {"typology": typology, **setting}
                base = 10_000_000 * (1 + 3 * i + j)
                path = part_path(
                    args.out.parent / "equivalence_parts", overrides, args.runs, args.block
                )
                a, b = kept_runs(
                    path, partial(setting_runs, pool, overrides, base, args.runs, args.block)
                )
                for key, p in compare(a, b).items():
                    rows.append(
                        {
                            "typology": typology,
                            "setting": name,
                            "outcome": key,
                            "mean_single": a[key].mean(),
                            "mean_block": b[key].mean(),
                            "ks_p": p,
                            "t_p": float(stats.ttest_ind(a[key].dropna(), b[key].dropna()).pvalue),
                        }
                    )
                print(f"{typology:20s} {name:24s} done ({time.perf_counter() - started:.0f} s)")
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    tests = len(table)
    line = 0.05 / tests
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(
        f"\n{tests} KS tests over {args.runs} runs each way: {int((table.ks_p < 0.05).sum())} "
        f"below 0.05 (about {0.05 * tests:.0f} by chance), {int((table.ks_p < line).sum())} "
        f"below the Bonferroni line {line:.1g}; smallest p = {table.ks_p.min():.2g}. "
        f"Table: {args.out}; {time.perf_counter() - started:.0f} s."
    )
    print("verdict:", "agree" if (table.ks_p >= line).all() else "DIFFER (see the rows above)")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
