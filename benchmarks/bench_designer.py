"""Wall time of one press of *Compute* on the designer's page (`pipsim viz --designer`).

Exactly the page's compute path (`pipsim.viz.designer.compute_all`): every length of the
chart, then every lever at the planned length (`pipsim.analysis.levers.ask`), at
``--replications`` runs each; 114 gives 1,596 runs (7 lengths + 7 levers), the ~1,600 a
designer asking for a tight band would run. The compiled rules are warmed up first. Prints the
minimum and median of ``--repeats`` presses and the seconds per run (the page's
`SECONDS_PER_RUN`, which decides when it says how long a press takes).

Usage: ``.venv/bin/python benchmarks/bench_designer.py [--replications 114] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from pipsim.viz import designer

SETTINGS = {"typology": "vertical_network", "initial_trust": 0.3}
PLANNED = 36  # one of the page's lengths: 7 lengths + 7 levers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=114)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    designer.compute_all(SETTINGS, PLANNED, 2)  # compile / load the rules
    runs = designer.total_runs(args.replications, PLANNED)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        designer.compute_all(SETTINGS, PLANNED, args.replications)
        times.append(time.perf_counter() - start)
    print(
        f"designer page, {runs} runs ({os.cpu_count()} cores): min {min(times):.2f} s, "
        f"median {statistics.median(times):.2f} s, {min(times) / runs * 1000:.2f} ms a run"
    )


if __name__ == "__main__":
    main()
