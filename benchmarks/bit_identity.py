"""Do two versions of pipsim give bit-identical runs? Dump one's, compare with the other's.

A speed-up of the rules must not change a run: the same random draws in the same order, the
same floats. This script runs several typologies and seeds through `PIPModel` (blocks, with
the event log and the monthly series, and months stepped one by one) and through the block
runner (`run_block`), and writes every state array, series, event log and outcome to an
``.npz``; ``compare`` checks two such files for exact equality (NaN equal to NaN).

    PYTHONPATH=/path/to/main .venv/bin/python benchmarks/bit_identity.py dump /tmp/a.npz
    .venv/bin/python benchmarks/bit_identity.py dump /tmp/b.npz
    .venv/bin/python benchmarks/bit_identity.py compare /tmp/a.npz /tmp/b.npz
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

CASES = [  # (overrides, seed, replications)
    (dict(typology="cluster", initial_trust=0.3, project_months=12), 2005, 6),
    (dict(typology="cluster", initial_trust=0.3, project_months=36), 7, 6),
    (dict(typology="cluster", initial_trust=0.3, project_months=72), 11, 4),
    (dict(typology="horizontal_network"), 3, 6),
    (dict(typology="vertical_network", trust_decay=0.05), 4, 6),
    (dict(typology="local_environment", geographic_distance=0.5), 5, 4),
    (dict(typology="cluster", trust_prior_weight=0.0, political_crisis_month=20), 6, 4),
    (dict(typology="cluster", trust_prior_weight=200.0, spontaneous_contact=0.3), 8, 3),
    (dict(typology="cluster", trust_decay=0.0, mediation=False, conflict_rate=0.3), 9, 3),
]


def dump(path: str) -> None:
    from pipsim import PIPModel
    from pipsim.sweep.block import run_block

    out: dict[str, np.ndarray] = {}
    for c, (overrides, seed, reps) in enumerate(CASES):
        model = PIPModel(rng=seed, replications=reps, time_series=True, **overrides)
        model.run_model()
        for name, a in model.state.arrays._asdict().items():
            out[f"{c}/model/{name}"] = np.asarray(a)
        out[f"{c}/model/series"] = model._series
        out[f"{c}/model/log"] = np.array(repr(model.logs))
        out[f"{c}/model/outcomes"] = np.array(repr(model.all_outcomes()))
        stepped = PIPModel(rng=seed, replications=reps, **overrides)  # month by month
        while stepped.running:
            stepped.step()
        for name, a in stepped.state.arrays._asdict().items():
            out[f"{c}/stepped/{name}"] = np.asarray(a)
        runs, _ = run_block(overrides, seed, reps)
        for col in runs.columns:
            out[f"{c}/block/{col}"] = runs[col].to_numpy()
        print(f"case {c} done", file=sys.stderr)
    np.savez_compressed(path, **out)


def compare(a_path: str, b_path: str) -> int:
    a, b = np.load(a_path), np.load(b_path)
    bad = 0
    if set(a.files) != set(b.files):
        print("different keys:", sorted(set(a.files) ^ set(b.files)))
        bad += 1
    for key in sorted(set(a.files) & set(b.files)):
        x, y = a[key], b[key]
        same = x.shape == y.shape and x.dtype == y.dtype
        if same:
            if x.dtype.kind == "f":
                same = np.array_equal(x.view(f"u{x.itemsize}"), y.view(f"u{y.itemsize}"))
            else:
                same = np.array_equal(x, y)
        if not same:
            print("DIFFERS:", key)
            bad += 1
    print(f"{len(a.files)} arrays compared, {bad} differ")
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("path")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.path)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
