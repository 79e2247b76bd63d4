"""Does the compiled core draw the same outcomes as the model before it? Two-sample tests.

Issue 19 rewrote the rules as compiled loops without changing the mechanisms, so the outcome
distributions must not change. For each typology and three parameter settings, ``--runs`` runs
are made by the model of commit `PRE_ISSUE` (the main branch when the issue began: its code is
taken from git into ``results/equivalence_old/``, run in separate processes) and ``--runs`` by
today's model, both in blocks of ``--block``, from unrelated seeds. Each outcome is compared
with a two-sample Kolmogorov-Smirnov test (a t-test of the means beside it for a quick read).
With about 130 tests, a p-value below 0.05 / tests (Bonferroni) is the line; the script prints
every p-value and how many fall below 0.05 (about 5% would by chance alone).

    .venv/bin/python benchmarks/equivalence.py                      # 2,000 runs each way
    .venv/bin/python benchmarks/equivalence.py --runs 200 --workers 2
    .venv/bin/python benchmarks/equivalence.py --against HEAD --reference-only \
        --reference tests/data/reference_runs.parquet

Each setting's runs are kept in ``results/equivalence_parts/`` as soon as they are made, named by
the setting's parameter values, the runs and the block: an interrupted comparison resumes at the
next setting. ``--reference`` also writes the old model's runs of the suite's reduced settings
(`REDUCED`, 300 runs each), which ``tests/test_equivalence.py`` compares with today's model.

``--against COMMIT`` compares with another commit than `PRE_ISSUE`. When the rules change on
purpose (a model version), the suite's reference is made anew from the commit that holds the new
rules (``--against HEAD --reference-only``): the reference records that commit, and from then on
the test guards the new rules against changes nobody meant.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy import stats

PRE_ISSUE = "19292cd"  # main when issue 19 (the compiled core) began
TYPOLOGIES = ("cluster", "vertical_network", "horizontal_network", "local_environment")
SETTINGS = {
    "defaults": {},
    "low trust, 24 months": {"initial_trust": 0.2, "project_months": 24},
    "turnover and distance": {"staff_turnover": 0.5, "geographic_distance": 0.8},
}
# The settings of the suite's reduced comparison (tests/test_equivalence.py): small groups.
REDUCED = {
    "vertical defaults": {"typology": "vertical_network"},
    "horizontal, low trust, 24 months": {
        "typology": "horizontal_network",
        "initial_trust": 0.2,
        "project_months": 24,
    },
    "vertical, turnover and distance": {
        "typology": "vertical_network",
        "staff_turnover": 0.5,
        "geographic_distance": 0.8,
    },
}
REDUCED_RUNS = 300
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
ROOT = Path(__file__).resolve().parent.parent
OLD_RUNS = """
import sys
import pandas as pd
from pipsim.sweep.block import run_block
overrides, seeds, block, out = eval(sys.argv[1]), eval(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pd.concat([run_block(overrides, s, block)[0] for s in seeds]).to_parquet(out)
"""


def old_tree(folder: Path, commit: str) -> Path:
    """The package of ``commit``, unpacked from git into ``folder`` (once)."""
    tree = folder / commit
    if not (tree / "pipsim" / "__init__.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "pipsim"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def old_blocks(tree: Path, overrides: dict, seeds: list[int], block: int) -> pd.DataFrame:
    """Blocks of the old model, one per seed, in a process that imports the old package."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "runs.parquet"
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, "-c", OLD_RUNS, repr(overrides), repr(seeds), str(block)]
        subprocess.run([*command, str(out)], env=env, check=True, cwd=tmp)
        return pd.read_parquet(out)


def new_blocks(overrides: dict, seeds: list[int], block: int) -> pd.DataFrame:
    """Blocks of today's model, one per seed."""
    from pipsim.sweep.block import run_block

    return pd.concat([run_block(overrides, s, block)[0] for s in seeds])


