"""CPU time per run of the reference scenario's blocks, by project length (A/B comparisons).

Runs `pipsim.sweep.block.run_block` as a sweep does (blocks of 50, the scenario's model) and
prints, per project length, the median over blocks of the process's CPU time (user + system,
``time.process_time``) per run: on a loaded machine wall time measures the other jobs too.
A first block of each length is run untimed (compilation, caches). Run it with PYTHONPATH
pointing at another checkout to time that one; alternate the two for a fair comparison.

    .venv/bin/python benchmarks/run_cpu.py [--blocks 5] [--block 50] [--months 12 36 72]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import pipsim
from pipsim.sweep.block import run_block


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--months", type=int, nargs="+", default=[12, 22, 36, 72])
    parser.add_argument("--json", action="store_true", help="one JSON line: {months: ms}")
    args = parser.parse_args()
    figures = {}
    for months in args.months:
        overrides = dict(typology="cluster", initial_trust=0.3, project_months=months)
        run_block(overrides, 0, args.block)  # untimed
        per_run = []
        for seed in range(1, args.blocks + 1):
            start = time.process_time()
            run_block(overrides, seed, args.block)
            per_run.append((time.process_time() - start) / args.block * 1e3)
        figures[months] = float(np.median(per_run))
    if args.json:
        print(json.dumps({"pipsim": pipsim.__file__, "ms": figures}))
    else:
        for months, ms in figures.items():
            print(f"{months:>3} months: {ms:.3f} ms CPU a run (median of {args.blocks} blocks)")


if __name__ == "__main__":
    main()
