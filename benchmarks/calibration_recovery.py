"""Recovery check of the calibration on the real targets' scenarios and statistics.

Known parameter values stand in for the unknown truth: the calibration targets' ranges are
replaced by what the model gives at those values (mean ± 2 sd over 8 blocks of runs, see
`pipsim.calibration.recovery`), and the ABC-SMC is asked to find them again. It prints, per
parameter, the true value, the posterior median and 90% interval, whether the interval holds
the truth and how much narrower than the prior it is; it writes the calibration folder
(figures included) into --out.

    .venv/bin/python benchmarks/calibration_recovery.py --out results/recovery --budget 3000

The parameters are those the screening of a finished calibration kept (``--from``), else the
first ``--keep`` candidates of the targets file; the truth is each prior's 35% point (inside,
not the middle, so that a posterior that only returns the prior's centre is not rewarded).

A targets file of calibration v2 (``method = "history_matching"``) is recovered at several known
sets (``--sets``, spread over the priors' middle 60% by a Latin hypercube), each a full history
matching in ``OUT/set-K``; it prints the coverage of the 90% intervals per parameter, pooled:

    .venv/bin/python benchmarks/calibration_recovery.py \
        --targets calibration/targets_v2.toml --sets 4 --workers 2 --out results/recovery-v2
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import pandas as pd

from pipsim.calibration import outputs, recovery, screening
from pipsim.calibration.run import calibrate
from pipsim.calibration.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--targets", type=Path, default=ROOT / "calibration" / "targets.toml")
    parser.add_argument("--from", dest="source", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("results/recovery"))
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--keep", type=int, default=None, help="parameters (v1 default 6; v2 all)")
    parser.add_argument("--at", type=float, default=0.35, help="the truth's place in each prior")
    parser.add_argument("--sets", type=int, default=4, help="known sets (history matching)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    c = load_targets(args.targets)
    if c.method == "history_matching":
        waves(c, args)
        return
    if args.source is not None:
        names = screening.kept(pd.read_csv(args.source / outputs.SCREENING))
    else:
        names = [p.name for p in c.priors[: args.keep or 6]]
    priors = tuple(c.prior(n) for n in names)
    truth = {}
    for p in priors:
        value = p.low + args.at * (p.high - p.low)
        truth[p.name] = float(round(value)) if p.integer else value
    # only the parameters under test; a short screening over them keeps them all
    c = dataclasses.replace(c, priors=priors, keep=len(priors), trajectories=2)
    started = time.perf_counter()
    known = recovery.synthetic(c, truth, blocks=8)
    for t in known.fitted:
        print(f"target {t.name}: [{t.low:.3g}, {t.high:.3g}]")
    result = calibrate(known, args.out, budget=args.budget, say=print)
    outputs.write_figures(args.out)
    found = recovery.covered(result.table, truth)
    found.to_csv(args.out / "recovery.csv", index=False)
    print(found.round(3).to_string(index=False))
    print(
        f"{int(found['inside'].sum())} of {len(found)} true values inside their 90% interval; "
        f"runs {result.runs}; {time.perf_counter() - started:.0f} s wall time"
    )


def waves(c, args: argparse.Namespace) -> None:
    """Recover several known sets with history matching; print the pooled coverage."""
    from pipsim.calibration.waves import history_match

    started = time.perf_counter()
    if args.keep is not None and args.keep < len(c.priors):  # the others at their presets
        c = dataclasses.replace(c, priors=c.priors[: args.keep])
    found = []
    for k, truth in enumerate(recovery.known_sets(c, args.sets, seed=c.seed)):
        known = recovery.synthetic(c, truth, blocks=4)
        matched = history_match(
            known, args.out / f"set-{k}", workers=args.workers, say=print, check=False
        )
        if matched.ensemble.empty:
            print(f"set {k}: no ensemble (nothing accepted): counted as not covered")
            table = matched.table.assign(q05=float("inf"), q95=float("-inf"))
        else:
            table = matched.table
        rows = recovery.covered(table, truth).assign(set=k)
        print(rows.round(3).to_string(index=False))
        found.append(rows)
    pooled = recovery.coverage(found)
    pd.concat(found).to_csv(args.out / "recovery.csv", index=False)
    pooled.to_csv(args.out / "coverage.csv", index=False)
    print(pooled.round(3).to_string(index=False))
    inside, total = int(pooled["inside"].sum()), int(pooled["sets"].sum())
    print(
        f"{inside} of {total} true values inside their 90% intervals "
        f"({inside / total:.0%}); {time.perf_counter() - started:.0f} s wall time"
    )


if __name__ == "__main__":
    main()