def both_ways(
    threads: cf.Executor, tree: Path, overrides: dict, base: int, runs: int, block: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(old model's runs, today's runs) of one setting, from unrelated seeds, in parallel."""
    seeds = [base + k for k in range(0, runs, block)]
    parts = [seeds[k : k + 10] for k in range(0, len(seeds), 10)]  # 10 blocks a process
    old = threads.map(lambda part: old_blocks(tree, overrides, part, block), parts)
    with cf.ProcessPoolExecutor(1) as pool:  # the other worker of a two-core machine
        new_seeds = [[s + 1 for s in part] for part in parts]  # unrelated to the old ones
        new = pool.map(new_blocks, [overrides] * len(parts), new_seeds, [block] * len(parts))
        new_runs = pd.concat(new)
    return pd.concat(old).head(runs), new_runs.head(runs)


def part_path(folder: Path, overrides: dict, runs: int, block: int, commit: str) -> Path:
    """Where one setting's runs are kept: named by its parameter values, runs and block."""
    digest = hashlib.sha256(repr(sorted(overrides.items())).encode()).hexdigest()[:12]
    return folder / f"{overrides['typology']}-{digest}-{runs}x{block}-{commit}.parquet"


def kept_runs(path: Path, make) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(old, today's) runs read from ``path``, or made by ``make()`` and kept there."""
    if path.exists():
        kept = pd.read_parquet(path)
        return tuple(kept[kept["way"] == w].drop(columns="way") for w in ("old", "new"))
    a, b = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    pd.concat([a.assign(way="old"), b.assign(way="new")]).to_parquet(partial)
    partial.rename(path)
    return a, b


def compare(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float]:
    """KS p-value of each outcome (NaNs dropped)."""
    return {k: float(stats.ks_2samp(a[k].dropna(), b[k].dropna()).pvalue) for k in OUTCOMES}


def commit_id(commit: str) -> str:
    """The short id of ``commit`` (``HEAD`` is recorded as the commit it names)."""
    out = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit], check=True, capture_output=True
    )
    return out.stdout.decode().strip()


def write_reference(tree: Path, path: Path, block: int, commit: str) -> None:
    """The old model's runs of the suite's reduced settings, for tests/test_equivalence.py."""
    frames = []
    for k, (name, overrides) in enumerate(REDUCED.items()):
        seeds = [7_000_000 + 1000 * k + s for s in range(0, REDUCED_RUNS, block)]
        runs = old_blocks(tree, overrides, seeds, block).head(REDUCED_RUNS)
        frames.append(runs[list(OUTCOMES)].assign(setting=name, commit=commit))
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames).reset_index(drop=True).to_parquet(path)
    print(f"reference runs of {commit}: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs each way per setting")
    parser.add_argument("--block", type=int, default=50, help="runs per block")
    parser.add_argument("--workers", type=int, default=1, help="processes for the old model")
    parser.add_argument("--out", type=Path, default=Path("results/equivalence.csv"))
    parser.add_argument("--reference", type=Path, help="also write the suite's reference runs")
    parser.add_argument("--reference-only", action="store_true", help="write them and stop")
    parser.add_argument("--against", default=PRE_ISSUE, help=f"old model commit ({PRE_ISSUE})")
    args = parser.parse_args()
    started = time.perf_counter()
    against = commit_id(args.against)
    tree = old_tree(args.out.parent / "equivalence_old", against)
    if args.reference:
        write_reference(tree, args.reference, args.block, against)
    if args.reference_only:
        return
    rows = []
    with cf.ThreadPoolExecutor(args.workers) as threads:
        for i, typology in enumerate(TYPOLOGIES):
            for j, (name, setting) in enumerate(SETTINGS.items()):
                overrides = {"typology": typology, **setting}
                base = 10_000_000 * (1 + 3 * i + j)
                path = part_path(
                    args.out.parent / "equivalence_parts", overrides, args.runs, args.block, against
                )

                def make(overrides=overrides, base=base):
                    return both_ways(threads, tree, overrides, base, args.runs, args.block)

                a, b = kept_runs(path, make)
                for key, p in compare(a, b).items():
                    rows.append(
                        {
                            "typology": typology,
                            "setting": name,
                            "outcome": key,
                            "mean_old": a[key].mean(),
                            "mean_new": b[key].mean(),
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
        f"\n{tests} KS tests over {args.runs} runs each way (old = {against}): "
        f"{int((table.ks_p < 0.05).sum())} below 0.05 (about {0.05 * tests:.0f} by chance), "
        f"{int((table.ks_p < line).sum())} below the Bonferroni line {line:.1g}; smallest p = "
        f"{table.ks_p.min():.2g}. Table: {args.out}; {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
